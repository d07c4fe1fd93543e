"""The first book's ``Trainer``, a face over the one training loop (``common.training.loop``):
shuffled epochs (``ShuffledBatches``), the accuracies after each (``Evaluate``), the book's
attribute names; the network trained through ``common.nets.book_network``. Its data are
checked before the first update (``common.validation.check_dataset``: 785 features, a label
of 10, a NaN stop it at once with a message that says what is wrong).

What the book's ``Trainer`` does not do (validation data and the best epoch, early stopping,
checkpoints) a program adds by building its run from the loop and its hooks, as
``ch_mnist`` does (``docs/guide/trainer.md``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from common.batches import ShuffledBatches
from common.nets.book_network import BookNetwork
from common.optim.base import make_optimizer
from common.training.hooks import EpochProgress, Evaluate, KeepLastFinite, accuracies
from common.training.loop import Loop
from common.validation import check_dataset, whole_number


class Trainer:
    """Trains ``network`` on (x_train, t_train) for ``epochs`` epochs of mini-batches, every
    sample once per epoch in a new random order (``seed``), and measures it after every
    epoch on the first ``evaluate_sample_num_per_epoch`` samples of each set:
    ``train_loss_list`` (every step), ``train_acc_list``, ``test_acc_list`` (at
    ``eval_epochs``). ``optimizer``: a name ('sgd', 'Adam', ...; built with
    ``optimizer_param``) or an object with ``update(params, grads)``.

    The data are checked before the first update; a NaN loss ends the run with the last
    finite parameters (``diverged``, ``stop_reason``); Ctrl-C ends it after the current
    batch (``interrupted``). The test set is only watched: the network ends with the
    parameters of the last step.
    """

    def __init__(self, network: Any, x_train: np.ndarray, t_train: np.ndarray,
                 x_test: np.ndarray, t_test: np.ndarray, epochs: int = 20,
                 mini_batch_size: int = 100, optimizer: str | Any = "SGD",
                 optimizer_param: dict[str, float] | None = None,
                 evaluate_sample_num_per_epoch: int | None = None, seed: int | None = None,
                 verbose: bool = True) -> None:
        whole_number(epochs, "epochs", 0, who="Trainer")
        whole_number(mini_batch_size, "mini_batch_size", 1, who="Trainer")
        model = BookNetwork(network)
        sets = {"train": (x_train, t_train), "test": (x_test, t_test)}
        for name, (x, t) in sets.items():
            check_dataset(network, model.last_layer, x, t, name)
        if isinstance(optimizer, str):
            optimizer = make_optimizer(optimizer, **(optimizer_param or {"lr": 0.01}))
        self.network, self.optimizer, self.verbose = network, optimizer, verbose
        self.x_train, self.t_train, self.epochs = x_train, t_train, epochs
        self.batches = ShuffledBatches(x_train, t_train, mini_batch_size, seed=seed)
        self.batch_size, self.train_size = self.batches.batch_size, len(x_train)
        self.iter_per_epoch = len(self.batches)
        # everything that defines the network's function: weights and running statistics
        state = {**network.params, **model.buffers}
        hooks = [KeepLastFinite(state, loss=lambda batch: network.loss(*batch)),
                 Evaluate(accuracies(network, sets, evaluate_sample_num_per_epoch),
                          every_epochs=1, report=verbose)]
        if verbose:  # before Evaluate: its line replaces the progress line of the epoch
            hooks.insert(1, EpochProgress(len(self.batches), mini_batch_size, len(x_train)))
        self.loop = Loop(model, optimizer, self.batches, epochs, hooks=hooks)
        # the book's names for the loop's records (the same lists, appended as it trains)
        self.train_loss_list = self.loop.losses
        self.train_acc_list, self.test_acc_list, self.eval_epochs = (
            self.loop.history.setdefault(name, []) for name in ("train_acc", "test_acc",
                                                                 "eval_epoch"))

    def train(self) -> None:
        """Run the epochs (or until divergence or Ctrl-C), printing a line per epoch."""
        self.loop.run()
        if self.verbose and self.loop.stop_reason:
            kept = "; the network keeps the last parameters with a finite loss"
            print(self.loop.stop_message() + (kept if self.diverged else ""), flush=True)

    def train_step(self, batch_indices: np.ndarray) -> float:
        """One update on the training samples at ``batch_indices``; returns its loss."""
        return self.loop.step((self.x_train[batch_indices], self.t_train[batch_indices]))

    # --- the loop's counters and flags under the book's names ---------------------------------
    current_iter = property(lambda self: self.loop.iteration, doc="Updates made.")
    updates = current_iter
    current_epoch = property(lambda self: self.loop.epoch, doc="Epochs completed.")
    seconds = property(lambda self: self.loop.seconds, doc="Seconds of training.")
    diverged = property(lambda self: self.loop.diverged, doc="Whether the loss became NaN/inf.")
    interrupted = property(lambda self: self.loop.interrupted, doc="Whether Ctrl-C stopped it.")
    stop_reason = property(lambda self: self.loop.stop_reason or "",
                           doc="Why it stopped before its last epoch, or ''.")
