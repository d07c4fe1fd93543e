"""Loss layers: the last layer of a network, ``forward(x, t)`` -> a number, ``backward(dout=1)``."""

from __future__ import annotations

import numpy as np

from common.functions import (
    binary_cross_entropy_with_logits,
    log_softmax,
    nll_from_log_probs,
    sigmoid,
    sum_squared_error,
)
from common.validation import check_binary_targets, check_labels, forward_cache, layer_name


class SoftmaxWithLoss:
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
        logp = log_softmax(x)
        self.y = np.exp(logp)
        self.loss = nll_from_log_probs(logp, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (y - onehot(t)) / N, shape (N, K)."""
        n = forward_cache(self, self.y).shape[0]
        if self.t.ndim == 2:
            dx = self.y - self.t
        else:
            dx = self.y.copy()
            dx[np.arange(n), self.t] -= 1
        dx *= dout / n
        return dx


class SigmoidWithLoss:
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


class SquaredErrorLoss:
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


class TimeSoftmaxWithLoss:
    """Softmax cross-entropy at every position of a sequence, averaged over all of them.

    ``forward(x, t)``: logits x (N, T, V), targets t (N, T) integer ids in 0..V-1;
    returns L = -1/(N·T) Σ_{n,t} log softmax(x_{n,t})[t_{n,t}], via log-sum-exp (no
    overflow for large logits). ``backward(dout=1)`` returns dout · (y - onehot(t)) / (N·T),
    shape (N, T, V), with y = softmax(x).
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def check_targets(self, t: np.ndarray, out_shape: tuple[int, ...],
                      who: str | None = None) -> np.ndarray:
        """t checked against logits of ``out_shape`` (N, T, V): integer ids (N, T) in
        0..V-1, returned flattened to (N·T,)."""
        who = who or layer_name(self)
        if len(out_shape) != 3:
            raise ValueError(f"{who} takes logits of shape (N, T, V), a score per symbol at "
                             f"every position; got shape {out_shape}")
        t = np.asarray(t)
        if t.shape != out_shape[:2]:
            raise ValueError(f"{who}: logits of shape {out_shape} need targets of shape "
                             f"{out_shape[:2]}, one id per position; got shape {t.shape}")
        return check_labels(t.reshape(-1), t.size, out_shape[2], who)

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Mean cross-entropy of softmax(x) against t; keeps y = softmax(x) as (N·T, V)."""
        self.t = self.check_targets(t, x.shape)
        v = x.shape[2]
        z = x.reshape(-1, v) - x.reshape(-1, v).max(axis=1, keepdims=True)
        picked = z[np.arange(len(z)), self.t]
        np.exp(z, out=z)
        total = z.sum(axis=1)
        self.loss = float(np.mean(np.log(total) - picked))
        z /= total[:, np.newaxis]
        self.y = z.reshape(x.shape)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dout · (y - onehot(t)) / (N·T), shape (N, T, V)."""
        y = forward_cache(self, self.y)
        dx = y.copy()
        flat = dx.reshape(-1, y.shape[2])
        flat[np.arange(len(flat)), self.t] -= 1
        dx *= dout / len(flat)
        return dx
