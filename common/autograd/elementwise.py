"""Element-wise functions: y_i = f(x_i), so the gradient is gx = f'(x) gy, element by element.

Every backward is written with Variables (and with the function's own output where that is
shorter: exp' = exp, tanh' = 1 - tanh²), so it can be differentiated again. The sigmoid is
computed as 0.5 tanh(x / 2) + 0.5, which never overflows.
"""

from __future__ import annotations

from typing import Any

from common.autograd import cuda
from common.autograd.core import Function, Variable, as_variable


class Sin(Function):
    """y = sin x; gx = cos(x) gy."""

    def forward(self, x):
        return cuda.get_array_module(x).sin(x)

    def backward(self, gy):
        return gy * cos(self.inputs[0])


class Cos(Function):
    """y = cos x; gx = -sin(x) gy."""

    def forward(self, x):
        return cuda.get_array_module(x).cos(x)

    def backward(self, gy):
        return gy * -sin(self.inputs[0])


class Tanh(Function):
    """y = tanh x; gx = (1 - y²) gy."""

    def forward(self, x):
        return cuda.get_array_module(x).tanh(x)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * (1 - y * y)


class Exp(Function):
    """y = exp x; gx = y gy."""

    def forward(self, x):
        return cuda.get_array_module(x).exp(x)

    def backward(self, gy):
        return gy * self.outputs[0]()


class Log(Function):
    """y = log x (natural); gx = gy / x."""

    def forward(self, x):
        return cuda.get_array_module(x).log(x)

    def backward(self, gy):
        return gy / self.inputs[0]


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x)), computed as 0.5 tanh(x / 2) + 0.5; gx = y (1 - y) gy."""

    def forward(self, x):
        return cuda.get_array_module(x).tanh(x * 0.5) * 0.5 + 0.5

    def backward(self, gy):
        y = self.outputs[0]()
        return gy * y * (1 - y)


class ReLU(Function):
    """y = max(x, 0); gx = gy where x > 0, else 0."""

    def forward(self, x):
        return cuda.get_array_module(x).maximum(x, 0)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (x.data > 0).astype(gy.dtype)


class LeakyReLU(Function):
    """y = x where x > 0, else slope x; gx = gy or slope gy accordingly."""

    def __init__(self, slope: float) -> None:
        self.slope = slope

    def forward(self, x):
        return cuda.get_array_module(x).where(x > 0, x, x * self.slope)

    def backward(self, gy):
        x = self.inputs[0]
        xp = cuda.get_array_module(x.data)
        return gy * xp.where(x.data > 0, 1, self.slope).astype(gy.dtype)


class Clip(Function):
    """y = x limited to [x_min, x_max]; gx = gy inside the interval, else 0."""

    def __init__(self, x_min: float, x_max: float) -> None:
        self.x_min = x_min
        self.x_max = x_max

    def forward(self, x):
        return cuda.get_array_module(x).clip(x, self.x_min, self.x_max)

    def backward(self, gy):
        x = self.inputs[0].data
        inside = (x >= self.x_min) & (x <= self.x_max)
        return gy * inside.astype(gy.dtype)


def sin(x: Any) -> Variable:
    """sin x, element-wise."""
    return Sin()(x)


def cos(x: Any) -> Variable:
    """cos x, element-wise."""
    return Cos()(x)


def tanh(x: Any) -> Variable:
    """tanh x, element-wise."""
    return Tanh()(x)


def exp(x: Any) -> Variable:
    """e^x, element-wise."""
    return Exp()(x)


def log(x: Any) -> Variable:
    """The natural logarithm of x (x > 0), element-wise."""
    return Log()(x)


def sigmoid(x: Any) -> Variable:
    """σ(x) = 1 / (1 + e^-x), element-wise, as one Function."""
    return Sigmoid()(x)


def sigmoid_simple(x: Any) -> Variable:
    """σ(x) composed of other Functions: 0.5 tanh(0.5 x) + 0.5 (1 / (1 + e^-x) could overflow)."""
    x = as_variable(x)
    return tanh(x * 0.5) * 0.5 + 0.5


def relu(x: Any) -> Variable:
    """max(x, 0), element-wise."""
    return ReLU()(x)


def leaky_relu(x: Any, slope: float = 0.2) -> Variable:
    """x where x > 0, else slope x, element-wise."""
    return LeakyReLU(slope)(x)


def clip(x: Any, x_min: float, x_max: float) -> Variable:
    """x limited to the interval [x_min, x_max], element-wise."""
    return Clip(x_min, x_max)(x)


__all__ = [
    "Clip", "Cos", "Exp", "LeakyReLU", "Log", "ReLU", "Sigmoid", "Sin", "Tanh", "clip", "cos",
    "exp", "leaky_relu", "log", "relu", "sigmoid", "sigmoid_simple", "sin", "tanh",
]
