"""The Trainer's checkpoints: its whole state in a ``common.training.checkpoint`` file, and back.

With ``Trainer(..., checkpoint=path)`` the state of the run (parameters, optimizer state,
the random generators, the current epoch's order of samples, the curves, the best
parameters so far) is written atomically every ``checkpoint_every`` iterations, on
Ctrl-C and at the end. ``trainer.resume(path)`` before ``train()`` continues such a run,
even from the middle of an epoch, taking bit for bit the steps the uninterrupted run
would have taken; a checkpoint of another network, optimizer or settings (the
Trainer's, and the caller's ``checkpoint_config``) raises CheckpointError and changes
nothing.

Besides what every checkpoint holds (parameters, optimizer, generators, iteration),
a Trainer needs its curves, its counters, the order of the samples in the epoch
it was in (so a run resumed mid-epoch visits the rest of that epoch's batches), the
best parameters so far and the last parameters with a finite loss.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from common.training.checkpoint import CheckpointError, read_checkpoint, save_checkpoint


def copy_into(params: dict[str, np.ndarray], values: dict[str, np.ndarray]) -> None:
    """Write ``values`` into the existing parameter arrays, so the layers see them."""
    for key, p in params.items():
        np.copyto(p, values[key])


def trainer_settings(trainer: Any) -> dict[str, Any]:
    """The Trainer's settings that a resumed run must share with the checkpointed one."""
    return {"epochs": trainer.epochs, "mini_batch_size": trainer.batch_size,
            "train_size": trainer.train_size, "evaluate_every": trainer.evaluate_every,
            "best_by": trainer.best_by, "patience": trainer.patience,
            "evaluate_sample_num_per_epoch": trainer.evaluate_sample_num_per_epoch,
            "validation_size": None if trainer.x_val is None else len(trainer.x_val)}


def save_trainer(trainer: Any, path: str | os.PathLike) -> None:
    """Write the state of ``trainer``'s run to ``path``, atomically."""
    arrays = {f"last_good/{key}": p for key, p in trainer._last_good.items()}
    if trainer.best_params is not None:
        arrays.update({f"best/{key}": p for key, p in trainer.best_params.items()})
    if trainer._order is not None:
        arrays["order"] = trainer._order
    arrays["counters"] = np.array([trainer.current_epoch, trainer.updates, trainer.best_epoch])
    arrays["best_acc"] = np.array(trainer.best_acc, dtype=np.float64)
    history = {"train_loss": trainer.train_loss_list, "train_acc": trainer.train_acc_list,
               "val_acc": trainer.val_acc_list, "test_acc": trainer.test_acc_list,
               "eval_epochs": trainer.eval_epochs}
    save_checkpoint(path, trainer.network, trainer.optimizer, trainer.rng,
                    trainer.current_iter, history, trainer.config, arrays=arrays)


def resume_trainer(trainer: Any, path: str | os.PathLike) -> None:
    """Put ``trainer`` in the state checkpointed in ``path``; ValueError, changing nothing,
    for a damaged checkpoint or one of another network, optimizer or settings."""
    checkpoint = read_checkpoint(path)
    arrays = checkpoint.arrays
    state = trainer._state
    expected = {f"last_good/{key}" for key in state} | {"counters", "best_acc"}
    best = {key for key in arrays if key.startswith("best/")}
    if (not expected <= set(arrays) or (best and best != {f"best/{key}" for key in state})
            or arrays["counters"].shape != (3,)
            or ("order" in arrays and arrays["order"].shape != (trainer.train_size,))):
        raise CheckpointError(f"cannot resume from {path}: it is not a checkpoint of a Trainer "
                         "with this network and data")
    checkpoint.restore(trainer.network, trainer.optimizer, trainer.rng, trainer.config)
    history = checkpoint.history
    trainer.train_loss_list = list(history["train_loss"])
    trainer.train_acc_list = list(history["train_acc"])
    trainer.val_acc_list = list(history["val_acc"])
    trainer.test_acc_list = list(history["test_acc"])
    trainer.eval_epochs = list(history["eval_epochs"])
    trainer.current_iter = checkpoint.iteration
    trainer.current_epoch, trainer.updates, trainer.best_epoch = map(int, arrays["counters"])
    trainer.best_acc = float(arrays["best_acc"])
    trainer._order = arrays.get("order")
    trainer.best_params = ({key: arrays[f"best/{key}"].copy() for key in state}
                           if best else None)
    copy_into(trainer._last_good, {key: arrays[f"last_good/{key}"] for key in state})
