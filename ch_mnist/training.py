"""How ``python -m ch_mnist`` trains: its run built from the one training loop and its hooks.

    hooks = [KeepLastFinite, EpochProgress, Evaluate(accuracies), SaveCheckpoints]
    loop = Loop(net, optimizer, ShuffledBatches(x_train, t_train, batch_size), epochs, hooks)

The book's ``Trainer`` (``common.training.trainer``) is this run without the validation
images, early stopping and checkpoints; the chapter adds those three with ``Evaluate``'s
``best``/``patience`` and ``SaveCheckpoints``, and resumes a checkpointed run with
``read_checkpoint(path).restore(loop, config)``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.batches import ShuffledBatches
from common.nets.network import Network
from common.training.checkpoint import SaveCheckpoints, read_checkpoint
from common.training.hooks import EpochProgress, Evaluate, KeepLastFinite, accuracies
from common.training.loop import Loop

Dataset = tuple[np.ndarray, np.ndarray]

#: Training images whose accuracy is measured after every epoch (all 10000 test
#: images are always used): enough for a steady number, cheap next to an epoch.
TRAIN_ACC_SAMPLES = 10000


@dataclass
class Run:
    """A finished (or stopped) training run: the loop and its evaluation."""

    loop: Loop
    evaluation: Evaluate

    def curve(self, name: str) -> list:
        """What the run recorded under ``name`` ('train_acc', 'val_acc', 'eval_epoch', ...)."""
        return self.loop.history.get(name, [])

    @property
    def kept(self) -> str:
        """Which parameters the network holds: 'last_finite' (diverged), 'best_validation'
        (the best epoch), 'at_interruption' or 'final'."""
        if self.loop.diverged:
            return "last_finite"
        if self.evaluation.best_state is not None:
            return "best_validation"
        return "at_interruption" if self.loop.interrupted else "final"

    def parameters(self) -> dict[str, Any]:
        """``kept``, the epoch it belongs to and a description, for the report."""
        loop, evaluation = self.loop, self.evaluation
        epoch = evaluation.best_at if self.kept == "best_validation" else loop.epoch
        description = {
            "last_finite": "of the last step whose loss was finite (training diverged)",
            "best_validation": f"of epoch {epoch}, the best on validation accuracy "
                               f"({evaluation.best_value:.4f})",
            "at_interruption": f"at the interruption (iteration {loop.iteration})",
            "final": f"after the last epoch ({loop.epoch})"}[self.kept]
        return {"kept": self.kept, "epoch": epoch, "description": description}


def run_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options that shape a training run, stored in its checkpoints: a run is resumed
    only with the same ones (the files, --checkpoint-every and the outputs may change)."""
    skipped = {"data_dir", "save", "load", "checkpoint", "checkpoint_every", "resume", "out",
               "json", "show"}
    return {key: value for key, value in sorted(vars(args).items()) if key not in skipped}


def train_network(net: Network, optimizer: Any, args: argparse.Namespace, train_set: Dataset,
                  val_set: Dataset | None, test_set: Dataset, program: str) -> Run:
    """Train ``net`` for ``args.epochs`` epochs of shuffled mini-batches (``args.seed``),
    measuring its accuracies after each; with ``val_set``, keep the epoch of the best
    validation accuracy (stopping after ``args.patience`` epochs without a better one);
    checkpoint to ``args.checkpoint``, resume from ``args.resume`` (CheckpointError, nothing
    changed, for another run's file). Prints a line per epoch and why it stopped."""
    sets = {"train": train_set, **({"val": val_set} if val_set else {}), "test": test_set}
    state = {**net.params, **net.buffers}  # what defines the network's function
    evaluation = Evaluate(accuracies(net, sets, TRAIN_ACC_SAMPLES), every_epochs=1, keep=state,
                          best="val_acc" if val_set else None, patience=args.patience,
                          report=True)
    batches = ShuffledBatches(*train_set, args.batch_size, seed=args.seed)
    hooks = [KeepLastFinite(state, loss=lambda batch: net.loss(*batch)),
             EpochProgress(len(batches), args.batch_size, len(train_set[1])), evaluation]
    config = {"program": program, "options": run_settings(args)}
    if args.checkpoint:
        hooks.append(SaveCheckpoints(args.checkpoint, args.checkpoint_every, config))
    loop = Loop(net, optimizer, batches, args.epochs, hooks=hooks)
    if args.resume:
        read_checkpoint(args.resume).restore(loop, config)
        print(f"resumed from {args.resume} at iteration {loop.iteration} (epoch "
              f"{loop.epoch + 1} of {args.epochs})", flush=True)
    run = Run(loop.run(), evaluation)
    if loop.stop_reason:
        kept = "; the network keeps the last parameters with a finite loss"
        print(loop.stop_message() + (kept if loop.diverged else ""), flush=True)
    if run.kept == "best_validation":
        print(f"kept the parameters {run.parameters()['description']}", flush=True)
    return run
