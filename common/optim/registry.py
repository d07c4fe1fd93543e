"""Optimizers by name: ``make_optimizer('adam', lr=0.001)``, as the Trainer's
``optimizer='Adam'`` and the chapters' ``--optimizer`` options choose them."""

from __future__ import annotations

import inspect
from typing import Any

from common.optim.adaptive import AdaGrad, Adam, AdamW, RMSprop
from common.optim.sgd import SGD, Momentum, Nesterov

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
