"""word2vec: the second book's CBOW with a softmax (chapter 3) and CBOW and skip-gram with
negative sampling (chapter 4), each a ``Network``.

    net = CBOW(vocab_size, hidden_size=100, window_size=5, corpus=corpus, seed=0)
    contexts, target = create_contexts_target(corpus, window_size=5)
    grads = net.gradient(contexts[:100], target[:100])
    Adam().update(net.params, grads)
    net.word_vecs                      # (V, hidden_size): the words' vectors

Every model has two weight matrices: the input embedding ``in.W`` (V, H), whose rows are
the word vectors (``word_vecs``), and the output weights ``out.W``. ``loss(contexts,
target)`` (also ``forward``) and ``gradient(contexts, target)`` take the samples of
``common.wordvec.create_contexts_target``: contexts (N, 2·window), target (N,).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.affine import MatMul
from common.layers.embedding import Embedding
from common.layers.losses import SoftmaxWithLoss
from common.layers.word2vec import ContextMean, NegativeSamplingLoss
from common.nets.network import Network
from common.validation import whole_number


class Word2VecNet(Network):
    """A ``Network`` of word vectors: its input embedding is ``word_vecs``, and its loss
    layer may hold weights of its own (negative sampling's output embedding), which join
    ``params`` under the loss layer's name (``out.W``), as a layer's would.
    """

    #: The name of the loss layer, and of its parameters.
    loss_name = "out"

    def __init__(self, layers: OrderedDict, last_layer: Any, window_size: int) -> None:
        last_layer.name = self.loss_name  # Network names its weights after it: 'out.W'
        super().__init__(layers, last_layer)
        self.window_size = window_size

    @property
    def word_vecs(self) -> np.ndarray:
        """The word vectors: the input embedding (V, H), row i the vector of word i (the
        very array that training updates)."""
        return self.params["in.W"]

    def check_samples(self, contexts: Any, target: Any) -> None:
        """A ValueError unless ``contexts`` has 2·window_size columns, one row per target."""
        contexts, target = np.asarray(contexts), np.asarray(target)
        width = 2 * self.window_size
        if contexts.ndim < 2 or contexts.shape[1] != width:
            raise ValueError(f"{type(self).__name__}: with window_size {self.window_size} "
                             f"each sample has {width} context words, contexts of shape "
                             f"(N, {width}); got {contexts.shape} (make them with "
                             f"create_contexts_target(corpus, window_size={self.window_size}))")
        if target.ndim < 1 or len(target) != len(contexts):
            raise ValueError(f"{type(self).__name__}: {len(contexts)} contexts but target of "
                             f"shape {target.shape}: give one target word per sample")

    def architecture(self) -> dict[str, Any]:
        """The layers and the sizes (stored by ``save_params``)."""
        vocab_size, hidden_size = self.word_vecs.shape
        return {**super().architecture(), "loss": type(self.last_layer).__name__,
                "vocab_size": vocab_size, "hidden_size": hidden_size,
                "window_size": self.window_size}


def _sizes(who: str, vocab_size: int, hidden_size: int, window_size: int) -> tuple[int, ...]:
    return (whole_number(vocab_size, "vocab_size", 2, who=who),
            whole_number(hidden_size, "hidden_size", 1, who=who),
            whole_number(window_size, "window_size", 1, who=who))


def _weights(rng: np.random.Generator, shape: tuple[int, int], dtype: Any) -> np.ndarray:
    """N(0, 0.01²) weights, the book's initialisation."""
    return (0.01 * rng.standard_normal(shape)).astype(dtype)


class SimpleCBOW(Word2VecNet):
    """The book's chapter 3 CBOW: the mean of the context words' one-hot rows times W_in,
    times W_out, softmax over the vocabulary.

    loss(contexts, target): contexts one-hot (N, 2·window, V) (``convert_one_hot``),
    target ids (N,) or one-hot (N, V). Layers: ``mean`` (ContextMean), ``in`` (MatMul
    W_in (V, H)), ``out`` (MatMul W_out (H, V)), then SoftmaxWithLoss. The mean of the
    one-hot rows times W_in is the book's mean of the products, in one product.
    """

    loss_name = "loss"  # "out" is the product with W_out

    def __init__(self, vocab_size: int, hidden_size: int, window_size: int = 1,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        v, h, w = _sizes("SimpleCBOW", vocab_size, hidden_size, window_size)
        rng = np.random.default_rng(seed)
        layers = OrderedDict([("mean", ContextMean()),
                              ("in", MatMul(_weights(rng, (v, h), dtype))),
                              ("out", MatMul(_weights(rng, (h, v), dtype)))])
        super().__init__(layers, SoftmaxWithLoss(), w)
        self.input_dim = (2 * w, v)  # one sample for summary(): its one-hot context rows

    def loss(self, contexts: np.ndarray, target: np.ndarray, train_flg: bool = False) -> float:
        """Mean cross-entropy of the softmax over the vocabulary against the target word."""
        self.check_samples(contexts, target)
        return super().loss(contexts, target, train_flg)


class CBOW(Word2VecNet):
    """CBOW with negative sampling (the book's chapter 4): the mean of the context words'
    vectors predicts the target word, told from ``sample_size`` noise words.

    loss(contexts, target): context ids (N, 2·window_size), target ids (N,). Layers:
    ``in`` (Embedding W_in (V, H)), ``mean`` (ContextMean), then ``out``
    (NegativeSamplingLoss over W_out (V, H), negatives drawn by the unigram distribution
    of ``corpus`` to the power 0.75). ``seed`` fixes the weights and the negatives.
    """

    def __init__(self, vocab_size: int, hidden_size: int, window_size: int,
                 corpus: np.ndarray, sample_size: int = 5, power: float = 0.75,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        v, h, w = _sizes("CBOW", vocab_size, hidden_size, window_size)
        rng = np.random.default_rng(seed)
        W_in, W_out = _weights(rng, (v, h), dtype), _weights(rng, (v, h), dtype)
        loss = NegativeSamplingLoss(W_out, corpus, power, sample_size, seed=rng.spawn(1)[0])
        super().__init__(OrderedDict({"in": Embedding(W_in), "mean": ContextMean()}), loss, w)
        self.input_dim = (2 * w,)  # one sample for summary(): its context ids

    def loss(self, contexts: np.ndarray, target: np.ndarray, train_flg: bool = False) -> float:
        """The negative-sampling loss of the target words given their contexts."""
        self.check_samples(contexts, target)
        return super().loss(contexts, target, train_flg)


class SkipGram(Word2VecNet):
    """Skip-gram with negative sampling: the target word's vector predicts each of its
    context words, each told from ``sample_size`` noise words; the loss is summed over
    the 2·window_size context words (as the book's).

    loss(contexts, target): context ids (N, 2·window_size), target ids (N,). Layers:
    ``in`` (Embedding W_in (V, H)) on the target, taken as a window of one word (N, 1),
    ``mean`` (ContextMean: the mean of one vector is that vector, (N, H)), then ``out``
    (NegativeSamplingLoss over W_out (V, H), with the contexts as its true words).
    ``seed`` fixes the weights and the negatives.
    """

    def __init__(self, vocab_size: int, hidden_size: int, window_size: int,
                 corpus: np.ndarray, sample_size: int = 5, power: float = 0.75,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        v, h, w = _sizes("SkipGram", vocab_size, hidden_size, window_size)
        rng = np.random.default_rng(seed)
        W_in, W_out = _weights(rng, (v, h), dtype), _weights(rng, (v, h), dtype)
        loss = NegativeSamplingLoss(W_out, corpus, power, sample_size, seed=rng.spawn(1)[0])
        super().__init__(OrderedDict({"in": Embedding(W_in), "mean": ContextMean()}), loss, w)
        self.input_dim = (1,)  # what the network's layers see of a sample: its target id

    def loss(self, contexts: np.ndarray, target: np.ndarray, train_flg: bool = False) -> float:
        """The negative-sampling loss of the context words given the target word: the
        network's input is the target, and the contexts are what its loss layer scores."""
        self.check_samples(contexts, target)
        return super().loss(np.asarray(target)[:, np.newaxis], contexts, train_flg)
