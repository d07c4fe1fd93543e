"""Figures of gradient descent and the optimizers: loss curves, optimizer paths over contour
lines, step-size demonstrations and a regression line fitted step by step.

Every function draws one figure, saves it as PNG with ``common.plots.figures.save_figure``
(nothing with ``path=None``) and returns the path; ``show`` keeps it open for
``common.plots.figures.show_figures`` (in a notebook: shows it under the cell).
``optimizer_compare`` and the optimizer notebook draw them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from common.plots.figures import pyplot, save_figure
from common.samples import smooth_curve


def plot_loss_curves(losses: Mapping[str, np.ndarray], lrs: Mapping[str, float],
                     path: str | os.PathLike | None = None, title: str = "", window: int = 41,
                     show: bool = False) -> Path | None:
    """The smoothed training loss of each optimizer against the iteration, on one chart.

    The per-iteration loss is smoothed with ``common.samples.smooth_curve`` over
    ``window`` iterations, as the book does (its window is 11, which leaves the
    curves of the fast optimizers too ragged to tell apart). The y axis is
    logarithmic, so that the curves stay apart once the losses are small.
    """
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    markers = "osD^vx"
    for i, (name, loss) in enumerate(losses.items()):
        finite = loss[np.isfinite(loss)]
        smooth = smooth_curve(finite, window=window)
        ax.plot(smooth, marker=markers[i % len(markers)], markevery=max(1, len(smooth) // 10),
                markersize=5, label=f"{name} (lr {lrs[name]:g})")
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss (smoothed)")
    ax.set_yscale("log")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    if title:
        ax.set_title(title)
    return save_figure(fig, path, show)


def _contours(ax: Any, f: Callable[[np.ndarray, np.ndarray], np.ndarray], xlim: tuple[float, float],
              ylim: tuple[float, float], levels: int | Sequence[float] = 12) -> None:
    """Contour lines of f(x, y) over the rectangle xlim × ylim."""
    x = np.linspace(*xlim, 200)
    y = np.linspace(*ylim, 200)
    X, Y = np.meshgrid(x, y)
    ax.contour(X, Y, f(X, Y), levels=levels, colors="0.7", linewidths=0.8)


def plot_paths(paths: Mapping[str, np.ndarray], f: Callable[[np.ndarray, np.ndarray], np.ndarray],
               minimum: tuple[float, float], path: str | os.PathLike | None = None, title: str = "",
               xlim: tuple[float, float] = (-10, 10), ylim: tuple[float, float] = (-5, 5),
               levels: int | Sequence[float] = 12, show: bool = False) -> Path | None:
    """One panel per optimizer: its path (an (n, 2) array of points) over the contours of f."""
    plt = pyplot(show)
    n = len(paths)
    columns = 2 if n > 1 else 1
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5.5 * columns, 3.3 * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for ax, (name, points) in zip(axes.ravel(), paths.items(), strict=False):
        _contours(ax, f, xlim, ylim, levels)
        ax.plot(points[:, 0], points[:, 1], "o-", color="C3", markersize=3, linewidth=1)
        ax.plot(*minimum, "+", color="k", markersize=12)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_title(f"{name}: ({points[-1, 0]:.2f}, {points[-1, 1]:.2f}) after "
                     f"{len(points) - 1} steps", fontsize=10)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)


def plot_steps_1d(runs: Mapping[str, np.ndarray], f: Callable[[np.ndarray], np.ndarray],
                  minimum: float, path: str | os.PathLike | None = None, title: str = "",
                  show: bool = False) -> Path | None:
    """One panel per step size: the curve f(x) and the points x_0, x_1, ... of the descent."""
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.6), squeeze=False)
    for ax, (label, xs) in zip(axes.ravel(), runs.items(), strict=True):
        # the plotted range covers every point, with the minimum in view
        lo = min(float(np.min(xs)), minimum) - 0.5
        hi = max(float(np.max(xs)), minimum) + 0.5
        grid = np.linspace(lo, hi, 300)
        ax.plot(grid, f(grid), color="0.5", linewidth=1)
        ax.plot(xs, f(xs), "o-", color="C3", markersize=3, linewidth=0.8)
        ax.plot(xs[0], f(xs[0]), "s", color="C0", label="start")
        ax.axvline(minimum, color="k", linestyle=":", linewidth=1, label="minimum")
        ax.set_title(f"{label}: x = {xs[-1]:.4g} after {len(xs) - 1} steps", fontsize=10)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)


def plot_steps_2d(runs: Mapping[str, np.ndarray], f: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  minimum: tuple[float, float], path: str | os.PathLike | None = None,
                  title: str = "", show: bool = False) -> Path | None:
    """One panel per step size: the path of the descent over the contour lines of f(x, y)."""
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.8), squeeze=False)
    for ax, (label, points) in zip(axes.ravel(), runs.items(), strict=True):
        reach = max(float(np.max(np.abs(points))), 1.0) * 1.1
        _contours(ax, f, (-reach, reach), (-reach, reach))
        ax.plot(points[:, 0], points[:, 1], "o-", color="C3", markersize=3, linewidth=0.8)
        ax.plot(*minimum, "+", color="k", markersize=12)
        ax.set_aspect("equal")
        ax.set_title(f"{label}: ({points[-1, 0]:.3g}, {points[-1, 1]:.3g})", fontsize=10)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)


def plot_regression(x: np.ndarray, y: np.ndarray, snapshots: Mapping[int, tuple[float, float]],
                    losses: np.ndarray, path: str | os.PathLike | None = None, title: str = "",
                    show: bool = False) -> Path | None:
    """Left: the points and the line y = w x + b at several iterations. Right: the loss."""
    plt = pyplot(show)
    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    ax.scatter(x, y, s=12, color="0.4", label="data")
    grid = np.array([x.min(), x.max()])
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(snapshots)))
    for colour, (step, (w, b)) in zip(colours, snapshots.items(), strict=True):
        ax.plot(grid, w * grid + b, color=colour,
                label=f"iteration {step}: y = {w:.2f} x + {b:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(fontsize=8, loc="lower right")
    ax_loss.plot(np.arange(len(losses)), losses)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("mean squared error")
    ax_loss.grid(alpha=0.3, which="both")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)
