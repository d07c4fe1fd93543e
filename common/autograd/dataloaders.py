"""Data loaders of the autograd (the third book's ``dezero.dataloaders``).

    for x, t in DataLoader(train_set, batch_size=30):    # one epoch per pass
        ...

``DataLoader`` gives the mini-batches of an epoch, every sample once (without
replacement), in a new order each epoch when ``shuffle``; ``SeqDataLoader`` gives, for
truncated backpropagation through time, ``batch_size`` samples read at evenly spaced
offsets of a sequence, one step further at each batch. Both are the project's batch
streams (``common.batches``: ``ShuffledBatches`` keeps the order and the position,
``SequentialWindows`` says where each row reads) with the book's observable behaviour: the
epoch's order is drawn by ``np.random.permutation`` when an epoch ends (and at the start),
so that the book's seeded programs draw the numbers the book's do; ``iteration``,
``max_iter``, ``reset()`` and ``next()`` are there. ``state_dict()`` and
``load_state_dict()`` continue an epoch where it was left, with the generator's state:
NumPy's global one by default (``common.batches.GlobalRandom``: loading the state sets it,
as the second book's ``Trainer`` does), or the loader's own with ``seed=`` (an int or a
Generator).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from common.autograd import cuda
from common.autograd.datasets import Dataset, stack_samples
from common.batches import GlobalRandom, SequentialWindows, ShuffledBatches
from common.validation import whole_number


class DataLoader:
    """Batches (x, t) of ``dataset`` (anything with ``len`` and ``dataset[i] -> (x, t)``):
    x (B, ...), t (B, ...), B = ``batch_size`` (the last batch of an epoch may be smaller).
    An epoch is ``max_iter`` = ⌈N / batch_size⌉ batches; iterating again starts the next."""

    def __init__(self, dataset: Any, batch_size: int, shuffle: bool = True,
                 gpu: bool = False, *, seed: int | np.random.Generator | None = None) -> None:
        """``seed``: the loader's own generator (an int or a Generator); None shares
        NumPy's global one, as the book's loader does."""
        who = type(self).__name__
        self.dataset = dataset
        self.batch_size = whole_number(batch_size, "batch_size", who=who)
        self.shuffle = bool(shuffle)
        self.data_size = len(dataset)
        if self.data_size == 0:
            raise ValueError(f"{who}: the data set is empty; there are no batches to make")
        self.max_iter = math.ceil(self.data_size / self.batch_size)
        self.gpu = gpu
        self.own_generator = seed is not None
        ids = np.arange(self.data_size)
        # the order of the epoch, the position in it and the generator that shuffles
        self._cursor = ShuffledBatches(ids, ids, self.batch_size,
                                       seed=seed if self.own_generator else GlobalRandom())
        self.reset()

    @property
    def iteration(self) -> int:
        """Batches of this epoch already given."""
        return self._cursor.position

    @property
    def index(self) -> np.ndarray:
        """This epoch's order of the samples."""
        return self._cursor.order

    def reset(self) -> None:
        """Start a new epoch: a new order (``np.random.permutation`` when shuffling)."""
        if self.shuffle:
            order = self._cursor.rng.permutation(self.data_size)
        else:
            order = np.arange(self.data_size)
        self._cursor.order, self._cursor.position = order, 0

    def __iter__(self) -> DataLoader:
        return self

    def _batch_index(self) -> np.ndarray:
        """The sample indices of the next batch (moves the position on)."""
        return next(self._cursor.indices())

    def __next__(self) -> tuple[Any, Any]:
        if self.iteration >= self.max_iter:
            self.reset()
            raise StopIteration
        return self._fetch(self._batch_index())

    def next(self) -> tuple[Any, Any]:
        """The next batch (StopIteration at the end of an epoch)."""
        return self.__next__()

    def _fetch(self, indices: np.ndarray) -> tuple[Any, Any]:
        if isinstance(self.dataset, Dataset):
            x, t = self.dataset.get_batch(indices)
        else:
            x, t = stack_samples([self.dataset[i] for i in indices])
        if self.gpu:
            x, t = cuda.as_cupy(x), cuda.as_cupy(t)
        return x, t

    def to_cpu(self) -> None:
        """Give NumPy batches."""
        self.gpu = False

    def to_gpu(self) -> None:
        """Give CuPy batches (needs CuPy)."""
        if not cuda.gpu_enable:
            cuda.as_cupy(np.zeros(1))  # the RuntimeError that says how to get CuPy
        self.gpu = True

    def state_dict(self) -> dict[str, Any]:
        """The epoch's order, the position in it and the generator's state (the global
        one's without ``seed=``)."""
        state = self._cursor.state_dict()
        if not self.shuffle:  # a loader that never draws keeps no generator's state
            state["rng"] = None
        return {**state, "shuffle": self.shuffle, "own_generator": self.own_generator}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue where ``state_dict`` was taken (ValueError for another data set or batch
        size, or a loader that shuffles otherwise; nothing changes then)."""
        who = f"{type(self).__name__}.load_state_dict"
        theirs = (bool(state["shuffle"]), bool(state["own_generator"]))
        if theirs != (self.shuffle, self.own_generator):
            def says(shuffle: bool, own: bool) -> str:
                return f"shuffle={shuffle} and {'its own' if own else 'the global'} generator"
            raise ValueError(f"{who}: the state is of a loader with {says(*theirs)}; this one "
                             f"has {says(self.shuffle, self.own_generator)} (seed=)")
        order = np.asarray(state["order"])
        if order.shape != (self.data_size,):
            raise ValueError(f"{who}: the state's order has {order.size} samples; this data set "
                             f"has {self.data_size}")
        rng = state["rng"] if self.shuffle else _current(self._cursor.rng)
        self._cursor.load_state_dict({**state, "rng": rng, "order": order.copy()})


def _current(rng: Any) -> Any:
    """The state of ``rng`` as it is now (setting it back changes nothing)."""
    return rng.state if isinstance(rng, GlobalRandom) else rng.bit_generator.state


class SeqDataLoader(DataLoader):
    """Batches for truncated BPTT: row i of batch k is sample (i · jump + k) mod N, jump =
    N // batch_size, so each row walks its own stretch of the sequence one step per batch;
    x (batch_size, ...), t (batch_size, ...). An epoch is ⌈N / batch_size⌉ batches, and
    each epoch starts again at the first step."""

    def __init__(self, dataset: Any, batch_size: int, gpu: bool = False) -> None:
        super().__init__(dataset, batch_size, shuffle=False, gpu=gpu)
        ids = np.arange(self.data_size)
        self._windows = SequentialWindows(ids, ids, self.batch_size, time_size=1)

    def _batch_index(self) -> np.ndarray:
        rows, _ = self._windows.window(self.iteration)  # (batch_size, 1) sample indices
        self._cursor.position += 1
        return rows[:, 0]
