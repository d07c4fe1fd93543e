"""Figures for learning curves and results, saved as PNG files; shown only when asked.

Call ``pyplot(show)`` before drawing: without ``show`` (or without a display)
it selects matplotlib's file-only Agg backend, so scripts never block or need a
screen. ``save_figure`` writes atomically; ``show_figures`` opens every figure
at the end, once.

In a Jupyter notebook the notebook's own backend is kept, and a figure drawn with
``show=True`` appears under its cell; ``path=None`` draws without writing a file:
``plot_confusion_matrix(matrix, names, show=True)``.
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
from common.samples import smooth_curve


def has_display() -> bool:
    """Whether a window can be opened (always on macOS and Windows; X11/Wayland on Linux)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def in_notebook() -> bool:
    """Whether figures go into a Jupyter notebook (its kernel sets the inline backend)."""
    return "inline" in os.environ.get("MPLBACKEND", "")


def pyplot(show: bool = False) -> Any:
    """matplotlib.pyplot, with the Agg backend unless figures are to be shown on a display
    or in a notebook, and constrained layout for the figures it makes."""
    import matplotlib

    if not (show and has_display()) and not in_notebook():
        matplotlib.use("Agg")
    # labels fit inside the figure without bbox_inches="tight", which draws everything twice
    matplotlib.rcParams["figure.constrained_layout.use"] = True
    import matplotlib.pyplot as plt

    return plt


def curve_style(points: int, **style: Any) -> dict[str, Any]:
    """The keyword arguments of ``ax.plot`` for a curve of ``points`` points: ``style``, with
    a marker large enough to see when there are fewer than two (a line through one point
    draws nothing, and a small marker is a dot nobody notices)."""
    if points < 2:
        style = {**style, "marker": style.get("marker") or "o",
                 "markersize": max(style.get("markersize", 0), 8)}
    return style


def short_run_note(points: int, what: str = "evaluation",
                   more: str = "epochs") -> str | None:
    """The note a chapter prints when a curve of its figures has fewer than two points, e.g.
    'only one evaluation: run more epochs for a curve'; None when it has two or more."""
    if points >= 2:
        return None
    count = "only one" if points == 1 else "no"
    return f"note: {count} {what}: run more {more} for a curve"


def save_figure(fig: Any, path: str | os.PathLike | None, show: bool = False) -> Path | None:
    """Write ``fig`` to ``path`` as PNG (atomically; nothing when ``path`` is None); close it
    unless it is to be shown. Returns the path written."""
    if path is not None:
        path = Path(path)
        with atomic_write(path) as f:
            fig.savefig(f, format="png", dpi=100)
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
    path: str | os.PathLike | None = None,
    title: str = "",
    acc_xlabel: str = "epoch",
    show: bool = False,
    acc_x: Sequence[float] | None = None,
    val_acc_list: Sequence[float] | None = None,
    kept_x: float | None = None,
) -> Path | None:
    """Two panels: the training loss per iteration (raw and smoothed) and the accuracies.
    A curve of a single point (one iteration, one evaluation) is drawn as a large marker.

    Accuracies are drawn against ``acc_x`` (e.g. the iterations at which they were
    measured), by default against 1..len(train_acc_list) (epochs); the validation
    accuracy too when given, and a dotted line at ``kept_x``, the epoch whose
    parameters were kept.
    """
    plt = pyplot(show)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    loss = np.asarray(train_loss_list, dtype=np.float64)
    ax_loss.plot(loss, **curve_style(loss.size, color="0.75", linewidth=0.8,
                                     label="per iteration"))
    if loss.size > 1:
        ax_loss.plot(smooth_curve(loss), color="C0", label="smoothed")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("training loss")
    if loss.size and loss.min() > 0:
        ax_loss.set_yscale("log")
    ax_loss.legend()
    x = np.arange(1, len(train_acc_list) + 1) if acc_x is None else np.asarray(acc_x)
    ax_acc.plot(x, train_acc_list, **curve_style(len(x), marker="o", markersize=3,
                                                 label="train"))
    if val_acc_list:
        ax_acc.plot(x, val_acc_list, **curve_style(len(x), marker="^", markersize=3,
                                                   label="validation"))
    ax_acc.plot(x, test_acc_list, **curve_style(len(x), marker="s", markersize=3, label="test"))
    if kept_x is not None:
        ax_acc.axvline(kept_x, color="0.5", linestyle=":", label="kept")
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
    path: str | os.PathLike | None = None,
    title: str = "Confusion matrix",
    show: bool = False,
) -> Path | None:
    """The (K, K) matrix of counts (rows: true class, columns: predicted) with its numbers."""
    plt = pyplot(show)
    k = len(class_names)
    longest = max((len(name) for name in class_names), default=1)
    tilted = k > 3 or longest > 6  # long class names side by side would overlap
    # wide enough for the title, and tall enough for tilted labels under the matrix
    width = max(1.2 + 0.6 * k, 0.09 * len(title) + 1.0)
    height = 0.8 + 0.6 * k + (0.07 * longest if tilted else 0)
    fig, ax = plt.subplots(figsize=(width, height))
    ax.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > threshold else "black")
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
    path: str | os.PathLike | None = None,
    title: str = "",
    columns: int = 10,
    show: bool = False,
) -> Path | None:
    """Grey images (N, H, W) in a grid with a caption under each (e.g. 'pred 3 / true 5').

    The images are tiled into one mosaic and drawn as a single picture, which is
    many times faster to render than one set of axes per image.
    """
    plt = pyplot(show)
    images = np.asarray(images)
    n, h, w = images.shape
    rows = max(1, -(-n // columns))
    gap_x, gap_y = w // 4, h // 2  # room between tiles, and below each for its caption
    cell_w, cell_h = w + gap_x, h + gap_y
    mosaic = np.full((rows * cell_h, columns * cell_w), np.nan)
    for i in range(n):  # one slice assignment per image, not per pixel
        r, c = divmod(i, columns)
        mosaic[r * cell_h:r * cell_h + h, c * cell_w:c * cell_w + w] = images[i]
    fig, ax = plt.subplots(figsize=(1.0 * columns, 1.25 * rows))
    ax.imshow(mosaic, cmap="gray_r", interpolation="nearest")
    for i, caption in enumerate(captions[:n]):
        r, c = divmod(i, columns)
        ax.text(c * cell_w + w / 2, r * cell_h + h + gap_y * 0.1, caption, ha="center",
                va="top", fontsize=7)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return save_figure(fig, path, show)
