"""Causal multi-head self-attention, the layer that lets a position look at the ones before it."""

from __future__ import annotations

import math

import numpy as np

from common.layers.base import Layer
from common.validation import (
    check_dout,
    forward_cache,
    layer_name,
    whole_number,
)


class CausalSelfAttention(Layer):
    """Multi-head self-attention in which position t sees positions 0..t only.

    x: (N, T, D); W_qkv: (D, 3D), whose columns are [queries | keys | values], each
    split into ``num_heads`` = H consecutive blocks of d = D/H columns (one per head);
    W_out: (D, D). Per head h, with q, k, v (N, T, d) the head's blocks of x W_qkv:

        A = softmax(q kᵀ / √d + M)      (N, T, T), M = -∞ above the diagonal
        y_h = A v                       (N, T, d)

    and out = [y_1 | ... | y_H] W_out (N, T, D). All heads are computed at once, as
    (N, H, T, ·) stacks of matrices. ``attention`` keeps the last A, (N, H, T, T).
    """

    param_names = ("W_qkv", "W_out")

    def __init__(self, W_qkv: np.ndarray, W_out: np.ndarray, num_heads: int) -> None:
        d = np.shape(W_out)[0] if np.ndim(W_out) == 2 else -1
        if np.shape(W_out) != (d, d) or np.shape(W_qkv) != (d, 3 * d):
            raise ValueError(f"CausalSelfAttention needs W_qkv (D, 3D) and W_out (D, D), got "
                             f"{np.shape(W_qkv)} and {np.shape(W_out)}")
        if whole_number(num_heads, "num_heads", who="CausalSelfAttention") and d % num_heads:
            raise ValueError(f"CausalSelfAttention: num_heads must be a whole number that "
                             f"divides the width D = {d}, got {num_heads!r}")
        self.W_qkv = W_qkv
        self.W_out = W_out
        self.num_heads = int(num_heads)
        self.dW_qkv: np.ndarray | None = None
        self.dW_out: np.ndarray | None = None
        self.x: np.ndarray | None = None
        self.qkv: np.ndarray | None = None
        self.attention: np.ndarray | None = None
        self.y: np.ndarray | None = None
        self._masks: dict[int, np.ndarray] = {}

    def mask(self, t: int) -> np.ndarray:
        """The additive causal mask (T, T): 0 on and below the diagonal, -∞ above it."""
        if t not in self._masks:
            upper = np.triu(np.ones((t, t), dtype=bool), k=1)
            self._masks[t] = np.where(upper, -np.inf, 0).astype(self.W_qkv.dtype)
        return self._masks[t]

    def _heads(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """q, k, v as (N, H, T, d) views of the products a = x W_qkv, (N, T, 3D)."""
        n, t, _ = a.shape
        h = self.num_heads
        parts = a.reshape(n, t, 3, h, -1).transpose(2, 0, 3, 1, 4)
        return parts[0], parts[1], parts[2]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The heads' causally masked attention of x on itself, merged by W_out: (N, T, D)."""
        d = self.W_out.shape[0]
        if x.ndim != 3 or x.shape[2] != d:
            raise ValueError(f"{layer_name(self)} expects x of shape (N, T, {d}), got "
                             f"{x.shape}")
        n, t, _ = x.shape
        self.x = x
        self.qkv = (x.reshape(n * t, d) @ self.W_qkv).reshape(n, t, 3 * d)
        q, k, v = self._heads(self.qkv)
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= 1 / math.sqrt(d // self.num_heads)
        scores += self.mask(t)
        # softmax over each row, in place; the diagonal is never masked, so every row's
        # maximum is finite and exp(-∞ - max) = 0 hides the future
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        total = scores @ np.ones(t, dtype=scores.dtype)  # row sums, by BLAS
        scores *= np.reciprocal(total, out=total)[..., np.newaxis]
        self.attention = scores
        # (N, H, T, d) -> (N, T, H, d) -> (N·T, D): the heads side by side
        self.y = (scores @ v).transpose(0, 2, 1, 3).reshape(n * t, d)
        return (self.y @ self.W_out).reshape(n, t, d)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Gradients of the forward pass's steps in reverse; returns dx (N, T, D)."""
        x = forward_cache(self, self.x)
        check_dout(self, dout, x.shape)
        n, t, d = x.shape
        h = self.num_heads
        a = self.attention
        q, k, v = self._heads(self.qkv)
        # out = y W_out: dW_out = yᵀ dout, dy = dout W_outᵀ
        rows = dout.reshape(n * t, d)
        self.dW_out = np.matmul(self.y.T, rows, out=self.dW_out)
        dy = (rows @ self.W_out.T).reshape(n, t, h, -1).transpose(0, 2, 1, 3)
        # y_h = A v: dA = dy vᵀ, dv = Aᵀ dy
        dqkv = np.empty((n, t, 3 * d), dtype=x.dtype)
        dq, dk, dv = self._heads(dqkv)
        np.matmul(a.transpose(0, 1, 3, 2), dy, out=dv)
        da = dy @ v.transpose(0, 1, 3, 2)
        # softmax: dS = A ⊙ (dA - Σ_j dA ⊙ A), row by row (its Jacobian diag(A) - A Aᵀ);
        # where the mask hid a position A = 0, so dS = 0 there: the mask passes no gradient
        ds = da
        ds -= np.einsum("nhts,nhts->nht", da, a)[..., np.newaxis]
        ds *= a
        # S = q kᵀ / √d: dq = dS k / √d, dk = dSᵀ q / √d
        ds *= 1 / math.sqrt(d // h)
        np.matmul(ds, k, out=dq)
        np.matmul(ds.transpose(0, 1, 3, 2), q, out=dk)
        # qkv = x W_qkv: dW_qkv = xᵀ dqkv, dx = dqkv W_qkvᵀ
        dqkv = dqkv.reshape(n * t, 3 * d)
        self.dW_qkv = np.matmul(x.reshape(n * t, d).T, dqkv, out=self.dW_qkv)
        return (dqkv @ self.W_qkv.T).reshape(n, t, d)
