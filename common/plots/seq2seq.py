"""Figures of sequence-to-sequence models: exact-match accuracy by epoch for several models
on one plot (the book's figures 7-23 and 7-26), and where an attention decoder looked
while it wrote each answer (figure 8-30)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from common.plots.figures import curve_style, pyplot, save_figure

#: How a blank shows in a tick label: a space would be invisible.
_VISIBLE = {" ": "␣", "\n": "⏎"}


def plot_accuracy_curves(curves: Mapping[str, Sequence[float]], path: str | os.PathLike,
                         title: str = "", show: bool = False) -> Path:
    """One line per model: its accuracy (0..1) on the test set after each epoch 1, 2, ...,
    drawn in percent, with the last value in the legend."""
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 4.2 + 0.25 * len(curves)))
    markers = "osD^v"
    for i, (name, accuracy) in enumerate(curves.items()):
        epochs = np.arange(1, len(accuracy) + 1)
        last = f" ({100 * accuracy[-1]:.2f} %)" if len(accuracy) else ""
        ax.plot(epochs, 100 * np.asarray(accuracy, dtype=np.float64),
                **curve_style(len(epochs), marker=markers[i % len(markers)], markersize=4,
                              label=name + last))
    ax.set_xlabel("epoch")
    ax.set_ylabel("exact-match accuracy on the test set")
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(-2, 102)
    ax.grid(alpha=0.3)
    # under the plot: curves that rise steeply leave no corner free for it
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    if title:
        ax.set_title(title)
    return save_figure(fig, path, show)


def plot_attention_maps(weights: Sequence[np.ndarray], inputs: Sequence[str],
                        outputs: Sequence[str], path: str | os.PathLike, title: str = "",
                        show: bool = False) -> Path:
    """One heat map per example, one under the other: ``weights[k]`` (T', T), row t' how
    much the decoder writing ``outputs[k][t']`` attended to each character of
    ``inputs[k]`` (T characters, across)."""
    plt = pyplot(show)
    count = len(weights)
    width = max(len(s) for s in inputs)
    height = max(len(s) for s in outputs)
    fig, axes = plt.subplots(count, 1, figsize=(0.28 * width + 2.0, (0.22 * height + 0.9)
                                                * count + 0.5), squeeze=False)
    image = None
    for ax, w, source, target in zip(axes[:, 0], weights, inputs, outputs, strict=True):
        image = ax.imshow(w, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks(range(len(source)), [_VISIBLE.get(c, c) for c in source], fontsize=7,
                      fontfamily="monospace")
        ax.set_yticks(range(len(target)), [_VISIBLE.get(c, c) for c in target], fontsize=8,
                      fontfamily="monospace")
        ax.set_xlabel("question (attended to)")
        ax.set_ylabel("answer (writing)")
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)
