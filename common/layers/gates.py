"""Gates: the nodes of a computational graph, each a tiny layer with forward and backward.

The book's ``MulLayer`` and ``AddLayer`` (two inputs) and the one-input gates of
CS231n's sigmoid circuit: ``ScaleLayer`` (× c), ``OffsetLayer`` (+ c), ``ExpLayer``
and ``ReciprocalLayer`` (1/x). They work on numbers or on arrays, element-wise.

Every gate applies the chain rule in the same way: after ``forward``,
``local_gradient()`` is ∂out/∂input (one per input), and ``backward(dout)``
returns dout times it, the gradient of the final output with respect to the
gate's input. Chaining the backward calls from the output to the inputs is
backpropagation; the layers of ``common.layers`` are the same idea on whole arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.layers.base import Layer
from common.validation import forward_cache

Value = Any  # a number or an array: the gates work element-wise on both


class MulLayer(Layer):
    """out = x · y. Local gradients: ∂out/∂x = y, ∂out/∂y = x (each input gets the other)."""

    def __init__(self) -> None:
        self.x: Value = None
        self.y: Value = None

    def forward(self, x: Value, y: Value) -> Value:
        """x · y; remembers both inputs, the local gradient of each is the other."""
        self.x, self.y = x, y
        return x * y

    def local_gradient(self) -> tuple[Value, Value]:
        """(∂out/∂x, ∂out/∂y) = (y, x)."""
        return forward_cache(self, self.y), self.x

    def backward(self, dout: Value) -> tuple[Value, Value]:
        """(dout · y, dout · x): the gradients with respect to x and y."""
        dx, dy = self.local_gradient()
        return dout * dx, dout * dy


class AddLayer(Layer):
    """out = x + y. Local gradients: 1 and 1, so the gradient flows to both inputs unchanged."""

    def forward(self, x: Value, y: Value) -> Value:
        """x + y (nothing to remember: the local gradients are constants)."""
        return x + y

    def local_gradient(self) -> tuple[float, float]:
        """(∂out/∂x, ∂out/∂y) = (1, 1)."""
        return 1.0, 1.0

    def backward(self, dout: Value) -> tuple[Value, Value]:
        """(dout, dout)."""
        return dout * 1.0, dout * 1.0


class ScaleLayer(Layer):
    """out = c · x for a constant c (e.g. -1, or the 3 of J = 3v). Local gradient: c."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Value) -> Value:
        """c · x."""
        return self.c * x

    def local_gradient(self) -> float:
        """∂out/∂x = c."""
        return self.c

    def backward(self, dout: Value) -> Value:
        """dout · c."""
        return dout * self.c


class OffsetLayer(Layer):
    """out = x + c for a constant c (e.g. the +1 of 1 + e⁻ˣ). Local gradient: 1."""

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: Value) -> Value:
        """x + c."""
        return x + self.c

    def local_gradient(self) -> float:
        """∂out/∂x = 1."""
        return 1.0

    def backward(self, dout: Value) -> Value:
        """dout, unchanged."""
        return dout * 1.0


class ExpLayer(Layer):
    """out = eˣ. Local gradient: eˣ, the output itself.

    A teaching gate: eˣ overflows beyond x ≈ 709 in float64 (88 in float32). The
    ``Sigmoid`` layer computes a whole sigmoid neuron without that limit.
    """

    def __init__(self) -> None:
        self.out: Value = None

    def forward(self, x: Value) -> Value:
        """eˣ; remembered, since it is also the local gradient."""
        self.out = np.exp(x)
        return self.out

    def local_gradient(self) -> Value:
        """∂out/∂x = eˣ."""
        return forward_cache(self, self.out)

    def backward(self, dout: Value) -> Value:
        """dout · eˣ."""
        return dout * self.local_gradient()


class ReciprocalLayer(Layer):
    """out = 1/x (x ≠ 0). Local gradient: -1/x² = -out²."""

    def __init__(self) -> None:
        self.out: Value = None

    def forward(self, x: Value) -> Value:
        """1/x; raises ValueError for x = 0 instead of returning infinity."""
        if np.any(np.asarray(x) == 0):
            raise ValueError("ReciprocalLayer got x = 0, where 1/x is undefined")
        self.out = 1 / x
        return self.out

    def local_gradient(self) -> Value:
        """∂out/∂x = -1/x²."""
        return -forward_cache(self, self.out) * self.out

    def backward(self, dout: Value) -> Value:
        """dout · (-1/x²)."""
        return dout * self.local_gradient()
