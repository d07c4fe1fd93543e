"""What the Trainer says about its run: the line printed after an evaluated epoch, why it
stopped, and which parameters the network holds at the end (``Trainer.kept`` /
``Trainer.params_from``). Functions of a ``common.training.trainer.Trainer``, as in
``trainer_checkpoint``."""

from __future__ import annotations

from typing import Any

import numpy as np

from common.training.progress import format_seconds


def epoch_line(trainer: Any, elapsed: float) -> str:
    """'epoch 3/20  loss 0.2904  train acc 0.9163  val acc ...  test acc 0.9151  4.1s  ETA
    23s': the mean loss since the last evaluation, the accuracies, the time and the ETA."""
    epoch, epochs = trainer.current_epoch, trainer.epochs
    eta = elapsed / max(1, epoch - trainer._start_epoch) * (epochs - epoch)
    recent = trainer.train_loss_list[-trainer.iter_per_epoch * trainer.evaluate_every:]
    val = f"val acc {trainer.val_acc_list[-1]:.4f}  " if trainer.val_acc_list else ""
    return (f"epoch {epoch}/{epochs}  loss {np.mean(recent):.4f}  "
            f"train acc {trainer.train_acc_list[-1]:.4f}  {val}"
            f"test acc {trainer.test_acc_list[-1]:.4f}  "
            f"{format_seconds(elapsed)}  ETA {format_seconds(eta)}")


def interruption_reason(trainer: Any) -> str:
    """'interrupted (Ctrl-C) after epoch 3, iteration 1800' (or 'in epoch 4, ...')."""
    at_epoch_end = trainer.current_iter == trainer.current_epoch * trainer.iter_per_epoch
    where = (f"after epoch {trainer.current_epoch}" if at_epoch_end else
             f"in epoch {trainer.current_epoch + 1}")
    return f"interrupted (Ctrl-C) {where}, iteration {trainer.current_iter}"


def early_stop_reason(trainer: Any) -> str:
    """Why patience ran out, naming the best epoch."""
    return (f"stopped early: no better validation accuracy in {trainer.patience} "
            f"evaluations after epoch {trainer.best_epoch}")


def kept(trainer: Any) -> str:
    """Which parameters the network holds after training: 'last_finite' (training
    diverged), 'best_validation' or 'best_train' (the best epoch), 'at_interruption'
    (Ctrl-C) or 'final'."""
    if trainer.diverged:
        return "last_finite"
    if trainer.best_params is not None:
        return f"best_{trainer.best_by}"
    return "at_interruption" if trainer.interrupted else "final"


def params_from(trainer: Any) -> str:
    """``kept`` in words, with its epoch or iteration."""
    return {
        "last_finite": "of the last step whose loss was finite (training diverged)",
        f"best_{trainer.best_by}": f"of epoch {trainer.best_epoch}, the best on "
                                   f"{trainer.best_by} accuracy ({trainer.best_acc:.4f})",
        "at_interruption": f"at the interruption (iteration {trainer.current_iter})",
        "final": f"after the last epoch ({trainer.current_epoch})",
    }[kept(trainer)]
