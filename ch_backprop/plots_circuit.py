"""Figures of parts 0-2: the tutorial's descents, and circuits of gates with their numbers.

Every function draws one figure, saves it with ``common.plots.figures.save_figure`` and
returns the path; ``show`` keeps it open for ``common.plots.figures.show_figures``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.plots.figures import pyplot, save_figure

VALUE_COLOR, GRADIENT_COLOR = "#1a9850", "#d73027"
GATE_RADIUS = 0.32


@dataclass
class Wire:
    """A wire from ``src`` (an input or a gate) to ``dst`` (a gate; None: the output),
    carrying ``value`` forward and ``grad`` (∂output/∂wire) backward."""

    src: str
    dst: str | None
    value: float
    grad: float


def plot_circuit(inputs: Mapping[str, tuple[float, float]],
                 gates: Mapping[str, tuple[tuple[float, float], str]], wires: list[Wire],
                 output_name: str, path: str | os.PathLike, title: str,
                 show: bool = False) -> Path:
    """A circuit: inputs (name -> position) on the left, gates (name -> (position, symbol)) as
    circles, each wire with its value above (green) and its gradient below (red)."""
    plt = pyplot(show)
    positions = {**inputs, **{name: pos for name, (pos, _) in gates.items()}}
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    width, height = max(xs) - min(xs) + 2.6, max(ys) - min(ys) + 1.4
    fig, ax = plt.subplots(figsize=(1.0 * width + 0.6, 0.95 * height + 0.6))
    for name, (x, y) in inputs.items():
        ax.text(x - 0.1, y, name, ha="right", va="center", fontsize=12, style="italic")
    for (x, y), symbol in gates.values():
        ax.add_patch(plt.Circle((x, y), GATE_RADIUS, facecolor="#f0f0f0", edgecolor="black",
                                zorder=2))
        ax.text(x, y, symbol, ha="center", va="center", fontsize=11, zorder=3)
    for wire in wires:
        start = np.array(positions[wire.src], dtype=float)
        end = start + [1.3, 0] if wire.dst is None else np.array(positions[wire.dst], float)
        direction = (end - start) / np.linalg.norm(end - start)
        # wires start and end at the edge of a gate's circle, not at its centre
        a = start + (GATE_RADIUS * direction if wire.src in gates else 0)
        b = end - (GATE_RADIUS * direction if wire.dst is not None else 0)
        ax.annotate("", xy=b, xytext=a, arrowprops={"arrowstyle": "->", "color": "0.3",
                                                     "linewidth": 1.2})
        # the labels sit before the middle, where wires that meet at a gate are still apart
        middle = a + 0.42 * (b - a)
        ax.text(*middle + [0, 0.12], f"{wire.value:.2f}", ha="center", va="bottom",
                color=VALUE_COLOR, fontsize=10, fontweight="bold")
        ax.text(*middle - [0, 0.12], f"{wire.grad:.2f}", ha="center", va="top",
                color=GRADIENT_COLOR, fontsize=10, fontweight="bold")
        if wire.dst is None:
            ax.text(*b + [0.1, 0], output_name, ha="left", va="center", fontsize=12,
                    style="italic")
    ax.set_xlim(min(xs) - 0.7, max(xs) + 1.9)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    return save_figure(fig, path, show)


def plot_descent(xs: np.ndarray, f: Callable[[np.ndarray], np.ndarray], minimum: float,
                 path2d: np.ndarray, f2: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 path: str | os.PathLike, show: bool = False) -> Path:
    """Left: the points x_0, x_1, ... on the curve f. Right: the 2-D path over f2's contours."""
    plt = pyplot(show)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    grid = np.linspace(-2, 11, 300)
    ax1.plot(grid, f(grid), color="0.5", linewidth=1)
    ax1.plot(xs, f(xs), "o-", color="C3", markersize=4, linewidth=0.8)
    ax1.axvline(minimum, color="k", linestyle=":", linewidth=1, label="minimum x = -2/3")
    ax1.set_xlabel("x")
    ax1.set_ylabel("f(x)")
    ax1.set_title(f"f(x) = 3x² + 4x + 5 from 10, step 0.1: {len(xs) - 1} updates", fontsize=10)
    ax1.legend(fontsize=8)
    axis = np.linspace(-11, 11, 200)
    g1, g2 = np.meshgrid(axis, axis)
    ax2.contour(g1, g2, f2(g1, g2), levels=12, colors="0.7", linewidths=0.8)
    ax2.plot(path2d[:, 0], path2d[:, 1], ".-", color="C3", markersize=3, linewidth=0.8)
    ax2.plot(0, 0, "+", color="k", markersize=12)
    ax2.set_aspect("equal")
    ax2.set_xlabel("x")
    ax2.set_ylabel("y")
    ax2.set_title(f"3x² + 4y² + 5 from (10, 10), step 0.01: {len(path2d) - 1} updates",
                  fontsize=10)
    return save_figure(fig, path, show)
