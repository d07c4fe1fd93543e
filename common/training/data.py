"""What the Trainer checks before its first update, where its validation data come from,
how it reads the loss of a batch from any network, the book's own classes included, and
``EpochBatches``, which feeds ``IterationTrainer`` epochs of shuffled mini-batches.

A mistake in the data (785 features, a label of 10, a NaN) should stop training
at once with a message that says what is wrong, not after minutes of epochs or,
worse, never. ``check_dataset`` runs one forward pass on two samples and looks
at every label once: a few milliseconds for all of MNIST.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.util import train_test_split
from common.validation import check_finite, whole_number


def check_dataset(network: Any, x: np.ndarray, t: np.ndarray, name: str) -> None:
    """Raise ValueError, naming the set (``name``: 'train', 'validation', 'test'), unless
    x (N, ...) fits the network's input, holds finite numbers, and t holds N targets
    that the network's loss layer accepts (labels in range, one-hot of the right width)."""
    x_name, t_name = f"x_{name}", f"t_{name}"
    if np.ndim(x) == 0 or np.ndim(t) == 0:
        raise ValueError(f"{x_name} and {t_name} must be arrays with one row per sample")
    if len(x) != len(t):
        raise ValueError(f"{x_name} has {len(x)} samples but {t_name} has {len(t)} labels; "
                         "give one label per sample")
    if len(x) == 0:
        raise ValueError(f"{x_name} is empty: there is nothing to {name} on")
    check_finite(x, x_name)
    try:
        scores = network.predict(x[:2])
    except ValueError as err:
        raise ValueError(f"{x_name} of shape {np.shape(x)} does not fit the network: "
                         f"{err}") from None
    check_targets = getattr(getattr(network, "last_layer", None), "check_targets", None)
    if check_targets is not None:
        check_targets(t, (len(t), *np.shape(scores)[1:]), who=t_name)


def split_validation(x: np.ndarray, t: np.ndarray, size: float | int, seed: int | None
                     ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out ``size`` training samples (a number, or a fraction in (0, 1)) for
    validation, stratified by class and drawn with ``seed``; returns (train, validation).

    The draw uses its own stream of ``seed``, so it does not change the order in
    which the Trainer visits the remaining samples.
    """
    rng = np.random.default_rng(None if seed is None else [seed, 1])
    if isinstance(size, float) and 0 < size < 1:
        size = max(1, round(size * len(x)))  # exactly that share of all the samples
    try:
        return train_test_split(x, t, size, seed=rng, stratify=True)
    except ValueError as err:
        raise ValueError(f"validation_split: {err}") from None


def choose_validation(
    x_train: np.ndarray, t_train: np.ndarray, x_val: np.ndarray | None,
    t_val: np.ndarray | None, validation_split: float | int | None, seed: int | None,
    best_by: str | None, patience: int | None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[Any, Any], str | None]:
    """The Trainer's training and validation sets, and what chooses the parameters kept.

    Validation data come as (x_val, t_val) or as ``validation_split`` of the training
    set (see ``split_validation``). ``best_by`` None becomes 'validation' when there
    are validation data (and stays None, the final parameters, otherwise). Raises
    ValueError for 'test' (the test set never chooses), and for ``best_by='validation'``
    or ``patience`` without validation data.
    """
    if (x_val is None) != (t_val is None):
        raise ValueError("give both x_val and t_val, or neither")
    if x_val is not None and validation_split is not None:
        raise ValueError("give validation data either as x_val, t_val or as "
                         "validation_split, not both")
    if validation_split is not None:
        (x_train, t_train), (x_val, t_val) = split_validation(x_train, t_train,
                                                              validation_split, seed)
    has_val = x_val is not None
    if best_by == "test":
        raise ValueError("the test set must not choose the parameters (its accuracy would "
                         "be optimistic): give validation data (x_val and t_val, or "
                         "validation_split) and the best validation epoch is kept")
    if best_by not in (None, "validation", "train"):
        raise ValueError(f"best_by must be None, 'validation' or 'train', got {best_by!r}")
    if best_by == "validation" and not has_val:
        raise ValueError("best_by='validation' needs validation data: x_val and t_val, or "
                         "validation_split")
    if patience is not None and not has_val:
        raise ValueError("patience (early stopping) needs validation data: x_val and t_val, "
                         "or validation_split")
    return (x_train, t_train), (x_val, t_val), best_by or ("validation" if has_val else None)


def last_loss(network: Any, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
    """The loss of the forward pass that ``network.gradient(x_batch, t_batch)`` just ran.

    A library network keeps it (``last_loss``); the book's classes leave it in their loss
    layer (``last_layer.loss``, or ``lastLayer.loss`` in the book's chapter 5), so a second
    forward pass is needed only when such a network adds a weight-decay penalty to it.
    """
    loss = getattr(network, "last_loss", None)
    if loss is not None:
        return float(loss)
    last_layer = getattr(network, "last_layer", None) or getattr(network, "lastLayer", None)
    kept = getattr(last_layer, "loss", None)
    if kept is not None and not getattr(network, "weight_decay_lambda", 0):
        return float(kept)
    return float(network.loss(x_batch, t_batch))


class EpochBatches:
    """A ``next_batch(rng)`` for ``IterationTrainer`` that goes through a data set in
    epochs, as ``Trainer`` does: every sample once per epoch, in a new random order each
    epoch, ``batch_size`` samples at a time.

    ``x`` (N, ...) and ``t`` (N, ...) are the samples and their targets, e.g. CBOW's
    contexts (N, 2·window) and target words (N,). Each call returns ``(x[batch],
    t[batch])``, each of ``batch_size`` rows; the order of an epoch is drawn from the
    trainer's generator when the epoch begins, so a seed gives the same batches. The
    last ``N % batch_size`` samples of an epoch's order are left out (every batch is full,
    every step the same size), different ones each epoch. ``per_epoch`` is the number of
    batches of an epoch: ``epochs * per_epoch`` iterations are whole epochs.

    The position in the epoch lives in this object, not in a trainer's checkpoint: a run
    resumed from one starts a new epoch.
    """

    def __init__(self, x: np.ndarray, t: np.ndarray, batch_size: int) -> None:
        whole_number(batch_size, "batch_size", who="EpochBatches")
        if len(x) != len(t):
            raise ValueError(f"EpochBatches: x has {len(x)} samples but t has {len(t)} "
                             "targets; give one target per sample")
        if len(t) == 0:
            raise ValueError("EpochBatches: there are no samples to make batches of")
        self.x, self.t = x, t
        # a data set smaller than a batch is one batch of all of it
        self.batch_size = min(batch_size, len(t))
        self.per_epoch = len(t) // self.batch_size
        self.order: np.ndarray | None = None
        self.position = 0  # batches of the current epoch already given

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The next batch: x (batch_size, ...) and t (batch_size, ...), a new random order
        of all the samples drawn from ``rng`` whenever an epoch begins."""
        if self.order is None or self.position == self.per_epoch:
            self.order, self.position = rng.permutation(len(self.t)), 0
        start = self.position * self.batch_size
        batch = self.order[start:start + self.batch_size]
        self.position += 1
        return self.x[batch], self.t[batch]

    def epoch_means(self, values: list[float] | np.ndarray) -> list[float]:
        """The mean of each epoch's share of per-step ``values`` (e.g. ``IterationTrainer``'s
        ``history['loss']``), ``per_epoch`` steps each; the last epoch may be incomplete (a
        run stopped with Ctrl-C)."""
        values = np.asarray(values, dtype=np.float64)
        return [float(values[i:i + self.per_epoch].mean())
                for i in range(0, len(values), self.per_epoch)]
