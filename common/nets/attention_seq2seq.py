"""Seq2seq with attention (the second book's chapter 8): ``AttentionSeq2seq``.

    model = AttentionSeq2seq(vocab_size=59, wordvec_size=16, hidden_size=256, seed=0)
    loss = model.forward(xs, ts); model.backward()
    model.generate(xs, start_id=char_to_id["_"], sample_size=10)
    model.attention_weights(xs, ts)      # (N, T'-1, T): where each answer step looked

The ``AttentionEncoder`` hands the decoder all its states hs (N, T, H), not only the last.
The ``AttentionDecoder`` starts its LSTM from the last of them, and at every step its
state looks over all of them (``TimeAttention``): the context, a weighted sum of hs, goes
beside the state into the output layer. A long question no longer has to squeeze into
one vector, and the weights show which input characters each output character used.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.seq_attention import TimeAttention
from common.nets.encoder_decoder import EncoderDecoder, check_sizes
from common.nets.seq2seq import Decoder, Encoder, affine, embedding, lstm


class AttentionEncoder(Encoder):
    """An ``Encoder`` whose output is every state: ids xs (N, T) -> hs (N, T, H);
    ``backward(dhs)`` takes the gradient of all of them."""

    def forward(self, xs: np.ndarray) -> np.ndarray:
        """The LSTM's states at every step of the question: (N, T, H)."""
        return self.states(xs)

    def backward(self, dhs: np.ndarray) -> None:
        """The gradient dhs (N, T, H), through the LSTM and the embedding."""
        self.embed.backward(self.lstm.backward(dhs))


class AttentionDecoder(Decoder):
    """Writes an answer attending to the encoder's states hs_enc (N, T, H): its LSTM starts
    from hs_enc[:, -1] and reads the answer so far, ids (N, T'); at every step the context
    c_t (``TimeAttention`` of the state on hs_enc) and the state h_t go, as [c_t, h_t]
    (2H), into a TimeAffine that scores the next symbol: (N, T', V).
    ``backward(dscore)`` returns dhs_enc (N, T, H); ``forward`` and ``generate`` are
    ``Decoder``'s, with hs_enc in place of h."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float32) -> None:
        rng = np.random.default_rng(rng)
        self.hidden_size = hidden_size
        self.embed = embedding(rng, vocab_size, wordvec_size, dtype)
        self.lstm = lstm(rng, wordvec_size, hidden_size, dtype, stateful=True)
        self.attention = TimeAttention()
        self.affine = affine(rng, 2 * hidden_size, vocab_size, dtype)
        self.layers = OrderedDict(embed=self.embed, lstm=self.lstm, attention=self.attention,
                                  affine=self.affine)

    def start(self, hs_enc: np.ndarray) -> None:
        """Start the LSTM from the encoder's last state."""
        self.lstm.set_state(hs_enc[:, -1])

    def steps(self, xs: np.ndarray, hs_enc: np.ndarray) -> np.ndarray:
        """Scores (N, T', V) of the symbols after xs, the LSTM going on from its state and
        every step attending to hs_enc."""
        hs_dec = self.lstm.forward(self.embed.forward(xs))
        contexts = self.attention.forward(hs_enc, hs_dec)
        return self.affine.forward(np.concatenate((contexts, hs_dec), axis=2))

    def backward(self, dscore: np.ndarray) -> np.ndarray:
        """dhs_enc (N, T, H): from the attention, and from the LSTM's first state into the
        encoder's last."""
        H = self.hidden_size
        dout = self.affine.backward(dscore)
        dcontexts, dhs_dec = dout[:, :, :H], dout[:, :, H:]
        dhs_enc, dhs_dec_attention = self.attention.backward(dcontexts)
        self.embed.backward(self.lstm.backward(dhs_dec + dhs_dec_attention))
        dhs_enc[:, -1] += self.lstm.dh
        return dhs_enc


class AttentionSeq2seq(EncoderDecoder):
    """The book's seq2seq with attention: ``AttentionEncoder`` + ``AttentionDecoder``.

    ``params`` keys as ``Seq2seq``'s (``decoder.affine.W`` is (2H, V)); the attention has
    no parameters. ``attention_weights(xs, ts)`` gives the weights of a teacher-forced
    pass, as the book's heat maps show them.
    """

    def __init__(self, vocab_size: int, wordvec_size: int = 16, hidden_size: int = 256,
                 seed: int | None = None, dtype: Any = np.float32) -> None:
        check_sizes(type(self).__name__, vocab_size=vocab_size, wordvec_size=wordvec_size,
                    hidden_size=hidden_size)
        rng = np.random.default_rng(seed)
        super().__init__(AttentionEncoder(vocab_size, wordvec_size, hidden_size, rng, dtype),
                         AttentionDecoder(vocab_size, wordvec_size, hidden_size, rng, dtype),
                         vocab_size, wordvec_size, hidden_size)

    def attention_weights(self, xs: np.ndarray, ts: np.ndarray) -> np.ndarray:
        """(N, T'-1, T): how much the decoder, fed ts[:, :-1] and predicting ts[:, 1:],
        attended to each position of xs at each step (each row sums to 1)."""
        self.forward(xs, ts)
        return self.decoder.attention.attention_weights.copy()
