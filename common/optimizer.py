"""Gradient-descent optimizers with the book's interface: ``update(params, grads)``.

``params`` and ``grads`` are dicts of arrays with the same keys. ``update``
changes every array of ``params`` in place, so the layers holding those arrays
see the new values. Per-parameter state (velocities, moment estimates) is
created on the first update, with the parameter's shape and dtype, and every
optimizer and schedule saves and restores it with ``state_dict()`` /
``load_state_dict(state)`` (bit for bit; see ``common.optimizer_base``).

The classes live in modules by family, re-exported here so that the book's
``from common.optimizer import Adam`` keeps working:
``common.optimizer_sgd`` (SGD, Momentum, Nesterov), ``common.optimizer_adaptive``
(AdaGrad, RMSprop, Adam, AdamW), ``common.schedule`` (StepDecay, WarmupCosine),
``common.clipping`` (clip_grads).
"""

from __future__ import annotations

import inspect
from typing import Any

from common.clipping import clip_grads, global_norm
from common.optimizer_adaptive import AdaGrad, Adam, AdamW, RMSprop, decay_matrices
from common.optimizer_sgd import SGD, Momentum, Nesterov
from common.schedule import StepDecay, WarmupCosine

__all__ = [
    "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW", "StepDecay",
    "WarmupCosine", "clip_grads", "global_norm", "decay_matrices", "OPTIMIZERS",
    "make_optimizer",
]

OPTIMIZERS = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
}


def make_optimizer(name: str, **params: Any) -> Any:
    """Build an optimizer from its name (case-insensitive: 'sgd', 'Adam', 'adamw', ...) and
    settings."""
    try:
        cls = OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}"
        ) from None
    accepted = list(inspect.signature(cls).parameters)
    unknown = [key for key in params if key not in accepted]
    if unknown:
        raise ValueError(f"{cls.__name__} has no setting {', '.join(map(repr, unknown))}; "
                         f"it takes: {', '.join(accepted)}")
    return cls(**params)
