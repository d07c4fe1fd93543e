"""Perplexity curves of language models: each model's training and validation perplexity,
all the models on one plot.

    plot_perplexities({"Rnnlm": {"ppl": [...], "ppl_iteration": [...], "val_ppl": [...],
                                 "val_iteration": [...], "test_ppl": 266.5}}, show=True)

``ch_rnnlm`` draws it from the curves its runs record (``ch_rnnlm.training``:
``RnnlmRun.curves()``), the language-model notebook from its loops' ``history``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from common.plots.figures import curve_style, pyplot, save_figure


def plot_perplexities(runs: Mapping[str, Mapping[str, Any]],
                      path: str | os.PathLike | None = None, title: str = "",
                      show: bool = False) -> Path | None:
    """Training perplexity (thin line, every ``eval_interval`` iterations) and validation
    perplexity (dots, after every epoch) of each model of ``runs``, on a logarithmic scale.

    ``runs`` maps a model's name to its curves: ``ppl`` and ``ppl_iteration`` (the training
    perplexities and the iterations they were recorded at, of equal length), ``val_ppl``
    and ``val_iteration`` (the same for the validation text, possibly empty), and
    optionally ``test_ppl``, written in the legend. Writes a PNG to ``path`` (nothing when
    None) and returns the path; ``show=True`` keeps the figure open (in a notebook: drawn
    under the cell).
    """
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (name, run) in enumerate(runs.items()):
        color = f"C{i}"
        ax.plot(run["ppl_iteration"], run["ppl"], **curve_style(
            len(run["ppl"]), color=color, linewidth=0.9, alpha=0.6,
            label=f"{name}: training batches"))
        if run["val_ppl"]:
            test = run.get("test_ppl")
            label = f"{name}: validation" + (f" (test {test:.1f})" if test else "")
            ax.plot(run["val_iteration"], run["val_ppl"], **curve_style(
                len(run["val_ppl"]), color=color, marker="o", markersize=5, linestyle="--",
                label=label))
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("perplexity (log scale)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return save_figure(fig, path, show)
