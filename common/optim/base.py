"""What every optimizer shares: argument checks, per-parameter state, and its saving; and
the optimizers by name (``OPTIMIZERS``, ``make_optimizer('adam', lr=0.001)``, as the
Trainer's ``optimizer='Adam'`` and the chapters' ``--optimizer`` options choose them).

An optimizer keeps two kinds of state. Its *settings* (``lr``, ``beta1``, the step
counter ``iter``) are numbers; its *slots* (``v``, ``m``, ``h``) are dicts holding
one array per parameter, created on the first update with the parameter's shape
and dtype. ``state_dict()`` returns both in one flat dict, the slots under the keys
``'<slot>:<parameter key>'`` (``'m:W1'``), and ``load_state_dict`` puts them back
exactly, so that training resumed from a checkpoint takes bit for bit the steps the
uninterrupted run would have taken.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.validation import real_number

Params = dict[str, np.ndarray]

#: Separates a slot's name from the parameter key in ``state_dict`` keys: 'm:W1'.
SLOT_SEPARATOR = ":"


def named_arrays(arrays: Params | Sequence[np.ndarray], who: str, what: str) -> Params:
    """``params`` or ``grads`` as a dict: a dict as it is; a list or tuple (the second book's
    ``model.params`` and ``model.grads``) keyed by position, '0', '1', ..."""
    if isinstance(arrays, Mapping):
        return arrays  # type: ignore[return-value]
    if isinstance(arrays, (list, tuple)):
        return {str(i): a for i, a in enumerate(arrays)}
    raise ValueError(f"{who}: {what} must be a dict of arrays (net.params) or a list of them "
                     f"(the second book's model.params), got {type(arrays).__name__}")


def checked_items(optimizer: Any, params: Params | Sequence[np.ndarray],
                  grads: Params | Sequence[np.ndarray]
                  ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(key, parameter, gradient) for every parameter, once every one has a gradient of its
    shape (else a ValueError that says which; a gradient that is None, a layer's before
    its first backward, says to call backward): no parameter is changed by an update that
    cannot finish. Both are dicts with the same keys, or lists in the same order."""
    who = f"{type(optimizer).__name__}.update"
    params = named_arrays(params, who, "params")
    grads = named_arrays(grads, who, "grads")
    for key, param in params.items():
        if key not in grads:
            raise ValueError(f"{who}: grads has no {key!r}; params and grads need the same "
                             f"keys (params: {', '.join(params)}; grads: {', '.join(grads)})")
        if grads[key] is None:
            raise ValueError(f"{who}: the gradient of {key!r} is None: the backward pass "
                             "that computes it has not run; call backward first (after "
                             "forward), then update")
        if np.shape(grads[key]) != param.shape:
            raise ValueError(f"{who}: the gradient of {key!r} has shape "
                             f"{np.shape(grads[key])}, but the parameter has shape {param.shape}")
    return [(key, param, grads[key]) for key, param in params.items()]


def slot(store: Params, key: str, like: np.ndarray) -> np.ndarray:
    """``store[key]``, created as zeros shaped like ``like`` the first time it is asked for."""
    if key not in store:
        store[key] = np.zeros_like(like)
    return store[key]


def scaled_step(param: np.ndarray, step: np.ndarray, h: np.ndarray, lr: float, eps: float,
                tmp: np.ndarray) -> None:
    """W ← W - lr · step / (sqrt(h) + eps), in place, with ``tmp`` as the only scratch array.

    The adaptive optimizers share this last line; writing it with ``out=`` keeps
    the update free of temporary arrays, which matters for a 160k-weight layer
    updated hundreds of times per epoch.
    """
    np.sqrt(h, out=tmp)
    tmp += eps
    np.divide(step, tmp, out=tmp)
    tmp *= lr
    param -= tmp


def restore_number(current: Any, value: Any, who: str, key: str) -> int | float:
    """``value`` (a number or a 0-d array read back from a file) as the type of ``current``:
    an int for counters, a float for rates. Raises ValueError for anything else."""
    array = np.asarray(value)
    if array.shape != () or array.dtype.kind not in "iuf":
        raise ValueError(f"{who}: {key!r} must be a number, got {value!r}")
    if isinstance(current, (int, np.integer)) and not isinstance(current, bool):
        if array.dtype.kind == "f" and not float(array).is_integer():
            raise ValueError(f"{who}: {key!r} must be a whole number, got {value!r}")
        return int(array)
    return float(array)


#: The optimizers by name ('sgd', 'adam', ...), in the order they are defined: each class
#: enters itself with ``@optimizer`` (``make_optimizer`` builds one from its name).
OPTIMIZERS: dict[str, type] = {}


def optimizer(cls: type) -> type:
    """Class decorator: name ``cls`` in ``OPTIMIZERS`` by its lower-case class name."""
    OPTIMIZERS[cls.__name__.lower()] = cls
    return cls


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


def split_state(optimizer: Any, state: Mapping[str, Any]
                ) -> tuple[dict[str, Any], dict[str, dict[str, np.ndarray]]]:
    """An optimizer's saved ``state`` checked and split, before anything is restored: its
    settings (numbers, by name) and, per slot, copies of the arrays by parameter key ('<slot>:
    <key>' in the state). ValueError, naming the optimizer, for a missing setting, a key of
    another optimizer's state or a slot value that is not an array of floats."""
    who = f"{type(optimizer).__name__}.load_state_dict"
    settings, slot_names = optimizer.settings, optimizer.slots
    missing = [name for name in settings if name not in state]
    if missing:
        raise ValueError(f"{who}: the state has no {', '.join(map(repr, missing))}; it was "
                         f"not saved from a {type(optimizer).__name__}")
    numbers = {name: restore_number(getattr(optimizer, name), state[name], who, name)
               for name in settings}
    slots: dict[str, dict[str, np.ndarray]] = {name: {} for name in slot_names}
    for key, value in state.items():
        if key in settings:
            continue
        name, sep, param_key = key.partition(SLOT_SEPARATOR)
        if not sep or name not in slots:
            raise ValueError(f"{who}: {key!r} is not part of a {type(optimizer).__name__}'s "
                             f"state (settings {', '.join(settings)}; per-parameter state "
                             f"{', '.join(slot_names) or 'none'})")
        array = np.asarray(value)
        if array.dtype.kind != "f":
            raise ValueError(f"{who}: {key!r} must be an array of floats, got {array.dtype}")
        slots[name][param_key] = array.copy()
    return numbers, slots


class Stateful:
    """What every optimizer shares: its settings checked and kept, its slots started empty,
    ``state_dict`` and ``load_state_dict``. A class names its ``settings`` (numbers, saved
    with the state), which of them are ``ratios`` (momentum, β1, β2, decay rate: in [0, 1))
    and its ``slots`` (dicts of one array per parameter, made on the first update)."""

    settings: tuple[str, ...] = ("lr",)
    ratios: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()

    def __init__(self, **settings: float) -> None:
        """Keep ``settings`` as attributes, once lr is a number >= 0 and every ratio lies in
        [0, 1) (else a ValueError naming the optimizer and the setting)."""
        who = type(self).__name__
        real_number(settings["lr"], "the learning rate lr", who=who)
        for name in self.ratios:
            real_number(settings[name], name, 0, 1, high_open=True, who=who)
        for name, value in settings.items():
            setattr(self, name, value)
        for name in self.slots:
            setattr(self, name, {})
        self.tmp: Params = {}  # scratch arrays, one per parameter: no state

    def state_dict(self) -> dict[str, Any]:
        """Everything the next update depends on: the settings (numbers) and a copy of every
        slot array, under '<slot>:<parameter key>'."""
        state: dict[str, Any] = {name: getattr(self, name) for name in self.settings}
        for name in self.slots:
            for key, array in getattr(self, name).items():
                state[f"{name}{SLOT_SEPARATOR}{key}"] = array.copy()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` returned, exactly. Checks everything first: keys that
        belong to another optimizer, a missing setting or a value that is not a number or an
        array raise ValueError and leave the optimizer unchanged."""
        numbers, slots = split_state(self, state)
        for name, value in numbers.items():
            setattr(self, name, value)
        for name, store in slots.items():
            setattr(self, name, store)
        self.tmp = {}  # scratch arrays are remade on the next update: they carry no state
