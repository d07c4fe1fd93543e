"""Figures for learning curves and results, saved as PNG files; shown only when asked.

Call ``pyplot(show)`` before drawing: without ``show`` (or without a display)
it selects matplotlib's file-only Agg backend, so scripts never block or need a
screen. ``save_figure`` writes atomically; ``show_figures`` opens every figure
at the end, once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from common.fileio import atomic_write
from common.util import smooth_curve


def has_display() -> bool:
    """Whether a window can be opened (always on macOS and Windows; X11/Wayland on Linux)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def pyplot(show: bool = False) -> Any:
    """matplotlib.pyplot, with the Agg backend unless figures are to be shown on a display."""
    import matplotlib

    if not (show and has_display()):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | os.PathLike, show: bool = False) -> Path:
    """Write ``fig`` to ``path`` as PNG (atomically); close it unless it is to be shown."""
    path = Path(path)
    with atomic_write(path) as f:
        fig.savefig(f, format="png", dpi=100, bbox_inches="tight")
    if not show:
        pyplot().close(fig)
    return path


def show_figures(show: bool) -> None:
    """Open the figures still open, if ``show`` and there is a display; else do nothing."""
    if not show:
        return
    if not has_display():
        print("No display found: the figures were saved as PNG files only.")
        return
    pyplot(True).show()


def plot_learning_curves(
    train_loss_list: Sequence[float],
    train_acc_list: Sequence[float],
    test_acc_list: Sequence[float],
    path: str | os.PathLike,
    title: str = "",
    acc_xlabel: str = "epoch",
    show: bool = False,
) -> Path:
    """Two panels: the training loss per iteration (raw and smoothed) and the accuracies.

    Accuracies are drawn against 1..len(train_acc_list) (epochs, or evaluations).
    """
    plt = pyplot(show)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    loss = np.asarray(train_loss_list, dtype=np.float64)
    ax_loss.plot(loss, color="0.75", linewidth=0.8, label="per iteration")
    ax_loss.plot(smooth_curve(loss), color="C0", label="smoothed")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("training loss")
    if loss.size and loss.min() > 0:
        ax_loss.set_yscale("log")
    ax_loss.legend()
    x = np.arange(1, len(train_acc_list) + 1)
    ax_acc.plot(x, train_acc_list, marker="o", markersize=3, label="train")
    ax_acc.plot(x, test_acc_list, marker="s", markersize=3, label="test")
    ax_acc.xaxis.set_major_locator(MaxNLocator(integer=True))  # no "epoch 1.5"
    ax_acc.set_xlabel(acc_xlabel)
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(loc="lower right")
    ax_acc.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)


def plot_confusion_matrix(
    matrix: np.ndarray,
    class_names: Sequence[str],
    path: str | os.PathLike,
    title: str = "Confusion matrix",
    show: bool = False,
) -> Path:
    """The (K, K) matrix of counts (rows: true class, columns: predicted) with its numbers."""
    plt = pyplot(show)
    k = len(class_names)
    fig, ax = plt.subplots(figsize=(1.0 + 0.6 * k, 0.8 + 0.6 * k))
    ax.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > threshold else "black")
    tilted = k > 3  # long class names would overlap
    ax.set_xticks(range(k), class_names, rotation=45 if tilted else 0,
                  ha="right" if tilted else "center")
    ax.set_yticks(range(k), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return save_figure(fig, path, show)


def plot_image_grid(
    images: np.ndarray,
    captions: Sequence[str],
    path: str | os.PathLike,
    title: str = "",
    columns: int = 10,
    show: bool = False,
) -> Path:
    """Grey images (N, H, W) in a grid with a caption under each (e.g. 'pred 3 / true 5')."""
    plt = pyplot(show)
    n = len(images)
    rows = max(1, -(-n // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.2 * columns, 1.4 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, image, caption in zip(axes.ravel(), images, captions, strict=False):
        ax.imshow(image, cmap="gray_r")
        ax.set_title(caption, fontsize=8)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)
