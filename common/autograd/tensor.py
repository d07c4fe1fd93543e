"""Functions that move, select, reduce and multiply arrays (shapes change; values do not).

Shape rules: ``reshape``/``transpose`` move elements; ``get_item`` selects them (its backward
scatters the gradient back with an add-at, so repeated indices add up); ``sum``/``sum_to``
and ``broadcast_to`` are each other's backward; ``matmul`` (N, D) @ (D, H) -> (N, H) and
``linear`` x W + b; ``max``/``min`` send the gradient to the extreme elements.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.autograd import cuda
from common.autograd.array_utils import max_backward_shape, reshape_sum_backward, sum_to_array
from common.autograd.core import Function, Variable, as_variable


class Reshape(Function):
    """y = x viewed with ``shape``; the gradient is reshaped back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return reshape(gy, self.x_shape)


def reshape(x: Any, shape: tuple[int, ...]) -> Variable:
    """``x`` with a new ``shape`` (same elements); x itself when the shape is already right."""
    if x.shape == tuple(shape):
        return as_variable(x)
    return Reshape(tuple(shape))(x)


class Transpose(Function):
    """y = x with its axes permuted by ``axes`` (reversed when None)."""

    def __init__(self, axes: Any = None) -> None:
        self.axes = None if axes is None else tuple(axes)

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        if self.axes is None:
            return transpose(gy)
        n = len(self.axes)
        inverse = tuple(np.argsort([a % n for a in self.axes]).tolist())
        return transpose(gy, inverse)


def transpose(x: Any, axes: Any = None) -> Variable:
    """Permute the axes of ``x`` (reverse them when ``axes`` is None)."""
    return Transpose(axes)(x)


class GetItem(Function):
    """y = x[slices] (any NumPy index); the gradient is scattered back by GetItemGrad."""

    def __init__(self, slices: Any) -> None:
        self.slices = slices

    def forward(self, x):
        return x[self.slices]

    def backward(self, gy):
        x = self.inputs[0]
        return GetItemGrad(self.slices, x.shape)(gy)


class GetItemGrad(Function):
    """gx = zeros(in_shape) with gy added at ``slices`` (repeated indices add up)."""

    def __init__(self, slices: Any, in_shape: tuple[int, ...]) -> None:
        self.slices = slices
        self.in_shape = in_shape

    def forward(self, gy):
        xp = cuda.get_array_module(gy)
        gx = xp.zeros(self.in_shape, dtype=gy.dtype)
        cuda.add_at(gx, self.slices, gy)
        return gx

    def backward(self, ggx):
        return get_item(ggx, self.slices)


def get_item(x: Any, slices: Any) -> Variable:
    """``x[slices]`` as a Function (also what ``x[...]`` calls on a Variable)."""
    return GetItem(slices)(x)


def expand_dims(x: Any, axis: int) -> Variable:
    """``x`` with a new axis of length 1 at ``axis``."""
    x = as_variable(x)
    shape = list(x.shape)
    shape.insert(axis % (x.ndim + 1), 1)
    return reshape(x, tuple(shape))


def flatten(x: Any) -> Variable:
    """(N, ...) -> (N, rest): every sample as one row."""
    x = as_variable(x)
    return reshape(x, (x.shape[0], -1))


class Sum(Function):
    """y = Σ x over ``axis`` (all when None); the gradient is broadcast back."""

    def __init__(self, axis: Any, keepdims: bool) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.x_shape = x.shape
        return x.sum(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        gy = reshape_sum_backward(gy, self.x_shape, self.axis, self.keepdims)
        return broadcast_to(gy, self.x_shape)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001 - book name
    """Σ x over ``axis`` (an int, a tuple, or None for all), optionally keeping the axes."""
    return Sum(axis, keepdims)(x)


class SumTo(Function):
    """y = x summed down to ``shape`` (undoes a broadcast); the gradient is broadcast back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape
        return sum_to_array(x, self.shape)

    def backward(self, gy):
        return broadcast_to(gy, self.x_shape)


def sum_to(x: Any, shape: tuple[int, ...]) -> Variable:
    """``x`` summed down to ``shape``; x itself when it already has that shape."""
    if x.shape == tuple(shape):
        return as_variable(x)
    return SumTo(shape)(x)


class BroadcastTo(Function):
    """y = x repeated along axes to ``shape`` (NumPy's broadcasting); gradient summed back."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(shape)

    def forward(self, x):
        self.x_shape = x.shape
        xp = cuda.get_array_module(x)
        return xp.broadcast_to(x, self.shape).copy()  # writable, owns its memory

    def backward(self, gy):
        return sum_to(gy, self.x_shape)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Variable:
    """``x`` broadcast to ``shape``; x itself when it already has that shape."""
    if x.shape == tuple(shape):
        return as_variable(x)
    return BroadcastTo(shape)(x)


def average(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:
    """The mean of ``x`` over ``axis`` (all when None): Σ x / (number of elements summed)."""
    x = as_variable(x)
    y = sum(x, axis, keepdims)
    return y * (y.data.size / x.data.size)


mean = average


class MatMul(Function):
    """y = x W for x (N, D), W (D, H); gx = gy Wᵀ, gW = xᵀ gy."""

    def forward(self, x, W):  # noqa: N803 - the book's names
        return x.dot(W)

    def backward(self, gy):
        x, W = self.inputs
        gx = matmul(gy, W.T) if self.needs_grad(0) else None
        gW = matmul(x.T, gy) if self.needs_grad(1) else None  # noqa: N806
        return gx, gW


def matmul(x: Any, W: Any) -> Variable:  # noqa: N803
    """The matrix product x W: (N, D) @ (D, H) -> (N, H)."""
    return MatMul()(x, W)


class Linear(Function):
    """y = x W + b for x (N, D), W (D, H), b (H,) or none."""

    def forward(self, x, W, b=None):  # noqa: N803
        y = x.dot(W)
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, W = self.inputs[:2]
        gx = matmul(gy, W.T) if self.needs_grad(0) else None  # not for the data batch
        gW = matmul(x.T, gy) if self.needs_grad(1) else None  # noqa: N806
        if len(self.inputs) == 2:
            return gx, gW
        return gx, gW, sum_to(gy, self.inputs[2].shape)


def linear(x: Any, W: Any, b: Any = None) -> Variable:  # noqa: N803
    """The affine map x W + b in one Function: (N, D), (D, H), (H,) -> (N, H)."""
    if b is None:
        return Linear()(x, W)
    return Linear()(x, W, b)


def linear_simple(x: Any, W: Any, b: Any = None) -> Variable:  # noqa: N803
    """x W + b from matmul and add; the product's array is freed (its backward needs none)."""
    t = matmul(x, W)
    if b is None:
        return t
    y = t + b
    t.data = None  # Add's backward does not read it
    return y


class Max(Function):
    """y = max of x over ``axis``; the gradient goes to the elements equal to the max."""

    def __init__(self, axis: Any = None, keepdims: bool = False) -> None:
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        return x.max(axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        x = self.inputs[0]
        y = self.outputs[0]()
        shape = max_backward_shape(x.shape, self.axis)
        where = x.data == y.data.reshape(shape)
        gy = broadcast_to(reshape(gy, shape), x.shape)
        return gy * where.astype(gy.dtype)


class Min(Max):
    """y = min of x over ``axis``; the gradient goes to the elements equal to the min."""

    def forward(self, x):
        return x.min(axis=self.axis, keepdims=self.keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """The largest element of ``x`` over ``axis`` (all when None)."""
    return Max(axis, keepdims)(x)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Variable:  # noqa: A001
    """The smallest element of ``x`` over ``axis`` (all when None)."""
    return Min(axis, keepdims)(x)


__all__ = [
    "BroadcastTo", "GetItem", "GetItemGrad", "Linear", "MatMul", "Max", "Min", "Reshape",
    "Sum", "SumTo", "Transpose", "average", "broadcast_to", "expand_dims", "flatten",
    "get_item", "linear", "linear_simple", "matmul", "max", "mean", "min", "reshape", "sum",
    "sum_to", "transpose",
]
