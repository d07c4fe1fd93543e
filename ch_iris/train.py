"""Full-batch training of a network on Iris, keeping the parameters with the best training accuracy.

The common ``Trainer`` works in epochs of mini-batches; with 120 training rows the
chapter instead uses the whole training set for every step, as the original
experiment did: one ``net.gradient`` and one ``optimizer.update`` per iteration.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from common.network import Network

#: Called at each evaluation with (iteration, loss, train accuracy, test accuracy).
Progress = Callable[[int, float, float, float], None]


@dataclass
class History:
    """What a training run recorded.

    ``losses``: training loss (cross-entropy + L2 penalty) of every iteration,
    before its update. ``eval_iterations``, ``train_acc``, ``test_acc``: the
    accuracies after the update of every ``eval_every``-th iteration and of the
    last one. ``best_iteration``/``best_train_accuracy``: the evaluation whose
    parameters were kept (the first with the highest training accuracy).
    ``iterations``: updates made; ``seconds``: time of the loop; ``diverged``:
    training stopped because the loss or the parameters stopped being finite.
    """

    losses: list[float] = field(default_factory=list)
    eval_iterations: list[int] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    best_iteration: int = 0
    best_train_accuracy: float = -1.0
    iterations: int = 0
    seconds: float = 0.0
    diverged: bool = False


def _all_finite(params: dict[str, np.ndarray]) -> bool:
    """Whether no parameter holds NaN or infinity."""
    return all(bool(np.isfinite(p).all()) for p in params.values())


def train_full_batch(
    net: Network,
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray,
    t_test: np.ndarray,
    optimizer: Any,
    iters: int,
    eval_every: int = 100,
    progress: Progress | None = None,
) -> History:
    """Train ``net`` for ``iters`` full-batch steps; finish with its best parameters.

    x_train (N, D), t_train (N,) labels (or one-hot (N, K)); the same for the
    test set, which is only measured, never used to choose anything. Every
    ``eval_every`` iterations (and after the last) both accuracies are recorded;
    the parameters with the highest training accuracy so far are copied aside
    and written back into the network (in place) at the end. If training
    diverges, it stops and the network gets those best parameters (the initial
    ones if no evaluation came before).
    """
    history = History()
    best = {key: p.copy() for key, p in net.params.items()}
    start = time.perf_counter()
    # A diverging run overflows; it is detected below and reported, so numpy's own
    # overflow warnings would only repeat it.
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(1, iters + 1):
            grads = net.gradient(x_train, t_train)
            loss = net.last_loss
            if not math.isfinite(loss):
                history.diverged = True
                break
            optimizer.update(net.params, grads)
            history.losses.append(loss)
            history.iterations = i
            if i % eval_every and i != iters:
                continue
            if not _all_finite(net.params):
                history.diverged = True
                break
            train_acc = net.accuracy(x_train, t_train)
            test_acc = net.accuracy(x_test, t_test)
            history.eval_iterations.append(i)
            history.train_acc.append(train_acc)
            history.test_acc.append(test_acc)
            if train_acc > history.best_train_accuracy:
                history.best_train_accuracy, history.best_iteration = train_acc, i
                for key, p in net.params.items():
                    np.copyto(best[key], p)
            if progress is not None:
                progress(i, loss, train_acc, test_acc)
    history.seconds = time.perf_counter() - start
    net.params.update(best)  # ParamDict: copies into the arrays the layers use
    return history
