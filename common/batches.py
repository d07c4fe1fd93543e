"""Batch streams: plain iterables of (x, t) batches that the training loop (``fit``) reads.

    for x, t in ShuffledBatches(x_train, t_train, batch_size=100, seed=0):   # one epoch
        ...

Iterating a stream gives the rest of its current epoch; the next ``for`` gives the next
epoch. Each stream keeps its own position and random generator, and gives them as a
``state_dict()``, so a run resumed from a checkpoint reads the very batches the
uninterrupted run would have read, even from the middle of an epoch.

- ``ShuffledBatches``: every sample once per epoch, in a new random order each epoch
  (drawn without replacement, as the book's ``Trainer`` should);
- ``SequentialWindows``: a stream of word ids cut into ``batch_size`` rows that move
  forward together ``time_size`` steps at a time, for truncated backpropagation through
  time (the second book's ``get_batch``);
- ``RandomWindows``: windows of a text drawn at random places, endlessly (``ch_gpt``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from common.validation import whole_number

Batch = tuple[np.ndarray, np.ndarray]


class GlobalRandom:
    """NumPy's global generator (the one ``np.random.seed`` seeds) as a stream draws from
    it: ``permutation(n)`` is ``np.random.permutation(n)``, and ``state`` its state. The
    second book's ``Trainer`` shuffles with it, and its programs seed it
    (``dataset.sequence.load_data`` does) to get the same batches every run."""

    def permutation(self, n: int) -> np.ndarray:
        """A random order of 0..n-1, drawn from the global generator."""
        return np.random.permutation(n)

    @property
    def state(self) -> dict[str, Any]:
        """The global generator's state (``np.random.get_state(legacy=False)``)."""
        return np.random.get_state(legacy=False)

    @state.setter
    def state(self, value: dict[str, Any]) -> None:
        np.random.set_state(value)


Source = int | np.random.Generator | GlobalRandom | None


def _generator(seed: Source) -> np.random.Generator | GlobalRandom:
    if isinstance(seed, (np.random.Generator, GlobalRandom)):
        return seed
    return np.random.default_rng(seed)


def _state(rng: np.random.Generator | GlobalRandom) -> Any:
    return rng.state if isinstance(rng, GlobalRandom) else rng.bit_generator.state


def _set_state(rng: np.random.Generator | GlobalRandom, state: Any) -> None:
    if isinstance(rng, GlobalRandom):
        rng.state = state
    else:
        rng.bit_generator.state = state


def _check_pairs(x: Any, t: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0 or len(x) != len(t):
        raise ValueError(f"{who}: x has {len(np.atleast_1d(x))} samples but t has "
                         f"{len(np.atleast_1d(t))} targets; give one target per sample")
    if len(x) == 0:
        raise ValueError(f"{who}: there are no samples to make batches of")
    return x, t


class ShuffledBatches:
    """Epochs of mini-batches: x[i], t[i] for the indices i of each batch, every sample once
    per epoch in a new random order (``seed``: an int, a Generator, ``GlobalRandom()`` for
    NumPy's global generator, or None).

    x (N, ...), t (N, ...). With ``drop_last`` every batch is full and the last
    N % batch_size samples of an epoch's order wait for another epoch; otherwise the last
    batch of an epoch may be smaller. ``len()`` is the number of batches of an epoch.
    """

    def __init__(self, x: Any, t: Any, batch_size: int,
                 seed: Source = None, drop_last: bool = False) -> None:
        self.x, self.t = _check_pairs(x, t, "ShuffledBatches")
        # a data set smaller than a batch is one batch of all of it
        self.batch_size = min(whole_number(batch_size, "batch_size", who="ShuffledBatches"),
                              len(self.t))
        self.drop_last = drop_last
        self.rng = _generator(seed)
        self.order: np.ndarray | None = None  # this epoch's order of the samples
        self.position = 0                     # batches of this epoch already given

    def __len__(self) -> int:
        n, b = len(self.t), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def indices(self) -> Iterator[np.ndarray]:
        """The indices of the rest of this epoch's batches (a new order when one begins)."""
        if self.order is None:
            self.order, self.position = self.rng.permutation(len(self.t)), 0
        while self.position < len(self):
            start = self.position * self.batch_size
            self.position += 1
            yield self.order[start:start + self.batch_size]
        self.order = None

    def __iter__(self) -> Iterator[Batch]:
        for batch in self.indices():
            yield self.x[batch], self.t[batch]

    def state_dict(self) -> dict[str, Any]:
        """The generator's state, this epoch's order and the position in it."""
        return {"rng": _state(self.rng), "position": self.position,
                "order": self.order, "size": len(self.t), "batch_size": self.batch_size}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue where ``state_dict`` was taken (ValueError for another data set)."""
        if (state["size"], state["batch_size"]) != (len(self.t), self.batch_size):
            raise ValueError(f"the batches were of {state['size']} samples, "
                             f"{state['batch_size']} at a time; these are of {len(self.t)}, "
                             f"{self.batch_size} at a time")
        _set_state(self.rng, state["rng"])
        self.order, self.position = state["order"], int(state["position"])


class SequentialWindows:
    """Truncated-BPTT batches of a stream of ids: (xs, ts), each (batch_size, time_size).

    Row i of a batch reads positions (i · jump + offset + k) mod len(xs), k < time_size,
    jump = len(xs) // batch_size, and ``offset`` moves on ``time_size`` steps per batch:
    row i of a batch continues where row i of the one before stopped, so a stateful
    recurrent layer carries its hidden state across batches (the second book's
    ``get_batch``). An epoch is len(xs) // (batch_size · time_size) batches.
    """

    def __init__(self, xs: Any, ts: Any, batch_size: int, time_size: int) -> None:
        self.xs, self.ts = _check_pairs(xs, ts, "SequentialWindows")
        self.batch_size = whole_number(batch_size, "batch_size", who="SequentialWindows")
        self.time_size = whole_number(time_size, "time_size", who="SequentialWindows")
        self.offset = 0    # time steps into the stream of the next batch
        self.position = 0  # batches of this epoch already given

    def __len__(self) -> int:
        return len(self.xs) // (self.batch_size * self.time_size)

    def window(self, offset: int) -> Batch:
        """The batch that starts ``offset`` steps into the stream."""
        jump = len(self.xs) // self.batch_size
        rows = (np.arange(self.batch_size)[:, np.newaxis] * jump + offset
                + np.arange(self.time_size)) % len(self.xs)
        return self.xs[rows], self.ts[rows]

    def __iter__(self) -> Iterator[Batch]:
        while self.position < len(self):
            batch = self.window(self.offset)
            self.offset += self.time_size
            self.position += 1
            yield batch
        self.position = 0

    def state_dict(self) -> dict[str, Any]:
        """The offset into the stream and the position in the epoch."""
        return {"offset": self.offset, "position": self.position, "size": len(self.xs)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue where ``state_dict`` was taken (ValueError for another stream)."""
        if state["size"] != len(self.xs):
            raise ValueError(f"the stream had {state['size']} ids; this one has {len(self.xs)}")
        self.offset, self.position = int(state["offset"]), int(state["position"])


class RandomWindows:
    """Endless batches of ``batch_size`` windows of ``context`` consecutive ids of ``ids``,
    each starting at a random place (``seed``): x (N, T) int64 and t (N, T), the same
    windows shifted by one id (t[n, i] follows x[n, i]). Train on it for a number of steps."""

    def __init__(self, ids: Any, batch_size: int, context: int,
                 seed: int | np.random.Generator | None = None) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self.batch_size = whole_number(batch_size, "batch_size", who="RandomWindows")
        self.context = whole_number(context, "context", who="RandomWindows")
        if len(self.ids) < context + 1:
            raise ValueError(f"RandomWindows: a text of {len(self.ids)} ids is too short for "
                             f"windows of {context} with their targets: it needs at least "
                             f"{context + 1}")
        self.rng = (seed if isinstance(seed, np.random.Generator)
                    else np.random.default_rng(seed))

    def __iter__(self) -> Iterator[Batch]:
        while True:
            starts = self.rng.integers(0, len(self.ids) - self.context, size=self.batch_size)
            windows = self.ids[starts[:, np.newaxis] + np.arange(self.context + 1)]
            yield windows[:, :-1], windows[:, 1:]

    def state_dict(self) -> dict[str, Any]:
        """The generator's state."""
        return {"rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue with the windows the run would have drawn next."""
        self.rng.bit_generator.state = state["rng"]
