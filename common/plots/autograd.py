"""Figures of automatic differentiation: the error of finite differences, gradient fields,
a function with its derivatives, and a classifier of several classes over the plane.

Every function draws one figure from arrays (nothing here needs the autograd itself), saves
it as PNG with ``common.plots.figures.save_figure`` (nothing with ``path=None``) and returns
the path; ``show`` keeps it open for ``show_figures`` (in a notebook: under the cell).
``ch_autograd`` and its notebook draw them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from common.plots.figures import curve_style, pyplot, save_figure

#: The smallest error drawn on a log axis (an exact 0 would fall off it).
ERROR_FLOOR = 1e-17


def plot_difference_errors(steps: np.ndarray, errors: Mapping[str, np.ndarray],
                           automatic_error: float, path: str | os.PathLike | None = None,
                           title: str = "", show: bool = False) -> Path | None:
    """The error of each finite difference (curves of ``errors``, each (len(steps),))
    against its step h, both axes logarithmic, and the automatic derivative's error as a
    horizontal line (it has no step)."""
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for i, (name, err) in enumerate(errors.items()):
        ax.loglog(steps, np.maximum(err, ERROR_FLOOR), "o-", color=f"C{i}", markersize=4,
                  label=name)
    ax.axhline(max(automatic_error, ERROR_FLOOR), color="k", linestyle="--", linewidth=1,
               label=f"automatic (backward): {automatic_error:.1e}")
    ax.set_xlabel("step h")
    ax.set_ylabel("|derivative − exact|")
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return save_figure(fig, path, show)


@dataclass
class GradientField:
    """A function of two variables on a grid and its gradient there.

    ``x``, ``y``, ``z``: (n, n) arrays in ``np.meshgrid`` layout (z = f(x, y));
    ``grad``: (2, n, n), ∂f/∂x and ∂f/∂y at every grid point; ``log``: colour the contours
    by log10 of z − min z (for a function whose values span many orders of magnitude);
    ``mark``: a point to mark, with its gradient written beside it, or None.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    grad: np.ndarray
    log: bool = False
    mark: tuple[tuple[float, float], np.ndarray] | None = None


def _draw_field(ax: Any, field: GradientField, arrows: int) -> None:
    """Contours of one field, its downhill directions as arrows, and the marked point."""
    z = np.log10(field.z - field.z.min() + 1) if field.log else field.z
    ax.contourf(field.x, field.y, z, levels=20, cmap="viridis", alpha=0.85)
    n = field.x.shape[0]
    every = max(1, n // arrows)
    sub = (slice(None, None, every), slice(None, None, every))
    gx, gy = field.grad[0][sub], field.grad[1][sub]
    norm = np.hypot(gx, gy)
    norm[norm == 0] = 1.0
    # unit arrows against the gradient: the way down; their lengths would span decades
    ax.quiver(field.x[sub], field.y[sub], -gx / norm, -gy / norm, color="white",
              scale=arrows * 1.3, width=0.004, alpha=0.9)
    if field.mark is not None:
        (px, py), g = field.mark
        ax.plot(px, py, "o", color="C3", markersize=6)
        ax.annotate(f"∇f = ({g[0]:.6g}, {g[1]:.6g})", (px, py), textcoords="offset points",
                    xytext=(-8, 8), ha="right", fontsize=8, color="white",
                    bbox={"boxstyle": "round", "fc": "0.2", "alpha": 0.7})
    ax.set_title(field.name + (" (colour: log scale)" if field.log else ""), fontsize=10)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")


def plot_gradient_fields(fields: Sequence[GradientField], path: str | os.PathLike | None = None,
                         arrows: int = 15, title: str = "",
                         show: bool = False) -> Path | None:
    """One panel per function: its contours and, on an ``arrows`` × ``arrows`` subgrid,
    arrows of unit length pointing against the gradient (downhill)."""
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(fields), figsize=(4.6 * len(fields), 4.4), squeeze=False)
    for ax, field in zip(axes.ravel(), fields, strict=True):
        _draw_field(ax, field, arrows)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)


def plot_derivatives(curves: Mapping[str, tuple[np.ndarray, Sequence[np.ndarray]]],
                     path: str | os.PathLike | None = None, ylim: float = 4.0,
                     show: bool = False) -> Path | None:
    """One panel per function: ``curves[name] = (x, [f, f', f'', ...])``, each curve of x's
    shape, drawn against x; the y axis is clipped to ±``ylim`` (the high derivatives of
    tanh grow fast)."""
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 4), squeeze=False)
    for ax, (name, (x, ys)) in zip(axes.ravel(), curves.items(), strict=True):
        for order, y in enumerate(ys):
            label = "f" if order == 0 else ("f" + "′" * order if order <= 3 else f"f^({order})")
            ax.plot(x, y, linewidth=2 if order == 0 else 1.2, label=label)
        ax.set_ylim(-ylim, ylim)
        ax.set_title(f"f = {name} and its first {len(ys) - 1} derivatives", fontsize=10)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, ncol=2)
    return save_figure(fig, path, show)


def plot_class_regions(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                       labels: np.ndarray, losses: Sequence[float],
                       accuracies: Mapping[str, Sequence[float]],
                       path: str | os.PathLike | None = None, resolution: int = 300,
                       title: str = "", show: bool = False) -> Path | None:
    """Left: the class ``predict`` gives every point of the plane (points (M, 2) -> class
    ids (M,)) around the data ``x`` (N, 2) with their ``labels`` (N,). Middle: the loss
    per epoch. Right: each accuracy curve of ``accuracies`` per epoch."""
    plt = pyplot(show)
    fig, (ax_map, ax_loss, ax_acc) = plt.subplots(1, 3, figsize=(15, 4.4))
    pad = 0.1 * float(np.ptp(x))
    (x0, y0), (x1, y1) = x.min(axis=0) - pad, x.max(axis=0) + pad
    g1, g2 = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid_class = np.asarray(predict(np.column_stack([g1.ravel(), g2.ravel()]))).reshape(g1.shape)
    classes = int(max(labels.max(), grid_class.max())) + 1
    cmap = pyplot().get_cmap("tab10")
    ax_map.contourf(g1, g2, grid_class, levels=np.arange(classes + 1) - 0.5,
                    colors=[cmap(k) for k in range(classes)], alpha=0.3)
    for k in range(classes):
        ax_map.scatter(*x[labels == k].T, s=14, color=cmap(k), edgecolor="k", linewidth=0.3,
                       label=f"class {k}")
    ax_map.set_aspect("equal")
    ax_map.legend(fontsize=8, loc="lower right")
    ax_map.set_title("decision regions", fontsize=10)
    epochs = np.arange(1, len(losses) + 1)
    ax_loss.plot(epochs, losses, **curve_style(len(losses), color="C0"))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss (mean over the epoch)")
    for name, acc in accuracies.items():
        ax_acc.plot(np.arange(1, len(acc) + 1), acc, **curve_style(len(acc), label=name))
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.legend(loc="lower right")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)
