"""Array helpers (not Functions) that the functions' forward and backward passes share.

They take and return plain arrays (NumPy or CuPy), except ``reshape_sum_backward``, which
reshapes whatever it is given (a Variable in a backward pass).
"""

from __future__ import annotations

import numbers
from typing import Any

from common.autograd import cuda


def sum_to_array(x: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``x`` down to ``shape``, the inverse of broadcasting ``shape`` to ``x.shape``.

    Leading axes that broadcasting added are summed away; axes of length 1 in ``shape``
    are summed with keepdims. (The book's ``utils.sum_to``.)
    """
    lead = x.ndim - len(shape)
    lead_axes = tuple(range(lead))
    ones = tuple(lead + i for i, n in enumerate(shape) if n == 1)
    y = x.sum(lead_axes + ones, keepdims=True)
    if lead > 0:
        y = y.squeeze(lead_axes)
    return y


def reshape_sum_backward(gy: Any, x_shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """Reshape the gradient of ``x.sum(axis, keepdims)`` so that it broadcasts to ``x_shape``.

    The summed axes come back with length 1 (nothing to do when ``keepdims`` kept them).
    """
    ndim = len(x_shape)
    if ndim == 0 or axis is None or keepdims:
        if ndim == 0 or keepdims:
            return gy
        return gy.reshape((1,) * ndim)
    axes = (axis,) if isinstance(axis, int) else axis
    axes = sorted(a % ndim for a in axes)
    shape = list(gy.shape)
    for a in axes:
        shape.insert(a, 1)
    return gy.reshape(tuple(shape))


def max_backward_shape(x_shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """The shape of ``x.max(axis, keepdims=True)``: the reduced axes have length 1."""
    ndim = len(x_shape)
    if axis is None:
        return (1,) * ndim
    axes = (axis,) if isinstance(axis, int) else axis
    axes = {a % ndim for a in axes}
    return tuple(1 if i in axes else n for i, n in enumerate(x_shape))


def logsumexp(x: Any, axis: int = 1) -> Any:
    """log Σ exp(x) along ``axis`` (kept, length 1), computed as m + log Σ exp(x - m)."""
    xp = cuda.get_array_module(x)
    m = x.max(axis=axis, keepdims=True)
    y = xp.exp(x - m)
    s = y.sum(axis=axis, keepdims=True)
    return m + xp.log(s)


def get_conv_outsize(input_size: int, kernel_size: int, stride: int, pad: int) -> int:
    """Output length of a convolution: (input + 2 pad - kernel) // stride + 1."""
    return (input_size + pad * 2 - kernel_size) // stride + 1


def get_deconv_outsize(size: int, k: int, s: int, p: int) -> int:
    """Output length of a transposed convolution: s (size - 1) + k - 2 p."""
    return s * (size - 1) + k - 2 * p


def pair(x: Any) -> tuple[int, int]:
    """An int as (x, x), a pair unchanged; anything else is a ValueError."""
    if isinstance(x, numbers.Integral):
        return (int(x), int(x))
    if isinstance(x, tuple | list) and len(x) == 2:
        return tuple(x)
    raise ValueError(f"expected an int or a pair of ints, got {x!r}")
