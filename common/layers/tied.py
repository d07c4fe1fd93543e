"""Weight tying: one matrix W (V, D) is both the word embedding at the bottom of a language
model and the output layer at its top (Press & Wolf 2017; the second book's BetterRnnlm).

    embed = TiedEmbedding(W)            # ids (N, T) -> W[ids] (N, T, D)
    output = embed.output_layer(b)      # h (N, T, D) -> h · Wᵀ + b (N, T, V)

A network lists W once, as the embedding's parameter. Its gradient is the sum of both
uses: backpropagation reaches the output layer first, which keeps its share hᵀ-product
(``dW_share``), and the embedding's backward, the last of the pass, adds it to its own
scattered rows. The model has V·D fewer parameters, and the word vectors that read a
word and those that predict it learn from each other. The tie is the identity of the
array: the output layer reads the embedding's W itself at every call (no copy), so an
update of one is an update of the other, and a float64 twin swapped into the embedding
is what the output layer reads too.
"""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.layers.embedding import TimeEmbedding
from common.validation import check_dout, forward_cache, layer_name


class TiedEmbedding(TimeEmbedding):
    """A ``TimeEmbedding`` whose table W (V, D) is also the weight of an output layer
    (``output_layer``): ``backward`` stores dW = the embedding's own gradient (the rows of
    dout added up per id) plus the output layer's share from the same backward pass."""

    def __init__(self, W: np.ndarray) -> None:
        super().__init__(W)
        self.output: TiedOutput | None = None

    def output_layer(self, b: np.ndarray | None = None) -> TiedOutput:
        """The output layer that shares W: scores = h · Wᵀ + b (b: (V,) or None)."""
        if self.output is not None:
            raise ValueError(f"{layer_name(self)} already has its output layer: a matrix is "
                             "tied to one output layer")
        self.output = TiedOutput(self, b)
        return self.output

    def backward(self, dout: np.ndarray) -> None:
        """dW = Σ over the positions of each id of dout, plus the output layer's share."""
        super().backward(dout)
        share = self.output.take_share() if self.output is not None else None
        if share is not None:
            self.dW += share
        return None


class TiedOutput(Layer):
    """The output side of a tie: scores = h · Wᵀ + b with W (V, D) the embedding's table.

    h: (..., D) -> (..., V). Its only own parameter is b (``param_names``); ``backward``
    returns dh = dout · W, stores db and keeps W's gradient share doutᵀ · h (a new array
    each pass, in W's dtype whatever it is then) for the embedding's backward to add
    (``take_share``).
    """

    def __init__(self, embedding: TiedEmbedding, b: np.ndarray | None = None) -> None:
        vocab = embedding.W.shape[0]
        if b is not None and np.shape(b) != (vocab,):
            raise ValueError(f"TiedOutput needs b of shape ({vocab},), one bias per word, got "
                             f"shape {np.shape(b)}")
        self.embedding = embedding
        self.b = b
        self.param_names = () if b is None else ("b",)
        self.x: np.ndarray | None = None
        self.db: np.ndarray | None = None
        self.dW_share: np.ndarray | None = None
        self._share_ready = False

    @property
    def W(self) -> np.ndarray:  # noqa: N802 - the book's name for a weight matrix
        """The embedding's table (V, D): read at every call, so a float64 twin is seen too."""
        return self.embedding.W

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (..., D) · Wᵀ (+ b): (..., V)."""
        vocab, d = self.W.shape
        if x.ndim < 2 or x.shape[-1] != d:
            raise ValueError(f"{layer_name(self)} expects x of shape (..., {d}), the "
                             f"embedding's {d} features on the last axis; got {x.shape}")
        self.x = x
        out = x.reshape(-1, d) @ self.W.T
        if self.b is not None:
            out += self.b
        return out.reshape(*x.shape[:-1], vocab)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dx = dout · W; db = Σ dout; W's share doutᵀ · x kept for the embedding."""
        x = forward_cache(self, self.x)
        vocab, d = self.W.shape
        check_dout(self, dout, (*x.shape[:-1], vocab))
        rows = dout.reshape(-1, vocab)
        self.dW_share = rows.T @ x.reshape(-1, d)
        if self.b is not None:
            self.db = np.sum(rows, axis=0, out=self.db)
        self._share_ready = True
        return (rows @ self.W).reshape(x.shape)

    def take_share(self) -> np.ndarray | None:
        """W's gradient from the last backward, once (None if backward has not run since)."""
        if not self._share_ready:
            return None
        self._share_ready = False
        return self.dW_share
