"""Test functions of optimization, and what automatic differentiation does with them.

The functions (Sphere, Matyas, Goldstein-Price, Rosenbrock and the double well
x⁴ − 2x²) are written with ``+ - * **`` only, so they take numbers, arrays or Variables:
the same code gives a value, a grid of values, or a graph to differentiate. On top of
them:

- ``gradient(f, point)``: the value and the gradient at a point (one backward pass); the
  point's coordinates may be arrays of one shape (a grid), since every element of the
  output depends on the same element of the inputs only;
- ``hessian(f, point)``: the gradient and the matrix of second derivatives, by
  ``backward(create_graph=True)`` and one more backward pass per coordinate;
- ``gradient_descent`` and ``newton``: the paths of the two minimizers, (iters + 1, d);
- ``derivatives(f, x, order)``: f and its first ``order`` derivatives of an elementwise f.

Everything runs in float64, the precision the published numbers were printed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from common.autograd.core import Variable

#: f(x1, ..., xd) -> a Variable (or an array or number, given arrays or numbers)
Objective = Callable[..., Any]


def sphere(x: Any, y: Any) -> Any:
    """x² + y²: a round bowl, minimum 0 at (0, 0)."""
    return x ** 2 + y ** 2


def matyas(x: Any, y: Any) -> Any:
    """0.26 (x² + y²) − 0.48 xy: a flat, stretched bowl, minimum 0 at (0, 0)."""
    return 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y


def goldstein_price(x: Any, y: Any) -> Any:
    """The Goldstein-Price function: steep walls, minimum 3 at (0, −1)."""
    first = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x ** 2 - 14 * y + 6 * x * y + 3 * y ** 2)
    second = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x ** 2 + 48 * y - 36 * x * y
                                          + 27 * y ** 2)
    return first * second


def rosenbrock(x0: Any, x1: Any) -> Any:
    """100 (x1 − x0²)² + (1 − x0)²: a curved, flat valley, minimum 0 at (1, 1)."""
    return 100 * (x1 - x0 ** 2) ** 2 + (1 - x0) ** 2


def double_well(x: Any) -> Any:
    """x⁴ − 2x²: two minima, −1 at x = ±1, and a maximum 0 at x = 0."""
    return x ** 4 - 2 * x ** 2


def _variables(point: Sequence[Any]) -> list[Variable]:
    """Each coordinate as a float64 Variable of its own (numbers become 0-d arrays)."""
    return [Variable(np.array(value, dtype=np.float64)) for value in point]


def _grad(x: Variable) -> np.ndarray:
    """x's gradient as an array; zeros when the output does not depend on x."""
    return np.zeros_like(x.data) if x.grad is None else x.grad.data


def gradient(f: Objective, point: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(f(point), ∇f(point)): the value, shape S, and the gradient, shape (d, *S), of f at
    ``point`` = (x1, ..., xd), each xi a number or an array of shape S."""
    xs = _variables(point)
    y = f(*xs)
    y.backward()
    return y.data, np.stack([_grad(x) for x in xs])


def hessian(f: Objective, point: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """(∇f, H) at ``point`` (d numbers): the gradient (d,) and the Hessian (d, d), row i the
    gradient of ∂f/∂xi, each found by differentiating the graph of the first backward."""
    xs = _variables(point)
    y = f(*xs)
    y.backward(create_graph=True)
    grads = [x.grad for x in xs]
    hess = np.zeros((len(xs), len(xs)))
    for i, gi in enumerate(grads):
        if gi is None or gi.creator is None:  # ∂f/∂xi is a constant: its row is 0
            continue
        for x in xs:
            x.cleargrad()
        gi.backward()
        hess[i] = [_grad(x) for x in xs]
    return np.array([_grad_value(g) for g in grads]), hess


def _grad_value(g: Variable | None) -> float:
    return 0.0 if g is None else float(g.data)


def gradient_descent(f: Objective, start: Sequence[float], lr: float,
                     iters: int) -> np.ndarray:
    """The points of ``iters`` steps x ← x − lr ∇f(x) from ``start``: (iters + 1, d), row 0
    the start. Stops early (fewer rows) when a point is no longer finite."""
    path = [np.array(start, dtype=np.float64)]
    for _ in range(iters):
        _, g = gradient(f, path[-1])
        step = path[-1] - lr * g
        if not np.all(np.isfinite(step)):
            break
        path.append(step)
    return np.array(path)


def newton(f: Objective, start: Sequence[float], iters: int) -> np.ndarray:
    """The points of ``iters`` Newton steps x ← x − H⁻¹ ∇f(x) from ``start`` (in one
    dimension x ← x − f'(x) / f''(x)): (iters + 1, d), row 0 the start. Stops early when
    the gradient is exactly 0 (a stationary point) or the Hessian is singular."""
    path = [np.array(start, dtype=np.float64)]
    for _ in range(iters):
        g, h = hessian(f, path[-1])
        if not np.any(g):
            break
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            break
        path.append(path[-1] - step)
    return np.array(path)


def derivatives(f: Callable[[Variable], Variable], x: Any, order: int) -> list[np.ndarray]:
    """[f(x), f'(x), ..., f⁽ᵒʳᵈᵉʳ⁾(x)] of an elementwise ``f`` at the points ``x`` (any
    shape S; each result has shape S), by ``backward(create_graph=True)`` again and again
    on the previous derivative."""
    if order < 0:
        raise ValueError(f"order must be 0 or more, got {order}")
    var = Variable(np.array(x, dtype=np.float64))
    y = f(var)
    result = [y.data]
    current = y
    for _ in range(order):
        var.cleargrad()
        current.backward(create_graph=True)
        if var.grad is None:  # f is constant from here on
            result.append(np.zeros_like(var.data))
            current = Variable(np.zeros_like(var.data))
            continue
        current = var.grad
        result.append(current.data)
    return result
