"""Figures of part 7: the cost curves, the decision boundaries of the 3- and 2-unit networks,
and the inputs mapped into the 3-D hidden space.

Every function draws one figure, saves it with ``common.plots.figures.save_figure`` and
returns the path; ``show`` keeps it open for ``common.plots.figures.show_figures``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ch_backprop.plots_models import CLASS_CMAP, CLASS_COLORS
from common.plots.boundary import draw_decision_boundary
from common.plots.figures import pyplot, save_figure

LABELS = ("outer circle (class 0)", "inner circle (class 1)")


def plot_circle_costs(costs3: np.ndarray, costs2: np.ndarray, plateau: float,
                      path: str | os.PathLike, show: bool = False) -> Path:
    """The cost after every update of the 3-unit and the 2-unit network, with N ln 2 marked."""
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(costs3, label="2-3-2")
    ax.plot(costs2, "--", label="2-2-2")
    ax.axhline(plateau, color="0.5", linestyle=":", linewidth=1)
    ax.text(2, plateau + 1.5, f"{plateau:.1f} = N ln 2: a coin toss for every point",
            fontsize=8, color="0.35")
    ax.set_xlabel("update")
    ax.set_ylabel("cost -Σ T log Y")
    ax.set_title("momentum training: two plateaus, two drops (3 hidden units)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    return save_figure(fig, path, show)


def plot_boundaries(nets: Sequence[tuple[Any, str]],
                    probability: Callable[[Any], Callable[[np.ndarray], np.ndarray]],
                    x: np.ndarray, labels: np.ndarray, grid: int, path: str | os.PathLike,
                    show: bool = False) -> Path:
    """One panel per (network, title): P(inner circle) over [-2, 2]², the 0.5 line, the data."""
    plt = pyplot(show)
    fig, axes = plt.subplots(1, len(nets), figsize=(5 * len(nets), 4.6), squeeze=False)
    for ax, (net, title) in zip(axes[0], nets, strict=True):
        draw_decision_boundary(ax, probability(net), (-2, 2), (-2, 2), grid, alpha=0.6,
                               cmap=CLASS_CMAP)
        for k in (0, 1):
            ax.scatter(*x[labels == k].T, color=CLASS_COLORS[k], edgecolors="black",
                       linewidths=0.5, s=22, label=LABELS[k])
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title(title, fontsize=10)
    axes[0, 0].legend(fontsize=8, loc="lower left")
    fig.suptitle("decision boundaries: colour = P(inner circle), black line = 0.5", fontsize=11)
    return save_figure(fig, path, show)


def plot_hidden_space(hidden: np.ndarray, labels: np.ndarray, w_o: np.ndarray, b_o: np.ndarray,
                      path: str | os.PathLike, show: bool = False) -> Path:
    """The points' hidden vectors (N, 3) in 3-D, and the plane where the two logits are equal:
    h·(w_o[:, 1] - w_o[:, 0]) + (b_o[1] - b_o[0]) = 0, the output layer's decision."""
    plt = pyplot(show)
    fig = plt.figure(figsize=(6.5, 5.5))
    ax = fig.add_subplot(projection="3d")
    for k in (0, 1):
        ax.scatter(*hidden[labels == k].T, color=CLASS_COLORS[k], edgecolors="black",
                   linewidths=0.4, s=20, label=LABELS[k], depthshade=False)
    d, c = w_o[:, 1] - w_o[:, 0], b_o[1] - b_o[0]
    axis = np.linspace(0, 1, 20)
    # the plane solved for the coordinate it depends on most, so it is never drawn edge-on
    solve = int(np.argmax(np.abs(d)))
    others = [i for i in range(3) if i != solve]
    u, v = np.meshgrid(axis, axis)
    coords = [None, None, None]
    coords[others[0]], coords[others[1]] = u, v
    plane = -(d[others[0]] * u + d[others[1]] * v + c) / d[solve]
    coords[solve] = np.where((plane >= 0) & (plane <= 1), plane, np.nan)
    ax.plot_surface(*coords, color="0.5", alpha=0.35, linewidth=0)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_zlim(0, 1)
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")
    ax.set_zlabel("$h_3$")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("the inputs in the hidden space: a plane separates the classes", fontsize=10)
    return save_figure(fig, path, show)
