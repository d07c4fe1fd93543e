"""Gradient descent on functions whose gradients are written out by hand.

``descend`` runs any optimizer of ``common.optim`` on a dict of scalar
parameters, exactly as a network's training does, and returns the points it
visits; only the gradient comes from a formula instead of backpropagation. The
two test functions are those of the step-by-step gradient-descent tutorial,
f(x) = 3x² + 4x + 5 and f(x, y) = 3x² + 4y² + 5, which the optimizer chapter
(step sizes) and the backpropagation chapter (part 0) both descend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Params = dict[str, np.ndarray]
Gradient = Callable[[Params], Params]


def descend(optimizer: Any, gradient: Gradient, start: dict[str, float], steps: int) -> np.ndarray:
    """The points visited by ``optimizer`` from ``start``: an (steps + 1, len(start)) array.

    Row 0 is the start, row i the point after i updates, columns in the order of
    ``start``'s keys. The parameters are 0-d float64 arrays in a dict, like a
    network's ``params``: the optimizer changes them in place, ``gradient(params)``
    gives their gradients as a dict with the same keys.
    """
    params = {key: np.array(value, dtype=np.float64) for key, value in start.items()}
    points = np.empty((steps + 1, len(params)))
    points[0] = [float(v) for v in params.values()]
    for i in range(1, steps + 1):
        optimizer.update(params, gradient(params))
        points[i] = [float(v) for v in params.values()]
    return points


def parabola(x: np.ndarray) -> np.ndarray:
    """f(x) = 3x² + 4x + 5; minimum at x = -2/3, where f = 11/3."""
    return 3 * x**2 + 4 * x + 5


def parabola_gradient(p: Params) -> Params:
    """f'(x) = 6x + 4, for the parameter dict {"x": x}."""
    return {"x": 6 * p["x"] + 4}


#: Where the parabola has its minimum.
PARABOLA_MIN = -2 / 3


def paraboloid(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(x, y) = 3x² + 4y² + 5; minimum at (0, 0), where f = 5."""
    return 3 * x**2 + 4 * y**2 + 5


def paraboloid_gradient(p: Params) -> Params:
    """∂f/∂x = 6x, ∂f/∂y = 8y, for the parameter dict {"x": x, "y": y}."""
    return {"x": 6 * p["x"], "y": 8 * p["y"]}
