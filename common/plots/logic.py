"""Figures of the logic gates: loss curves, decision boundaries, and XOR's hidden layer.

Every function draws one figure and writes it as PNG with ``common.plots.figures.save_figure``
(atomically; nothing with ``path=None``) and returns the path; figures stay open only when
``show`` is set (in a notebook: shown under the cell). ``ch_logic`` and the logic-gate
notebook draw them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.nets.network import Network
from common.nets.small import hidden_activations, probability_of_one
from common.plots.boundary import CLASS_COLORS, draw_decision_boundary
from common.plots.figures import curve_style, pyplot, save_figure

#: The square the two-input plots cover: the unit square with a margin of 0.5.
LOW, HIGH = -0.5, 1.5


@dataclass
class Panel:
    """One trained network on one truth table: x (N, D) with D = 1 or 2, labels t (N,)."""

    title: str
    net: Network
    x: np.ndarray
    t: np.ndarray


def plot_loss_curves(curves: Mapping[str, Sequence[float]],
                     path: str | os.PathLike | None = None, show: bool = False) -> Path | None:
    """The training loss per iteration of each run, on one log-scaled axis.

    ``curves`` maps a label (e.g. 'AND (OneNet)') to its losses, one per iteration.
    """
    plt = pyplot(show)
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (label, losses) in enumerate(curves.items()):
        # OneNet on XOR is the failure case: dashed, so it stands out
        style = "--" if "XOR" in label and "OneNet" in label else "-"
        ax.plot(np.arange(1, len(losses) + 1), losses, style,
                **curve_style(len(losses), color=f"C{i % 10}", label=label))
    ax.axhline(np.log(2), color="0.5", linewidth=0.8, linestyle=":")
    ax.text(1, np.log(2), " ln 2: a coin toss", va="bottom", fontsize=8, color="0.4")
    ax.set_yscale("log")
    ax.set_xlabel("iteration (full batch: all rows of the truth table)")
    ax.set_ylabel("training loss")
    ax.set_title("Learning the truth tables")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path, show)


def _draw_points_2d(ax, x: np.ndarray, t: np.ndarray) -> None:
    """The rows of a two-input truth table, coloured by target."""
    colors = [CLASS_COLORS[label] for label in t]
    ax.scatter(x[:, 0], x[:, 1], c=colors, s=90, edgecolors="black", linewidths=1.2, zorder=3)


def _draw_panel_2d(ax, panel: Panel, resolution: int) -> None:
    """P(class 1) over the square [LOW, HIGH]², the 0.5 line, and the four rows."""
    draw_decision_boundary(ax, lambda grid: probability_of_one(panel.net, grid), (LOW, HIGH),
                           (LOW, HIGH), resolution)
    _draw_points_2d(ax, panel.x, panel.t)
    ax.set_aspect("equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")


def _draw_panel_1d(ax, panel: Panel, resolution: int) -> None:
    """P(class 1) against the single input over [LOW, HIGH], with the two rows (NOT)."""
    x = np.linspace(LOW, HIGH, resolution).reshape(-1, 1)
    ax.plot(x[:, 0], probability_of_one(panel.net, x), color="black")
    ax.axhline(0.5, color="0.5", linestyle=":", linewidth=1)
    ax.scatter(panel.x[:, 0], panel.t, c=[CLASS_COLORS[label] for label in panel.t], s=90,
               edgecolors="black", linewidths=1.2, zorder=3)
    ax.set_xlim(LOW, HIGH)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xticks([0, 1])
    ax.set_xlabel("$x$")
    ax.set_ylabel("P(output = 1)")


def plot_decision_boundaries(panels: Sequence[Panel],
                             path: str | os.PathLike | None = None,
                             show: bool = False, resolution: int = 201) -> Path | None:
    """One panel per trained gate: the probability of output 1 over the input space.

    Two-input gates: P(1) as colour over [-0.5, 1.5]² (blue 0, red 1), the
    decision boundary P = 0.5 as a black line, and the four rows coloured by their
    target. NOT: P(1) as a curve over x in [-0.5, 1.5] with the two rows.
    """
    plt = pyplot(show)
    columns = min(4, len(panels))
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.2 * rows), squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    for ax, panel in zip(axes.ravel()[:len(panels)], panels, strict=True):
        if panel.x.shape[1] == 1:
            _draw_panel_1d(ax, panel, resolution)
        else:
            _draw_panel_2d(ax, panel, resolution)
        ax.set_title(panel.title, fontsize=10)
    fig.suptitle("Decision boundaries: colour = P(output 1), black line = 0.5, "
                 "dots = truth table", fontsize=10)
    return save_figure(fig, path, show)


def _project_hidden(net: Network, hidden: np.ndarray) -> tuple[np.ndarray, float]:
    """2-D coordinates of hidden vectors h (N, H) and where the output layer's boundary lies.

    The output layer decides by the logit difference h·(w₁ - w₀) + (b₁ - b₀), where
    w_k is column k of W2. The first coordinate is h projected on the unit vector
    along w₁ - w₀, so the decision boundary is the vertical line at the returned
    position; the second is the main remaining direction of the points (PCA).
    """
    w2, b2 = net.params["W2"].astype(np.float64), net.params["b2"].astype(np.float64)
    direction = w2[:, 1] - w2[:, 0]
    norm = np.linalg.norm(direction)
    u = direction / norm if norm > 0 else np.eye(len(direction))[0]
    along = hidden @ u
    rest = hidden - np.outer(along, u)
    rest -= rest.mean(axis=0)
    # principal direction of what is left; zero when the points lie on one line
    _, _, vt = np.linalg.svd(rest, full_matrices=False)
    across = rest @ vt[0]
    boundary = -(b2[1] - b2[0]) / norm if norm > 0 else 0.0
    return np.column_stack([along, across]), float(boundary)


def plot_xor_hidden(net: Network, x: np.ndarray, t: np.ndarray,
                    path: str | os.PathLike | None = None, show: bool = False) -> Path | None:
    """Why TwoNet learns XOR: the four inputs before and after the ReLU hidden layer.

    Left: input space, the four rows and each hidden unit's line W1[:, j]·x + b1[j] = 0
    (the unit is active on one side only). Right: the rows' hidden vectors h (N, H)
    projected to 2-D (see ``_project_hidden``); there one straight line, the
    output layer's, separates the two classes.
    """
    plt = pyplot(show)
    hidden = hidden_activations(net, x).astype(np.float64)
    points, boundary = _project_hidden(net, hidden)
    labels = [f"({int(a)},{int(b)})" for a, b in x]

    fig, (ax_in, ax_h) = plt.subplots(1, 2, figsize=(10, 4.4))
    w1, b1 = net.params["W1"].astype(np.float64), net.params["b1"].astype(np.float64)
    line = np.linspace(LOW, HIGH, 2)
    for j in range(w1.shape[1]):
        a, b, c = w1[0, j], w1[1, j], b1[j]
        if abs(b) >= abs(a) and b != 0:  # x2 as a function of x1
            ax_in.plot(line, -(a * line + c) / b, color="0.45", linewidth=1)
        elif a != 0:  # a steep line: x1 as a function of x2
            ax_in.plot(-(b * line + c) / a, line, color="0.45", linewidth=1)
    _draw_points_2d(ax_in, x, t)
    for (x1, x2), label in zip(x, labels, strict=True):
        ax_in.annotate(label, (x1, x2), textcoords="offset points", xytext=(8, 8), fontsize=9)
    ax_in.set_xlim(LOW, HIGH)
    ax_in.set_ylim(LOW, HIGH)
    ax_in.set_aspect("equal")
    ax_in.set_xlabel("$x_1$")
    ax_in.set_ylabel("$x_2$")
    ax_in.set_title("Input space: no single line separates\n"
                    "the classes (grey: hidden units' lines)", fontsize=10)

    _draw_points_2d(ax_h, points, t)
    # rows that land on (almost) the same hidden vector share one label
    span = max(np.ptp(points[:, 0]), np.ptp(points[:, 1]), 1e-3)
    groups: list[tuple[np.ndarray, list[str]]] = []
    for point, label in zip(points, labels, strict=True):
        for anchor, names in groups:
            if np.linalg.norm(point - anchor) < 0.05 * span:
                names.append(label)
                break
        else:
            groups.append((point, [label]))
    for (px, py), names in groups:
        ax_h.annotate(", ".join(names), (px, py), textcoords="offset points", xytext=(8, 8),
                      fontsize=9)
    ax_h.axvline(boundary, color="black", linewidth=1.5)
    ax_h.set_xlim(points[:, 0].min() - 0.3 * span, points[:, 0].max() + 0.5 * span)
    ax_h.set_ylim(points[:, 1].min() - 0.3 * span, points[:, 1].max() + 0.5 * span)
    ax_h.set_xlabel("hidden vector along the output layer's direction $w_1 - w_0$")
    ax_h.set_ylabel("remaining main direction")
    ax_h.set_title("Hidden space (ReLU outputs): one line, the output\n"
                   "layer's (black), now separates the classes", fontsize=10)
    fig.suptitle("XOR with TwoNet: the hidden layer makes the problem linearly separable",
                 fontsize=11)
    return save_figure(fig, path, show)
