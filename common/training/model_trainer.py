"""The second book's ``Trainer(model, optimizer)``: mini-batch training of any model with
``forward(x, t)`` -> loss and ``backward()``, a face over the one training loop
(``common.training.loop``) that prints the book's lines; with the hooks its ``fit``
options need: ``ClipGrads`` (``max_grad``) and ``MeanLoss`` (``eval_interval``).

The first book's ``Trainer(network, x_train, t_train, x_test, t_test, ...)`` is another
class (``common.training.trainer``); ``common.trainer.Trainer`` is either, by how it is
called.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from common.batches import GlobalRandom, ShuffledBatches
from common.nets.list_model import ListView
from common.nets.perplexity import perplexity
from common.optim.clipping import clip_grads
from common.training.loop import Hook, Loop, fit
from common.validation import real_number, whole_number


class ClipGrads(Hook):
    """Scale the gradients in place so that their global norm is at most ``max_norm``
    (``common.optim.clipping.clip_grads``); the norm before clipping goes to
    ``history['grad_norm']``."""

    def __init__(self, max_norm: float) -> None:
        self.max_norm = real_number(max_norm, "max_norm", low_open=True, who="ClipGrads")

    def before_update(self, loop: Loop, params: Mapping[str, np.ndarray],
                      grads: Mapping[str, np.ndarray]) -> None:
        loop.record(grad_norm=clip_grads(grads, self.max_norm))


class MeanLoss(Hook):
    """Every ``every`` steps of an epoch of ``per_epoch`` steps (from its first), the mean
    loss of the steps since the last record goes to ``history[name]`` (the iteration to
    ``history[name + '_iteration']``) and ``line(loop, mean)`` is printed, when given."""

    def __init__(self, every: int, per_epoch: int, name: str = "mean_loss",
                 line: Callable[[Loop, float], str] | None = None) -> None:
        self.every = whole_number(every, "eval_interval")
        self.per_epoch, self.name, self.line = per_epoch, name, line
        self.total, self.count = 0.0, 0

    def after_step(self, loop: Loop) -> None:
        self.total, self.count = self.total + loop.losses[-1], self.count + 1
        if (loop.iteration - 1) % self.per_epoch % self.every == 0:
            mean = self.total / self.count
            loop.record(**{self.name: mean, f"{self.name}_iteration": loop.iteration})
            self.total, self.count = 0.0, 0
            if self.line is not None:
                print(self.line(loop, mean), flush=True)

    def state_dict(self) -> dict[str, Any]:
        return {"total": self.total, "count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.total, self.count = float(state["total"]), int(state["count"])


def named_model(model: Any, optimizer: Any, who: str) -> Any:
    """``model`` as the training loop takes it: a library model as it is, one of the second
    book's (``params`` and ``grads`` lists) through ``ListView``. ValueError unless it has
    forward, backward, params and grads and ``optimizer`` has update."""
    for name in ("forward", "backward", "params", "grads"):
        if name not in dir(model):
            raise ValueError(f"{who} trains a model with forward(x, t), backward(), params "
                             f"and grads; {type(model).__name__} has no {name}")
    if "update" not in dir(optimizer):
        raise ValueError(f"{who}: the optimizer needs update(params, grads), got {optimizer!r}")
    return model if isinstance(model.params, Mapping) else ListView(model)


def book_line(quantity: str, per_epoch: int, start: float) -> Any:
    """The second book's progress line: '| epoch 1 |  iter 21 / 351 | time 3[s] | loss 4.61'
    (``quantity``: 'loss' or 'perplexity'; perplexity is exp of the mean loss)."""

    def line(loop: Loop, mean: float) -> str:
        value = perplexity(mean) if quantity == "perplexity" else mean
        return (f"| epoch {loop.epoch + 1} |  iter {(loop.iteration - 1) % per_epoch + 1} / "
                f"{per_epoch} | time {time.perf_counter() - start:.0f}[s] | {quantity} "
                f"{value:.2f}")

    return line


class ModelTrainer:
    """The second book's ``Trainer``: ``fit(x, t, max_epoch, batch_size, max_grad,
    eval_interval)`` trains ``model`` with ``optimizer`` on mini-batches, every sample once
    per epoch in a new random order; the last N % batch_size samples of an epoch's order
    wait for another epoch. The order is drawn from ``seed``'s generator, or, with no
    seed, as the book's ``Trainer`` draws it: ``np.random.permutation(N)`` each epoch from
    NumPy's global generator, so that a program that seeded it (the book's do, through
    ``dataset.sequence.load_data``) gets the same batches every run.

    Each iteration: loss = model.forward(x, t); model.backward(); the gradients (the book's
    lists with each array once, ``common.nets.list_model.ListView``) clipped to the global norm
    ``max_grad`` when given; ``optimizer.update``. Every ``eval_interval`` iterations of an
    epoch (from its first), the mean loss since the last record goes to ``loss_list`` and,
    when ``verbose``, the book's line is printed. A loss that is NaN or infinite stops
    training before its update (``diverged``); Ctrl-C stops after the current iteration
    (``interrupted``), keeping what was learnt.
    """

    def __init__(self, model: Any, optimizer: Any, seed: int | None = None,
                 verbose: bool = True) -> None:
        self.named = named_model(model, optimizer, "Trainer(model, optimizer)")
        self.model, self.optimizer, self.verbose = model, optimizer, verbose
        self.rng = GlobalRandom() if seed is None else np.random.default_rng(seed)
        self.loss_list: list[float] = []
        self.eval_interval: int | None = None
        self.current_epoch = 0
        self.diverged = self.interrupted = False

    def fit(self, x: np.ndarray, t: np.ndarray, max_epoch: int = 10, batch_size: int = 32,
            max_grad: float | None = None, eval_interval: int | None = 20) -> None:
        """Train ``max_epoch`` epochs on x (N, ...) and t (N, ...); see the class."""
        whole_number(max_epoch, "max_epoch", who="Trainer.fit")
        batches = ShuffledBatches(x, t, batch_size, seed=self.rng, drop_last=True)
        self.eval_interval = eval_interval
        line = book_line("loss", len(batches), time.perf_counter()) if self.verbose else None
        hooks = [] if max_grad is None else [ClipGrads(max_grad)]
        if eval_interval is not None:
            hooks.append(MeanLoss(eval_interval, len(batches), line=line))
        loop = fit(self.named, self.optimizer, batches, epochs=max_epoch, hooks=hooks)
        self.loss_list += loop.history.get("mean_loss", [])
        self.current_epoch += loop.epoch
        self.diverged, self.interrupted = loop.diverged, loop.interrupted
        if self.verbose and loop.stop_reason:
            print(loop.stop_message(), flush=True)

    def plot(self, ylim: tuple[float, float] | None = None, path: str | None = None) -> Any:
        """The recorded training loss against the iteration (the book's ``plot``): in a
        window when there is a display, else (or when ``path`` is given) a PNG file, whose
        path is returned and printed."""
        from common.plots.curves import plot_book_curve

        return plot_book_curve(np.arange(len(self.loss_list)), self.loss_list,
                               f"iterations (x{self.eval_interval or 1})", "loss", ylim, path,
                               "trainer_loss.png")
