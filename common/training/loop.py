"""The training loop: one ``fit`` for every model, over a stream of batches, with hooks.

    loop = fit(net, Adam(lr=1e-3), ShuffledBatches(x, t, 100, seed=0), epochs=10,
               hooks=[Evaluate({"val_acc": lambda: net.accuracy(x_val, t_val)})])

A step is the second book's: ``loss = model.forward(x, t)``, ``model.backward()``, then
``optimizer.update(model.params, model.grads)``, two dicts of arrays keyed alike (a model
of the second book's, whose lists may name an array twice, is trained through
``common.nets.list_model.ListView``; one of the first book's, through
``common.nets.book_network.BookNetwork``). Everything else a run needs (evaluation and early
stopping, checkpoints, clipping, progress lines) is a ``Hook``, called at fixed points of
the loop; a learning-rate schedule wraps the optimizer (``common.optim.schedule``). A loss
that is NaN or infinite stops the run before its update (``diverged``); Ctrl-C stops it
after the current step (``interrupted``), and a second Ctrl-C raises KeyboardInterrupt at
once.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from common.interrupt import stop_on_interrupt


class Hook:
    """What the loop calls, in this order: ``start`` once, then for every step
    ``before_update(loop, params, grads)`` (gradients may be changed in place) and
    ``after_step``, ``after_epoch`` when an epoch is complete, and ``end`` once (the hooks'
    ``end`` in reverse order, so that a checkpoint, last in the list, saves the run as it
    stopped, before an earlier hook puts the best parameters back). A hook
    that must survive a resume gives its state as ``state_dict``/``load_state_dict``."""

    def start(self, loop: Loop) -> None:
        """The run (or its resumed rest) begins."""

    def before_update(self, loop: Loop, params: Mapping[str, np.ndarray],
                      grads: Mapping[str, np.ndarray]) -> None:
        """The gradients of this step are computed and not yet applied."""

    def after_step(self, loop: Loop) -> None:
        """A step was applied (``loop.iteration`` counts it, ``loop.losses[-1]`` is its loss)."""

    def after_epoch(self, loop: Loop) -> None:
        """An epoch ended (``loop.epoch`` counts it)."""

    def end(self, loop: Loop) -> None:
        """The run ends (complete, stopped early, diverged or interrupted)."""

    def state_dict(self) -> dict[str, Any]:
        """What the hook needs to continue a resumed run."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` gave."""


class Loop:
    """A training run: ``model`` trained by ``optimizer`` on ``batches`` (an iterable of
    (x, t); iterating it again starts the next epoch) for ``epochs`` epochs or ``steps``
    updates, whichever comes first, with ``hooks``.

    Its state: ``epoch`` (epochs completed), ``iteration`` (updates made), ``losses`` (the
    loss of every step, the last one NaN or infinite when the run diverged), ``history``
    (what hooks record: name -> list), ``stop_reason`` (None while it runs on),
    ``diverged``, ``interrupted``, ``seconds``.
    """

    def __init__(self, model: Any, optimizer: Any, batches: Iterable, epochs: int | None = None,
                 steps: int | None = None, hooks: Iterable[Hook] = ()) -> None:
        if epochs is None and steps is None:
            raise ValueError("fit: say how long to train: epochs=..., steps=... or both")
        self.model, self.optimizer, self.batches = model, optimizer, batches
        self.epochs, self.steps, self.hooks = epochs, steps, list(hooks)
        self.epoch = self.iteration = 0
        self.losses: list[float] = []
        self.history: dict[str, list] = {}
        self.stop_reason: str | None = None
        self.diverged = self.interrupted = False
        self.seconds = 0.0
        self.batch: Any = None  # the batch of the current step

    def stop_message(self) -> str:
        """Why the run stopped, as a sentence ('Interrupted (Ctrl-C) at iteration 120',
        'Training stopped: the loss became nan ...'), or '' when it ran to its end."""
        if not self.stop_reason:
            return ""
        if self.diverged:
            return f"Training stopped: {self.stop_reason}"
        return self.stop_reason[0].upper() + self.stop_reason[1:]

    def extend(self, batches: Iterable, epochs: int, hooks: Iterable[Hook]) -> Loop:
        """Ready the loop for ``epochs`` more epochs on ``batches`` with ``hooks`` (the
        second book's ``fit``, called again, trains on), its curves kept."""
        self.batches, self.epochs, self.hooks = batches, self.epoch + epochs, list(hooks)
        self.stop_reason, self.diverged, self.interrupted = None, False, False
        return self

    def finished(self) -> bool:
        """Whether the run is over: stopped, or all its epochs or steps done."""
        return (self.stop_reason is not None
                or (self.epochs is not None and self.epoch >= self.epochs)
                or (self.steps is not None and self.iteration >= self.steps))

    def stop(self, reason: str) -> None:
        """End the run after the current step, saying why (the first reason stays)."""
        self.stop_reason = self.stop_reason or reason

    def record(self, **values: float) -> None:
        """Append each value to its list in ``history``."""
        for name, value in values.items():
            self.history.setdefault(name, []).append(value)

    def epoch_losses(self) -> list[float]:
        """The mean loss of each epoch of ``len(batches)`` steps (the last may be partial)."""
        n = len(self.batches)
        return [float(np.mean(self.losses[i:i + n])) for i in range(0, len(self.losses), n)]

    @property
    def steps_per_second(self) -> float:
        """Updates per second of training, over the whole run."""
        return self.iteration / self.seconds if self.seconds > 0 else 0.0

    def step(self, batch: tuple) -> float:
        """One update on ``batch``; returns its loss (nothing is updated if it is not finite)."""
        loss = float(self.model.forward(*batch))
        if math.isfinite(loss):
            self.model.backward()
            for hook in self.hooks:
                hook.before_update(self, self.model.params, self.model.grads)
            self.optimizer.update(self.model.params, self.model.grads)
        return loss

    def run(self) -> Loop:
        """Train until the run is finished; returns the loop."""
        start = time.perf_counter()
        # overflow on the way to a NaN loss is reported once, as divergence
        with stop_on_interrupt() as ctrl_c, np.errstate(over="ignore", invalid="ignore"):
            self._call("start")
            while not self.finished():
                for batch in self.batches:
                    self.batch = batch
                    loss = self.step(batch)
                    self.losses.append(loss)
                    if not math.isfinite(loss):
                        self.diverged = True
                        self.stop(f"the loss became {loss} at iteration {self.iteration + 1} "
                                  f"(epoch {self.epoch + 1}): the steps are too large; lower "
                                  "the learning rate or clip the gradients")
                        break
                    self.iteration += 1
                    self._call("after_step")
                    if ctrl_c.requested:
                        self.interrupted = True
                        self.stop(f"interrupted (Ctrl-C) at iteration {self.iteration}")
                    if self.finished():
                        break
                else:
                    self.epoch += 1
                    self._call("after_epoch")
            self.seconds += time.perf_counter() - start
            self._call("end")
        return self

    def _call(self, point: str) -> None:
        # ends in reverse order, as nested blocks close: a checkpoint (last in the list)
        # saves the run before an earlier hook puts the best parameters back
        for hook in reversed(self.hooks) if point == "end" else self.hooks:
            getattr(hook, point)(self)

    def state_dict(self) -> dict[str, Any]:
        """The counters, the losses, the history and the hooks' states."""
        return {"epoch": self.epoch, "iteration": self.iteration, "losses": self.losses,
                "history": self.history, "seconds": self.seconds,
                "hooks": [hook.state_dict() for hook in self.hooks]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from ``state_dict``'s counters, curves and hooks (ValueError for the
        state of a loop with other hooks)."""
        if len(state["hooks"]) != len(self.hooks):
            raise ValueError(f"it had {len(state['hooks'])} hooks, this loop has "
                             f"{len(self.hooks)}")
        for hook, hook_state in zip(self.hooks, state["hooks"], strict=True):
            hook.load_state_dict(hook_state)
        self.epoch, self.iteration = int(state["epoch"]), int(state["iteration"])
        # in place: a face may hold these lists under the book's names (train_loss_list)
        self.losses[:] = [float(v) for v in state["losses"]]
        for name, values in state["history"].items():
            self.history.setdefault(name, [])[:] = values
        self.seconds = float(state["seconds"])


def fit(model: Any, optimizer: Any, batches: Iterable, *, epochs: int | None = None,
        steps: int | None = None, hooks: Iterable[Hook] = ()) -> Loop:
    """Train ``model`` with ``optimizer`` on ``batches`` for ``epochs`` or ``steps``, with
    ``hooks`` (see ``Loop``); returns the finished ``Loop``."""
    return Loop(model, optimizer, batches, epochs, steps, hooks).run()
