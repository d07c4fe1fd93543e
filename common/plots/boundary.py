"""Decision boundaries of two-input classifiers: P(class 1) as colour, the 0.5 line in black.

    draw_decision_boundary(ax, lambda g: softmax(net.predict(g))[:, 1], (-2, 2), (-2, 2))

``probability`` maps points (M, 2) to P(class 1) (M,); the whole grid goes through
it in one call (one vectorised forward pass). Used by the logic-gate and the
backpropagation chapters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: Blue for class 0 (P = 0), red for class 1 (P = 1).
CMAP = "RdBu_r"
CLASS_COLORS = ("#2166ac", "#b2182b")

Probability = Callable[[np.ndarray], np.ndarray]


def probability_grid(probability: Probability, xlim: tuple[float, float],
                     ylim: tuple[float, float],
                     resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X1, X2, P): a resolution × resolution grid over xlim × ylim and P(class 1) on it.

    All three are (resolution, resolution) arrays in ``np.meshgrid`` layout.
    """
    g1, g2 = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    points = np.column_stack([g1.ravel(), g2.ravel()])
    p = np.asarray(probability(points), dtype=np.float64).reshape(g1.shape)
    return g1, g2, p


def draw_decision_boundary(ax: Any, probability: Probability, xlim: tuple[float, float],
                           ylim: tuple[float, float], resolution: int = 200,
                           alpha: float = 0.8, cmap: str = CMAP) -> Any:
    """Fill ``ax`` with P(class 1) over xlim × ylim (blue 0 … red 1) and draw P = 0.5 in black.

    ``cmap`` may be any matplotlib colour map from P = 0 to P = 1 ("RdBu": red 0 … blue 1).
    No black line is drawn when P stays on one side of 0.5 everywhere (the model
    predicts one class for the whole rectangle). Returns the filled contour set,
    for a colour bar.
    """
    g1, g2, p = probability_grid(probability, xlim, ylim, resolution)
    filled = ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap=cmap, vmin=0, vmax=1,
                         alpha=alpha)
    if p.min() < 0.5 < p.max():
        ax.contour(g1, g2, p, levels=[0.5], colors="black", linewidths=1.5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return filled
