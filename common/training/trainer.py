"""The first book's ``Trainer``, a face over the one training loop (``common.training.loop``):
shuffled epochs (``ShuffledBatches``), accuracies after each (``Evaluate``), the book's
attribute names and printed lines; and ``BookNetwork``, how it trains the book's own
classes. Its data are checked before the first update (``common.validation.check_dataset``:
785 features, a label of 10, a NaN stop it at once with a message that says what is
wrong); its validation data come from ``common.samples.choose_validation``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from common.batches import ShuffledBatches
from common.optim.base import make_optimizer
from common.samples import choose_validation
from common.training.checkpoint import SaveCheckpoints, check_checkpointable, read_checkpoint
from common.training.hooks import EpochProgress, Evaluate, KeepLastFinite
from common.training.loop import Loop
from common.validation import check_dataset, whole_number


class BookNetwork:
    """A network as the first book's ``Trainer`` trains it, by ``gradient(x, t)`` (which a
    subclass may override), seen as a model of the training loop: ``forward(x, t)`` runs
    ``gradient`` and returns the loss of that pass, ``grads`` are its gradients. Works for
    the library's networks and for the book's own classes (``TwoLayerNet``, ...), which
    keep no ``last_loss``, ``buffers`` or ``state_dict``: this is where their differences
    are read, once."""

    def __init__(self, network: Any) -> None:
        self.network, self.params = network, network.params
        self.buffers = getattr(network, "buffers", {})  # running statistics (batch norm)
        # the book's chapter 5 calls its loss layer lastLayer
        self.last_layer = getattr(network, "last_layer", None) or network.lastLayer
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """The loss of x against t, its gradients kept in ``grads``."""
        self.grads = self.network.gradient(x, t)
        loss = getattr(self.network, "last_loss", None)
        if loss is None:  # the book's classes leave it in their loss layer, without decay
            decayed = getattr(self.network, "weight_decay_lambda", 0)
            loss = self.network.loss(x, t) if decayed else self.last_layer.loss
        return float(loss)

    def backward(self) -> None:
        """Nothing left to do: ``forward`` ran the book's ``gradient``."""

    def state_dict(self) -> dict[str, Any]:
        """The network's state (a library network's; the book's classes have none)."""
        return self.network.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore the network's state."""
        self.network.load_state_dict(state)


class Trainer:
    """Trains ``network`` on (x_train, t_train) in mini-batches, every sample once per epoch
    in a new random order (``seed``), and measures it after every ``evaluate_every``-th
    epoch and the last on the first ``evaluate_sample_num_per_epoch`` samples of each set:
    ``train_loss_list`` (every step), ``train_acc_list``, ``val_acc_list``,
    ``test_acc_list`` (at ``eval_epochs``). ``optimizer``: a name ('sgd', 'Adam', ...;
    built with ``optimizer_param``) or an object with ``update(params, grads)``.

    The test set never chooses anything. Validation data, (``x_val``, ``t_val``) or
    ``validation_split`` (a number or fraction of the training samples, stratified),
    make it keep the parameters of the best validation accuracy (``best_params``,
    ``best_epoch``, ``best_acc``; ``best_by='train'`` chooses by training accuracy) and,
    with ``patience``, stop early; ``params_from`` says which parameters it ended with.
    The data are checked before the first update; a NaN loss ends the run with the last
    finite parameters (``diverged``, ``stop_reason``); Ctrl-C after the current batch
    (``interrupted``). ``checkpoint``: the run is saved every ``checkpoint_every`` steps
    and at its end, and ``resume(path)`` continues it exactly, even mid-epoch.
    """

    def __init__(self, network: Any, x_train: np.ndarray, t_train: np.ndarray,
                 x_test: np.ndarray, t_test: np.ndarray, epochs: int = 20,
                 mini_batch_size: int = 100, optimizer: str | Any = "SGD",
                 optimizer_param: dict[str, float] | None = None,
                 evaluate_sample_num_per_epoch: int | None = None, seed: int | None = None,
                 verbose: bool = True, best_by: str | None = None, evaluate_every: int = 1,
                 x_val: np.ndarray | None = None, t_val: np.ndarray | None = None,
                 validation_split: float | int | None = None, patience: int | None = None,
                 checkpoint: str | os.PathLike | None = None, checkpoint_every: int = 250,
                 checkpoint_config: dict | None = None) -> None:
        for name, value, low in (("mini_batch_size", mini_batch_size, 1), ("epochs", epochs, 0),
                                 ("evaluate_every", evaluate_every, 1),
                                 ("checkpoint_every", checkpoint_every, 1),
                                 ("patience", patience or 1, 1)):
            whole_number(value, name, low, who="Trainer")
        (x_train, t_train), (x_val, t_val), best_by = choose_validation(
            x_train, t_train, x_val, t_val, validation_split, seed, best_by, patience)
        sets = {name: (x, t) for name, x, t in (("train", x_train, t_train), ("val", x_val, t_val),
                                                 ("test", x_test, t_test)) if x is not None}
        model = BookNetwork(network)
        for name, (x, t) in sets.items():
            check_dataset(network, model.last_layer, x, t, name)
        self.network, self.verbose = network, verbose
        self.best_by, self.patience = best_by, patience
        self.x_train, self.t_train, self.x_val, self.t_val = x_train, t_train, x_val, t_val
        self.epochs, self.batch_size = epochs, mini_batch_size
        self.evaluate_every = evaluate_every
        if isinstance(optimizer, str):
            optimizer = make_optimizer(optimizer, **(optimizer_param or {"lr": 0.01}))
        self.optimizer, self.rng = optimizer, np.random.default_rng(seed)
        self.batches = ShuffledBatches(x_train, t_train, mini_batch_size, seed=self.rng)
        self.train_size, self.iter_per_epoch = len(x_train), len(self.batches)
        # everything that defines the network's function: weights and running statistics
        state = {**network.params, **model.buffers}
        n = evaluate_sample_num_per_epoch
        self.evaluation = Evaluate(
            {f"{name}_acc": (lambda x=x, t=t: network.accuracy(x[:n], t[:n]))
             for name, (x, t) in sets.items()}, every_epochs=evaluate_every, keep=state,
            best={None: None, "validation": "val_acc", "train": "train_acc"}[best_by],
            patience=patience, report=verbose)
        self.progress = EpochProgress(len(self.batches), mini_batch_size, len(x_train))
        # the progress line inside an epoch is erased before the epoch's line is printed
        hooks = [KeepLastFinite(state, loss=lambda batch: network.loss(*batch)),
                 *([self.progress] if verbose else []), self.evaluation]
        self.checkpoint, self.config = checkpoint, {"trainer": {
            "epochs": epochs, "mini_batch_size": mini_batch_size, "train_size": len(x_train),
            "evaluate_every": evaluate_every, "best_by": best_by, "patience": patience,
            "evaluate_sample_num_per_epoch": n,
            "validation_size": None if x_val is None else len(x_val)}, **(checkpoint_config or {})}
        if checkpoint is not None:
            hooks.append(SaveCheckpoints(checkpoint, checkpoint_every, self.config))
        self.loop = Loop(model, optimizer, self.batches, epochs, hooks=hooks)
        if checkpoint is not None:
            check_checkpointable(self.loop)  # before training, not at the first checkpoint
        # the book's names for the loop's records (the same lists, appended as it trains)
        self.train_loss_list = self.loop.losses
        self.train_acc_list, self.val_acc_list, self.test_acc_list, self.eval_epochs = (
            self.loop.history.setdefault(name, [])
            for name in ("train_acc", "val_acc", "test_acc", "eval_epoch"))
        self._sync()

    def _sync(self) -> None:
        """The loop's counters and flags under the book's names."""
        loop, evaluation = self.loop, self.evaluation
        self.current_iter = self.updates = loop.iteration
        self.current_epoch, self.seconds = loop.epoch, loop.seconds
        self.diverged, self.interrupted = loop.diverged, loop.interrupted
        self.best_params, self.best_epoch = evaluation.best_state, evaluation.best_at
        self.best_acc = evaluation.best_value if self.best_params is not None else -1.0
        self.stopped_early = (loop.stop_reason or "").startswith("stopped early")
        self.stop_reason = loop.stop_reason or ""
        if self.interrupted:
            where = (f"after epoch {loop.epoch}" if loop.iteration == loop.epoch * len(self.batches)
                     else f"in epoch {loop.epoch + 1}")
            self.stop_reason = f"interrupted (Ctrl-C) {where}, iteration {loop.iteration}"

    def train(self) -> None:
        """Run the epochs (or until early stopping, divergence or Ctrl-C), print a line per
        evaluation, and end with the parameters described by ``params_from``."""
        self.loop.run()
        self._sync()
        if self.verbose and self.stop_reason:
            print(f"Training stopped: {self.stop_reason}; the network keeps the last "
                  "parameters with a finite loss" if self.diverged
                  else self.stop_reason[0].upper() + self.stop_reason[1:])
        if self.verbose and self.best_params is not None and not self.diverged:
            print(f"kept the parameters {self.params_from}")

    def train_step(self, batch_indices: np.ndarray) -> float:
        """One update on the training samples at ``batch_indices``; returns its loss."""
        return self.loop.step((self.x_train[batch_indices], self.t_train[batch_indices]))

    def resume(self, path: str | os.PathLike) -> None:
        """Continue the run checkpointed in ``path`` (the network, optimizer, batches, curves,
        best parameters); CheckpointError, nothing changed, for another run's or a damaged one."""
        read_checkpoint(path).restore(self.loop, self.config)
        self._sync()

    @property
    def kept(self) -> str:
        """Which parameters the network holds after ``train``: 'last_finite' (diverged),
        'best_validation'/'best_train' (the best epoch), 'at_interruption' or 'final'."""
        if self.diverged:
            return "last_finite"
        if self.best_params is not None:
            return f"best_{self.best_by}"
        return "at_interruption" if self.interrupted else "final"

    @property
    def params_from(self) -> str:
        """``kept`` in words, with its epoch or iteration."""
        return {"last_finite": "of the last step whose loss was finite (training diverged)",
                f"best_{self.best_by}": f"of epoch {self.best_epoch}, the best on {self.best_by}"
                                        f" accuracy ({self.best_acc:.4f})",
                "at_interruption": f"at the interruption (iteration {self.current_iter})",
                "final": f"after the last epoch ({self.current_epoch})"}[self.kept]
