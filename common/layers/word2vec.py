"""The layers of word2vec with negative sampling (the second book's chapter 4): the mean
of the context vectors (``ContextMean``), the score of chosen rows of an embedding
(``EmbeddingDot``), the noise words (``UnigramSampler``) and the loss that tells the true
word from them (``NegativeSamplingLoss``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from common.functions import sigmoid
from common.layers.base import Layer
from common.layers.embedding import Embedding, check_ids
from common.validation import (
    check_dout,
    forward_cache,
    layer_name,
    real_number,
    whole_number,
)


class ContextMean(Layer):
    """The mean over the context words: out = 1/C Σ_c x[:, c], (N, C, ...) -> (N, ...).

    CBOW's hidden layer: the average of the context words' vectors (or of their one-hot
    rows, before a product). ``backward`` gives every context the same dout / C.
    """

    def __init__(self) -> None:
        self.shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x.mean(axis=1): (N, C, ...) -> (N, ...)."""
        if x.ndim < 3 or x.shape[1] == 0:
            raise ValueError(f"{layer_name(self)} takes the contexts of each sample, an array "
                             f"(N, C, ...) with C >= 1; got shape {x.shape}")
        self.shape = x.shape
        return x.mean(axis=1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout / C for every one of the C contexts: (N, ...) -> (N, C, ...)."""
        shape = forward_cache(self, self.shape)
        check_dout(self, dout, (shape[0], *shape[2:]))
        scaled = dout / np.asarray(shape[1], dtype=dout.dtype)
        return np.broadcast_to(scaled[:, np.newaxis], shape).copy()


class EmbeddingDot(Layer):
    """Scores of chosen rows of W against h: out[n, ...] = W[idx[n, ...]] · h[n].

    W: (V, D). ``forward(h, idx)``: h (N, D), integer ids idx (N,) or (N, K) (any shape
    starting with N), out of idx's shape. ``backward(dout)`` writes dW (the rows of ids
    met several times add up; other rows 0) and returns dh (N, D). As the book's, an
    ``Embedding`` (``embed``) picks the rows and sums their gradients; the K scores of
    every sample are one batched product.
    """

    param_names = ("W",)

    def __init__(self, W: np.ndarray) -> None:
        if np.ndim(W) != 2:
            raise ValueError(f"EmbeddingDot needs W of shape (V, D), got shape {np.shape(W)}")
        self.embed = Embedding(W)
        self.cache: tuple[np.ndarray, np.ndarray] | None = None

    # W and dW are the Embedding's; a network (or a gradient check swapping in a float64
    # twin and emptying its gradient slot) reaches them here
    @property
    def W(self) -> np.ndarray:
        return self.embed.W

    @W.setter
    def W(self, value: np.ndarray) -> None:
        self.embed.W = value

    @property
    def dW(self) -> np.ndarray | None:
        return self.embed.dW

    @dW.setter
    def dW(self, value: np.ndarray | None) -> None:
        self.embed.dW = value

    def forward(self, h: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """W[idx] · h[n] for every id of row n: out of idx's shape."""
        d = self.W.shape[1]
        if h.ndim != 2 or h.shape[1] != d:
            raise ValueError(f"{layer_name(self)} expects h of shape (N, {d}), got {h.shape}")
        idx = np.asarray(idx)
        if idx.ndim == 0 or idx.shape[0] != h.shape[0]:
            raise ValueError(f"{layer_name(self)}: {h.shape[0]} vectors h but ids of shape "
                             f"{idx.shape}: give ids (N,) or (N, K), N = {h.shape[0]}")
        self.embed.name = layer_name(self)  # its errors (an id out of range) name this layer
        rows = self.embed.forward(idx).reshape(h.shape[0], -1, d)  # (N, K, D)
        self.cache = (h, rows)
        return (rows @ h[:, :, np.newaxis]).reshape(idx.shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dW[v] = Σ dout[n, k] h[n] over the (n, k) holding id v; returns
        dh[n] = Σ_k dout[n, k] W[idx[n, k]]."""
        h, rows = forward_cache(self, self.cache)
        check_dout(self, dout, self.embed.idx.shape)
        dout = dout.reshape(len(h), 1, -1)  # (N, 1, K)
        drows = dout.transpose(0, 2, 1) * h[:, np.newaxis, :]  # (N, K, D)
        self.embed.backward(drows.reshape(*self.embed.idx.shape, -1))
        return (dout @ rows)[:, 0, :]


class UnigramSampler:
    """Draws negative samples, words w with probability p(w) ∝ count(w)^power.

    ``corpus``: the word ids (T,) whose counts give the distribution (``vocab_size``: the
    number of ids, at least max + 1; by default max + 1). power = 0.75 (word2vec's)
    raises the share of rare words. ``get_negative_sample(target)`` returns, for ids of
    shape (N,) (or any shape), ``sample_size`` ids per target, shape (N, sample_size),
    none equal to its own target: drawn from p with the target's mass removed (the
    entries that hit their target are drawn again, only those, until none does).
    ``seed`` (or a Generator) makes the draws reproducible; ``rng`` is the generator.
    """

    def __init__(self, corpus: np.ndarray, power: float = 0.75, sample_size: int = 5,
                 seed: int | np.random.Generator | None = None,
                 vocab_size: int | None = None) -> None:
        who = "UnigramSampler"
        corpus = np.asarray(corpus)
        if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer) or not corpus.size:
            raise ValueError(f"{who}: the corpus must be a non-empty 1-D array of integer word "
                             f"ids, got an array of {corpus.dtype} of shape {corpus.shape}")
        if corpus.min() < 0:
            raise ValueError(f"{who}: word ids must be >= 0, found {int(corpus.min())}")
        self.power = real_number(power, "power", 0, who=who)
        self.sample_size = whole_number(sample_size, "sample_size", 1, who=who)
        top = int(corpus.max()) + 1
        self.vocab_size = whole_number(top if vocab_size is None else vocab_size,
                                       "vocab_size", top, who=who)
        counts = np.bincount(corpus, minlength=self.vocab_size).astype(np.float64)
        if np.count_nonzero(counts) < 2:
            raise ValueError(f"{who}: the corpus holds a single distinct word: there is no "
                             "other word to draw as a negative sample")
        weights = np.where(counts > 0, counts**self.power, 0.0)
        #: p(w), the book's ``word_p``
        self.word_p = weights / weights.sum()
        self._cdf = np.cumsum(self.word_p)
        self._last = int(np.flatnonzero(counts)[-1])  # the last id that can be drawn
        self.rng = np.random.default_rng(seed)

    def _draw(self, size: Any) -> np.ndarray:
        """Ids drawn from p: the inverse of its cumulative distribution at uniform numbers."""
        u = self.rng.random(size) * self._cdf[-1]
        return np.minimum(np.searchsorted(self._cdf, u, side="right"), self._last)

    def get_negative_sample(self, target: np.ndarray) -> np.ndarray:
        """``sample_size`` ids per target id, none equal to it: (*target.shape, sample_size)."""
        target = check_ids(self, target, self.vocab_size)[..., np.newaxis]
        negative = self._draw((*target.shape[:-1], self.sample_size))
        clash = negative == target
        while clash.any():  # a target's own mass removed: redraw exactly those entries
            negative[clash] = self._draw(int(clash.sum()))
            clash = negative == target
        return negative


class NegativeSamplingLoss(Layer):
    """word2vec's loss: tell the true word from ``sample_size`` noise words.

    W: (V, D), the output embedding. ``forward(h, target)``: hidden vectors h (N, D),
    target ids (N,) (CBOW) or (N, C) (skip-gram: C true words per sample). Each true word
    is scored s = W[target]·h and ``sample_size`` negatives from ``UnigramSampler`` are
    scored the same way; the loss is the binary cross-entropy of σ(s), summed over the
    true word (label 1) and its negatives (label 0) and averaged over the N samples:

        L = 1/N Σ_n Σ_c [softplus(-s_pos) + Σ_k softplus(s_neg_k)]

    computed with logits (no overflow). ``backward(dout=1)`` writes dW and returns dh.
    ``seed`` makes the negatives reproducible; inside ``repeating_negatives()`` every
    forward draws the same ones (for gradient checks).
    """

    param_names = ("W",)

    def __init__(self, W: np.ndarray, corpus: np.ndarray, power: float = 0.75,
                 sample_size: int = 5, seed: int | np.random.Generator | None = None) -> None:
        self.embed_dot = EmbeddingDot(W)
        self.sampler = UnigramSampler(corpus, power, sample_size, seed=seed,
                                      vocab_size=np.shape(W)[0])
        self.sample_size = self.sampler.sample_size
        self.loss: float | None = None
        self.cache: tuple[np.ndarray, np.ndarray] | None = None
        self._replay: dict | None = None

    # the weights are the EmbeddingDot's (and so its Embedding's)
    @property
    def W(self) -> np.ndarray:
        return self.embed_dot.W

    @W.setter
    def W(self, value: np.ndarray) -> None:
        self.embed_dot.W = value

    @property
    def dW(self) -> np.ndarray | None:
        return self.embed_dot.dW

    @dW.setter
    def dW(self, value: np.ndarray | None) -> None:
        self.embed_dot.dW = value

    @property
    def rng(self) -> np.random.Generator:
        """The generator of the negative samples."""
        return self.sampler.rng

    @contextlib.contextmanager
    def repeating_negatives(self) -> Iterator[None]:
        """Within the block, every forward draws the negatives of the first (the generator
        is rewound before each draw), so that the loss is a fixed function of the weights;
        afterwards the generator is as it was on entry."""
        if self._replay is not None:  # already repeating: the outer block decides
            yield
            return
        self._replay = self.rng.bit_generator.state
        try:
            yield
        finally:
            self.rng.bit_generator.state = self._replay
            self._replay = None

    def forward(self, h: np.ndarray, target: np.ndarray) -> float:
        """The mean over samples of the summed binary cross-entropies (see the class)."""
        target = np.asarray(target)
        if target.ndim not in (1, 2) or target.shape[0] != np.shape(h)[0]:
            raise ValueError(f"{layer_name(self)}: {np.shape(h)[0]} hidden vectors but target "
                             f"ids of shape {target.shape}: give one id per sample (N,) or "
                             "C ids per sample (N, C)")
        target = check_ids(self, target, self.W.shape[0])
        if self._replay is not None:
            self.rng.bit_generator.state = self._replay
        negative = self.sampler.get_negative_sample(target)
        idx = np.concatenate([target[..., np.newaxis], negative], axis=-1)  # true word first
        scores = self.embed_dot.forward(h, idx)
        labels = np.zeros(scores.shape, dtype=scores.dtype)
        labels[..., 0] = 1
        # -log σ(s) for label 1 and -log(1 - σ(s)) for label 0: max(s, 0) - s·t + log1p(e^-|s|)
        losses = np.maximum(scores, 0) - scores * labels + np.log1p(np.exp(-np.abs(scores)))
        self.loss = float(losses.sum() / len(h))
        self.cache = (sigmoid(scores), labels)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        """dscore = dout · (σ(s) - label) / N for every score; writes dW, returns dh (N, D)."""
        y, labels = forward_cache(self, self.cache)
        dscores = (y - labels) * y.dtype.type(dout / len(y))  # stays float32
        return self.embed_dot.backward(dscores)
