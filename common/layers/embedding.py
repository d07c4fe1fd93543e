"""Embeddings: a row of a table per token id (``Embedding``; ``TimeEmbedding``, the second
book's, over a batch of sequences), a row per position (``PositionalEmbedding``)."""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.validation import check_dout, forward_cache, layer_name


def check_ids(layer: object, idx: np.ndarray, vocab_size: int) -> np.ndarray:
    """``idx`` as an integer array of ids in 0..vocab_size-1; a clear ValueError otherwise."""
    idx = np.asarray(idx)
    who = layer_name(layer)
    if not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(
            f"{who} takes integer token ids, got an array of {idx.dtype} (shape {idx.shape}); "
            "encode the text as ids first (e.g. vocab.encode(text)), or convert with "
            "idx.astype(np.int64)"
        )
    if idx.size:
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= vocab_size:
            bad = low if low < 0 else high
            raise ValueError(f"{who}: token id {bad} is out of range for a vocabulary of "
                             f"{vocab_size}: ids must lie in 0..{vocab_size - 1} "
                             f"(found {low}..{high})")
    return idx


class Embedding(Layer):
    """Token embedding: out = W[idx], the row of W for every id.

    W: (V, D), one D-vector per symbol of a vocabulary of V. ``forward`` takes integer
    ids of any shape, e.g. (N, T), and returns (N, T, D). ``backward(dout)`` writes
    dW, where the rows of ids that occur several times add up, and returns None:
    integer ids have no gradient.
    """

    param_names = ("W",)
    #: A network passes its input to this layer as integers, not cast to floats.
    takes_ids = True

    def __init__(self, W: np.ndarray) -> None:
        if np.ndim(W) != 2:
            raise ValueError(f"Embedding needs W of shape (V, D), got shape {np.shape(W)}")
        self.W = W
        self.idx: np.ndarray | None = None
        self.dW: np.ndarray | None = None

    def forward(self, idx: np.ndarray) -> np.ndarray:
        """W[idx]: ids (...) -> vectors (..., D)."""
        self.idx = check_ids(self, idx, self.W.shape[0])
        return self.W[self.idx]

    def backward(self, dout: np.ndarray) -> None:
        """dW[v] = Σ of dout over the positions holding id v; returns None."""
        idx = forward_cache(self, self.idx)
        check_dout(self, dout, (*idx.shape, self.W.shape[1]))
        # np.add.at is unbuffered (slow); for a small vocabulary (a GPT's characters) the
        # sums are one product, a (V, N·T) one-hot matrix times the (N·T, D) gradients; for
        # a word vocabulary that product costs V times more than sorting the rows by id
        flat = idx.reshape(-1)
        rows = dout.reshape(flat.size, -1)
        if self.W.shape[0] <= 128 and self.W.shape[0] * flat.size <= 1 << 24:
            onehot = np.zeros((self.W.shape[0], flat.size), dtype=self.W.dtype)
            onehot[flat, np.arange(flat.size)] = 1
            self.dW = np.matmul(onehot, rows, out=self.dW)
        else:  # a large vocabulary: sum the rows of each id after sorting them
            order = np.argsort(flat, kind="stable")
            ids, starts = np.unique(flat[order], return_index=True)
            if self.dW is None:
                self.dW = np.zeros_like(self.W)
            else:
                self.dW[...] = 0
            self.dW[ids] = np.add.reduceat(rows[order], starts, axis=0)
        return None


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


class PositionalEmbedding(Layer):
    """Learned positions: out = x + W[:T] for x (N, T, D); W: (T_max, D).

    Sequences longer than T_max have no position vectors: a clear ValueError.
    ``backward`` writes dW[:T] = Σ_n dout (rows past T get 0) and returns dout.
    """

    param_names = ("W",)

    def __init__(self, W: np.ndarray) -> None:
        if np.ndim(W) != 2:
            raise ValueError(f"PositionalEmbedding needs W of shape (T_max, D), got shape "
                             f"{np.shape(W)}")
        self.W = W
        self.shape: tuple[int, ...] | None = None
        self.dW: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x + W[:T], position t's vector added at every sample's position t."""
        t_max, d = self.W.shape
        if x.ndim != 3 or x.shape[2] != d:
            raise ValueError(f"{layer_name(self)} expects x of shape (N, T, {d}), got "
                             f"{x.shape}")
        if x.shape[1] > t_max:
            raise ValueError(f"{layer_name(self)}: the sequence has {x.shape[1]} positions, "
                             f"but there are position vectors for {t_max} only (T_max = "
                             f"{t_max}); crop the input to its last {t_max} positions")
        self.shape = x.shape
        return x + self.W[:x.shape[1]]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dW[:T] = Σ_n dout; returns dout (the sum's gradient with respect to x)."""
        check_dout(self, dout, forward_cache(self, self.shape))
        t = self.shape[1]
        if self.dW is None:
            self.dW = np.empty_like(self.W)
        np.sum(dout, axis=0, out=self.dW[:t])
        self.dW[t:] = 0
        return dout
