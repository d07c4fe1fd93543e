"""Activation layers: element-wise non-linearities with their derivatives."""

from __future__ import annotations

import numpy as np

from common.checks import check_dout, forward_cache
from common.functions import gaussian, sigmoid


class Relu:
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


class Sigmoid:
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


class Tanh:
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


class Gaussian:
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


class GELU:
    """GPT-2's GELU, in its tanh form, element-wise; any shape:

    out = ½ · x · (1 + tanh(u)),  u = √(2/π) · (x + 0.044715 · x³).

    Like ReLU for large |x|, but smooth: small negative inputs pass a little.
    """

    C = float(np.sqrt(2 / np.pi))
    A = 0.044715

    def __init__(self) -> None:
        self.x: np.ndarray | None = None
        self.tanh: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """½ · x · (1 + tanh(u)); keeps x and tanh(u) for the derivative."""
        self.x = x
        u = x * x
        u *= self.A
        u += 1
        u *= x
        u *= self.C
        self.tanh = np.tanh(u, out=u)
        out = self.tanh + 1
        out *= x
        out *= 0.5
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout · (½(1 + tanh u) + ½ x (1 - tanh² u) · √(2/π)(1 + 3 · 0.044715 · x²))."""
        th = forward_cache(self, self.tanh)
        check_dout(self, dout, th.shape)
        x = self.x
        # du/dx = C·(1 + 3A·x²); x·du/dx·(1 - th²) built in one buffer
        grad = x * x
        grad *= 3 * self.A * self.C
        grad += self.C
        grad *= x
        grad *= 1 - th * th
        grad += 1 + th
        grad *= 0.5
        grad *= dout
        return grad
