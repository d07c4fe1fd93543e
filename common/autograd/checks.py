"""Is a backward pass right? Compare it with central differences, in float64.

``numerical_grad(f, x)`` perturbs one element of x at a time by ±eps and measures how
Σ f(x) changes: (Σ f(x + eps) - Σ f(x - eps)) / 2 eps. ``gradient_check`` runs f forward
and backward and says whether the two gradients agree (and where they do not).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.autograd import cuda
from common.autograd.core import Variable, as_variable


def _total(y: Any) -> float:
    """Σ y as a Python float, for a Variable, an array or a number."""
    if isinstance(y, Variable):
        y = y.data
    return float(cuda.as_numpy(y).sum())


def numerical_grad(f: Any, x: Any, *args: Any, eps: float = 1e-4, **kwargs: Any) -> np.ndarray:
    """d Σ f(x, *args) / dx by central differences, on a float64 copy of ``x``.

    ``f`` is called with an array (it may return a Variable or an array); the result has
    x's shape and dtype float64.
    """
    x = cuda.as_numpy(x.data if isinstance(x, Variable) else x).astype(np.float64)
    grad = np.zeros_like(x)
    flat, grad_flat = x.reshape(-1), grad.reshape(-1)  # views of the copies
    for i in range(flat.size):  # one probe per element: the check is slow by design
        kept = flat[i]
        flat[i] = kept + eps
        up = _total(f(x, *args, **kwargs))
        flat[i] = kept - eps
        down = _total(f(x, *args, **kwargs))
        flat[i] = kept
        grad_flat[i] = (up - down) / (2 * eps)
    return grad


def gradient_check(
    f: Any, x: Any, *args: Any, rtol: float = 1e-4, atol: float = 1e-5, **kwargs: Any
) -> bool:
    """True when backprop's d Σ f(x) / dx matches the numerical one (float64).

    On a mismatch, prints the shapes, the largest difference and where it is, and the first
    values of both gradients, then returns False.
    """
    x = as_variable(x)
    x = Variable(cuda.as_numpy(x.data).astype(np.float64))
    num = numerical_grad(f, x.data, *args, **kwargs)
    y = f(x, *args, **kwargs)
    y.backward()
    if x.grad is None:
        print("gradient check FAILED: backward gave x no gradient (is x used by f?)")
        return False
    back = cuda.as_numpy(x.grad.data)
    if back.shape != num.shape:
        print(f"gradient check FAILED: shapes differ, backprop {back.shape}, numerical {num.shape}")
        return False
    if array_allclose(num, back, rtol=rtol, atol=atol):
        return True
    diff = np.abs(num - back)
    where = np.unravel_index(int(diff.argmax()), diff.shape)
    print(
        f"gradient check FAILED for shape {num.shape} (rtol={rtol}, atol={atol}): "
        f"largest difference {diff.max():.3g} at index {tuple(int(i) for i in where)}, "
        f"numerical {num[where]!r}, backprop {back[where]!r}"
    )
    print("numerical:", num.ravel()[:10])
    print("backprop: ", back.ravel()[:10])
    return False


def _plain(a: Any) -> np.ndarray:
    return cuda.as_numpy(a.data if isinstance(a, Variable) else a)


def array_equal(a: Any, b: Any) -> bool:
    """True when the arrays (or Variables) have the same shape and elements."""
    return bool(np.array_equal(_plain(a), _plain(b)))


def array_allclose(a: Any, b: Any, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """True when |a - b| <= atol + rtol |b| element by element (arrays or Variables)."""
    return bool(np.allclose(_plain(a), _plain(b), rtol=rtol, atol=atol))


__all__ = ["array_allclose", "array_equal", "gradient_check", "numerical_grad"]
