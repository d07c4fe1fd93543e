"""Loss layers: the last layer of a network, ``forward(x, t)`` -> a number, ``backward(dout=1)``.

One sample at a time: ``SoftmaxWithLoss``, ``SigmoidWithLoss``, ``SquaredErrorLoss``; at
every position of a sequence (N, T, ·): ``TimeSoftmaxWithLoss``, ``TimeSigmoidWithLoss``."""

from __future__ import annotations

import numpy as np

from common.functions import (
    binary_cross_entropy_with_logits,
    sigmoid,
    sum_squared_error,
)
from common.layers.base import Layer
from common.validation import check_binary_targets, check_labels, forward_cache, layer_name

#: The rows of a large softmax are taken this many elements at a time (1 MB of float32):
#: a block stays in the core's cache through the passes over it (max, shift, exp, sum,
#: scale), where whole arrays of a word model (700 rows of 10,000 words) would not.
_BLOCK_ELEMENTS = 1 << 18


def _softmax_nll(x: np.ndarray, t: np.ndarray, keep: np.ndarray | None = None
                 ) -> tuple[float, np.ndarray, int]:
    """The softmax cross-entropy of logits x (M, K) against labels t (M,) or one-hot rows
    (M, K), over the rows ``keep`` selects (all when None): returns the mean loss
    -1/M' Σ log softmax(x_m)[t_m] (log-sum-exp, no overflow), y = softmax(x) (a new array)
    and the number M' of rows counted."""
    y = np.empty(x.shape, dtype=np.result_type(x.dtype, np.float32))
    total = np.empty(len(x), dtype=y.dtype)
    picked = np.empty(len(x), dtype=y.dtype)
    step = max(1, _BLOCK_ELEMENTS // max(x.shape[1], 1))
    for start in range(0, len(x), step):
        block = slice(start, start + step)
        z, xb, tb = y[block], x[block], t[block]
        np.subtract(xb, xb.max(axis=1, keepdims=True), out=z)
        picked[block] = ((z * tb).sum(axis=1) if t.ndim == 2
                         else z[np.arange(len(z)), np.where(tb < 0, 0, tb)])
        np.exp(z, out=z)
        np.sum(z, axis=1, out=total[block])
        z *= (1 / total[block])[:, np.newaxis]
    nll = np.log(total) - picked
    count = len(x) if keep is None else int(keep.sum())
    loss = float((nll if keep is None else nll[keep]).sum() / max(count, 1))
    return loss, y, count


def _softmax_nll_backward(y: np.ndarray, t: np.ndarray, dout: float, count: int,
                          keep: np.ndarray | None = None) -> np.ndarray:
    """dout · (y - onehot(t)) / count for y, t of ``_softmax_nll``; zero on rows not kept."""
    scale = np.asarray(dout / max(count, 1), dtype=y.dtype)
    dx = y * scale  # one pass that scales and copies y (a copy, then a scaling, is two)
    if t.ndim == 2:
        dx -= t * scale
    else:
        dx[np.arange(len(dx)), np.where(t < 0, 0, t)] -= scale
    if keep is not None:
        dx[~keep] = 0
    return dx


class SoftmaxWithLoss(Layer):
    """Softmax followed by the mean cross-entropy loss.

    ``forward(x, t)``: logits x (N, K), labels t as integers (N,) or one-hot (N, K);
    returns L = -1/N Σ_n log softmax(x_n)[t_n], computed with log-sum-exp.
    ``backward(dout=1)`` returns dout · (y - onehot(t)) / N, shape (N, K).
    Labels out of range, of the wrong count or type raise ValueError (``check_targets``).
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def check_targets(self, t: np.ndarray, out_shape: tuple[int, ...],
                      who: str | None = None) -> np.ndarray:
        """t checked against scores of ``out_shape`` (N, K): labels (N,) in 0..K-1, or
        one-hot rows (N, K); see ``common.validation.check_labels``."""
        if len(out_shape) != 2:
            raise ValueError(f"{layer_name(self)} takes scores of shape (N, K), one row per "
                             f"sample; got shape {out_shape}")
        return check_labels(t, out_shape[0], out_shape[1], who or layer_name(self))

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean cross-entropy of softmax(x) (N, K) against t; keeps y = softmax(x)."""
        self.t = self.check_targets(t, x.shape)  # one-hot rows, or labels (N,)
        self.loss, self.y, _ = _softmax_nll(x, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (y - onehot(t)) / N, shape (N, K)."""
        y = forward_cache(self, self.y)
        return _softmax_nll_backward(y, self.t, dout, len(y))


class SigmoidWithLoss(Layer):
    """Sigmoid of a single output unit followed by the mean binary cross-entropy.

    ``forward(x, t)``: logits x of shape (N,) or (N, 1), targets t ∈ {0, 1} of
    shape (N,) or (N, 1); returns L = mean(max(x,0) - x t + log(1 + exp(-|x|))),
    the stable form of -[t log σ(x) + (1-t) log(1-σ(x))].
    ``backward(dout=1)`` returns dout · (σ(x) - t) / N in the shape of x.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def check_targets(self, t: np.ndarray, out_shape: tuple[int, ...],
                      who: str | None = None) -> np.ndarray:
        """t checked against logits of ``out_shape`` (N,) or (N, 1): one target in [0, 1]
        per sample, returned as (N,)."""
        if not out_shape or int(np.prod(out_shape)) != out_shape[0]:
            raise ValueError(f"{layer_name(self)} takes one logit per sample, (N,) or (N, 1); "
                             f"got logits of shape {out_shape}")
        return check_binary_targets(t, out_shape[0], who or layer_name(self))

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean binary cross-entropy of σ(x) against t; keeps y = σ(x)."""
        self.t = self.check_targets(t, x.shape).reshape(x.shape).astype(x.dtype)
        self.y = sigmoid(x)
        self.loss = binary_cross_entropy_with_logits(x, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (σ(x) - t) / N, in the shape of x."""
        dx = forward_cache(self, self.y) - self.t
        dx *= dout / self.y.shape[0]
        return dx


class SquaredErrorLoss(Layer):
    """The squared-error loss of regression, on the identity output (no activation).

    ``forward(y, t)``: outputs y (N, K) or (N,) and targets t of the same number of
    elements per sample; returns L = 1/(2N) Σ_n Σ_k (y_nk - t_nk)², the book's
    ``sum_squared_error`` averaged over the N samples (with the ½, whose purpose is
    the clean gradient). A cost summed over the samples instead is N · L: the same
    training needs N times this learning rate.
    ``backward(dout=1)`` returns dout · (y - t) / N in the shape of y.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def check_targets(self, t: np.ndarray, out_shape: tuple[int, ...],
                      who: str | None = None) -> np.ndarray:
        """t checked against outputs of ``out_shape``: one target per output, returned in
        that shape."""
        t = np.asarray(t)
        if t.size != int(np.prod(out_shape)) or t.shape[:1] != out_shape[:1]:
            raise ValueError(
                f"{who or layer_name(self)}: one target per output is needed: outputs of "
                f"shape {out_shape}, targets of shape {t.shape}; give t the shape of the "
                "network's output"
            )
        return t.reshape(out_shape)

    def forward(self, y: np.ndarray, t: np.ndarray) -> float:
        """1/(2N) Σ (y - t)² over the N samples (rows) of y; keeps y and t."""
        self.t = self.check_targets(t, y.shape).astype(y.dtype, copy=False)
        self.y = y
        self.loss = sum_squared_error(self.y, self.t) / y.shape[0]
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (y - t) / N, in the shape of y."""
        dx = forward_cache(self, self.y) - self.t
        dx *= dout / self.y.shape[0]
        return dx


class TimeSoftmaxWithLoss(Layer):
    """Softmax cross-entropy at every position of a sequence, averaged over the positions
    that have a target.

    ``forward(x, t)``: logits x (N, T, V), targets t (N, T) integer ids in 0..V-1, or
    ``ignore_label`` (-1, as the second book) at positions without a target (padding);
    returns L = -1/M Σ log softmax(x_{n,t})[t_{n,t}] over the M positions with a target,
    via log-sum-exp (no overflow for large logits). ``backward(dout=1)`` returns
    dout · (y - onehot(t)) / M, shape (N, T, V), zero at ignored positions.
    """

    ignore_label = -1

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.keep: np.ndarray | None = None
        self.count = 0

    def check_targets(self, t: np.ndarray, out_shape: tuple[int, ...],
                      who: str | None = None) -> np.ndarray:
        """t checked against logits of ``out_shape`` (N, T, V): integer ids (N, T) in
        0..V-1 or ``ignore_label``, returned flattened to (N·T,)."""
        who = who or layer_name(self)
        if len(out_shape) != 3:
            raise ValueError(f"{who} takes logits of shape (N, T, V), a score per symbol at "
                             f"every position; got shape {out_shape}")
        t = np.asarray(t)
        if t.shape != out_shape[:2]:
            raise ValueError(f"{who}: logits of shape {out_shape} need targets of shape "
                             f"{out_shape[:2]}, one id per position; got shape {t.shape}")
        flat = t.reshape(-1)
        targets = flat[flat != self.ignore_label] if flat.dtype.kind in "iu" else flat
        check_labels(targets, targets.size, out_shape[2], who)
        return flat

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean cross-entropy of softmax(x) against t; keeps y = softmax(x) as (N, T, V)."""
        self.t = self.check_targets(t, x.shape)
        ignored = self.t == self.ignore_label
        self.keep = ~ignored if ignored.any() else None
        self.loss, y, self.count = _softmax_nll(x.reshape(-1, x.shape[2]), self.t, self.keep)
        self.y = y.reshape(x.shape)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (y - onehot(t)) / M, shape (N, T, V); zero where t is ``ignore_label``."""
        y = forward_cache(self, self.y)
        flat = y.reshape(-1, y.shape[2])
        return _softmax_nll_backward(flat, self.t, dout, self.count, self.keep).reshape(y.shape)


class TimeSigmoidWithLoss(Layer):
    """Binary cross-entropy of σ(x) at every position, averaged over all N·T of them.

    ``forward(xs, ts)``: scores (logits) xs (N, T) or (N, T, 1), targets ts (N, T) in
    [0, 1]; L = 1/(N·T) Σ [max(x, 0) - x·t + log(1 + e^{-|x|})], which equals
    -[t log σ(x) + (1 - t) log(1 - σ(x))] without overflow or log(0) for large |x|.
    ``backward(dout=1)`` returns dout · (σ(xs) - ts) / (N·T) in xs's shape.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, xs: np.ndarray, ts: np.ndarray) -> float:
        """The mean binary cross-entropy; keeps y = σ(xs) for backward."""
        xs = np.asarray(xs)
        who = layer_name(self)
        if not (xs.ndim == 2 or (xs.ndim == 3 and xs.shape[2] == 1)):
            raise ValueError(f"{who} takes one score per position, xs of shape (N, T) or "
                             f"(N, T, 1); got shape {xs.shape}")
        if np.shape(ts) != xs.shape[:2]:
            raise ValueError(f"{who}: scores of shape {xs.shape} need targets of shape "
                             f"{xs.shape[:2]}, one 0/1 target per position; got shape "
                             f"{np.shape(ts)}")
        t = check_binary_targets(np.reshape(ts, -1), xs.size, who).astype(xs.dtype, copy=False)
        x = xs.reshape(-1)
        losses = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
        self.loss = float(np.mean(losses))
        self.y, self.t = sigmoid(xs), t.reshape(xs.shape)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (σ(xs) - ts) / (N·T), shape of xs."""
        y = forward_cache(self, self.y)
        dx = y - self.t
        dx *= np.asarray(dout, dtype=y.dtype) / y.size
        return dx
