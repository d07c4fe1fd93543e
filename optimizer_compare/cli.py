"""``python -m optimizer_compare``: SGD, Momentum, AdaGrad and Adam on MNIST, like for like.

The book's chapter 6 experiment (optimizer_compare_mnist.py): the same 5-layer
``MultiLayerNet`` (4 hidden layers of 100 ReLU units) is trained once per
optimizer for ``--iters`` mini-batches of 128 images. Every optimizer starts from
the same initial weights and sees the same mini-batches in the same order, so
the only difference between the curves is the update rule.

The loop is the subject here, so it is kept in view (``compare`` steps the four
networks side by side on each batch) instead of the library's ``fit``, which trains one
model at a time; it shares the library's Ctrl-C handling (``common.interrupt``).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from common.cli import (
    INTERRUPTED,
    add_output_options,
    exit_130_on_ctrl_c,
    positive_int,
    write_json,
)
from common.interrupt import StopRequest, stop_on_interrupt
from common.nets.multi_layer import MultiLayerNet
from common.optim import OPTIMIZERS, make_optimizer
from common.plots.descent import plot_loss_curves
from common.plots.figures import short_run_note, show_figures
from dataset import DatasetError, load_mnist
from optimizer_compare.options import lr_setting, optimizer_names

PROGRAM = "optimizer_compare"
INPUT_SIZE, HIDDEN, OUTPUT_SIZE = 784, [100, 100, 100, 100], 10
DEFAULT_OPTIMIZERS = ["sgd", "momentum", "adagrad", "adam"]
#: The book's setting: each optimizer with its class's default learning rate.
DEFAULT_LR = {name: cls().lr for name, cls in OPTIMIZERS.items()}


@dataclass
class Run:
    """One optimizer's training: the loss of every iteration and the final test accuracy."""

    name: str
    lr: float
    losses: np.ndarray
    test_accuracy: float
    seconds: float
    diverged_at: int | None = None


def batch_schedule(n_samples: int, batch_size: int, iters: int, seed: int) -> np.ndarray:
    """Indices of the mini-batches of ``iters`` iterations: an (iters, batch_size) array.

    Sampling without replacement, epoch by epoch: each epoch is a new random
    permutation of the samples cut into consecutive full batches (the few samples
    left over at the end of a permutation wait for the next epoch), so every
    optimizer that is given this array sees exactly the same data.
    """
    if batch_size > n_samples:
        raise ValueError(f"a batch of {batch_size} needs at least that many samples, "
                         f"got {n_samples}")
    per_epoch = n_samples // batch_size
    rng = np.random.default_rng(seed)
    epochs = [rng.permutation(n_samples)[:per_epoch * batch_size].reshape(per_epoch, batch_size)
              for _ in range(math.ceil(iters / per_epoch))]
    return np.concatenate(epochs)[:iters]


def train_run(name: str, lr: float, train: tuple[np.ndarray, np.ndarray],
              test: tuple[np.ndarray, np.ndarray], batches: np.ndarray, seed: int,
              stop: StopRequest | None = None) -> Run:
    """Train a fresh network (weights from ``seed``) with one optimizer on ``batches``.

    The loss recorded for an iteration is the one its forward pass computed
    (``net.last_loss``), before the update: no second forward pass is needed.
    Stops early, marking the run as diverged, if the loss becomes NaN or infinite, and
    after the current iteration when ``stop`` is requested (Ctrl-C).
    """
    (x, t), (x_test, t_test) = train, test
    # the same seed gives every optimizer the very same initial weights
    net = MultiLayerNet(INPUT_SIZE, HIDDEN, OUTPUT_SIZE, seed=seed)
    optimizer = make_optimizer(name, lr=lr)
    losses = np.full(len(batches), np.nan)
    diverged_at = None
    start = time.perf_counter()
    # overflow on the way to a NaN loss is reported as divergence, not as warnings
    with np.errstate(over="ignore", invalid="ignore"):
        for i, indices in enumerate(batches):
            grads = net.gradient(x[indices], t[indices])
            losses[i] = net.last_loss
            if not math.isfinite(losses[i]):
                diverged_at = i + 1
                break
            optimizer.update(net.params, grads)
            if stop is not None and stop.requested:
                break
    seconds = time.perf_counter() - start
    accuracy = net.accuracy(x_test, t_test) if diverged_at is None else float("nan")
    return Run(name, lr, losses, accuracy, seconds, diverged_at)


def compare(names: list[str], lrs: dict[str, float], train: tuple[np.ndarray, np.ndarray],
            test: tuple[np.ndarray, np.ndarray], iters: int, batch_size: int,
            seed: int, stop: StopRequest | None = None) -> dict[str, Run]:
    """Train one network per optimizer in ``names`` on the same mini-batches; name -> Run.
    When ``stop`` is requested (Ctrl-C), the runs finished so far are returned."""
    batches = batch_schedule(len(train[0]), batch_size, iters, seed)
    runs = {}
    for name in names:
        run = train_run(name, lrs[name], train, test, batches, seed, stop)
        if stop is not None and stop.requested:
            break  # a run cut short cannot be compared with the others
        runs[name] = run
    return runs


def checkpoints(losses: np.ndarray, every: int, window: int) -> dict[int, float]:
    """Mean loss of the ``window`` iterations up to iteration every, 2·every, ..., and the last.

    A single mini-batch loss is noisy; the mean over the last ``window``
    iterations is the number a table can compare.
    """
    marks = list(range(every, len(losses) + 1, every))
    if not marks or marks[-1] != len(losses):
        marks.append(len(losses))
    return {m: float(np.mean(losses[max(0, m - window):m])) for m in marks}


def format_table(runs: dict[str, Run], every: int, window: int) -> str:
    """The printed table: loss at the checkpoints, test accuracy and time per optimizer."""
    names = list(runs)
    width = max(10, *(len(name) + 2 for name in names))
    table = {name: checkpoints(run.losses, every, window) for name, run in runs.items()}
    lines = [f"training loss (mean of the last {window} iterations)",
             "iteration".ljust(10) + "".join(name.rjust(width) for name in names)]
    for mark in table[names[0]]:
        lines.append(str(mark).ljust(10) + "".join(
            f"{table[name][mark]:{width}.4f}" for name in names))
    lines.append("test acc".ljust(10) + "".join(
        f"{runs[name].test_accuracy:{width}.4f}" for name in names))
    lines.append("seconds".ljust(10) + "".join(
        f"{runs[name].seconds:{width}.1f}" for name in names))
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m optimizer_compare``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Train the same 5-layer network (784-100-100-100-100-10, ReLU) on MNIST "
                    "once per optimizer, from the same initial weights on the same mini-batches, "
                    "and compare the training loss: a figure of the smoothed loss curves and a "
                    "table of the loss at checkpoints with the final test accuracy.",
        epilog="Example: python -m optimizer_compare --optimizers sgd,nesterov,rmsprop,adam "
               "--lr rmsprop=0.001",
    )
    parser.add_argument("--optimizers", type=optimizer_names, default=DEFAULT_OPTIMIZERS,
                        metavar="A,B,...",
                        help=f"optimizers to compare, from {', '.join(OPTIMIZERS)} "
                             f"(default {','.join(DEFAULT_OPTIMIZERS)})")
    parser.add_argument("--lr", type=lr_setting, action="append", default=[],
                        metavar="NAME=RATE",
                        help="learning rate of one optimizer, e.g. adam=0.002; repeat for more "
                             "(default: the book's, " + ", ".join(
                                 f"{name} {lr:g}" for name, lr in DEFAULT_LR.items()) + ")")
    parser.add_argument("--iters", type=positive_int, default=2000, metavar="N",
                        help="mini-batch updates per optimizer (default 2000)")
    parser.add_argument("--batch-size", type=positive_int, default=128, metavar="N",
                        help="mini-batch size (default 128)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the initial weights and the mini-batch order (default 0)")
    parser.add_argument("--checkpoint", type=positive_int, default=500, metavar="N",
                        help="print the loss every N iterations (default 500)")
    parser.add_argument("--window", type=positive_int, default=100, metavar="N",
                        help="the printed loss is the mean over the last N iterations "
                             "(default 100)")
    parser.add_argument(
        "--data-dir", metavar="DIR",
        help="folder holding the four MNIST files (default: $MNIST_DIR if set, else the "
             "per-user cache ~/.cache/dlscratch/mnist, downloaded into when missing)")
    add_output_options(parser, PROGRAM)
    return parser


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the comparison; return the exit status (0 success, 1 data problem or divergence)."""
    args = build_parser().parse_args(argv)
    lrs = {**DEFAULT_LR, **dict(args.lr)}
    try:
        (x_train, t_train), test = load_mnist(normalize=True, flatten=True, dtype=np.float32,
                                              data_dir=args.data_dir)
    except DatasetError as err:
        print(f"error: {err}\nThis program reads MNIST from --data-dir DIR, else from "
              "$MNIST_DIR, else from the per-user cache.", file=sys.stderr)
        return 1
    if args.batch_size > len(x_train):
        print(f"error: --batch-size {args.batch_size} is larger than the training set "
              f"({len(x_train)} images)", file=sys.stderr)
        return 1

    layers = "-".join(str(n) for n in (INPUT_SIZE, *HIDDEN, OUTPUT_SIZE))
    print(f"MultiLayerNet {layers} (ReLU, He init, seed {args.seed}), {args.iters} iterations "
          f"of {args.batch_size} images per optimizer: "
          + ", ".join(f"{name} lr {lrs[name]:g}" for name in args.optimizers), flush=True)
    with stop_on_interrupt() as stop:
        runs = compare(args.optimizers, lrs, (x_train, t_train), test, args.iters,
                       args.batch_size, args.seed, stop)
    if stop.requested:
        skipped = [name for name in args.optimizers if name not in runs]
        print(f"Interrupted (Ctrl-C): not compared: {', '.join(skipped)}", file=sys.stderr)
        if not runs:
            return INTERRUPTED
    print(format_table(runs, args.checkpoint, args.window))
    for run in runs.values():
        if run.diverged_at is not None:
            print(f"{run.name} diverged: its loss became {run.losses[run.diverged_at - 1]} at "
                  f"iteration {run.diverged_at}; lower its learning rate with --lr "
                  f"{run.name}=RATE")

    figure = plot_loss_curves(
        {name: run.losses for name, run in runs.items()},
        {name: run.lr for name, run in runs.items()},
        Path(args.out) / "optimizer_compare_mnist.png",
        title=f"MNIST, {layers}, batch {args.batch_size}", show=args.show)
    print(f"figure: {figure}")
    note = short_run_note(min(len(run.losses) for run in runs.values()), what="iteration",
                          more="iterations")
    if note:
        print(note)
    if args.json:
        write_json(args.json, report(runs, args))
    show_figures(args.show)
    if stop.requested:
        return INTERRUPTED
    return 1 if any(run.diverged_at is not None for run in runs.values()) else 0


def report(runs: dict[str, Run], args: argparse.Namespace) -> dict[str, Any]:
    """The JSON document: the settings and, per optimizer, its numbers (no per-iteration data)."""
    return {
        "program": PROGRAM,
        "network": [INPUT_SIZE, *HIDDEN, OUTPUT_SIZE],
        "iters": args.iters,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "loss_window": args.window,
        "optimizers": {
            name: {
                "lr": run.lr,
                "final_loss": float(checkpoints(run.losses, args.checkpoint,
                                                 args.window)[len(run.losses)]),
                "checkpoints": {str(k): float(v) for k, v in
                                checkpoints(run.losses, args.checkpoint, args.window).items()},
                "test_accuracy": float(run.test_accuracy),
                "seconds": round(run.seconds, 2),
                "diverged_at": run.diverged_at,
            }
            for name, run in runs.items()
        },
    }
