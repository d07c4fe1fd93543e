"""An encoder and a decoder trained as one model: the frame of the seq2seq models.

    model = Seq2seq(vocab_size=13, wordvec_size=16, hidden_size=128, seed=0)
    loss = model.forward(xs, ts)         # xs (N, T) question ids, ts (N, T') answer ids
    model.backward()                     # or: grads = model.gradient(xs, ts)
    answers = model.generate(xs, start_id, sample_size=4)    # (N, 4) ids, greedy

An encoder-decoder is not a stack: the encoder reads xs, the decoder reads the answer
shifted right (teacher forcing: ts[:, :-1]) *and* what the encoder passes it, and the
gradient flows back from the decoder into the encoder through that bridge alone.
``EncoderDecoder`` wires the two named parts (``encoder``, ``decoder``: each holding its
layers in a ``layers`` dict) and collects their arrays by ``common.layers.base``, so
``params`` has keys such as ``encoder.lstm.Wx`` and ``decoder.affine.W`` and holds the very
arrays the layers use. Saving, loading, float64 twins and numerical gradients are those
of ``common.nets.parameters.LayeredModel``, the base it shares with
``common.nets.network.Network``: the same .npz files, the same checks.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from common.layers.losses import TimeSoftmaxWithLoss
from common.nets.parameters import LayeredModel
from common.validation import whole_number


def check_ids(ids: Any, name: str, vocab_size: int, who: str, min_length: int = 1
              ) -> np.ndarray:
    """``ids`` as a 2-D integer array (N, T) of ids in 0..vocab_size-1 with N >= 1 and
    T >= ``min_length``; a ValueError naming ``who`` and ``name`` otherwise."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.shape[0] < 1 or ids.shape[1] < min_length:
        raise ValueError(f"{who}: {name} must be ids of shape (N, T), one row per sequence, "
                         f"with N >= 1 and T >= {min_length}; got shape {ids.shape}"
                         + (" (for one sequence pass ids[np.newaxis])" if ids.ndim == 1 else ""))
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{who}: {name} must be integer ids, got an array of {ids.dtype}; "
                         "encode the characters with char_to_id first")
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= vocab_size:
        bad = low if low < 0 else high
        raise ValueError(f"{who}: {name} holds the id {bad}, out of the vocabulary of "
                         f"{vocab_size}: ids must lie in 0..{vocab_size - 1} (found "
                         f"{low}..{high}); was the model built with the data's vocabulary?")
    return ids


class EncoderDecoder(LayeredModel):
    """A sequence-to-sequence model: ``encoder`` reads xs (N, T), ``decoder`` writes ts.

    The parts are layer-like: ``encoder.forward(xs)`` returns what the decoder starts from
    (a state h, or all the encoder's states) and ``encoder.backward(d)`` takes its
    gradient; ``decoder.forward(ts_in, that)`` returns scores (N, T'-1, V),
    ``decoder.backward(dscore)`` the gradient of ``that``, and
    ``decoder.generate(that, start_ids, sample_size)`` greedy ids (N, sample_size).
    Each holds its layers in ``layers`` (name -> layer), whose arrays become ``params``.
    The loss is ``TimeSoftmaxWithLoss`` of the scores against ts[:, 1:]. From
    ``LayeredModel``: ``numerical_gradient``, ``in_float64``, ``save_params``,
    ``load_params``, ``parameter_count``, ``dtype``.
    """

    def __init__(self, encoder: Any, decoder: Any, vocab_size: int, wordvec_size: int,
                 hidden_size: int) -> None:
        self.vocab_size, self.wordvec_size, self.hidden_size = (vocab_size, wordvec_size,
                                                                hidden_size)
        self.encoder, self.decoder = encoder, decoder
        self.layers = OrderedDict(encoder=encoder, decoder=decoder)
        self.last_layer = TimeSoftmaxWithLoss()
        self.last_loss: float | None = None
        for name, part in self.layers.items():
            part.name = name
            for inner, layer in part.layers.items():
                layer.name = f"{name}.{inner}"  # errors name 'decoder.lstm', not 'TimeLSTM'
        # the parts' arrays as params: 'encoder.lstm.Wx', 'decoder.affine.W', ...
        super().__init__(self.layers.items())

    def architecture(self) -> dict[str, Any]:
        """The parts and their layers, and the sizes (stored by ``save_params``, compared by
        ``load_params``)."""
        return {**super().architecture(), "vocab_size": self.vocab_size,
                "wordvec_size": self.wordvec_size, "hidden_size": self.hidden_size}

    def _checked(self, xs: Any, ts: Any) -> tuple[np.ndarray, np.ndarray]:
        """Questions xs and answers ts checked: ids of the vocabulary, one answer each."""
        who = type(self).__name__
        xs = check_ids(xs, "xs", self.vocab_size, who)
        ts = check_ids(ts, "ts", self.vocab_size, who, min_length=2)
        if len(xs) != len(ts):
            raise ValueError(f"{who}: {len(xs)} questions xs but {len(ts)} answers ts; give "
                             "one answer per question")
        return xs, ts

    def forward(self, xs: np.ndarray, ts: np.ndarray) -> float:
        """The mean cross-entropy of the decoder's predictions of ts[:, 1:], fed ts[:, :-1]
        (teacher forcing): the answer's first id starts the decoder and is not predicted."""
        xs, ts = self._checked(xs, ts)
        bridge = self.encoder.forward(xs)
        score = self.decoder.forward(ts[:, :-1], bridge)
        return self.last_layer.forward(score, ts[:, 1:])

    def backward(self, dout: float = 1) -> None:
        """Backpropagate through the loss, the decoder and the encoder; every layer keeps
        its parameters' gradients (``d<name>``)."""
        dscore = self.last_layer.backward(dout)
        self.encoder.backward(self.decoder.backward(dscore))
        self.grads = self.layer_gradients()

    def loss(self, xs: np.ndarray, ts: np.ndarray, train_flg: bool = False) -> float:
        """``forward(xs, ts)`` (nothing here behaves differently in training)."""
        return self.forward(xs, ts)

    def gradient(self, xs: np.ndarray, ts: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of the loss by backpropagation, keyed like ``params``; the loss of the
        forward pass is kept in ``last_loss``."""
        self.last_loss = self.forward(xs, ts)
        self.backward()
        return self.grads

    def generate(self, xs: np.ndarray, start_id: int | np.ndarray, sample_size: int
                 ) -> np.ndarray:
        """Greedy answers (N, sample_size): the decoder starts from ``start_id`` (one id, or
        one per sequence (N,)) and feeds back its most likely id at every step.
        Deterministic: the same xs give the same answers."""
        who = type(self).__name__
        xs = check_ids(xs, "xs", self.vocab_size, who)
        sample_size = whole_number(sample_size, "sample_size", who=f"{who}.generate")
        start = np.asarray(start_id)
        if start.ndim == 0:
            start = np.full(len(xs), start)
        if start.shape != (len(xs),):
            raise ValueError(f"{who}.generate: start_id must be one id, or one per sequence "
                             f"of xs (shape ({len(xs)},)); got shape {start.shape}")
        start = check_ids(start[:, np.newaxis], "start_id", self.vocab_size, who)
        return self.decoder.generate(self.encoder.forward(xs), start, sample_size)


def normal(rng: np.random.Generator, rows: int, cols: int, scale: float, dtype: Any
           ) -> np.ndarray:
    """A (rows, cols) matrix of N(0, 1) draws times ``scale``, in ``dtype`` (the book's
    ``(rn(rows, cols) / 100).astype('f')`` and ``rn(...) / np.sqrt(rows)``)."""
    return (rng.standard_normal((rows, cols)) * scale).astype(dtype)


def check_sizes(who: str, **sizes: Any) -> None:
    """Every size a whole number >= 1 (ValueError naming it otherwise)."""
    for name, value in sizes.items():
        whole_number(value, name, who=who)
