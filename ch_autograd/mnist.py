"""Section 6 of ``python -m ch_autograd``: an MLP on MNIST trained with ``dezero`` (the
book's MNIST steps: the same loop as the spiral, 784 inputs and 10 classes). Without the
MNIST files the section says so and what to do, and the program goes on."""

from __future__ import annotations

import argparse
import time

import numpy as np

import dezero.functions as F
from ch_autograd.options import DEFAULT_MNIST_LR
from ch_autograd.result import SectionResult
from ch_autograd.spiral import epoch_pass, final_numbers
from common.interrupt import StopRequest
from common.plots.figures import plot_learning_curves
from dataset import DatasetError
from dezero import DataLoader, optimizers
from dezero.datasets import MNIST
from dezero.models import MLP


def run_mnist(args: argparse.Namespace, stop: StopRequest) -> SectionResult:
    """Train MLP((hidden, 10), ReLU) with Adam for ``args.mnist_epochs`` epochs, measure the
    10,000 test images after each; draw the learning curves."""
    try:
        train_set = MNIST(train=True, data_dir=args.data_dir)
        test_set = MNIST(train=False, data_dir=args.data_dir)
    except DatasetError as err:
        message = (f"MNIST is not available, so this section is skipped: {err}\n"
                   "Give --data-dir DIR (or set MNIST_DIR) to a folder with the four MNIST "
                   "files, or run `python -m dataset` once with a network connection.")
        print(message)
        return SectionResult({"available": False, "message": message})
    np.random.seed(args.seed)
    model = MLP((args.mnist_hidden, 10), activation=F.relu)
    optimizer = optimizers.Adam(alpha=DEFAULT_MNIST_LR).setup(model)
    train_loader = DataLoader(train_set, args.mnist_batch)
    test_loader = DataLoader(test_set, 1000, shuffle=False)
    batch_losses: list[float] = []
    losses: list[float] = []
    train_acc: list[float] = []
    test_acc: list[float] = []
    print(f"  {len(train_set)} training and {len(test_set)} test images; MLP 784-"
          f"{args.mnist_hidden}-10 (ReLU), Adam {DEFAULT_MNIST_LR:g}, batch {args.mnist_batch}",
          flush=True)
    start = time.perf_counter()
    complete = True
    for epoch in range(1, args.mnist_epochs + 1):
        loss, acc, complete = epoch_pass(model, train_loader, optimizer, stop, batch_losses)
        if not complete:
            break
        losses.append(loss)
        train_acc.append(acc)
        test_acc.append(epoch_pass(model, test_loader)[1])
        print(f"  epoch {epoch}/{args.mnist_epochs}  loss {loss:.4f}  train accuracy {acc:.4f}  "
              f"test accuracy {test_acc[-1]:.4f}  ({time.perf_counter() - start:.1f} s)",
              flush=True)
        if stop.requested:
            complete = False
            break
    seconds = time.perf_counter() - start
    if not complete:
        print(f"Interrupted (Ctrl-C) after {len(losses)} of {args.mnist_epochs} epochs "
              f"({len(batch_losses)} batches)")
    figure = plot_learning_curves(
        batch_losses, train_acc, test_acc, args.out / "mnist.png",
        title=f"MNIST: MLP 784-{args.mnist_hidden}-10 trained with dezero", show=args.show)
    report = {"available": True,
              "settings": {"hidden": args.mnist_hidden, "batch": args.mnist_batch,
                           "epochs": args.mnist_epochs, "optimizer": "Adam",
                           "lr": DEFAULT_MNIST_LR},
              "epochs": len(losses), "iterations": len(batch_losses),
              "final": final_numbers(losses, train_acc, test_acc), "losses": losses,
              "train_accuracy": train_acc, "test_accuracy": test_acc,
              "interrupted": not complete, "seconds": round(seconds, 2)}
    return SectionResult(report, [figure], interrupted=not complete)
