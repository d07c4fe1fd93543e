"""Layers that behave differently in training and at inference: Dropout (and the second
book's TimeDropout over sequences) and BatchNormalization (and, in ``augment``, the data
augmentation RandomShift)."""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.validation import (
    check_dout,
    check_features,
    forward_cache,
    real_number,
)


class Dropout(Layer):
    """Inverted dropout: in training, out = x · mask / (1 - p) with mask ~ Bernoulli(1 - p).

    At inference (``train_flg=False``) it is the identity; scaling during
    training keeps the expected activation equal in both modes, which is the
    same network as the book's "multiply by (1 - p) at test time".
    ``rng`` (a ``np.random.Generator`` or a seed) makes the masks reproducible.
    """

    uses_train_flg = True

    def __init__(
        self, dropout_ratio: float = 0.5, rng: np.random.Generator | int | None = None
    ) -> None:
        self.dropout_ratio = real_number(dropout_ratio, "dropout_ratio", 0, 1, high_open=True,
                                         who="Dropout")
        self.rng = np.random.default_rng(rng)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        """x · mask / (1 - p) while training (a new mask each call), x at inference."""
        if not train_flg:
            self.mask = None
            return x
        keep = 1 - self.dropout_ratio
        self.mask = (self.rng.random(x.shape, dtype=np.float32) < keep) / np.asarray(
            keep, dtype=x.dtype
        )
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout through the same mask (unchanged after an inference-mode forward)."""
        if self.mask is None:
            return dout
        check_dout(self, dout, self.mask.shape)
        return dout * self.mask


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


class BatchNormalization(Layer):
    """Batch normalisation: out = γ · (x - μ) / sqrt(σ² + eps) + β, per feature.

    In training (``train_flg=True``) μ and σ² are the batch's mean and variance,
    and the running estimates move towards them:
    running = momentum · running + (1 - momentum) · batch.
    At inference the running estimates are used. x is (N, D) or (N, C, H, W)
    (normalised over the flattened C·H·W features, as in the book); γ, β: (D,).
    ``eps`` is the book's 1e-6 (its ``10e-7``): the book's batch-norm figure, at the
    smallest weight scales, depends on it.
    """

    uses_train_flg = True
    param_names = ("gamma", "beta")
    buffer_names = ("running_mean", "running_var")

    def __init__(
        self,
        gamma: np.ndarray,
        beta: np.ndarray,
        momentum: float = 0.9,
        running_mean: np.ndarray | None = None,
        running_var: np.ndarray | None = None,
        eps: float = 1e-6,
    ) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.eps = eps
        self.running_mean = np.zeros_like(gamma) if running_mean is None else running_mean
        self.running_var = np.ones_like(gamma) if running_var is None else running_var
        self.input_shape: tuple[int, ...] | None = None
        self.xhat: np.ndarray | None = None
        self.inv_std: np.ndarray | None = None
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        """γ · x̂ + β with x̂ normalised by batch (training) or running statistics."""
        check_features(self, x, self.gamma.size)
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if train_flg:
            mu = x.mean(axis=0)
            var = x.var(axis=0)
            self.running_mean *= self.momentum
            self.running_mean += (1 - self.momentum) * mu
            self.running_var *= self.momentum
            self.running_var += (1 - self.momentum) * var
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1 / np.sqrt(var + self.eps)
        self.xhat = (x - mu) * self.inv_std
        return (self.gamma * self.xhat + self.beta).reshape(self.input_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Sets dγ, dβ; returns dx in x's shape."""
        check_dout(self, dout, forward_cache(self, self.input_shape))
        dout = dout.reshape(dout.shape[0], -1)
        n = dout.shape[0]
        self.dbeta = np.sum(dout, axis=0, out=self.dbeta)
        self.dgamma = np.sum(dout * self.xhat, axis=0, out=self.dgamma)
        # ∂L/∂x for the batch statistics, folded into one expression:
        # dx = γ/(N σ) · (N dout - Σ dout - x̂ Σ dout·x̂)
        dx = (self.gamma * self.inv_std / n) * (n * dout - self.dbeta - self.xhat * self.dgamma)
        return dx.reshape(self.input_shape)
