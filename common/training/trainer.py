"""Mini-batch training of a network, epoch by epoch: progress, validation, early stopping,
checkpoints, and a clean stop on Ctrl-C."""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np

from common.optim import make_optimizer
from common.training import trainer_report as report
from common.training.checkpoint import check_checkpointable
from common.training.data import check_dataset, choose_validation, last_loss
from common.training.interrupt import StopRequest, stop_on_interrupt
from common.training.progress import EpochProgress
from common.training.trainer_checkpoint import copy_into as _copy_into
from common.training.trainer_checkpoint import resume_trainer, save_trainer, trainer_settings
from common.validation import whole_number


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite."""


class Trainer:
    """Trains ``network`` on (x_train, t_train) with mini-batches, evaluating on (x_test, t_test).

    Each epoch visits every training sample exactly once, in a new random order
    (``seed``); the last mini-batch of an epoch may be smaller. Records the loss
    of every iteration (``train_loss_list``) and, after every ``evaluate_every``-th
    epoch and the last, the accuracy on the first ``evaluate_sample_num_per_epoch``
    samples of each set (all of them when None) in ``train_acc_list``,
    ``val_acc_list`` and ``test_acc_list`` (the epochs in ``eval_epochs``), printing
    a progress line when ``verbose`` (and, in epochs longer than a few seconds, the
    batches done, samples per second and the epoch's ETA as it goes: see
    ``EpochProgress``). Full-batch training is ``mini_batch_size=len(x_train)``:
    one update per epoch.

    ``optimizer`` is a name ('sgd', 'Adam', ...; case-insensitive, built with
    ``optimizer_param``) or an object with ``update(params, grads)``.

    Which parameters the network ends with: the test set is measured, for the
    curves, but never chooses anything. Without validation data training ends
    with the final parameters, as the book's Trainer does. Validation data,
    (``x_val``, ``t_val``) or ``validation_split`` (a number of training samples, or
    a fraction, held out stratified by class and drawn with ``seed``), make the
    Trainer keep the parameters of the epoch with the best validation accuracy
    (``best_params``, ``best_epoch``, ``best_acc``, with the batch-norm running
    statistics that belong to them) and, given ``patience``, stop early after that
    many evaluations without improvement. ``best_by='train'`` chooses by training
    accuracy instead. ``params_from`` says in words which parameters were kept.

    The data are checked against the network before the first update (feature
    count, finite values, one valid label per sample): see ``check_dataset``.
    If the loss becomes NaN or inf, training stops, the network gets back the
    last parameters whose loss was finite, ``diverged`` is set and ``stop_reason``
    says what happened. Ctrl-C stops training after the current mini-batch
    (``interrupted``), keeping the best or the last parameters; a second Ctrl-C
    raises KeyboardInterrupt at once.

    ``checkpoint`` (a path): the state of the run is written there every
    ``checkpoint_every`` iterations, on Ctrl-C and at the end; ``resume(path)`` continues
    it exactly, even mid-epoch (``common.training.trainer_checkpoint``).
    """

    def __init__(
        self,
        network: Any,
        x_train: np.ndarray,
        t_train: np.ndarray,
        x_test: np.ndarray,
        t_test: np.ndarray,
        epochs: int = 20,
        mini_batch_size: int = 100,
        optimizer: str | Any = "SGD",
        optimizer_param: dict[str, float] | None = None,
        evaluate_sample_num_per_epoch: int | None = None,
        seed: int | None = None,
        verbose: bool = True,
        best_by: str | None = None,
        evaluate_every: int = 1,
        x_val: np.ndarray | None = None,
        t_val: np.ndarray | None = None,
        validation_split: float | int | None = None,
        patience: int | None = None,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int = 250,
        checkpoint_config: dict | None = None,
    ) -> None:
        for name, value, low in (("mini_batch_size", mini_batch_size, 1), ("epochs", epochs, 0),
                                 ("evaluate_every", evaluate_every, 1),
                                 ("checkpoint_every", checkpoint_every, 1),
                                 ("patience", 1 if patience is None else patience, 1)):
            whole_number(value, name, low, who="Trainer")
        (x_train, t_train), (x_val, t_val), best_by = choose_validation(
            x_train, t_train, x_val, t_val, validation_split, seed, best_by, patience)
        for name, x, t in (("train", x_train, t_train), ("val", x_val, t_val),
                           ("test", x_test, t_test)):
            if x is not None:
                check_dataset(network, x, t, name)
        self.network = network
        self.x_train, self.t_train = x_train, t_train
        self.x_val, self.t_val = x_val, t_val
        self.x_test, self.t_test = x_test, t_test
        self.patience = patience
        self.epochs = epochs
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose = verbose
        self.best_by = best_by
        self.evaluate_every = evaluate_every
        self.rng = np.random.default_rng(seed)
        if isinstance(optimizer, str):
            optimizer = make_optimizer(optimizer, **(optimizer_param or {"lr": 0.01}))
        self.optimizer = optimizer

        self.train_size = x_train.shape[0]
        self.iter_per_epoch = math.ceil(self.train_size / mini_batch_size)
        self.max_iter = self.epochs * self.iter_per_epoch
        self.progress = EpochProgress(self.iter_per_epoch) if verbose else None
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.test_acc_list: list[float] = []
        self.val_acc_list: list[float] = []
        self.eval_epochs: list[int] = []
        self.best_params: dict[str, np.ndarray] | None = None
        self.best_acc = -1.0
        self.best_epoch = 0
        self.diverged = False
        self.interrupted = False
        self.stopped_early = False
        self.stop_reason = ""
        self.updates = 0  # optimizer steps taken
        self._last_batch: np.ndarray | None = None
        self.seconds = 0.0  # time spent in train()
        self.checkpoint = checkpoint
        if checkpoint is not None:
            check_checkpointable(self.optimizer)
        self.checkpoint_every = checkpoint_every
        self.config = {"trainer": trainer_settings(self), **(checkpoint_config or {})}
        self._order: np.ndarray | None = None  # this epoch's order of the samples
        self._start_epoch = 0  # the epoch train() began at (> 0 after resume)
        # everything that defines the network's function: weights, and running statistics
        self._state = {**network.params, **getattr(network, "buffers", {})}
        self._last_good = {key: p.copy() for key, p in self._state.items()}

    def _step_loss(self, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
        """One optimizer step; returns the loss of its forward pass (before the update)."""
        grads = self.network.gradient(x_batch, t_batch)
        loss = last_loss(self.network, x_batch, t_batch)
        if math.isfinite(loss):
            # these parameters gave a finite loss: remember them before they change
            _copy_into(self._last_good, self._state)
            self.optimizer.update(self.network.params, grads)
            self.updates += 1
        return float(loss)

    def train_step(self, batch_indices: np.ndarray) -> float:
        """Train on the samples at ``batch_indices``; returns the batch loss."""
        self._last_batch = batch_indices
        loss = self._step_loss(self.x_train[batch_indices], self.t_train[batch_indices])
        self.train_loss_list.append(loss)
        self.current_iter += 1
        if not math.isfinite(loss):
            raise TrainingDiverged(
                f"the training loss became {loss} at iteration {self.current_iter} (epoch "
                f"{self.current_epoch + 1}); the step size is probably too large: lower the "
                "learning rate. The network keeps the last parameters with a finite loss."
            )
        return loss

    def _evaluate(self) -> None:
        """Record the accuracy on (the first ``evaluate_sample_num_per_epoch`` samples of)
        each set, and keep the parameters if they are the best so far."""
        n = self.evaluate_sample_num_per_epoch
        self.eval_epochs.append(self.current_epoch)
        for x, t, record in ((self.x_train, self.t_train, self.train_acc_list),
                             (self.x_val, self.t_val, self.val_acc_list),
                             (self.x_test, self.t_test, self.test_acc_list)):
            if x is not None:
                record.append(self.network.accuracy(x[:n], t[:n]))
        if self.best_by is None:
            return
        score = (self.val_acc_list if self.best_by == "validation" else self.train_acc_list)[-1]
        if score > self.best_acc:
            self.best_acc, self.best_epoch = score, self.current_epoch
            self.best_params = {key: p.copy() for key, p in self._state.items()}

    def train_epoch(self, stop: StopRequest | None = None) -> bool:
        """One pass over every training sample in a new random order, then an evaluation
        if this epoch is due for one; returns whether it was evaluated. When ``stop`` is
        requested (Ctrl-C), the epoch ends after the current mini-batch, unevaluated."""
        if self._order is None:  # a new epoch, not one resumed from a checkpoint midway
            self._order = self.rng.permutation(self.train_size)
        done = self.current_iter - self.current_epoch * self.iter_per_epoch  # batches so far
        if self.progress:
            self.progress.start(self.current_epoch + 1)
        for batch, start in enumerate(range(done * self.batch_size, self.train_size,
                                            self.batch_size), start=done + 1):
            self.train_step(self._order[start:start + self.batch_size])
            if self.progress:
                self.progress.update(batch, min(start + self.batch_size, self.train_size))
            if self.checkpoint is not None and self.current_iter % self.checkpoint_every == 0:
                self.save_checkpoint()
            if stop is not None and stop.requested:
                break
        if self.progress:
            self.progress.finish()
        if stop is not None and stop.requested:
            return False
        self._order = None
        self.current_epoch += 1
        if self.current_epoch % self.evaluate_every and self.current_epoch != self.epochs:
            return False
        self._evaluate()
        return True

    def _last_batch_loss_is_finite(self) -> bool:
        """Whether the loss of the last mini-batch, with the final parameters, is finite."""
        with np.errstate(over="ignore", invalid="ignore"):
            loss = self.network.loss(self.x_train[self._last_batch], self.t_train[self._last_batch])
        return math.isfinite(loss)

    def _stop(self, reason: str) -> None:
        """Give the network its last parameters with a finite loss, and say why."""
        self.diverged = True
        self.stop_reason = reason
        _copy_into(self._state, self._last_good)
        if self.verbose:
            print(f"Training stopped: {reason}")

    def _out_of_patience(self) -> bool:
        """Whether the last ``patience`` evaluations brought no better validation accuracy."""
        if self.patience is None or not self.eval_epochs:
            return False
        since_best = len(self.eval_epochs) - 1 - self.eval_epochs.index(self.best_epoch)
        return since_best >= self.patience

    def train(self) -> None:
        """Run the epochs (or until early stopping or Ctrl-C), print a line per evaluation,
        and finish with the parameters described by ``params_from``."""
        start = time.perf_counter()
        self._start_epoch = self.current_epoch
        with stop_on_interrupt() as stop:
            while self.current_epoch < self.epochs:
                try:
                    # overflow on the way to a NaN loss is reported below, in one clear message
                    with np.errstate(over="ignore", invalid="ignore"):
                        evaluated = self.train_epoch(stop)
                except TrainingDiverged as err:
                    self._stop(str(err))
                    break
                if self.verbose and evaluated:
                    print(report.epoch_line(self, time.perf_counter() - start), flush=True)
                if stop.requested:
                    self.interrupted = True
                    self.stop_reason = report.interruption_reason(self)
                    break
                if evaluated and self._out_of_patience():
                    self.stopped_early = True
                    self.stop_reason = report.early_stop_reason(self)
                    break
        if (not self.diverged and self.updates and self._last_batch is not None
                and not self._last_batch_loss_is_finite()):
            # the very last update overflowed: no later step was there to notice it
            self._stop("the last update made the loss overflow; lower the learning rate")
        if self.checkpoint is not None and not self.diverged:
            self.save_checkpoint()  # on Ctrl-C, early stopping and at the end
        if self.best_params is not None and not self.diverged:
            _copy_into(self._state, self.best_params)
        self.seconds = time.perf_counter() - start
        if self.verbose and (self.interrupted or self.stopped_early):
            print(self.stop_reason[0].upper() + self.stop_reason[1:])
        if self.verbose and self.best_params is not None and not self.diverged:
            print(f"kept the parameters {self.params_from}")

    def save_checkpoint(self, path: str | os.PathLike | None = None) -> None:
        """Write the state of the run to ``path`` (default: ``checkpoint``), atomically."""
        save_trainer(self, path if path is not None else self.checkpoint)

    def resume(self, path: str | os.PathLike) -> None:
        """Continue the run checkpointed in ``path``: restores the network, the optimizer,
        the random generators, the curves and the position in the epoch. Raises
        ValueError, changing nothing, for a damaged checkpoint or one of another run."""
        resume_trainer(self, path)

    @property
    def kept(self) -> str:
        """Which parameters the network holds after ``train``: 'last_finite' (training
        diverged), 'best_validation' or 'best_train' (the best epoch), 'at_interruption'
        (Ctrl-C) or 'final'."""
        return report.kept(self)

    @property
    def params_from(self) -> str:
        """``kept`` in words, with its epoch or iteration."""
        return report.params_from(self)
