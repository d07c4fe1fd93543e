"""Gradient descent on functions whose gradients are written out by hand.

``descend`` runs any optimizer of ``common.optim`` on a dict of scalar
parameters, exactly as a network's training does, and returns the points it
visits; only the gradient comes from a formula instead of backpropagation. The
two test functions are those of the step-by-step gradient-descent tutorial,
f(x) = 3x² + 4x + 5 and f(x, y) = 3x² + 4y² + 5, which the optimizer chapter
(step sizes) and the backpropagation chapter (part 0) both descend; the book's
x²/20 + y² shows the optimizers apart. ``fit_line_by_descent`` fits a line to
points, the gradient of the squared error written out by hand. These tutorials are about
the loop itself, so it is written out here, a few lines, rather than run by
``common.training.loop.fit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.optim.sgd import SGD

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


def elongated_bowl(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(x, y) = x²/20 + y², the book's test of the optimizers: a valley 20 times flatter
    along x than along y; minimum (0, 0)."""
    return x**2 / 20 + y**2


def elongated_bowl_gradient(p: Params) -> Params:
    """∂f/∂x = x/10, ∂f/∂y = 2y, for the parameter dict {"x": x, "y": y}."""
    return {"x": p["x"] / 10, "y": 2 * p["y"]}


def regression_points(seed: int, n: int = 50, w: float = 3.0,
                      b: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """n points (x, y) of y = w x + b plus Gaussian noise (σ = 0.5), x uniform in [0, 2]."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, n)
    return x, w * x + b + rng.normal(0, 0.5, n)


def fit_line_by_descent(x: np.ndarray, y: np.ndarray, lr: float = 0.1, iters: int = 500,
                        snapshots: Sequence[int] = (0, 5, 20, 60, 200, 500),
                        ) -> tuple[dict[int, tuple[float, float]], np.ndarray]:
    """Fit y = w x + b to points x, y (N,) by gradient descent (``SGD``) on the mean squared
    error, from w = b = 0.

    L = mean((w x + b - y)²), so ∂L/∂w = 2 mean(r x) and ∂L/∂b = 2 mean(r) with
    r = w x + b - y. Returns (w, b) at the iterations in ``snapshots`` and the loss
    before every update and after the last: (iters + 1,).
    """
    params = {"w": np.array(0.0), "b": np.array(0.0)}
    optimizer = SGD(lr)
    kept: dict[int, tuple[float, float]] = {}
    losses = np.empty(iters + 1)
    for i in range(iters + 1):
        residual = params["w"] * x + params["b"] - y
        losses[i] = np.mean(residual**2)
        if i in snapshots:
            kept[i] = (float(params["w"]), float(params["b"]))
        if i < iters:
            optimizer.update(params, {"w": 2 * np.mean(residual * x), "b": 2 * np.mean(residual)})
    return kept, losses
