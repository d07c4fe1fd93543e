"""The fully connected layer, with a bias (``Affine``) or without (``MatMul``), and on the
last axis of a sequence (``TimeAffine``)."""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.validation import check_dout, check_features, forward_cache, layer_name


def _check_array(who: str, name: str, value: object, shape: str) -> None:
    """A TypeError naming ``name`` unless ``value`` is a NumPy array: a layer trains its
    arrays in place (W -= lr·dW), which it cannot do to a list."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{who}: {name} must be a NumPy array of shape {shape}, got a "
                        f"{type(value).__name__}; pass np.array({name}, dtype=np.float32) "
                        "(the layer updates its arrays in place, which needs an array)")


def _check_weights(who: str, W: np.ndarray, b: np.ndarray | None) -> None:
    """W an array (D, M) and b, unless None, an array (M,): one bias per output, as
    out = x W + b needs. A TypeError or ValueError naming the argument otherwise; checked
    once, at construction, so that forward and backward stay free of it."""
    _check_array(who, "W", W, "(D, M)")
    if W.ndim != 2:
        raise ValueError(f"{who}: W must have shape (D, M), D inputs by M outputs; got shape "
                         f"{W.shape}")
    if b is None:
        return
    m = W.shape[1]
    _check_array(who, "b", b, f"(M,) = ({m},)")
    if b.shape != (m,):
        raise ValueError(f"{who}: b must have shape (M,) = ({m},), one bias per column of W "
                         f"(shape {W.shape}); got shape {b.shape}")


class Affine(Layer):
    """Fully connected layer: out = x W + b.

    W: (D, M), b: (M,). ``forward`` takes x of shape (N, D) or (N, ...) with D
    elements per sample (images are flattened); ``backward`` returns dx in the
    shape x had, and writes dW = xᵀ dout and db = Σ_n dout (None before the first
    backward) into the same arrays at every pass (so keep a copy of them if you need
    them after the next one). With ``input_grad=False`` backward skips
    dx (and returns None): a network's first layer never needs the gradient with
    respect to its input, and it is the most expensive product of the backward pass.
    """

    param_names = ("W", "b")

    def __init__(self, W: np.ndarray, b: np.ndarray, input_grad: bool = True) -> None:
        _check_weights(type(self).__name__, W, b)
        self.W = W
        self.b = b
        self.input_grad = input_grad
        self.x: np.ndarray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (N, ...) flattened to (N, D), times W, plus b: (N, M)."""
        check_features(self, x, self.W.shape[0])
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        out = self.x @ self.W
        out += self.b
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """dW = xᵀ dout, db = Σ_n dout; returns dx = dout Wᵀ in x's shape (or None)."""
        check_dout(self, dout, (forward_cache(self, self.x).shape[0], self.W.shape[1]))
        # out= also lets NumPy multiply by the transpose xᵀ without a slower generic path
        self.dW = np.matmul(self.x.T, dout, out=self.dW)
        self.db = np.sum(dout, axis=0, out=self.db)
        if not self.input_grad:
            return None
        return (dout @ self.W.T).reshape(self.original_x_shape)


class MatMul(Layer):
    """Fully connected layer without a bias: out = x W (a line through the origin).

    W: (D, M); x: (N, D) -> out: (N, M). ``backward`` writes dW = xᵀ dout (None before
    the first backward; the same array at every pass) and returns dx = dout Wᵀ.
    Use it where a model has no intercept, as in the tutorials' regressions.
    """

    param_names = ("W",)

    def __init__(self, W: np.ndarray) -> None:
        _check_weights(type(self).__name__, W, None)
        self.W = W
        self.x: np.ndarray | None = None
        self.dW: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x W: (N, D) -> (N, M)."""
        if x.ndim != 2:
            raise ValueError(f"MatMul with W of shape {self.W.shape} needs x of shape "
                             f"(N, {self.W.shape[0]}), got {x.shape}")
        check_features(self, x, self.W.shape[0])
        self.x = x
        return x @ self.W

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dW = xᵀ dout; returns dx = dout Wᵀ, shape (N, D)."""
        check_dout(self, dout, (forward_cache(self, self.x).shape[0], self.W.shape[1]))
        self.dW = np.matmul(self.x.T, dout, out=self.dW)
        return dout @ self.W.T


class TimeAffine(Layer):
    """The fully connected layer on the last axis: out = x W + b for x (..., D), any rank.

    W: (D, M), b: (M,) or None (no bias); out: (..., M). A sequence (N, T, D) is
    mapped position by position, as the same product on the N·T rows of the flattened
    input. ``Affine`` keeps the book's flattening of each sample instead.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray | None = None) -> None:
        _check_weights(type(self).__name__, W, b)
        self.W = W
        self.b = b
        self.param_names = ("W",) if b is None else ("W", "b")
        self.x: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (..., D) @ W (+ b): (..., M)."""
        d, m = self.W.shape
        if x.ndim < 2 or x.shape[-1] != d:
            raise ValueError(f"{layer_name(self)} expects x of shape (..., {d}), {d} features "
                             f"on the last axis; got {x.shape}")
        self.x = x
        out = x.reshape(-1, d) @ self.W
        if self.b is not None:
            out += self.b
        return out.reshape(*x.shape[:-1], m)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dW = xᵀ dout and db = Σ dout over all positions; returns dx = dout Wᵀ."""
        x = forward_cache(self, self.x)
        d, m = self.W.shape
        check_dout(self, dout, (*x.shape[:-1], m))
        rows = dout.reshape(-1, m)
        self.dW = np.matmul(x.reshape(-1, d).T, rows, out=self.dW)
        if self.b is not None:
            self.db = np.sum(rows, axis=0, out=self.db)
        return (rows @ self.W.T).reshape(x.shape)
