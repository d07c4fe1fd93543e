"""Figures of parts 3-6: the regressions, the logistic regression and the RBF unit with their
cost surfaces and paths, and the softmax output surfaces.

Every function draws one figure, saves it with ``common.plots.figures.save_figure`` and
returns the path; ``show`` keeps it open for ``common.plots.figures.show_figures``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.colors import LogNorm

from common.functions import gaussian, sigmoid, softmax
from common.plots.boundary import draw_decision_boundary
from common.plots.figures import pyplot, save_figure

#: The originals' colours: class 0 red, class 1 blue (and a colour map to match).
CLASS_COLORS = ("#b2182b", "#2166ac")
CLASS_CMAP = "RdBu"

PATH_STYLE = {"color": "white", "marker": "o", "markersize": 3, "linewidth": 1.2,
              "markeredgecolor": "black"}


def _cost_contours(ax: Any, axis: np.ndarray, surface: np.ndarray, path: np.ndarray,
                   xlabel: str, ylabel: str) -> None:
    """Filled contours of a cost surface (log-spaced levels) with the descent's path on top."""
    levels = np.geomspace(surface.min(), surface.max(), 20)
    # LogNorm(), not norm="log": matplotlib before 3.6 takes only Normalize objects
    filled = ax.contourf(axis, axis, surface, levels=levels, cmap="viridis_r",
                         norm=LogNorm())
    ax.figure.colorbar(filled, ax=ax, label="cost", format="%.3g")
    ax.plot(path[:, 0], path[:, 1], **PATH_STYLE)
    ax.annotate("start", path[0], textcoords="offset points", xytext=(6, -10), color="white")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def plot_regression(x: np.ndarray, y: np.ndarray, path: np.ndarray, centred_path: np.ndarray,
                    mean_x: float, xo: np.ndarray, to: np.ndarray,
                    history: list[tuple[float, float]], out: str | os.PathLike,
                    show: bool = False) -> Path:
    """Left: the least-squares fit's intercept over the updates, plain and centred x.
    Right: Roelants' line through the origin, its cost ξ(w) and the 4 steps on it."""
    plt = pyplot(show)
    fig, (ax_b, ax_w) = plt.subplots(1, 2, figsize=(11, 4))
    updates = np.arange(len(path))
    ax_b.plot(updates, path[:, 1], label="b, x as given (lr 0.01)")
    ax_b.plot(updates, centred_path[:, 1] - mean_x * centred_path[:, 0],
              label="b, x centred (lr 0.05)")
    ax_b.plot(updates, path[:, 0], "--", label="w, x as given")
    ax_b.axhline(5, color="0.5", linestyle=":", linewidth=1)
    ax_b.axhline(3, color="0.5", linestyle=":", linewidth=1)
    ax_b.set_ylim(-1, 8)
    ax_b.set_xlabel("update")
    ax_b.set_ylabel("parameter")
    ax_b.set_title(f"y = 3x + 5 on x = 1..{len(x)}: the intercept is slow unless x is centred",
                   fontsize=10)
    ax_b.legend(fontsize=8)
    ws = np.linspace(-0.5, 4, 200)
    cost = np.sum((to.ravel() - ws[:, None] * xo.ravel()) ** 2, axis=1)
    ax_w.plot(ws, cost, color="0.5")
    w_steps = np.array([w for w, _ in history])
    c_steps = np.array([c for _, c in history])
    ax_w.plot(w_steps, c_steps, "o-", color="C3", markersize=5)
    for k, (w, c) in enumerate(history):
        ax_w.annotate(str(k), (w, c), textcoords="offset points", xytext=(4, 6), fontsize=8)
    ax_w.set_xlabel("w")
    ax_w.set_ylabel("cost Σ(t - x·w)²")
    ax_w.set_title(f"line through the origin: w after {len(history) - 1} updates "
                   f"{history[-1][0]:.4f}", fontsize=10)
    return save_figure(fig, out, show)


def _scatter_classes(ax: Any, x: np.ndarray, t: np.ndarray, labels: tuple[str, str]) -> None:
    for k in (0, 1):
        ax.scatter(x[t == k, 0], x[t == k, 1], color=CLASS_COLORS[k], edgecolors="black",
                   linewidths=0.6, s=30, label=labels[k], zorder=3)


def plot_logistic(x: np.ndarray, t: np.ndarray, w: np.ndarray, axis: np.ndarray,
                  surface: np.ndarray, path: np.ndarray, out: str | os.PathLike,
                  show: bool = False) -> Path:
    """Left: the two classes, P(class 1) and the decision line x·w = 0. Right: the cost
    surface over (w1, w2) with the 10 gradient-descent steps."""
    plt = pyplot(show)
    fig, (ax_data, ax_cost) = plt.subplots(1, 2, figsize=(11, 4.5))
    draw_decision_boundary(ax_data, lambda g: sigmoid(g @ w), (-4, 4), (-4, 4), 100, alpha=0.5,
                           cmap=CLASS_CMAP)
    _scatter_classes(ax_data, x, t, ("class 0 (red)", "class 1 (blue)"))
    ax_data.set_aspect("equal")
    ax_data.set_xlabel("$x_1$")
    ax_data.set_ylabel("$x_2$")
    ax_data.legend(fontsize=8, loc="lower left")
    ax_data.set_title(f"decision line x·w = 0, w = ({w[0]:.4f}, {w[1]:.4f})", fontsize=10)
    _cost_contours(ax_cost, axis, surface, path, "$w_1$", "$w_2$")
    ax_cost.set_title("cost surface and the path of gradient descent", fontsize=10)
    return save_figure(fig, out, show)


def plot_rbf(x: np.ndarray, t: np.ndarray, net: Any, axis: np.ndarray, surface: np.ndarray,
             path: np.ndarray, costs: np.ndarray, out: str | os.PathLike,
             show: bool = False) -> Path:
    """The RBF function, the data with the trained P(class 1 | x), and the cost surface over
    (w_h, w_o) in 3-D and as contours, with the 50 steps of gradient descent."""
    plt = pyplot(show)
    fig = plt.figure(figsize=(11, 8))
    ax_f = fig.add_subplot(2, 2, 1)
    z = np.linspace(-3, 3, 300)
    ax_f.plot(z, gaussian(z))
    ax_f.set_xlabel("z")
    ax_f.set_ylabel("exp(-z²)")
    ax_f.set_title("the RBF (Gaussian) function", fontsize=10)
    ax_p = fig.add_subplot(2, 2, 2)
    grid = np.linspace(-3.5, 3.5, 300).reshape(-1, 1)
    ax_p.plot(grid[:, 0], sigmoid(net.predict(grid)[:, 0]), color="black",
              label="P(class 1 | x)")
    for k in (0, 1):
        ax_p.scatter(x[t == k, 0], np.full(np.sum(t == k), k), color=CLASS_COLORS[k],
                     edgecolors="black", linewidths=0.6, s=30, label=f"class {k}", zorder=3)
    ax_p.set_xlabel("x")
    ax_p.set_title(f"trained: wh = {path[-1, 0]:.2f}, wo = {path[-1, 1]:.2f}", fontsize=10)
    ax_p.legend(fontsize=8)
    ax_3d = fig.add_subplot(2, 2, 3, projection="3d")
    g1, g2 = np.meshgrid(axis, axis)
    ax_3d.plot_surface(g1, g2, surface, cmap="viridis_r", linewidth=0, alpha=0.8)
    ax_3d.plot(path[:, 0], path[:, 1], costs, color="red", marker="o", markersize=2, zorder=5)
    ax_3d.set_xlabel("$w_h$")
    ax_3d.set_ylabel("$w_o$")
    ax_3d.set_zlabel("cost")
    ax_3d.set_title("cost surface", fontsize=10)
    ax_c = fig.add_subplot(2, 2, 4)
    _cost_contours(ax_c, axis, surface, path, "$w_h$", "$w_o$")
    ax_c.set_title(f"{len(path) - 1} steps of gradient descent: cost {costs[0]:.1f} → "
                   f"{costs[-1]:.2f}", fontsize=10)
    return save_figure(fig, out, show)


def plot_softmax(grid: int, out: str | os.PathLike, show: bool = False) -> Path:
    """P(t = 1 | z) and P(t = 2 | z) = softmax([z1, z2]) over z1, z2 ∈ [-10, 10], in 3-D."""
    plt = pyplot(show)
    axis = np.linspace(-10, 10, grid)
    z1, z2 = np.meshgrid(axis, axis)
    p = softmax(np.stack([z1, z2], axis=-1))
    fig = plt.figure(figsize=(9, 4))
    for k in (0, 1):
        ax = fig.add_subplot(1, 2, k + 1, projection="3d")
        ax.plot_surface(z1, z2, p[..., k], cmap="coolwarm", rcount=25, ccount=25,
                        edgecolor="0.3", linewidth=0.2)
        ax.view_init(elev=30, azim=-130)
        ax.set_xlabel("$z_1$")
        ax.set_ylabel("$z_2$")
        ax.set_zlabel(f"P(t = {k + 1} | z)")
        ax.set_title(f"P(t = {k + 1} | z) = softmax(z)$_{k + 1}$", fontsize=10)
    fig.suptitle("softmax of two outputs: each probability depends only on z1 - z2", fontsize=11)
    return save_figure(fig, out, show)
