"""Section 5 of ``python -m ch_autograd``: the book's spiral classifier, written as the book
writes it with ``dezero`` (MLP, SGD, DataLoader over Spiral), epoch by epoch."""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import dezero
import dezero.functions as F
from ch_autograd.result import SectionResult
from common.interrupt import StopRequest
from common.plots.autograd import plot_class_regions
from dezero import DataLoader, optimizers
from dezero.datasets import Spiral
from dezero.models import MLP

#: Progress lines printed over a run (every epochs / PROGRESS_LINES epochs, and the last).
PROGRESS_LINES = 10


def epoch_pass(model: Any, loader: Any, optimizer: Any = None,
               stop: StopRequest | None = None,
               batch_losses: list[float] | None = None) -> tuple[float, float, bool]:
    """One pass over ``loader``: (mean loss, accuracy, complete). With ``optimizer`` every
    batch also updates the model; without it no graph is built. Each batch's loss is
    appended to ``batch_losses`` when given. ``complete`` is False when ``stop`` was
    requested before the pass ended."""
    total_loss = total_acc = 0.0
    count = 0
    with dezero.using_config("enable_backprop", optimizer is not None):
        for x, t in loader:
            y = model(x)
            loss = F.softmax_cross_entropy(y, t)
            if optimizer is not None:
                model.cleargrads()
                loss.backward()
                optimizer.update()
            if batch_losses is not None:
                batch_losses.append(float(loss.data))
            total_loss += float(loss.data) * len(t)
            total_acc += float(F.accuracy(y, t).data) * len(t)
            count += len(t)
            if stop is not None and stop.requested:
                loader.reset()
                return total_loss / count, total_acc / count, False
    return total_loss / count, total_acc / count, True


def final_numbers(losses: list[float], train_acc: list[float],
                  test_acc: list[float]) -> dict[str, float | None]:
    """The last epoch's loss and accuracies (None before the first epoch ends)."""
    return {name: values[-1] if values else None
            for name, values in (("loss", losses), ("train_accuracy", train_acc),
                                 ("test_accuracy", test_acc))}


def predict_classes(model: Any, points: np.ndarray) -> np.ndarray:
    """The class the model gives each point (M, 2): (M,) ints, no graph built."""
    with dezero.no_grad():
        return model(points.astype(np.float32)).data.argmax(axis=1)


def run_spiral(args: argparse.Namespace, stop: StopRequest) -> SectionResult:
    """Train MLP((hidden, 3)) with SGD on the 300 training points; measure the 300 test points
    after every epoch; draw the decision regions and the curves."""
    train_set, test_set = Spiral(train=True), Spiral(train=False)  # each seeds NumPy as the book
    np.random.seed(args.seed)  # then ours: initial weights and shuffles
    model = MLP((args.spiral_hidden, 3))
    optimizer = optimizers.SGD(args.spiral_lr).setup(model)
    train_loader = DataLoader(train_set, args.spiral_batch)
    test_loader = DataLoader(test_set, args.spiral_batch, shuffle=False)
    losses: list[float] = []
    train_acc: list[float] = []
    test_acc: list[float] = []
    every = max(1, args.spiral_epochs // PROGRESS_LINES)
    start = time.perf_counter()
    complete = True
    for epoch in range(1, args.spiral_epochs + 1):
        loss, acc, complete = epoch_pass(model, train_loader, optimizer, stop)
        if not complete:
            break
        losses.append(loss)
        train_acc.append(acc)
        test_acc.append(epoch_pass(model, test_loader)[1])
        if epoch % every == 0 or epoch == args.spiral_epochs or stop.requested:
            print(f"  epoch {epoch:4d}/{args.spiral_epochs}  loss {loss:.4f}  train accuracy "
                  f"{acc:.4f}  test accuracy {test_acc[-1]:.4f}", flush=True)
        if stop.requested:
            complete = False
            break
    seconds = time.perf_counter() - start
    if losses:
        print(f"After {len(losses)} epochs: loss {losses[-1]:.4f}, train accuracy "
              f"{train_acc[-1]:.4f}, test accuracy {test_acc[-1]:.4f} ({seconds:.1f} s)")
    if not complete:
        print(f"Interrupted (Ctrl-C) after {len(losses)} of {args.spiral_epochs} epochs")
    figure = plot_class_regions(
        lambda points: predict_classes(model, points), train_set.data, train_set.label, losses,
        {"train": train_acc, "test": test_acc}, args.out / "spiral.png",
        title=f"Spiral: MLP(({args.spiral_hidden}, 3)), SGD lr {args.spiral_lr:g}, batch "
              f"{args.spiral_batch}, {len(losses)} epochs", show=args.show)
    report = {"settings": {"hidden": args.spiral_hidden, "lr": args.spiral_lr,
                           "batch": args.spiral_batch, "epochs": args.spiral_epochs},
              "epochs": len(losses), "final": final_numbers(losses, train_acc, test_acc),
              "losses": losses, "train_accuracy": train_acc,
              "test_accuracy": test_acc, "interrupted": not complete,
              "seconds": round(seconds, 2)}
    return SectionResult(report, [figure], interrupted=not complete)
