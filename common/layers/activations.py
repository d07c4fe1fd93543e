"""Activation layers: element-wise non-linearities with their derivatives."""

from __future__ import annotations

import numpy as np

from common.functions import sigmoid


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
        return dout * self.out * (1 - self.out)
