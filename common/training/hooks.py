"""The hooks of the training loop (``common.training.loop``): what a run does besides steps.

- ``Evaluate``: measures (a classifier's ``accuracies``, ...), every so many epochs or steps
  and at the last, records the values in the loop's ``history``, keeps the parameters of the
  best value, and when it stops improving stops the run (``patience``) or divides the
  learning rate (``decay``);
- ``KeepLastFinite``: a run that diverges ends with the last parameters whose loss was finite;
- ``EpochProgress``: how far a long epoch has got; ``StepLog``: a line every n steps.

``SaveCheckpoints`` (``common.training.checkpoint``) is a hook too.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

import numpy as np

from common.training.loop import Hook, Loop
from common.validation import real_number


def copy_arrays(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Copies of the arrays, by name."""
    return {key: np.array(value) for key, value in arrays.items()}


def write_into(arrays: Mapping[str, np.ndarray], values: Mapping[str, np.ndarray]) -> None:
    """``values`` written into the existing ``arrays`` (so the layers see them), in place."""
    for key, array in arrays.items():
        np.copyto(array, values[key])


def accuracies(network: Any, sets: Mapping[str, tuple[np.ndarray, np.ndarray]],
               limit: int | None = None) -> dict[str, Callable[[], float]]:
    """Metrics for ``Evaluate``: '<name>_acc' -> the network's accuracy on the first
    ``limit`` samples (all of them with None) of each set (name -> (x, t))."""
    return {f"{name}_acc": (lambda x=x, t=t: network.accuracy(x[:limit], t[:limit]))
            for name, (x, t) in sets.items()}


class Evaluate(Hook):
    """Every ``every_epochs`` epochs or ``every_steps`` steps, and after the last of the run,
    each of ``metrics`` (name -> a function of nothing giving a number) goes to
    ``loop.history[name]``, with the epoch or iteration in ``history[at]``.

    ``best`` (a metric's name; the highest wins, the lowest with ``lower_is_better``):
    copies of ``keep`` (name -> array: the model's parameters and running statistics) are
    taken at the best value (``best_state``, ``best_value``, ``best_at``); with
    ``restore_best`` the model ends the run with them (unless it diverged). ``patience``:
    the run stops after that many evaluations without a better value; ``decay``: each of
    them divides the optimizer's learning rate by it (the second book's 4). After each
    evaluation ``report`` prints its line (``True``: 'epoch 3/20  loss 0.2904  val acc
    0.9163  4.1s  ETA 23s', the mean loss since the last evaluation; by steps, 'iter 250:
    val loss 2.0312'), or is called as ``report(loop, values)``.
    """

    def __init__(self, metrics: Mapping[str, Callable[[], float]], *,
                 every_epochs: int | None = None, every_steps: int | None = None,
                 best: str | None = None, lower_is_better: bool = False,
                 keep: Mapping[str, np.ndarray] | None = None, restore_best: bool = True,
                 patience: int | None = None, decay: float | None = None,
                 report: bool | Callable[[Loop, dict[str, float]], None] = False) -> None:
        if best is not None and best not in metrics:
            raise ValueError(f"Evaluate: best={best!r} is not one of the metrics "
                             f"{', '.join(metrics)}")
        if best is not None and keep is None:
            raise ValueError("Evaluate: best needs keep, the arrays to copy at the best value")
        self.metrics, self.report = dict(metrics), report
        self.every_epochs, self.every_steps = every_epochs, every_steps
        self.at = "eval_epoch" if every_steps is None else "eval_iteration"
        self.best, self.sign = best, -1.0 if lower_is_better else 1.0
        self.keep, self.restore_best, self.patience = keep, restore_best, patience
        self.decay = None if decay is None else real_number(decay, "decay", low=1.0,
                                                            who="Evaluate")
        self.best_state: dict[str, np.ndarray] | None = None
        self.best_value = math.inf * -self.sign
        self.best_at = 0
        self.since_best = 0
        self.improved = False
        self.started, self.first_epoch, self.last_iteration = 0.0, 0, 0

    def start(self, loop: Loop) -> None:
        self.started, self.first_epoch = time.perf_counter(), loop.epoch
        self.last_iteration = loop.iteration
        for name in (*self.metrics, self.at):  # a run stopped before any evaluation has them
            loop.history.setdefault(name, [])

    def after_epoch(self, loop: Loop) -> None:
        if self.every_epochs and (loop.epoch % self.every_epochs == 0 or loop.epoch == loop.epochs):
            self.evaluate(loop, loop.epoch)

    def after_step(self, loop: Loop) -> None:
        if self.every_steps and (loop.iteration % self.every_steps == 0
                                 or loop.iteration == loop.steps):
            self.evaluate(loop, loop.iteration)

    def evaluate(self, loop: Loop, at: int) -> dict[str, float]:
        """Measure every metric now, record, keep the best; returns the values."""
        values = {name: float(metric()) for name, metric in self.metrics.items()}
        loop.record(**values, **{self.at: at})
        if self.best is not None:
            self.improved = self.sign * values[self.best] > self.sign * self.best_value
            if self.improved:
                self.best_value, self.best_at, self.since_best = values[self.best], at, 0
                self.best_state = copy_arrays(self.keep)
            else:
                self.since_best += 1
                if self.decay is not None:
                    loop.optimizer.lr /= self.decay
            if self.patience is not None and self.since_best >= self.patience:
                loop.stop(f"stopped early: no better {self.best} in the last {self.patience} "
                          f"evaluations (the best, {self.best_value:.4f}, at "
                          f"{self.at.removeprefix('eval_')} {self.best_at})")
        if callable(self.report):
            self.report(loop, values)
        elif self.report:
            print(self.line(loop, values), flush=True)
        self.last_iteration = loop.iteration
        return values

    def line(self, loop: Loop, values: dict[str, float]) -> str:
        """The line of an evaluation: its values, and by epochs the mean loss since the
        last evaluation, the time so far and the time left."""
        shown = "  ".join(f"{name.replace('_', ' ')} {value:.4f}" for name, value in
                          values.items())
        if self.every_steps:
            return f"iter {loop.iteration}: {shown}"
        elapsed = time.perf_counter() - self.started
        eta = elapsed / max(1, loop.epoch - self.first_epoch) * (loop.epochs - loop.epoch)
        since = loop.iteration - self.last_iteration
        loss = np.mean(loop.losses[-since:]) if since else math.nan
        return (f"epoch {loop.epoch}/{loop.epochs}  loss {loss:.4f}  {shown}  "
                f"{format_seconds(elapsed)}  ETA {format_seconds(eta)}")

    def end(self, loop: Loop) -> None:
        if self.restore_best and self.best_state is not None and not loop.diverged:
            write_into(self.keep, self.best_state)

    def state_dict(self) -> dict[str, Any]:
        return {"best_state": self.best_state, "best_value": self.best_value,
                "best_at": self.best_at, "since_best": self.since_best}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_state = state["best_state"]
        self.best_value, self.best_at = float(state["best_value"]), int(state["best_at"])
        self.since_best = int(state["since_best"])


class KeepLastFinite(Hook):
    """A run that diverges ends with the last parameters whose loss was finite: ``keep``
    (name -> array) is copied before every update and written back when the loss turns
    NaN or infinite, and when the very last update made it overflow."""

    def __init__(self, keep: Mapping[str, np.ndarray],
                 loss: Callable[[tuple], float] | None = None) -> None:
        self.keep, self.loss = keep, loss
        self.last_good = copy_arrays(keep)

    def before_update(self, loop: Loop, params: Mapping[str, np.ndarray],
                      grads: Mapping[str, np.ndarray]) -> None:
        write_into(self.last_good, self.keep)

    def end(self, loop: Loop) -> None:
        if not loop.diverged and loop.iteration and self.loss is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                if not math.isfinite(self.loss(loop.batch)):
                    loop.diverged = True
                    loop.stop_reason = ("the last update made the loss overflow; lower the "
                                        "learning rate")
        if loop.diverged:
            write_into(self.keep, self.last_good)

    def state_dict(self) -> dict[str, Any]:
        return {"last_good": self.last_good}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        write_into(self.last_good, state["last_good"])


def format_seconds(seconds: float) -> str:
    """'4.2s' under a minute, else '3m07s'."""
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}m{seconds % 60:02.0f}s"


class EpochProgress(Hook):
    """How far an epoch of ``total_batches`` batches has got (``batch_size`` samples a
    batch, ``samples`` an epoch), once it has run for ``delay`` seconds: on a terminal, one
    line rewritten in place every ``tty_interval`` seconds and erased when the epoch ends,
    so that the epoch's own line takes its place; elsewhere (a log file, CI) a plain line
    every ``log_interval`` seconds, so logs stay short. Short epochs print nothing."""

    def __init__(self, total_batches: int, batch_size: int = 1, samples: int | None = None,
                 stream: TextIO | None = None, delay: float = 3.0, tty_interval: float = 0.5,
                 log_interval: float = 30.0) -> None:
        self.total_batches, self.batch_size = total_batches, batch_size
        self.samples = samples if samples is not None else total_batches * batch_size
        self.stream = stream if stream is not None else sys.stdout
        self.in_place = self.stream.isatty()
        self.delay = delay
        self.interval = tty_interval if self.in_place else log_interval
        self.batches_done, self.started, self.next_report, self.shown = 0, 0.0, 0.0, False

    def start(self, loop: Loop) -> None:
        self.batches_done = 0

    def after_step(self, loop: Loop) -> None:
        now = time.perf_counter()
        self.batches_done += 1
        if self.batches_done == 1:  # the epoch's clock starts when its first step is done
            self.started, self.next_report, self.shown = now, now + self.delay, False
            return
        if now < self.next_report:
            return
        done, elapsed = self.batches_done, max(now - self.started, 1e-9)
        samples = min(done * self.batch_size, self.samples) - self.batch_size
        eta = elapsed / (done - 1) * (self.total_batches - done)
        line = (f"epoch {loop.epoch + 1}: {done}/{self.total_batches} batches  "
                f"{samples / elapsed:.0f} samples/s  epoch ETA {format_seconds(eta)}")
        # \x1b[K erases what a longer line left
        self.stream.write("\r" + line + "\x1b[K" if self.in_place else line + "\n")
        self.stream.flush()
        self.shown, self.next_report = True, now + self.interval

    def after_epoch(self, loop: Loop) -> None:
        self.end(loop)
        self.batches_done = 0  # the next epoch begins

    def end(self, loop: Loop) -> None:
        if self.in_place and self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class StepLog(Hook):
    """Every ``every`` steps, and after the first step of a run, a line: 'iter 250/2000  loss
    1.8312  lr 9.41e-04  10.52 it/s  ETA 2m46s' (the mean loss of the steps since the last
    line, the learning rate, the speed and the time left to ``total`` steps)."""

    def __init__(self, every: int, total: int) -> None:
        self.every, self.total = every, total
        self.started, self.first, self.since = 0.0, 0, 0

    def start(self, loop: Loop) -> None:
        self.started, self.first, self.since = time.perf_counter(), loop.iteration, 0

    def after_step(self, loop: Loop) -> None:
        self.since += 1
        if loop.iteration % self.every and loop.iteration != self.first + 1:
            return
        elapsed = time.perf_counter() - self.started
        rate = (loop.iteration - self.first) / elapsed if elapsed > 0 else math.inf
        eta = (self.total - loop.iteration) / rate if rate > 0 else math.inf
        recent = sum(loop.losses[-self.since:]) / self.since
        print(f"iter {loop.iteration}/{self.total}  loss {recent:.4f}  "
              f"lr {loop.optimizer.lr:.2e}  {rate:.2f} it/s  ETA {format_seconds(eta)}",
              flush=True)
        self.since = 0
