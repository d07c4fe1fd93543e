"""A map of word vectors: some words' vectors projected to 2-D, labelled and coloured by
group, one panel per set of vectors (e.g. counted and learned side by side).

    plot_word_map({"CBOW": vectors[ids]}, words, {"king": "rank", ...}, show=True)

``project_2d`` is the projection: the vectors taken to length 1, then onto their two
principal axes. ``ch_word2vec`` and the word2vec notebook draw the map.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from common.plots.figures import pyplot, save_figure


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """Rows (n, D) taken to length 1, then centred and projected onto their two principal
    axes: (n, 2), in the dtype of ``vectors``.

    Unit length first, so that the picture shows directions (what cosine similarity
    compares), not the lengths frequent words have.
    """
    unit = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)
    centred = unit - unit.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def plot_word_map(methods: Mapping[str, np.ndarray], words: Sequence[str],
                  groups: Mapping[str, str], path: str | os.PathLike | None = None,
                  show: bool = False) -> Path | None:
    """One panel per entry of ``methods`` (its title -> vectors (n, D), row i the vector of
    ``words[i]``): the vectors projected to 2-D by ``project_2d``, each point labelled with
    its word and coloured by its group (``groups``: word -> group name, the legend in the
    order the groups first appear in ``words``).

    Writes a PNG to ``path`` (nothing when None) and returns the path; ``show=True`` keeps
    the figure open (in a notebook: drawn under the cell).
    """
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(methods), figsize=(6.5 * len(methods), 6), squeeze=False)
    group_of = np.array([groups[word] for word in words])
    names = list(dict.fromkeys(group_of))
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(names)}
    for ax, (title, vectors) in zip(axes[0], methods.items(), strict=True):
        points = project_2d(vectors)
        for name in names:
            mine = np.flatnonzero(group_of == name)
            ax.scatter(points[mine, 0], points[mine, 1], s=14, color=colours[name], label=name)
            for i in mine:  # one label per word: matplotlib annotates one text at a time
                ax.annotate(words[i], points[i], xytext=(3, 2), textcoords="offset points",
                            fontsize=8, color=colours[name])
        ax.set_title(title)
        ax.set_xlabel("first principal axis")
        ax.set_ylabel("second principal axis")
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="best", fontsize=8)
    return save_figure(fig, path, show)
