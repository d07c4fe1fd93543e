"""Learning-rate schedules: wrappers that change an optimizer's ``lr`` as training goes on.

A schedule has the optimizer interface (``update(params, grads)``, ``lr``,
``state_dict``/``load_state_dict``), so anything that takes an optimizer (the
Trainer, a loop of your own) takes a scheduled one unchanged:

    optimizer = WarmupCosine(AdamW(lr=1e-3), warmup=100, total=2000, min_lr=1e-4)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from common.optim.base import Params, restore_number
from common.validation import real_number, whole_number

#: Prefix of the wrapped optimizer's entries in a schedule's ``state_dict``.
INNER = "optimizer."


class Schedule:
    """What the schedules share: the wrapped ``optimizer``, the count of ``updates`` made,
    and a ``state_dict`` holding the schedule's numbers and the optimizer's state."""

    settings: tuple[str, ...] = ("updates",)

    def __init__(self, optimizer: Any) -> None:
        # the library's optimizers (common.optim.base.Stateful) and the books' own have
        # update; anything else is the wrong argument
        try:
            update = optimizer.update
        except AttributeError:
            update = None
        if not callable(update):
            raise ValueError(f"{type(self).__name__} wraps an optimizer (an object with "
                             f"update(params, grads)), got {optimizer!r}")
        self.optimizer = optimizer
        self.updates = 0

    @property
    def lr(self) -> float:
        """The learning rate the wrapped optimizer uses now."""
        return self.optimizer.lr

    def state_dict(self) -> dict[str, Any]:
        """The schedule's numbers, and the wrapped optimizer's state under 'optimizer.'."""
        state: dict[str, Any] = {name: getattr(self, name) for name in self.settings}
        try:
            inner = self.optimizer.state_dict
        except AttributeError:
            # a book's own optimizer has none; the optimizers of common.optim all do
            raise ValueError(f"{type(self.optimizer).__name__} has no state_dict(): its "
                             "state cannot be saved (the optimizers of common.optim can "
                             "be)") from None
        state.update({INNER + key: value for key, value in inner().items()})
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` returned, exactly; ValueError (nothing changed) for the
        state of another schedule."""
        who = f"{type(self).__name__}.load_state_dict"
        unknown = [key for key in state if key not in self.settings and not key.startswith(INNER)]
        missing = [key for key in self.settings if key not in state]
        if unknown or missing:
            raise ValueError(f"{who}: the state does not belong to a {type(self).__name__} "
                             f"(missing: {', '.join(missing) or 'none'}; unexpected: "
                             f"{', '.join(unknown) or 'none'})")
        values = {name: restore_number(getattr(self, name), state[name], who, name)
                  for name in self.settings}
        self.optimizer.load_state_dict({key[len(INNER):]: value for key, value in state.items()
                                        if key.startswith(INNER)})
        for name, value in values.items():
            setattr(self, name, value)


class StepDecay(Schedule):
    """A learning-rate step: wraps an optimizer, and from update ``decay_at + 1`` on
    multiplies its ``lr`` by ``factor`` (once): lr_t = lr · factor^[t > decay_at].

    With a constant step, Adam keeps jumping around the minimum it has found; a
    smaller step for the last epochs lets it settle. Anything that accepts an
    optimizer (the Trainer) accepts this one.
    """

    settings = ("updates", "decay_at", "factor")

    def __init__(self, optimizer: Any, decay_at: int, factor: float = 0.1) -> None:
        super().__init__(optimizer)
        self.decay_at = decay_at
        self.factor = factor

    def update(self, params: Params, grads: Params) -> None:
        """One step on every array of ``params`` (in place), with ``grads`` of the same keys."""
        if self.updates == self.decay_at:
            self.optimizer.lr *= self.factor
        self.optimizer.update(params, grads)
        self.updates += 1


class WarmupCosine(Schedule):
    """Linear warm-up, then cosine decay (the schedule of GPT-2 and nanoGPT).

    With lr the wrapped optimizer's rate when the schedule is made, update t
    (t = 0, 1, 2, ...) uses

        lr · (t + 1) / warmup                                    for t < warmup,
        min_lr + (lr - min_lr) · ½(1 + cos(π (t - warmup) / (total - warmup)))
                                                                 for warmup <= t <= total,
        min_lr                                                   for t > total.

    The rate rises over the first ``warmup`` updates to lr (reached at t = warmup - 1),
    while Adam's moment estimates are still poor, then falls along half a cosine to
    ``min_lr`` at update ``total`` and stays there.
    """

    settings = ("updates", "base_lr", "warmup", "total", "min_lr")

    def __init__(self, optimizer: Any, warmup: int, total: int, min_lr: float) -> None:
        super().__init__(optimizer)
        self.warmup = whole_number(warmup, "warmup", 0, who="WarmupCosine")
        self.total = whole_number(total, "total", self.warmup, who="WarmupCosine")
        self.base_lr = float(optimizer.lr)
        # the upper bound is the optimizer's lr: min_lr in [0, lr]
        self.min_lr = real_number(min_lr, "min_lr", 0, self.base_lr, who="WarmupCosine")

    def lr_at(self, t: int) -> float:
        """The learning rate of update ``t`` (counted from 0)."""
        if t < self.warmup:
            return self.base_lr * (t + 1) / self.warmup
        if t > self.total:
            return self.min_lr
        span = self.total - self.warmup
        progress = (t - self.warmup) / span if span else 1.0
        return self.min_lr + (self.base_lr - self.min_lr) * 0.5 * (1 + math.cos(math.pi * progress))

    def update(self, params: Params, grads: Params) -> None:
        """One step with the rate of this update, ``lr_at(updates)``, on every array of
        ``params`` (in place), with ``grads`` of the same keys."""
        self.optimizer.lr = self.lr_at(self.updates)
        self.optimizer.update(params, grads)
        self.updates += 1
