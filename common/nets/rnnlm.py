"""The recurrent language models of the second book (chapters 5 and 6): ``RnnlmBase``, what
they share (a ``Network`` with stateful recurrent layers, the book's interface, text
generation), and ``Rnnlm``: embedding -> LSTM -> affine to the vocabulary. The other two
have their own modules, built on ``RnnlmBase``, ``Init`` and ``checked_sizes`` from here:
``simple_rnnlm`` (``SimpleRnnlm``, a simple RNN instead of the LSTM) and ``better_rnnlm``
(``BetterRnnlm``: two LSTM layers, dropout, weight tying).

    model = Rnnlm(vocab_size=len(word_to_id), wordvec_size=100, hidden_size=100, seed=0)
    loss = model.forward(xs, ts)       # xs, ts: word ids (N, T); ts the words that follow
    grads = model.backward()           # keyed like model.params
    ids = model.generate(start_ids=[word_to_id["romeo"]], sample_size=50, seed=1)

The recurrent layers are stateful: each batch starts from the hidden state the previous
batch ended with (truncated backpropagation through time); ``reset_state()`` forgets it.
Parameters keep the book's names: ``embed.W``, ``lstm.Wx``, ``lstm.Wh``, ``lstm.b``,
``affine.W``, ``affine.b``.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from common.layers.affine import TimeAffine
from common.layers.embedding import TimeEmbedding
from common.layers.losses import TimeSoftmaxWithLoss
from common.layers.lstm import TimeLSTM
from common.layers.recurrent_base import RecurrentState
from common.nets.network import Network
from common.validation import whole_number


def _recurrent_layers(layers: Mapping[str, Any],
                      prefix: str = "") -> Iterator[tuple[str, RecurrentState]]:
    """(name, layer) of the recurrent time layers (TimeRNN, TimeLSTM, TimeGRU) among
    ``layers``, those inside a container too (a TimeBiLSTM's two LSTMs, named
    '<container>.<inner>'). A network's layers all have the ``layers`` trait (None but for
    containers): ``Network`` passes them through ``as_layer``."""
    for name, layer in layers.items():
        if isinstance(layer, RecurrentState):
            yield prefix + name, layer
        elif isinstance(layer.layers, Mapping):
            yield from _recurrent_layers(layer.layers, f"{prefix}{name}.")


def _stateful_layers(model: Network) -> Iterator[tuple[str, RecurrentState]]:
    """(name, layer) of the recurrent layers of ``model`` that carry a state between calls."""
    return ((name, layer) for name, layer in _recurrent_layers(model.layers) if layer.stateful)


def recurrent_states(model: Network) -> dict[str, np.ndarray]:
    """Copies of the states the stateful layers of ``model`` carry to the next batch, named
    '<layer>.h' and '<layer>.c' (nothing for a layer whose state is reset)."""
    states = {}
    for name, layer in _stateful_layers(model):
        for attr, value in (("h", layer.h), ("c", layer.c)):
            if value is not None:
                states[f"{name}.{attr}"] = np.array(value)
    return states


def set_recurrent_states(model: Network, states: dict[str, np.ndarray]) -> None:
    """Give the stateful layers of ``model`` the states ``recurrent_states`` returned (a layer
    with none there is reset)."""
    for name, layer in _stateful_layers(model):
        layer.reset_state()
        if f"{name}.h" in states:
            c = states.get(f"{name}.c")
            layer.set_state(states[f"{name}.h"].copy(), None if c is None else c.copy())


class RnnlmBase(Network):
    """What the three language models share: the book's ``forward``/``backward`` interface,
    stateful recurrent layers, text generation.

    ``layers`` ends with the scores (N, T, V) of the next word; the loss is
    ``TimeSoftmaxWithLoss``, the mean cross-entropy over all N·T positions.
    """

    def __init__(self, layers: OrderedDict, vocab_size: int, sizes: dict[str, Any]) -> None:
        super().__init__(layers, TimeSoftmaxWithLoss())
        self.vocab_size = vocab_size
        self.sizes = sizes
        self.input_dim = (35,)  # summary() shows a batch of 35 time steps
        self._last_start: dict[str, np.ndarray] = {}
        self._fixed_start: dict[str, np.ndarray] | None = None

    def architecture(self) -> dict[str, Any]:
        """The layers and the sizes the model was built with (stored by save_params)."""
        return {**super().architecture(), **self.sizes}

    # --- the book's interface --------------------------------------------------------------
    def predict(self, xs: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores (N, T, V) of the word after each position of xs (N, T) (integer ids); a
        1-D xs (T,) is one sequence, with scores (T, V) (``Network.predict``)."""
        if self._fixed_start is not None:
            set_recurrent_states(self, self._fixed_start)
        self._last_start = recurrent_states(self)
        return super().predict(xs, train_flg)

    def loss(self, xs: np.ndarray, ts: np.ndarray, train_flg: bool = False) -> float:
        """``Network.loss`` (what ``forward`` returns): the mean cross-entropy of the next
        words, for word ids xs (N, T) and the words that follow them, ts (N, T)."""
        # predict takes a 1-D xs as one sequence, but the loss of (T, V) scores against
        # ts (T,) would fail inside the loss layer, far from the argument that is wrong
        who = f"{type(self).__name__}.forward"
        for name, ids, ranks in (("xs", xs, (2,)), ("ts", ts, (2, 3))):  # ts: ids or one-hot
            if np.ndim(ids) not in ranks:
                one = (f" = (1, {np.shape(ids)[0]})" if np.ndim(ids) == 1 else "")
                raise ValueError(f"{who}: {name} must be a batch of word-id sequences of shape "
                                 f"(N, T); got shape {np.shape(ids)}. For one sentence pass a "
                                 f"batch of one, {name}[np.newaxis], of shape (1, T){one}")
        return super().loss(xs, ts, train_flg)

    def state_dict(self) -> dict[str, Any]:
        """``Network.state_dict`` and the hidden states the recurrent layers carry to the
        next batch (``carried``), so that a resumed run continues the stream exactly."""
        return {**super().state_dict(), "carried": recurrent_states(self)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` gave (ValueError, nothing changed, for another
        model's)."""
        super().load_state_dict(state)
        set_recurrent_states(self, {key: np.asarray(value)
                                    for key, value in state["carried"].items()})

    def reset_state(self) -> None:
        """Forget the hidden states: the next batch starts from zeros."""
        for _, layer in _recurrent_layers(self.layers):
            layer.reset_state()

    # --- checks and summaries that must not disturb the carried state --------------------
    @contextlib.contextmanager
    def _starting_from(self, states: dict[str, np.ndarray]) -> Iterator[None]:
        """Within the block every forward pass starts from ``states``; afterwards the model
        carries the state it carried before."""
        saved = recurrent_states(self)
        self._fixed_start = states
        try:
            yield
        finally:
            self._fixed_start = None
            set_recurrent_states(self, saved)

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray, train_flg: bool = True,
                           h: float = 1e-4) -> dict[str, np.ndarray]:
        """Central differences of the loss (``Network.numerical_gradient``), every evaluation
        starting from the state the last forward pass started from, so that they agree with
        the last ``gradient(x, t)``. The carried state is left as it was."""
        with self._starting_from(self._last_start):
            return super().numerical_gradient(x, t, train_flg, h)

    # --- generation --------------------------------------------------------------------------
    def generate(self, start_ids: int | Sequence[int] | np.ndarray,
                 skip_ids: Sequence[int] | None = None, sample_size: int = 100,
                 seed: int | np.random.Generator | None = None) -> list[int]:
        """A text of ``sample_size`` word ids (the book's ``generate``): ``start_ids`` (one id
        or several; all of them if there are more), then words sampled one at a time from
        the softmax of the model's scores, each fed back in.

        Words of ``skip_ids`` (e.g. an unknown-word token) are never sampled: their
        probability is set to 0 and the others renormalised. The model starts from a zero
        state and is left with one (``reset_state``); ``seed`` makes the text reproducible.
        """
        who = f"{type(self).__name__}.generate"
        start = np.atleast_1d(np.asarray(start_ids))
        if start.ndim != 1 or start.size == 0 or not np.issubdtype(start.dtype, np.integer):
            raise ValueError(f"{who}: start_ids must be a word id or a non-empty sequence of "
                             f"word ids (integers), got {start_ids!r}")
        skip = np.unique(np.asarray([] if skip_ids is None else skip_ids, dtype=np.int64))
        for name, ids in (("start_ids", start), ("skip_ids", skip)):
            if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
                bad = ids.min() if ids.min() < 0 else ids.max()
                raise ValueError(f"{who}: {name} holds {bad}, out of range for a vocabulary "
                                 f"of {self.vocab_size}: ids must lie in "
                                 f"0..{self.vocab_size - 1}")
        if skip.size >= self.vocab_size:
            raise ValueError(f"{who}: skip_ids holds every word of the vocabulary: nothing is "
                             "left to sample")
        sample_size = whole_number(sample_size, "sample_size", low=1, who=who)
        rng = np.random.default_rng(seed)
        words = [int(i) for i in start]
        self.reset_state()
        scores = self.predict(start[np.newaxis])[0, -1]
        while len(words) < sample_size:
            logits = scores.astype(np.float64)
            logits[skip] = -np.inf
            p = np.exp(logits - logits.max())
            word = int(rng.choice(self.vocab_size, p=p / p.sum()))
            words.append(word)
            if len(words) < sample_size:
                scores = self.predict(np.array([[word]]))[0, -1]
        self.reset_state()
        return words


def checked_sizes(who: str, vocab_size: int, wordvec_size: int,
                  hidden_size: int) -> tuple[int, int, int]:
    """The three sizes of a language model as positive whole numbers (ValueError naming
    ``who`` otherwise): vocabulary V, word vectors D, hidden state H."""
    return (whole_number(vocab_size, "vocab_size", who=who),
            whole_number(wordvec_size, "wordvec_size", who=who),
            whole_number(hidden_size, "hidden_size", who=who))


class Init:
    """The book's initial weights, drawn from one seeded generator: an embedding N(0, 0.01²),
    a matrix of n input rows N(0, 1/n) (Xavier), zero biases; all in ``dtype``."""

    def __init__(self, seed: int | None, dtype: Any) -> None:
        self.rng = np.random.default_rng(seed)
        self.dtype = dtype

    def embedding(self, v: int, d: int) -> np.ndarray:
        """An embedding table (v, d) drawn from N(0, 0.01²)."""
        return (self.rng.standard_normal((v, d)) / 100).astype(self.dtype)

    def xavier(self, rows: int, cols: int) -> np.ndarray:
        """A weight matrix (rows, cols) drawn from N(0, 1/rows)."""
        return (self.rng.standard_normal((rows, cols)) / np.sqrt(rows)).astype(self.dtype)

    def zeros(self, n: int) -> np.ndarray:
        """A bias (n,) of zeros."""
        return np.zeros(n, dtype=self.dtype)


class Rnnlm(RnnlmBase):
    """Embedding (V, D) -> TimeLSTM (hidden H, stateful) -> TimeAffine (H, V), softmax loss:
    the book's ``Rnnlm`` (chapter 6). Layer names ``embed``, ``lstm``, ``affine``."""

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 100,
                 hidden_size: int = 100, seed: int | None = None,
                 dtype: Any = np.float32) -> None:
        v, d, h = checked_sizes("Rnnlm", vocab_size, wordvec_size, hidden_size)
        init = Init(seed, dtype)
        layers = OrderedDict(
            embed=TimeEmbedding(init.embedding(v, d)),
            lstm=TimeLSTM(init.xavier(d, 4 * h), init.xavier(h, 4 * h), init.zeros(4 * h),
                          stateful=True),
            affine=TimeAffine(init.xavier(h, v), init.zeros(v)),
        )
        super().__init__(layers, v, {"vocab_size": v, "wordvec_size": d, "hidden_size": h})


__all__ = ["Init", "RnnlmBase", "Rnnlm", "checked_sizes", "recurrent_states",
           "set_recurrent_states"]
