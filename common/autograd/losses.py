"""Softmax and the losses: mean squared error and the cross-entropies, and accuracy.

Stability: softmax subtracts the row's maximum before ``exp``; log-softmax and the softmax
cross-entropy use log-sum-exp, and the sigmoid cross-entropy log(1 + e^-|x|); no ``exp``
of a large positive number is ever taken. Labels are integers in [0, C) for C classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.autograd import cuda
from common.autograd.array_utils import logsumexp
from common.autograd.core import Function, Variable, as_array, as_variable
from common.autograd.elementwise import clip, exp, log, sigmoid
from common.autograd.tensor import broadcast_to, get_item, sum


class Softmax(Function):
    """y = exp(x) / Σ exp(x) along ``axis``; gx = y (gy - Σ y gy)."""

    def __init__(self, axis: int = 1) -> None:
        self.axis = axis

    def forward(self, x):
        xp = cuda.get_array_module(x)
        y = xp.exp(x - x.max(axis=self.axis, keepdims=True))
        y /= y.sum(axis=self.axis, keepdims=True)
        return y

    def backward(self, gy):
        y = self.outputs[0]()
        gx = y * gy
        return gx - y * sum(gx, axis=self.axis, keepdims=True)


def softmax(x: Any, axis: int = 1) -> Variable:
    """Softmax along ``axis`` (the classes of (N, C) scores by default); rows sum to 1."""
    return Softmax(axis)(x)


def softmax_simple(x: Any, axis: int = 1) -> Variable:
    """Softmax composed of exp, sum and divide (the maximum, a constant, subtracted first)."""
    x = as_variable(x)
    y = exp(x - x.data.max(axis=axis, keepdims=True))
    return y / sum(y, axis=axis, keepdims=True)


class LogSoftmax(Function):
    """y = x - logsumexp(x) along ``axis``; gx = gy - softmax(x) Σ gy."""

    def __init__(self, axis: int = 1) -> None:
        self.axis = axis

    def forward(self, x):
        return x - logsumexp(x, self.axis)

    def backward(self, gy):
        y = self.outputs[0]()
        return gy - exp(y) * sum(gy, axis=self.axis, keepdims=True)


def log_softmax(x: Any, axis: int = 1) -> Variable:
    """log softmax(x) along ``axis``, computed without overflow."""
    return LogSoftmax(axis)(x)


class MeanSquaredError(Function):
    """y = Σ (x0 - x1)² / N for N = len(x0); gx0 = 2 (x0 - x1) gy / N = -gx1."""

    def forward(self, x0, x1):
        diff = x0 - x1
        return cuda.get_array_module(diff).asarray((diff * diff).sum() / len(diff), diff.dtype)

    def backward(self, gy):
        x0, x1 = self.inputs
        diff = x0 - x1
        gx0 = broadcast_to(gy, diff.shape) * diff * (2.0 / len(diff))
        return gx0, -gx0


def mean_squared_error(x0: Any, x1: Any) -> Variable:
    """Σ (x0 - x1)² / len(x0), as one Function."""
    return MeanSquaredError()(x0, x1)


def mean_squared_error_simple(x0: Any, x1: Any) -> Variable:
    """Σ (x0 - x1)² / len(x0), composed of subtract, power, sum and divide."""
    x0, x1 = as_variable(x0), as_variable(x1)
    diff = x0 - x1
    return sum(diff**2) / len(diff)


def _labels(t: Any, n: int, classes: int) -> Any:
    """``t`` as (N,) integer labels in [0, classes), or a ValueError that says what is wrong."""
    if t.dtype.kind not in "iu":
        raise ValueError(
            f"labels must be integers in [0, {classes}) (class indices), got dtype {t.dtype}"
        )
    t = t.ravel()
    if t.shape != (n,):
        raise ValueError(f"expected {n} labels, one per row of the scores, got shape {t.shape}")
    if n and (t.min() < 0 or t.max() >= classes):
        bad = t[(t < 0) | (t >= classes)][0]
        raise ValueError(f"labels must be in [0, {classes}) for {classes} classes, got {bad}")
    return t


class SoftmaxCrossEntropy(Function):
    """y = -Σ_n log softmax(x)[n, t_n] / N for scores x (N, C), labels t (N,).

    gx = (softmax(x) - onehot(t)) gy / N.
    """

    def forward(self, x, t):
        if x.ndim != 2:
            raise ValueError(f"softmax_cross_entropy needs scores of shape (N, C), got {x.shape}")
        n, classes = x.shape
        t = _labels(t, n, classes)
        log_p = x - logsumexp(x, axis=1)
        picked = log_p[np.arange(n), t]
        return cuda.get_array_module(x).asarray(-picked.sum() / n, x.dtype)

    def backward(self, gy):
        x, t = self.inputs
        n, classes = x.shape
        xp = cuda.get_array_module(x.data)
        onehot = xp.eye(classes, dtype=x.dtype)[t.data.ravel()]
        return (softmax(x) - onehot) * (gy * (1.0 / n))


def softmax_cross_entropy(x: Any, t: Any) -> Variable:
    """The mean cross-entropy of softmax(x) (N, C) against integer labels t (N,)."""
    return SoftmaxCrossEntropy()(x, t)


def softmax_cross_entropy_simple(x: Any, t: Any) -> Variable:
    """The same loss composed of log_softmax, get_item, sum and divide."""
    x, t = as_variable(x), as_variable(t)
    n = x.shape[0]
    labels = _labels(t.data, n, x.shape[1])
    picked = get_item(log_softmax(x), (np.arange(n), labels))
    return -sum(picked) / n


class SigmoidCrossEntropy(Function):
    """y = Σ [log(1 + e^x) - t x] / N, the cross-entropy of σ(x) against t in [0, 1].

    Computed as max(x, 0) - t x + log(1 + e^-|x|); gx = (σ(x) - t) gy / N.
    """

    def forward(self, x, t):
        xp = cuda.get_array_module(x)
        loss = xp.maximum(x, 0) - x * t + xp.log1p(xp.exp(-xp.abs(x)))
        return xp.asarray(loss.sum() / len(x), x.dtype)

    def backward(self, gy):
        x, t = self.inputs
        return (sigmoid(x) - t) * (gy * (1.0 / len(x)))


def sigmoid_cross_entropy(x: Any, t: Any) -> Variable:
    """Binary cross-entropy of σ(x) against targets t (x's shape, values in [0, 1]), per row."""
    x, t = as_variable(x), as_variable(t)
    if x.ndim != t.ndim:
        t = t.reshape(*x.shape)
    return SigmoidCrossEntropy()(x, t.data.astype(x.dtype, copy=False))


def binary_cross_entropy(p: Any, t: Any) -> Variable:
    """-Σ [t log p + (1 - t) log(1 - p)] / N for probabilities p, p clipped away from 0 and 1."""
    p, t = as_variable(p), as_variable(t)
    if p.ndim != t.ndim:
        t = t.reshape(*p.shape)
    eps = float(np.finfo(p.dtype).eps)
    p = clip(p, eps, 1.0 - eps)
    total = t * log(p) + (1 - t) * log(1 - p)
    return -sum(total) / len(p)


def accuracy(y: Any, t: Any) -> Variable:
    """The fraction of rows of scores y (N, C) whose largest score is at label t (N,).

    Not differentiable: a plain Variable with no creator.
    """
    y, t = as_variable(y), as_variable(t)
    predicted = y.data.argmax(axis=1).reshape(t.shape)
    return Variable(as_array((predicted == t.data).mean()))


__all__ = [
    "LogSoftmax", "MeanSquaredError", "SigmoidCrossEntropy", "Softmax",
    "SoftmaxCrossEntropy", "accuracy", "binary_cross_entropy", "log_softmax",
    "mean_squared_error", "mean_squared_error_simple", "sigmoid_cross_entropy", "softmax",
    "softmax_cross_entropy", "softmax_cross_entropy_simple",
]
