"""Mini-batch training of a network, epoch by epoch, with progress and the best parameters."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from common.optimizer import make_optimizer
from common.progress import EpochProgress, format_seconds


class TrainingDiverged(RuntimeError):
    """The training loss became NaN or infinite."""


def _copy_into(params: dict[str, np.ndarray], values: dict[str, np.ndarray]) -> None:
    """Write ``values`` into the existing parameter arrays, so the layers see them."""
    for key, p in params.items():
        np.copyto(p, values[key])


class Trainer:
    """Trains ``network`` on (x_train, t_train) with mini-batches, evaluating on (x_test, t_test).

    Each epoch visits every training sample exactly once, in a new random order
    (``seed``); the last mini-batch of an epoch may be smaller. Records the loss
    of every iteration (``train_loss_list``) and, after every ``evaluate_every``-th
    epoch and the last, the accuracy on the first ``evaluate_sample_num_per_epoch``
    samples of both sets (all of them when None) in ``train_acc_list`` and
    ``test_acc_list`` (the epochs in ``eval_epochs``), printing a progress line
    when ``verbose`` (and, in epochs longer than a few seconds, the batches done,
    samples per second and the epoch's ETA as it goes: see ``EpochProgress``).
    Full-batch training is ``mini_batch_size=len(x_train)``:
    one update per epoch.

    ``optimizer`` is a name ('sgd', 'Adam', ...; case-insensitive, built with
    ``optimizer_param``) or an object with ``update(params, grads)``.
    The parameters of the epoch with the highest accuracy on ``best_by``
    ('test' or 'train'; None keeps the final parameters) are kept in
    ``best_params`` (with the network's ``buffers``, the batch-norm running
    statistics, that belong to them) and written back into the network when
    training ends. If the loss becomes NaN or inf, training stops, the network
    gets back the last parameters whose loss was finite, ``diverged`` is set and
    ``stop_reason`` says what happened (also printed when ``verbose``).
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
        best_by: str | None = "test",
        evaluate_every: int = 1,
    ) -> None:
        if len(x_train) != len(t_train) or len(x_test) != len(t_test):
            raise ValueError(
                f"samples and labels differ in number: train {len(x_train)} vs {len(t_train)}, "
                f"test {len(x_test)} vs {len(t_test)}"
            )
        if mini_batch_size < 1 or epochs < 0 or evaluate_every < 1:
            raise ValueError("mini_batch_size and evaluate_every must be >= 1, epochs >= 0")
        if best_by not in ("test", "train", None):
            raise ValueError(f"best_by must be 'test', 'train' or None, got {best_by!r}")
        self.network = network
        self.x_train, self.t_train = x_train, t_train
        self.x_test, self.t_test = x_test, t_test
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
        self.eval_epochs: list[int] = []
        self.best_params: dict[str, np.ndarray] | None = None
        self.best_acc = -1.0
        self.best_epoch = 0
        self.diverged = False
        self.stop_reason = ""
        self.updates = 0  # optimizer steps taken
        self._last_batch: np.ndarray | None = None
        self.seconds = 0.0  # time spent in train()
        # everything that defines the network's function: weights, and running statistics
        self._state = {**network.params, **getattr(network, "buffers", {})}
        self._last_good = {key: p.copy() for key, p in self._state.items()}

    def _step_loss(self, x_batch: np.ndarray, t_batch: np.ndarray) -> float:
        """One optimizer step; returns the loss of its forward pass (before the update)."""
        grads = self.network.gradient(x_batch, t_batch)
        loss = getattr(self.network, "last_loss", None)
        if loss is None:  # a network of the book's kind, which does not keep it
            loss = self.network.loss(x_batch, t_batch)
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

    def _evaluate(self) -> tuple[float, float]:
        n = self.evaluate_sample_num_per_epoch
        x_tr, t_tr, x_te, t_te = self.x_train, self.t_train, self.x_test, self.t_test
        if n is not None:
            x_tr, t_tr, x_te, t_te = x_tr[:n], t_tr[:n], x_te[:n], t_te[:n]
        return self.network.accuracy(x_tr, t_tr), self.network.accuracy(x_te, t_te)

    def train_epoch(self) -> bool:
        """One pass over every training sample in a new random order, then an evaluation
        if this epoch is due for one; returns whether it was evaluated."""
        order = self.rng.permutation(self.train_size)
        if self.progress:
            self.progress.start(self.current_epoch + 1)
        for batch, start in enumerate(range(0, self.train_size, self.batch_size), start=1):
            self.train_step(order[start:start + self.batch_size])
            if self.progress:
                self.progress.update(batch, min(start + self.batch_size, self.train_size))
        if self.progress:
            self.progress.finish()
        self.current_epoch += 1
        if self.current_epoch % self.evaluate_every and self.current_epoch != self.epochs:
            return False
        train_acc, test_acc = self._evaluate()
        self.eval_epochs.append(self.current_epoch)
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        if self.best_by is None:
            return True
        score = test_acc if self.best_by == "test" else train_acc
        if score > self.best_acc:
            self.best_acc, self.best_epoch = score, self.current_epoch
            self.best_params = {key: p.copy() for key, p in self._state.items()}
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

    def train(self) -> None:
        """Run all epochs, print a line per evaluation, and finish with the best parameters."""
        start = time.perf_counter()
        for epoch in range(1, self.epochs + 1):
            try:
                # overflow on the way to a NaN loss is reported below, in one clear message
                with np.errstate(over="ignore", invalid="ignore"):
                    evaluated = self.train_epoch()
            except TrainingDiverged as err:
                self._stop(str(err))
                break
            if self.verbose and evaluated:
                elapsed = time.perf_counter() - start
                eta = elapsed / epoch * (self.epochs - epoch)
                recent = self.train_loss_list[-self.iter_per_epoch * self.evaluate_every:]
                print(
                    f"epoch {epoch}/{self.epochs}  loss {np.mean(recent):.4f}  "
                    f"train acc {self.train_acc_list[-1]:.4f}  "
                    f"test acc {self.test_acc_list[-1]:.4f}  "
                    f"{format_seconds(elapsed)}  ETA {format_seconds(eta)}",
                    flush=True,
                )
        if not self.diverged and self.updates and not self._last_batch_loss_is_finite():
            # the very last update overflowed: no later step was there to notice it
            self._stop("the last update made the loss overflow; lower the learning rate")
        if self.best_params is not None and not self.diverged:
            _copy_into(self._state, self.best_params)
        self.seconds = time.perf_counter() - start
        if self.verbose and self.best_params is not None:
            print(f"best {self.best_by} accuracy {self.best_acc:.4f} at epoch {self.best_epoch}")
