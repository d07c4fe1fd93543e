"""Dropout, batch normalization and the embedding lookup.

``dropout`` and ``batch_nrom`` behave differently in training and in test mode
(``Config.train``, switched by ``test_mode()``). Dropout draws its mask from
``np.random.rand`` exactly as the book does, so a seeded program draws the same masks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.autograd import cuda
from common.autograd.core import Config, Function, Variable, as_variable
from common.autograd.tensor import GetItem, sum


class Dropout(Function):
    """y = x mask / (1 - ratio), mask_i = (u_i > ratio) for u uniform in [0, 1); gx likewise."""

    def __init__(self, dropout_ratio: float) -> None:
        self.dropout_ratio = dropout_ratio

    def forward(self, x):
        xp = cuda.get_array_module(x)
        self.mask = xp.random.rand(*x.shape) > self.dropout_ratio
        self.scale = xp.array(1.0 - self.dropout_ratio).astype(x.dtype)
        return x * self.mask / self.scale

    def backward(self, gy):
        return gy / self.scale * self.mask


def dropout(x: Any, dropout_ratio: float = 0.5) -> Variable:
    """Inverted dropout while training (each element kept with probability 1 - ratio and
    scaled by 1 / (1 - ratio)); ``x`` unchanged in test mode."""
    x = as_variable(x)
    if not Config.train:
        return x
    return Dropout(dropout_ratio)(x)


def _rows(x: Any) -> Any:
    """(N, C) unchanged, (N, C, H, W) -> (N H W, C): one row per position, channels last."""
    if x.ndim == 4:
        return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])
    return x


def _unrows(y: Any, shape: tuple[int, ...]) -> Any:
    """The inverse of ``_rows`` for an array or Variable of the original ``shape``."""
    if len(shape) == 4:
        n, c, h, w = shape
        return y.reshape(n, h, w, c).transpose(0, 3, 1, 2)
    return y


class BatchNorm(Function):
    """y = γ (x - μ) / sqrt(σ² + eps) + β per feature (per channel for (N, C, H, W) input).

    Training: μ, σ² of the batch, and the running averages ``mean``/``var`` (arrays of shape
    (C,), updated in place) move by mean = decay mean + (1 - decay) μ, and likewise the
    unbiased variance. Test mode: μ, σ² are the running averages.
    """

    def __init__(self, mean: Any, var: Any, decay: float, eps: float) -> None:
        self.avg_mean = mean
        self.avg_var = var
        self.decay = decay
        self.eps = eps

    def forward(self, x, gamma, beta):
        if x.ndim not in (2, 4):
            raise ValueError(f"batch_norm needs (N, C) or (N, C, H, W) input, got {x.shape}")
        xp = cuda.get_array_module(x)
        rows = _rows(x)
        self.train = Config.train
        if self.train:
            mean, var = rows.mean(axis=0), rows.var(axis=0)
            m = len(rows)
            unbiased = m / max(m - 1, 1)
            self.avg_mean *= self.decay
            self.avg_mean += (1 - self.decay) * mean
            self.avg_var *= self.decay
            self.avg_var += (1 - self.decay) * unbiased * var
        else:
            mean, var = self.avg_mean.astype(x.dtype), self.avg_var.astype(x.dtype)
            self.mean = mean
        self.inv_std = 1 / xp.sqrt(var + self.eps)
        y = gamma * ((rows - mean) * self.inv_std) + beta
        return _unrows(y, x.shape)

    def backward(self, gy):
        x, gamma, _ = self.inputs
        g = _rows(gy)
        rows = _rows(x)
        m = len(rows)
        if self.train:  # μ and σ² depend on x: recompute them as Variables
            centred = rows - sum(rows, axis=0) / m
            inv_std = (sum(centred * centred, axis=0) / m + self.eps) ** -0.5
            xhat = centred * inv_std
        else:
            inv_std = self.inv_std
            xhat = (rows - self.mean) * inv_std  # a Variable: ggamma depends on x
        gbeta = sum(g, axis=0)
        ggamma = sum(xhat * g, axis=0)
        if self.train:
            gx = (g - gbeta / m - xhat * ggamma / m) * (gamma * inv_std)
        else:
            gx = g * (gamma * inv_std)
        return _unrows(gx, x.shape), ggamma, gbeta



def batch_nrom(
    x: Any, gamma: Any, beta: Any, mean: Any, var: Any, decay: float = 0.9, eps: float = 2e-5
) -> Variable:
    """Batch normalization (the book's spelling); ``mean``/``var`` are the running averages."""
    return BatchNorm(mean, var, decay, eps)(x, gamma, beta)


batch_norm = batch_nrom


class EmbedID(GetItem):
    """y = W[ids]: row ids[i] of the table W (V, D); gW adds each gy row back at its id."""

    def forward(self, W):  # noqa: N803 - the book's name
        ids = self.slices
        if not isinstance(ids, cuda.array_types) or ids.dtype.kind not in "iu":
            raise ValueError(f"embed_id needs integer ids in [0, {len(W)}), got {ids!r}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(W)):
            raise ValueError(
                f"embed_id ids must be in [0, {len(W)}) for a table of {len(W)} rows, "
                f"got {int(ids.min())}..{int(ids.max())}"
            )
        return W[ids]


def embed_id(x: Any, W: Any) -> Variable:  # noqa: N803
    """The rows of W (V, D) at integer ids x (any shape): x.shape + (D,)."""
    ids = x.data if isinstance(x, Variable) else x
    return EmbedID(np.asarray(ids) if isinstance(ids, list | int) else ids)(W)


__all__ = ["BatchNorm", "Dropout", "EmbedID", "batch_norm", "batch_nrom", "dropout", "embed_id"]
