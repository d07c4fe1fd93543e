"""What the autograd's optimizers share (``common.autograd.optimizers`` has the optimizers
and their hooks): ``Optimizer`` (``setup``, ``update``, ``add_hook``), its per-parameter
state and the saving of it, and the work arrays of in-place updates and the blocks they
walk through (``blocks``).

The per-parameter state (MomentumSGD's ``vs``, Adam's ``ms`` and ``vs``, ...) is a dict
keyed by ``id(param)`` as in the book. ``state_dict()`` gives it under the parameters'
names instead (``'ms:l0/W'``, beside the settings ``alpha``, ``t``, ...), the flat layout of
``common.optim.base``, so that a run resumed in another process takes bit for bit the steps
the uninterrupted run would have taken.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from common.autograd.core import Parameter
from common.autograd.cuda import get_array_module
from common.autograd.layers import Layer
from common.optim.base import SLOT_SEPARATOR, split_state

Hook = Callable[[list[Parameter]], None]


def named_params(target: Layer) -> dict[str, Parameter]:
    """The parameters of ``target`` (a Layer or Model) by their path names ('l0/W')."""
    named: dict[str, Parameter] = {}
    target._flatten_params(named)
    return named


#: Elements per block of ``blocks``: 128 KiB of float32, so that the four arrays an Adam step
#: reads and writes and its two work arrays stay in the processor's cache between its passes.
BLOCK = 1 << 15


def blocks(*arrays: Any) -> Iterator[tuple[Any, ...]]:
    """The same stretch of each of ``arrays`` (all of one shape), block after block: views
    that write through to the arrays.

    An update of many passes (Adam makes twelve over each parameter) done block by block
    reads each block from the cache instead of from memory, and computes the same numbers
    (element-wise operations do not care in which order the elements come). C-contiguous
    NumPy arrays are cut in runs of ``BLOCK`` elements; anything else (a strided view, a
    CuPy array) is a single block.
    """
    first = arrays[0]
    if first.size <= BLOCK or not all(
        isinstance(a, np.ndarray) and a.flags.c_contiguous and a.shape == first.shape
        for a in arrays
    ):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for start in range(0, first.size, BLOCK):
        yield tuple(f[start:start + BLOCK] for f in flat)


class Scratch:
    """Work arrays shared by every parameter of one shape and dtype: updates in place
    need no temporary array per step."""

    def __init__(self) -> None:
        self.arrays: dict[tuple, list[Any]] = {}

    def get(self, like: Any, n: int) -> list[Any]:
        """``n`` work arrays shaped like ``like`` (contents undefined)."""
        key = (like.shape, like.dtype.str, type(like))
        arrays = self.arrays.setdefault(key, [])
        while len(arrays) < n:
            arrays.append(get_array_module(like).empty_like(like))
        return arrays


class Optimizer:
    """Updates the parameters of ``target`` from their gradients: ``setup(target)``, then
    ``update()`` after each backward pass. Subclasses write ``update_one(param)``, name their
    number ``settings`` and their per-parameter ``slots`` (dicts keyed by ``id(param)``)."""

    settings: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.target: Any = None
        self.hooks: list[Hook] = []
        for name in self.slots:
            setattr(self, name, {})
        self._scratch = Scratch()

    def setup(self, target: Any) -> Optimizer:
        """Optimize the parameters of ``target`` (a Layer or Model); returns self."""
        if not isinstance(target, Layer):
            raise TypeError(f"{type(self).__name__}.setup needs a Layer or Model (something "
                            f"with params()), got {type(target).__name__}")
        if target is not self.target:  # per-parameter state belongs to the old target's
            for name in self.slots:
                setattr(self, name, {})
        self.target = target
        return self

    def update(self) -> None:
        """One step: the hooks on every parameter with a gradient, then ``update_one`` on
        each that still has one."""
        if self.target is None:
            raise RuntimeError(f"{type(self).__name__}.update: no parameters to update; call "
                               "setup(model) first")
        params = [p for p in self.target.params() if p.grad is not None]
        for hook in self.hooks:
            hook(params)
        for param in params:  # check all first: no update is left half-done
            if param.grad is not None and param.grad.shape != param.data.shape:
                raise ValueError(f"{type(self).__name__}.update: a parameter "
                                 f"{param.name or ''} of shape {param.data.shape} has a "
                                 f"gradient of shape {param.grad.shape}; nothing was updated")
        for param in params:
            if param.grad is not None:  # FreezeParam drops gradients
                self.update_one(param)

    def update_one(self, param: Parameter) -> None:
        """Change ``param.data`` in place from ``param.grad``."""
        raise NotImplementedError(f"{type(self).__name__} must define update_one(param)")

    def add_hook(self, f: Hook) -> None:
        """Call ``f(params)`` on the parameters with a gradient before each update."""
        if not callable(f):
            raise TypeError(f"add_hook needs a callable f(params), got {type(f).__name__}")
        self.hooks.append(f)

    def _slot(self, name: str, param: Parameter) -> Any:
        """The ``name`` state of ``param``, zeros the first time."""
        store = getattr(self, name)
        key = id(param)
        if key not in store:
            store[key] = get_array_module(param.data).zeros_like(param.data)
        return store[key]

    def state_dict(self) -> dict[str, Any]:
        """The settings and a copy of every slot array, under '<slot>:<parameter name>'."""
        state: dict[str, Any] = {name: getattr(self, name) for name in self.settings}
        if self.slots and self.target is not None:
            names = {id(p): key for key, p in named_params(self.target).items()}
            for slot in self.slots:
                for pid, array in getattr(self, slot).items():
                    if pid in names:
                        state[f"{slot}{SLOT_SEPARATOR}{names[pid]}"] = array.copy()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` gave, for the same target (after ``setup``). Checks
        everything first: nothing changes when it raises ValueError."""
        who = f"{type(self).__name__}.load_state_dict"
        numbers, by_key = split_state(self, state)
        params = named_params(self.target) if self.target is not None else {}
        slots: dict[str, dict[int, Any]] = {name: {} for name in self.slots}
        for slot, arrays in by_key.items():
            for pname, array in arrays.items():
                if pname not in params:
                    hint = ("call setup(model) first" if self.target is None
                            else f"its parameters are {', '.join(params) or 'none'}")
                    raise ValueError(f"{who}: {slot + SLOT_SEPARATOR + pname!r} belongs to a "
                                     f"parameter {pname!r} the target does not have; {hint}")
                param = params[pname]
                if param.data is not None and array.shape != param.data.shape:
                    raise ValueError(f"{who}: {slot + SLOT_SEPARATOR + pname!r} has shape "
                                     f"{array.shape}, but the parameter {pname!r} has shape "
                                     f"{param.data.shape}")
                slots[slot][id(param)] = array
        for name, number in numbers.items():
            setattr(self, name, number)
        for name, store in slots.items():
            setattr(self, name, store)


