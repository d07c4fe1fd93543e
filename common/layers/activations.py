"""Activation layers: element-wise non-linearities with their derivatives."""

from __future__ import annotations

import numpy as np

from common.functions import gaussian, sigmoid, softmax
from common.layers.base import Layer
from common.validation import check_dout, forward_cache


class Relu(Layer):
    """out = max(0, x), element-wise; any shape."""

    def __init__(self) -> None:
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """max(0, x); remembers where x > 0."""
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout where the input was positive, 0 elsewhere."""
        check_dout(self, dout, forward_cache(self, self.mask).shape)
        return dout * self.mask


class Sigmoid(Layer):
    """out = σ(x) = 1 / (1 + exp(-x)), element-wise and overflow-free; any shape."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """σ(x); remembers it, since σ' = σ(1 - σ)."""
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout · σ(x)(1 - σ(x))."""
        check_dout(self, dout, forward_cache(self, self.out).shape)
        return dout * self.out * (1 - self.out)


class Softmax(Layer):
    """out = softmax(x) over the last axis (max-shifted: no overflow); any shape (…, K).
    The second book's attention turns its scores into weights with it."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """softmax(x) along the last axis; remembers it for backward."""
        self.out = softmax(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dx = y ⊙ (dout - Σ_k dout_k y_k), the Jacobian of softmax applied to dout."""
        y = forward_cache(self, self.out)
        check_dout(self, dout, y.shape)
        return y * (dout - np.sum(dout * y, axis=-1, keepdims=True))


class Tanh(Layer):
    """out = tanh(x), element-wise; any shape. Like σ but centred: tanh(x) = 2σ(2x) - 1."""

    def __init__(self) -> None:
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """tanh(x); remembers it, since tanh' = 1 - tanh²."""
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout · (1 - tanh(x)²)."""
        check_dout(self, dout, forward_cache(self, self.out).shape)
        return dout * (1 - self.out * self.out)


class Gaussian(Layer):
    """The radial-basis (RBF) activation out = exp(-x²), element-wise; any shape.

    It answers "how close is x to 0": 1 at x = 0, falling to 0 on both sides, so a
    single unit can pick out a middle interval, which no monotone activation can.
    """

    def __init__(self) -> None:
        self.x: np.ndarray | None = None
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """exp(-x²); remembers x and the output for the derivative -2x·exp(-x²)."""
        self.x = x
        self.out = gaussian(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout · (-2x · exp(-x²))."""
        check_dout(self, dout, forward_cache(self, self.out).shape)
        # x·out first: it is at most 0.43 in size, where 2x alone could overflow
        return dout * (-2 * (self.x * self.out))


class GELU(Layer):
    """GPT-2's GELU, in its tanh form, element-wise; any shape:

    out = ½ · x · (1 + tanh(u)),  u = √(2/π) · (x + 0.044715 · x³).

    Like ReLU for large |x|, but smooth: small negative inputs pass a little. It is
    computed as out = x · σ(2u), the same function (½(1 + tanh u) = σ(2u)), because one
    exp costs half a tanh in NumPy.
    """

    C = float(np.sqrt(2 / np.pi))
    A = 0.044715

    def __init__(self) -> None:
        self.x: np.ndarray | None = None
        self.s: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x · σ(2u); keeps x (clipped to ±10⁴) and s = σ(2u) for the derivative."""
        # beyond |x| = 10⁴, σ(2u) is 0 or 1 to the last digit; x³ could overflow there
        self.x = xc = np.clip(x, -1e4, 1e4)
        z = xc * xc  # z = -2u = -2C·(x + A·x³), built in one buffer
        z *= -2 * self.C * self.A
        z -= 2 * self.C
        z *= xc
        # exp(-2u) overflows to inf for very negative u (u < -44 in float32): σ = 1/inf = 0
        with np.errstate(over="ignore"):
            np.exp(z, out=z)
        z += 1
        self.s = np.reciprocal(z, out=z)
        return x * self.s

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout · (s + x · 2u'(x) · s(1 - s)), with s = σ(2u), u' = C·(1 + 3A·x²)."""
        s = forward_cache(self, self.s)
        check_dout(self, dout, s.shape)
        x = self.x
        grad = x * x
        grad *= 3 * self.A
        grad += 1
        grad *= x
        grad *= 2 * self.C  # x · 2u'(x)
        grad *= 1 - s
        grad += 1
        grad *= s
        grad *= dout
        return grad
