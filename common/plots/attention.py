"""Figures of a language model's training: loss curves by iteration, and attention heat maps."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from common.plots.figures import curve_style, pyplot, save_figure
from common.samples import smooth_curve


def plot_loss_curves(train_loss: Sequence[float], eval_iterations: Sequence[int],
                     eval_losses: Mapping[str, Sequence[float]],
                     path: str | os.PathLike | None = None, title: str = "",
                     reference: float | None = None, show: bool = False) -> Path | None:
    """The training loss of every iteration (raw and smoothed) and the evaluated losses
    (e.g. 'train' and 'val' on fixed windows) at ``eval_iterations``; a dotted line at
    ``reference`` (the loss of uniform guessing, ln V). A curve of a single point is drawn as a
    large marker."""
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    loss = np.asarray(train_loss, dtype=np.float64)
    steps = np.arange(1, len(loss) + 1)
    ax.plot(steps, loss, **curve_style(len(loss), color="0.8", linewidth=0.7,
                                       label="training batch"))
    if len(loss) > 1:
        ax.plot(steps, smooth_curve(loss), color="C0", linewidth=1.2, label="smoothed")
    for i, (name, values) in enumerate(eval_losses.items()):
        last = f", last {values[-1]:.3f}" if len(values) else ""
        ax.plot(eval_iterations, values, **curve_style(
            len(values), marker="o", markersize=4, color=f"C{i + 1}",
            label=f"{name} loss on fixed windows{last}"))
    if reference is not None:
        ax.axhline(reference, color="0.5", linestyle=":", label=f"uniform guess ({reference:.2f})")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cross-entropy loss (nats per character)")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return save_figure(fig, path, show)


def plot_attention(weights: np.ndarray, chars: Sequence[str],
                   path: str | os.PathLike | None = None, title: str = "",
                   show: bool = False) -> Path | None:
    """One heat map per head of ``weights`` (heads, T, T): row t shows how much position t
    (a query, on the vertical axis) attends to each position 0..t (keys, across);
    ``chars`` (T) label both axes."""
    plt = pyplot(show)
    heads, length = weights.shape[0], weights.shape[1]
    cols = math.ceil(math.sqrt(heads))  # 4 heads: 2 x 2
    rows = math.ceil(heads / cols)
    side = max(3.0, 0.16 * length)
    fig, axes = plt.subplots(rows, cols, figsize=(side * cols, side * rows + 0.6),
                             squeeze=False)
    labels = [{"\n": "⏎", " ": "␣"}.get(c, c) for c in chars]
    image = None
    for h, ax in enumerate(axes.flat):
        if h >= heads:
            ax.axis("off")
            continue
        image = ax.imshow(weights[h], cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"head {h + 1}")
        ax.set_xticks(range(length), labels, fontsize=7, fontfamily="monospace")
        ax.set_yticks(range(length), labels, fontsize=7, fontfamily="monospace")
        ax.set_xlabel("attends to (key)")
        ax.set_ylabel("position (query)")
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.6, label="attention weight")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)
