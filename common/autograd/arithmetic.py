"""Arithmetic on Variables: ``+ - * / **`` and unary ``-``, with NumPy's broadcasting.

Either operand may be a Variable, an array or a number. A number takes the dtype of the
other operand (``x * 2.0`` keeps a float32 x float32; an integer x times 2.5 becomes float).
When the shapes broadcast, each gradient is the output's gradient summed back to its
input's shape (``sum_to``); when they do not, a ValueError names both shapes.

``setup_variable()`` installs the operators, ``x[...]`` and the methods ``reshape``,
``transpose``, ``T``, ``sum``, ``max``, ``min`` on Variable; importing ``common.autograd``
(or any of its modules) calls it.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from common.autograd import cuda, tensor
from common.autograd.core import Function, Variable

_PASS_THROUGH = (Variable, *cuda.array_types)
_VERBS = {"add": "add", "mul": "multiply", "sub": "subtract", "div": "divide"}


def _operand(value: Any, like: Variable) -> Any:
    """``value`` ready for a Function: a number becomes a 0-d array of ``like``'s dtype."""
    if isinstance(value, _PASS_THROUGH) or not isinstance(value, numbers.Number):
        return value
    xp = cuda.get_array_module(like.data)
    if like.data is None:
        return xp.asarray(value)
    plain = value.item() if isinstance(value, np.generic) else value
    return xp.asarray(value, dtype=np.result_type(like.data.dtype, plain))


def _shape_error(op: str, x0: Any, x1: Any) -> ValueError:
    return ValueError(
        f"cannot {_VERBS[op]} shapes {x0.shape} and {x1.shape}: they do not broadcast "
        "(compared from the right, each pair of lengths must be equal, or one of them 1)"
    )


def _sum_to_inputs(fn: Function, gx0: Any, gx1: Any) -> tuple[Any, Any]:
    """The two gradients summed back to the shapes of a binary op's inputs (None stays None)."""
    if fn.x0_shape != fn.x1_shape:
        gx0 = None if gx0 is None else tensor.sum_to(gx0, fn.x0_shape)
        gx1 = None if gx1 is None else tensor.sum_to(gx1, fn.x1_shape)
    return gx0, gx1


class _Binary(Function):
    """A broadcasting binary op: ``forward`` records the shapes and catches bad ones."""

    op = ""

    def forward(self, x0, x1):
        self.x0_shape, self.x1_shape = x0.shape, x1.shape
        try:
            return self.compute(x0, x1)
        except ValueError:
            if x0.shape == x1.shape:
                raise
            raise _shape_error(self.op, x0, x1) from None


class Add(_Binary):
    """y = x0 + x1; gx0 = gx1 = gy (summed to each shape)."""

    op = "add"

    def compute(self, x0, x1):
        return x0 + x1

    def backward(self, gy):
        needs0, needs1 = self.needs_grad(0), self.needs_grad(1)
        return _sum_to_inputs(self, gy if needs0 else None, gy if needs1 else None)


class Mul(_Binary):
    """y = x0 x1; gx0 = gy x1, gx1 = gy x0."""

    op = "mul"

    def compute(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        gx0 = gy * x1 if self.needs_grad(0) else None
        gx1 = gy * x0 if self.needs_grad(1) else None
        return _sum_to_inputs(self, gx0, gx1)


class Sub(_Binary):
    """y = x0 - x1; gx0 = gy, gx1 = -gy."""

    op = "sub"

    def compute(self, x0, x1):
        return x0 - x1

    def backward(self, gy):
        needs0, needs1 = self.needs_grad(0), self.needs_grad(1)
        return _sum_to_inputs(self, gy if needs0 else None, -gy if needs1 else None)


class Div(_Binary):
    """y = x0 / x1; gx0 = gy / x1, gx1 = -gy x0 / x1²."""

    op = "div"

    def compute(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        gx0 = gy / x1
        return _sum_to_inputs(self, gx0, gx0 * (-x0 / x1) if self.needs_grad(1) else None)


class Neg(Function):
    """y = -x; gx = -gy."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    """y = x ** c for a constant c; gx = c x^(c-1) gy."""

    def __init__(self, c: Any) -> None:
        if isinstance(c, Variable):
            raise TypeError("the exponent of x ** c must be a number or an array, not a Variable")
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy):
        x = self.inputs[0]
        c = self.c
        return c * x ** (c - 1) * gy


def add(x0: Any, x1: Any) -> Variable:
    """x0 + x1 (broadcasting)."""
    return Add()(x0, _operand(x1, x0))


def mul(x0: Any, x1: Any) -> Variable:
    """x0 * x1 (broadcasting)."""
    return Mul()(x0, _operand(x1, x0))


def neg(x: Any) -> Variable:
    """-x."""
    return Neg()(x)


def sub(x0: Any, x1: Any) -> Variable:
    """x0 - x1 (broadcasting)."""
    return Sub()(x0, _operand(x1, x0))


def rsub(x0: Any, x1: Any) -> Variable:
    """x1 - x0: the Variable x0 on the right (``2 - x``)."""
    return Sub()(_operand(x1, x0), x0)


def div(x0: Any, x1: Any) -> Variable:
    """x0 / x1 (broadcasting)."""
    return Div()(x0, _operand(x1, x0))


def rdiv(x0: Any, x1: Any) -> Variable:
    """x1 / x0: the Variable x0 on the right (``1 / x``)."""
    return Div()(_operand(x1, x0), x0)


def pow(x: Any, c: Any) -> Variable:  # noqa: A001 - the book's name
    """x ** c for a constant exponent c."""
    return Pow(c)(x)


def _rmatmul(x: Variable, other: Any) -> Variable:
    return tensor.matmul(other, x)


def _reshape(x: Variable, *shape: Any) -> Variable:
    """``reshape(x, shape)``; ``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` both work."""
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = shape[0]
    return tensor.reshape(x, tuple(shape))


def _transpose(x: Variable, *axes: Any) -> Variable:
    """``transpose(x, axes)``; ``x.transpose(1, 0)``, ``x.transpose((1, 0))``; none reverses."""
    if len(axes) == 0:
        axes = None
    elif len(axes) == 1 and (axes[0] is None or isinstance(axes[0], tuple | list)):
        axes = axes[0]
    return tensor.transpose(x, axes)


def _transposed(x: Variable) -> Variable:
    """The transpose of x (axes reversed)."""
    return tensor.transpose(x)


def _sum(x: Variable, axis: Any = None, keepdims: bool = False) -> Variable:
    """``sum(x, axis, keepdims)``."""
    return tensor.sum(x, axis, keepdims)


def setup_variable() -> None:
    """Install on Variable: ``+ - * / ** @``, unary ``-``, ``[]``, and the methods reshape,
    transpose, T, sum, max, min."""
    Variable.__add__ = add
    Variable.__radd__ = add
    Variable.__mul__ = mul
    Variable.__rmul__ = mul
    Variable.__neg__ = neg
    Variable.__sub__ = sub
    Variable.__rsub__ = rsub
    Variable.__truediv__ = div
    Variable.__rtruediv__ = rdiv
    Variable.__pow__ = pow
    Variable.__matmul__ = tensor.matmul
    Variable.__rmatmul__ = _rmatmul
    Variable.__getitem__ = tensor.get_item
    Variable.reshape = _reshape
    Variable.transpose = _transpose
    Variable.T = property(_transposed)
    Variable.sum = _sum
    Variable.max = tensor.max
    Variable.min = tensor.min


setup_variable()
