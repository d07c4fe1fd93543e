"""Training by iterations on randomly drawn batches, as language models are trained.

Where ``Trainer`` goes through a data set epoch by epoch, a language model samples
a fresh batch of windows of its text at every step, so training is counted in
iterations. ``IterationTrainer`` runs them: draw a batch, backpropagate, clip the
gradient's norm, update, and every ``eval_every`` iterations measure the loss on
fixed evaluation sets. It prints progress (iteration, loss, iterations per second,
ETA), writes checkpoints (every ``checkpoint_every`` iterations, on Ctrl-C and at
the end) and resumes from them exactly: the same batches, the same updates, the
same parameters bit for bit as a run that was never stopped.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from common.optim.clipping import clip_grads
from common.training.checkpoint import check_checkpointable, read_checkpoint, save_checkpoint
from common.training.interrupt import stop_on_interrupt
from common.training.progress import format_seconds
from common.validation import whole_number

Batch = tuple[np.ndarray, np.ndarray]


def mean_loss(network: Any, x: np.ndarray, t: np.ndarray, batch_size: int = 50) -> float:
    """The network's loss averaged over the windows (rows) of x, t, computed ``batch_size``
    rows at a time (inference mode), weighting each chunk by its rows."""
    total = 0.0
    for start in range(0, len(x), batch_size):
        chunk = slice(start, start + batch_size)
        total += network.loss(x[chunk], t[chunk]) * len(x[chunk])
    return total / len(x)


class IterationTrainer:
    """Trains ``network`` for ``iterations`` steps on batches from ``next_batch(rng)``.

    Each step: (x, t) = next_batch(rng); grads = network.gradient(x, t); if
    ``max_grad_norm``, ``clip_grads(grads, max_norm)``; ``optimizer.update``. The loss
    of every step (its own forward pass, on its batch) goes to ``history['loss']``, the
    gradient norm before clipping to ``history['grad_norm']``, the learning rate to
    ``history['lr']``. Every ``eval_every`` iterations and after the last, the mean
    loss on each of ``eval_sets`` (name -> (x, t), e.g. 'train' and 'val': fixed
    windows, so the numbers are comparable) is recorded in ``history['<name>_loss']``
    with the iteration in ``history['eval_iteration']``.

    ``checkpoint``: a path written every ``checkpoint_every`` iterations, on Ctrl-C and
    at the end (``common.training.checkpoint``, with ``config`` to check on resuming);
    ``resume(path)`` continues such a run exactly. Ctrl-C stops after the current step
    (``interrupted``); a second one raises KeyboardInterrupt at once. A loss that is
    NaN or infinite stops training (``diverged``) before its update is applied.
    """

    def __init__(self, network: Any, optimizer: Any,
                 next_batch: Callable[[np.random.Generator], Batch], iterations: int,
                 rng: np.random.Generator, max_grad_norm: float | None = None,
                 eval_sets: Mapping[str, Batch] | None = None, eval_every: int = 250,
                 checkpoint: str | os.PathLike | None = None, checkpoint_every: int = 250,
                 config: dict | None = None, verbose: bool = True, log_every: int = 50) -> None:
        for name, value in (("iterations", iterations), ("eval_every", eval_every),
                            ("checkpoint_every", checkpoint_every), ("log_every", log_every)):
            whole_number(value, name, who="IterationTrainer")
        self.network, self.optimizer, self.next_batch = network, optimizer, next_batch
        self.iterations, self.rng, self.max_grad_norm = iterations, rng, max_grad_norm
        self.eval_sets = dict(eval_sets or {})
        self.eval_every, self.log_every, self.verbose = eval_every, log_every, verbose
        self.checkpoint, self.checkpoint_every, self.config = checkpoint, checkpoint_every, config
        if checkpoint is not None:
            check_checkpointable(self.optimizer)
        self.iteration = 0
        self.history: dict[str, list] = {"loss": [], "grad_norm": [], "lr": [],
                                         "eval_iteration": []}
        for name in self.eval_sets:
            if name in ("", "grad_norm", "lr", "eval_iteration") or f"{name}_loss" == "loss":
                raise ValueError(f"the evaluation set may not be called {name!r}")
            self.history[f"{name}_loss"] = []
        self.interrupted = self.diverged = False
        self.seconds = 0.0  # spent in train(), this session
        self.steps_per_second = 0.0

    def evaluate(self) -> dict[str, float]:
        """Record and return the mean loss on every evaluation set, now."""
        losses = {name: mean_loss(self.network, x, t) for name, (x, t) in self.eval_sets.items()}
        self.history["eval_iteration"].append(self.iteration)
        for name, loss in losses.items():
            self.history[f"{name}_loss"].append(loss)
        return losses

    def step(self) -> float:
        """One training step; returns its loss (the update is skipped if it is not finite)."""
        x, t = self.next_batch(self.rng)
        grads = self.network.gradient(x, t)
        loss = float(self.network.last_loss)
        if not math.isfinite(loss):
            return loss
        norm = clip_grads(grads, self.max_grad_norm) if self.max_grad_norm else math.nan
        self.optimizer.update(self.network.params, grads)
        self.iteration += 1
        self.history["loss"].append(loss)
        self.history["grad_norm"].append(norm)
        self.history["lr"].append(float(getattr(self.optimizer, "lr", math.nan)))
        return loss

    def save_checkpoint(self, path: str | os.PathLike | None = None) -> None:
        """Write the state of the run to ``path`` (default ``checkpoint``), atomically."""
        save_checkpoint(path if path is not None else self.checkpoint, self.network,
                        self.optimizer, self.rng, self.iteration, self.history, self.config)

    def resume(self, path: str | os.PathLike) -> None:
        """Continue the run checkpointed in ``path`` (ValueError, changing nothing, if it is
        damaged or of another network, optimizer or config)."""
        checkpoint = read_checkpoint(path)
        checkpoint.restore(self.network, self.optimizer, self.rng, self.config)
        self.iteration = checkpoint.iteration
        self.history = {key: list(values) for key, values in checkpoint.history.items()}

    def _log(self, start: float, start_iteration: int, since: int) -> None:
        elapsed = time.perf_counter() - start
        done = self.iteration - start_iteration
        rate = done / elapsed if elapsed > 0 else math.inf
        eta = (self.iterations - self.iteration) / rate if rate > 0 else math.inf
        recent = self.history["loss"][-since:]
        print(f"iter {self.iteration}/{self.iterations}  loss {np.mean(recent):.4f}  "
              f"lr {self.history['lr'][-1]:.2e}  {rate:.2f} it/s  "
              f"ETA {format_seconds(eta)}", flush=True)

    def _report_eval(self, losses: dict[str, float]) -> None:
        print(f"iter {self.iteration}: " + "  ".join(
            f"{name} loss {loss:.4f}" for name, loss in losses.items()), flush=True)

    def train(self) -> None:
        """Run the remaining iterations (or until Ctrl-C or divergence), with progress lines,
        evaluations and checkpoints."""
        start, start_iteration, since = time.perf_counter(), self.iteration, 0
        with stop_on_interrupt() as stop:
            while self.iteration < self.iterations and not stop.requested:
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = self.step()
                if not math.isfinite(loss):
                    self.diverged = True
                    if self.verbose:
                        print(f"Training stopped: the loss became {loss} at iteration "
                              f"{self.iteration + 1}; lower the learning rate", flush=True)
                    break
                since += 1
                if self.verbose and (self.iteration % self.log_every == 0
                                     or self.iteration == start_iteration + 1):
                    self._log(start, start_iteration, since)
                    since = 0
                if self.eval_sets and (self.iteration % self.eval_every == 0
                                       or self.iteration == self.iterations):
                    losses = self.evaluate()
                    if self.verbose:
                        self._report_eval(losses)
                if self.checkpoint is not None and self.iteration % self.checkpoint_every == 0:
                    self.save_checkpoint()
            self.interrupted = stop.requested and self.iteration < self.iterations
        self.seconds = time.perf_counter() - start
        done = self.iteration - start_iteration
        self.steps_per_second = done / self.seconds if self.seconds > 0 else 0.0
        if self.checkpoint is not None and not self.diverged and done:
            self.save_checkpoint()  # on Ctrl-C and at the end
        if self.verbose and self.interrupted:
            print(f"Interrupted (Ctrl-C) at iteration {self.iteration}", flush=True)
