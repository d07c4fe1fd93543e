"""Sequence to sequence with LSTMs (the second book's chapter 7): ``Seq2seq`` and
``PeekySeq2seq``.

    model = PeekySeq2seq(vocab_size=13, wordvec_size=16, hidden_size=128, seed=0)
    loss = model.forward(xs, ts); model.backward()
    model.generate(xs, start_id=char_to_id["_"], sample_size=4)   # (N, 4) greedy ids

The ``Encoder`` reads the question into one vector, its LSTM's last hidden state h
(N, H); the ``Decoder`` starts its own LSTM from h and writes the answer one symbol at a
time. The ``PeekyDecoder`` also gives h to every step, beside the symbol, both to its LSTM
and to its output layer, so the question is not only in the first state. Weights are
initialised as the book does: embeddings N(0, 0.01²), a matrix with n input rows
N(0, 1/n) (Xavier), biases zero.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.affine import TimeAffine
from common.layers.embedding import TimeEmbedding
from common.layers.lstm import TimeLSTM
from common.nets.encoder_decoder import EncoderDecoder, check_sizes, normal


def embedding(rng: np.random.Generator, vocab_size: int, wordvec_size: int, dtype: Any
              ) -> TimeEmbedding:
    """A (V, D) embedding table drawn from N(0, 0.01²)."""
    return TimeEmbedding(normal(rng, vocab_size, wordvec_size, 0.01, dtype))


def lstm(rng: np.random.Generator, input_size: int, hidden_size: int, dtype: Any,
         stateful: bool) -> TimeLSTM:
    """A TimeLSTM with Wx (D, 4H) ~ N(0, 1/D), Wh (H, 4H) ~ N(0, 1/H), b = 0."""
    h4 = 4 * hidden_size
    return TimeLSTM(normal(rng, input_size, h4, 1 / math.sqrt(input_size), dtype),
                    normal(rng, hidden_size, h4, 1 / math.sqrt(hidden_size), dtype),
                    np.zeros(h4, dtype=dtype), stateful=stateful)


def affine(rng: np.random.Generator, input_size: int, output_size: int, dtype: Any
           ) -> TimeAffine:
    """A TimeAffine with W (D, V) ~ N(0, 1/D), b = 0."""
    return TimeAffine(normal(rng, input_size, output_size, 1 / math.sqrt(input_size), dtype),
                      np.zeros(output_size, dtype=dtype))


class Encoder:
    """Reads a question: ids xs (N, T) -> the last hidden state h (N, H) of an LSTM over
    their embeddings (V -> D -> H). The LSTM starts from zeros for every batch.
    ``backward(dh)`` sends dh into the last step and back through the LSTM and the
    embedding (whose ids have no gradient: returns None)."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> None:
        rng = np.random.default_rng(rng)
        self.embed = embedding(rng, vocab_size, wordvec_size, dtype)
        self.lstm = lstm(rng, wordvec_size, hidden_size, dtype, stateful=False)
        self.layers = OrderedDict(embed=self.embed, lstm=self.lstm)
        self.hs_shape: tuple[int, ...] | None = None

    def states(self, xs: np.ndarray) -> np.ndarray:
        """The LSTM's hidden states at every step: (N, T, H)."""
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs_shape = hs.shape
        return hs

    def forward(self, xs: np.ndarray) -> np.ndarray:
        """h = hs[:, -1], the state after the whole question: (N, H)."""
        return self.states(xs)[:, -1]

    def backward(self, dh: np.ndarray) -> None:
        """The gradient dh (N, H) of the last state, through the LSTM and the embedding."""
        if self.hs_shape is None:
            raise RuntimeError("Encoder.backward was called before its forward")
        dhs = np.zeros(self.hs_shape, dtype=dh.dtype)
        dhs[:, -1] = dh
        self.embed.backward(self.lstm.backward(dhs))


class Decoder:
    """Writes an answer from the encoder's h (N, H): its LSTM starts from h and reads the
    answer so far, ids (N, T'), and a TimeAffine scores the next symbol: (N, T', V).
    ``backward(dscore)`` returns dh, the gradient of the state it started from."""

    #: Whether every step also reads the encoder's h (``PeekyDecoder``).
    peeky = False

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> None:
        rng = np.random.default_rng(rng)
        self.hidden_size = hidden_size
        peek = hidden_size if self.peeky else 0  # inputs that h adds to the LSTM and affine
        self.embed = embedding(rng, vocab_size, wordvec_size, dtype)
        # stateful: generate feeds one step at a time, each going on from the last
        self.lstm = lstm(rng, peek + wordvec_size, hidden_size, dtype, stateful=True)
        self.affine = affine(rng, peek + hidden_size, vocab_size, dtype)
        self.layers = OrderedDict(embed=self.embed, lstm=self.lstm, affine=self.affine)

    def start(self, h: np.ndarray) -> None:
        """Start the LSTM from the encoder's h."""
        self.lstm.set_state(h)

    def steps(self, xs: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Scores (N, T', V) of the symbol after each of xs, the LSTM going on from its
        state."""
        return self.affine.forward(self.lstm.forward(self.embed.forward(xs)))

    def forward(self, xs: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Scores (N, T', V) of the symbol after each of xs, the LSTM starting from h."""
        self.start(h)
        return self.steps(xs, h)

    def backward(self, dscore: np.ndarray) -> np.ndarray:
        """dh (N, H): the gradient that flows back into the encoder."""
        self.embed.backward(self.lstm.backward(self.affine.backward(dscore)))
        return self.lstm.dh

    def generate(self, h: np.ndarray, start_ids: np.ndarray, sample_size: int) -> np.ndarray:
        """Greedy decoding from h: feed start_ids (N, 1), then each step's most likely id;
        returns the ``sample_size`` ids chosen, (N, sample_size)."""
        self.start(h)
        ids, sampled = start_ids, np.empty((len(start_ids), sample_size), dtype=np.int64)
        for t in range(sample_size):
            ids = self.steps(ids, h).argmax(axis=2)
            sampled[:, t] = ids[:, 0]
        return sampled


class PeekyDecoder(Decoder):
    """A ``Decoder`` that sees the encoder's h at every step: its LSTM reads [h, embedding]
    (H + D inputs), its output layer [h, LSTM state] (2H inputs). h then gets gradient
    from every step, not only through the first state."""

    peeky = True

    @staticmethod
    def _peek(h: np.ndarray, x: np.ndarray) -> np.ndarray:
        """[h, x_t] at every step: h (N, H) beside x (N, T, K) -> (N, T, H + K)."""
        n, t, _ = x.shape
        return np.concatenate((np.broadcast_to(h[:, np.newaxis], (n, t, h.shape[1])), x),
                              axis=2)

    def steps(self, xs: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Scores of the symbols after xs, with h beside the input and the state."""
        hs = self.lstm.forward(self._peek(h, self.embed.forward(xs)))
        return self.affine.forward(self._peek(h, hs))

    def backward(self, dscore: np.ndarray) -> np.ndarray:
        """dh (N, H): through the first state, plus the peeks of every step."""
        H = self.hidden_size
        dout = self.affine.backward(dscore)
        dpeek_out, dhs = dout[:, :, :H], dout[:, :, H:]
        dout = self.lstm.backward(dhs)
        dpeek_in, dembed = dout[:, :, :H], dout[:, :, H:]
        self.embed.backward(dembed)
        return self.lstm.dh + dpeek_out.sum(axis=1) + dpeek_in.sum(axis=1)


class Seq2seq(EncoderDecoder):
    """The book's seq2seq: ``Encoder`` + ``Decoder``, trained on
    L = mean cross-entropy of the decoder's scores for ts[:, 1:] given ts[:, :-1].

    ``params`` keys: ``encoder.embed.W``, ``encoder.lstm.Wx``/``Wh``/``b``,
    ``decoder.embed.W``, ``decoder.lstm.Wx``/``Wh``/``b``, ``decoder.affine.W``/``b``.
    ``seed`` draws the initial weights; ``dtype`` float32 (float64 for checks).
    """

    decoder_class: type = Decoder

    def __init__(self, vocab_size: int, wordvec_size: int = 16, hidden_size: int = 128,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        check_sizes(type(self).__name__, vocab_size=vocab_size, wordvec_size=wordvec_size,
                    hidden_size=hidden_size)
        rng = np.random.default_rng(seed)
        super().__init__(Encoder(vocab_size, wordvec_size, hidden_size, rng, dtype),
                         self.decoder_class(vocab_size, wordvec_size, hidden_size, rng, dtype),
                         vocab_size, wordvec_size, hidden_size)


class PeekySeq2seq(Seq2seq):
    """``Seq2seq`` with a ``PeekyDecoder``: the encoder's h reaches every step of the
    answer (and the keys ``decoder.lstm.Wx`` is (H + D, 4H), ``decoder.affine.W`` (2H, V))."""

    decoder_class = PeekyDecoder
