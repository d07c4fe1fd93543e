"""The second book's ``Trainer(model, optimizer)``: mini-batch training of any model with
``forward(x, t)`` -> loss and ``backward()``, and what it needs to train the book's models,
whose weights are lists (``model.params``, ``model.grads``) that may name an array twice.

The first book's ``Trainer(network, x_train, t_train, x_test, t_test, ...)`` is another
class (``common.training.trainer``); ``common.trainer.Trainer`` is either, by how it is
called.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from common.optim import clip_grads
from common.training.data import EpochBatches
from common.training.interrupt import stop_on_interrupt
from common.validation import whole_number

Arrays = list[np.ndarray] | dict[str, np.ndarray]


def _transposed_view(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` is ``b.T``: the same memory read with the axes swapped, as the second
    book ties its output layer to its embedding (affine W = embed_W.T)."""
    return (a.ndim == 2 and a.shape == b.shape[::-1] and a.strides == b.strides[::-1]
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def _match(param: np.ndarray, kept: list[np.ndarray]) -> tuple[int, bool] | None:
    """(index in ``kept`` of the array ``param`` names, whether it reads it transposed),
    or None for an array not kept yet."""
    for i, array in enumerate(kept):
        if param is array:
            return i, False
        if _transposed_view(param, array):
            return i, True
    return None


def merge_duplicates(params: list[np.ndarray], grads: list[np.ndarray]
                     ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``params`` with every array once, and its gradient: the sum of the gradients of
    all the entries that name it (an array shared by several layers, such as CBOW's input
    embedding, gets the sum of their contributions, as the chain rule says). An entry
    that is the transpose of another array (weight tying) adds its gradient transposed.
    Nothing is changed in place: a merged gradient is a new array."""
    if len(params) != len(grads):
        raise ValueError(f"model.params has {len(params)} arrays but model.grads has "
                         f"{len(grads)}: a layer must give one gradient per parameter")
    unique: list[np.ndarray] = []
    merged: list[np.ndarray] = []
    for param, grad in zip(params, grads, strict=True):
        match = _match(param, unique)
        if match is None:
            unique.append(param)
            merged.append(grad)
        else:
            i, transposed = match
            merged[i] = merged[i] + (grad.T if transposed else grad)
    return unique, merged


def trainable_arrays(model: Any) -> tuple[Arrays, Arrays]:
    """(params, grads) to hand to ``clip_grads`` and ``optimizer.update`` after
    ``model.backward()``: a network's dicts as they are, a list model's lists with each
    array once (``merge_duplicates``)."""
    params, grads = model.params, model.grads
    if isinstance(params, Mapping):
        return params, grads
    return merge_duplicates(list(params), list(grads))


def named_params(model: Any) -> dict[str, np.ndarray]:
    """``model.params`` as a dict: a network's as it is, a list model's keyed by position
    ('0', '1', ...) with each array once, as ``trainable_arrays`` gives them."""
    params = model.params
    if isinstance(params, Mapping):
        return params
    unique: list[np.ndarray] = []
    for param in params:
        if _match(param, unique) is None:
            unique.append(param)
    return {str(i): p for i, p in enumerate(unique)}


def train_step(model: Any, optimizer: Any, x: np.ndarray, t: np.ndarray,
               max_grad: float | None = None) -> float:
    """One iteration of a model with ``forward(x, t)`` and ``backward()``: the loss, then,
    unless it is NaN or infinite (returned with nothing changed, for the caller to stop),
    backward, the gradients (``trainable_arrays``) clipped to the global norm ``max_grad``
    when given, and ``optimizer.update``. Returns the loss."""
    with np.errstate(over="ignore", invalid="ignore"):
        loss = float(model.forward(x, t))
    if math.isfinite(loss):
        model.backward()
        params, grads = trainable_arrays(model)
        if max_grad is not None:
            clip_grads(grads, max_grad)
        optimizer.update(params, grads)
    return loss


def diverged_message(loss: float, where: str) -> str:
    """What a trainer says when the loss of ``where`` ('epoch 2, iteration 5') is not finite."""
    return (f"Training stopped: the loss became {loss} in {where}; lower the learning rate "
            "or clip the gradients (max_grad)")


class ModelTrainer:
    """The second book's ``Trainer``: ``fit(x, t, max_epoch, batch_size, max_grad,
    eval_interval)`` trains ``model`` with ``optimizer`` on mini-batches, every sample once
    per epoch in a new random order (``seed``: the same batches every run); the last
    N % batch_size samples of an epoch's order wait for another epoch.

    Each iteration: loss = model.forward(x_batch, t_batch); model.backward(); the gradients
    (lists merged where the model names an array twice) clipped to the global norm
    ``max_grad`` when given; ``optimizer.update(params, grads)``. Every ``eval_interval``
    iterations of an epoch (from its first), the mean loss since the last record goes to
    ``loss_list`` and, when ``verbose``, a progress line is printed, as in the book. A loss
    that is NaN or infinite stops training before its update (``diverged``); Ctrl-C stops
    after the current iteration (``interrupted``), keeping what was learnt.
    """

    def __init__(self, model: Any, optimizer: Any, seed: int | None = None,
                 verbose: bool = True) -> None:
        for name in ("forward", "backward", "params", "grads"):
            if not hasattr(model, name):
                raise ValueError(f"Trainer(model, optimizer) trains a model with forward(x, t), "
                                 f"backward(), params and grads; {type(model).__name__} has "
                                 f"no {name}")
        if not callable(getattr(optimizer, "update", None)):
            raise ValueError(f"Trainer(model, optimizer): the optimizer needs "
                             f"update(params, grads), got {optimizer!r}")
        self.model, self.optimizer, self.verbose = model, optimizer, verbose
        self.rng = np.random.default_rng(seed)
        self.loss_list: list[float] = []
        self.eval_interval: int | None = None
        self.current_epoch = 0
        self.diverged = self.interrupted = False

    def fit(self, x: np.ndarray, t: np.ndarray, max_epoch: int = 10, batch_size: int = 32,
            max_grad: float | None = None, eval_interval: int | None = 20) -> None:
        """Train ``max_epoch`` epochs on x (N, ...) and t (N, ...); see the class."""
        whole_number(max_epoch, "max_epoch", who="Trainer.fit")
        if eval_interval is not None:
            whole_number(eval_interval, "eval_interval", who="Trainer.fit")
        batches = EpochBatches(x, t, batch_size)
        self.eval_interval = eval_interval
        total, count, start = 0.0, 0, time.perf_counter()
        with stop_on_interrupt() as stop:
            for _ in range(max_epoch):
                for i in range(batches.per_epoch):
                    loss = self._step(*batches(self.rng), max_grad)
                    if loss is None:
                        return
                    total, count = total + loss, count + 1
                    if eval_interval is not None and i % eval_interval == 0:
                        self._record(total / count, i, batches.per_epoch, start)
                        total, count = 0.0, 0
                    if stop.requested:
                        self.interrupted = True
                        return
                self.current_epoch += 1

    def _step(self, x: np.ndarray, t: np.ndarray, max_grad: float | None) -> float | None:
        """One update; None (and nothing updated) when the loss is not finite."""
        loss = train_step(self.model, self.optimizer, x, t, max_grad)
        if math.isfinite(loss):
            return loss
        self.diverged = True
        if self.verbose:
            print(diverged_message(loss, f"epoch {self.current_epoch + 1}"), flush=True)
        return None

    def _record(self, mean_loss: float, i: int, per_epoch: int, start: float) -> None:
        self.loss_list.append(mean_loss)
        if self.verbose:
            print(f"| epoch {self.current_epoch + 1} |  iter {i + 1} / {per_epoch} | time "
                  f"{time.perf_counter() - start:.0f}[s] | loss {mean_loss:.2f}", flush=True)

    def plot(self, ylim: tuple[float, float] | None = None, path: str | None = None) -> Any:
        """The recorded training loss against the iteration (the book's ``plot``): shown
        in a window when there is a display, saved to ``path`` when given. Returns the path
        or None."""
        from common.plots.figures import pyplot, save_figure

        plt = pyplot(show=path is None)
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(np.arange(len(self.loss_list)), self.loss_list, label="train")
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel(f"iterations (x{self.eval_interval or 1})")
        ax.set_ylabel("loss")
        if path is not None:
            return save_figure(fig, path)
        plt.show()
        return None
