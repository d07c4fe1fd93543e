"""The second book's time versions of plain layers, over sequences (N, T, ·): an embedding
of token ids (``TimeEmbedding``), dropout (``TimeDropout``) and a sigmoid cross-entropy
at every position (``TimeSigmoidWithLoss``)."""

from __future__ import annotations

import numpy as np

from common.functions import sigmoid
from common.layers.base import Layer
from common.layers.embedding import Embedding
from common.layers.regularization import Dropout
from common.validation import (
    check_binary_targets,
    forward_cache,
    layer_name,
    real_number,
)


class TimeEmbedding(Embedding):
    """Token embedding over sequences: ids (N, T) -> W[ids] (N, T, D), W: (V, D).

    ``Embedding`` does the work (it takes ids of any shape); this layer insists on a batch
    of sequences. ``backward`` stores dW (rows of repeated ids add up) and returns None.
    """

    def forward(self, idx: np.ndarray) -> np.ndarray:
        """W[idx]: ids (N, T) -> vectors (N, T, D)."""
        if np.ndim(idx) != 2:
            raise ValueError(f"{layer_name(self)} takes token ids of shape (N, T), a batch of "
                             f"sequences; got shape {np.shape(idx)}")
        return super().forward(idx)


class TimeDropout(Dropout):
    """Inverted dropout over sequences: in training, out = xs ⊙ mask / (1 - p), one new
    Bernoulli(1 - p) mask per call over the whole (N, T, D) array; the identity at inference.

    ``seed`` seeds the layer's own generator ``rng`` (a ``np.random.Generator`` is taken
    as it is). ``forward(xs, train_flg)`` as every layer that behaves differently in
    training; ``forward(xs)`` reads the attribute ``train_flg`` (True unless set), which
    is how the book's models switch their TimeDropout layers.
    """

    def __init__(self, dropout_ratio: float = 0.5,
                 seed: int | np.random.Generator | None = None) -> None:
        real_number(dropout_ratio, "dropout_ratio", 0, 1, high_open=True, who="TimeDropout")
        super().__init__(dropout_ratio, rng=seed)
        self.train_flg = True

    def forward(self, xs: np.ndarray, train_flg: bool | None = None) -> np.ndarray:
        """xs ⊙ mask / (1 - p) in training (``train_flg``, else the attribute), else xs."""
        return super().forward(xs, self.train_flg if train_flg is None else train_flg)


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
