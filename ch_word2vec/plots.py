"""The chapter's figure: some words' vectors of each method projected to 2-D, labelled."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from common.plots.figures import pyplot, save_figure


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """Rows (n, D) taken to length 1, then onto their two principal axes: (n, 2).

    Unit length first, so that the picture shows directions (what cosine similarity
    compares), not the lengths frequent words have.
    """
    unit = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)
    centred = unit - unit.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def plot_word_map(methods: Mapping[str, np.ndarray], words: Sequence[str],
                  groups: Mapping[str, str], path: str | os.PathLike,
                  show: bool = False) -> Path:
    """One panel per method: the vectors (rows, one per word of ``words``) projected to
    2-D, each point labelled with its word and coloured by its group (word -> group)."""
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(methods), figsize=(6.5 * len(methods), 6), squeeze=False)
    names = list(dict.fromkeys(groups[word] for word in words))
    colours = {name: plt.get_cmap("tab10")(i % 10) for i, name in enumerate(names)}
    for ax, (title, vectors) in zip(axes[0], methods.items(), strict=True):
        points = project_2d(vectors)
        for name in names:
            mine = [i for i, word in enumerate(words) if groups[word] == name]
            ax.scatter(points[mine, 0], points[mine, 1], s=14, color=colours[name], label=name)
            for i in mine:
                ax.annotate(words[i], points[i], xytext=(3, 2), textcoords="offset points",
                            fontsize=8, color=colours[name])
        ax.set_title(title)
        ax.set_xlabel("first principal axis")
        ax.set_ylabel("second principal axis")
        ax.grid(alpha=0.3)
    axes[0][0].legend(loc="best", fontsize=8)
    return save_figure(fig, path, show)
