"""Hand-written layers inside an autograd graph: any layer of ``common.layers`` (or any
object with ``forward`` and ``backward``, the books' own layers) as a ``Function``.

``AdaptedLayer(layer)`` is an autograd ``Layer`` whose Parameters are the hand-written
layer's arrays themselves (``param_names``; its ``buffer_names`` too, as Parameters that
get no gradient, so that they are saved), so an autograd optimizer that updates
``param.data`` in place trains the hand-written layer, and the layer's arrays are saved by
``save_weights``. Calling it runs ``LayerFunction``: forward is the layer's forward (with
``train_flg = Config.train`` for layers that take one), backward is the layer's backward,
whose ``d<name>`` arrays become the Parameters' gradients.

Limits:

- first order only: the layer's backward works on arrays, so ``backward(create_graph=True)``
  through it raises RuntimeError (higher derivatives need autograd functions);
- a layer used several times in one graph (an unrolled step) works because every call
  runs on a shallow copy of the layer holding that call's cache (its state, such as a
  stateful recurrent layer's ``h``, is copied back); the layer's forward must set its
  caches anew on each call, as every layer of ``common.layers`` does. A container layer
  (``Residual``) is not copied: calling it again before the backward of the first call
  raises RuntimeError at that backward;
- the layer's own ``d<name>`` slots are not filled: the gradients are the Parameters'.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from common.autograd.core import Config, Function, Parameter, Variable
from common.autograd.layers import Layer
from common.layers.base import as_layer


def _slots(layer: Any, prefix: str = "") -> Iterator[tuple[str, Any, str, bool]]:
    """(key, owning layer, attribute, is_buffer) of every array of a hand-written layer;
    a container's inner layers' arrays as 'inner.attr'."""
    if isinstance(layer.layers, Mapping):
        for inner, sub in layer.layers.items():
            yield from _slots(as_layer(sub, f"layer {inner!r}"), f"{prefix}{inner}.")
        return
    for attr in layer.param_names:
        yield prefix + attr, layer, attr, False
    for attr in layer.buffer_names:
        yield prefix + attr, layer, attr, True


class LayerFunction(Function):
    """y = layer.forward(*xs); gxs, gW = layer.backward(gy), d<name>: a hand-written layer
    as a Function of its inputs and then of its trained arrays (``adapted``'s Parameters)."""

    def __init__(self, adapted: AdaptedLayer, n_inputs: int) -> None:
        self.adapted, self.n_inputs = adapted, n_inputs

    def forward(self, *arrays):
        adapted, layer = self.adapted, self.adapted.layer
        xs, params = arrays[:self.n_inputs], arrays[self.n_inputs:]
        for (_, owner, attr, _), array in zip(adapted.trained, params, strict=True):
            if getattr(owner, attr) is not array:  # an optimizer gave the Parameter a new one
                setattr(owner, attr, array)
        if adapted.container:
            work = layer
            adapted.calls += 1
            self.call = adapted.calls
        else:  # this call's own cache; the parameter arrays are shared
            work = copy.copy(layer)
            for _, _, attr, _ in adapted.trained:
                setattr(work, f"d{attr}", None)
        ys = work.forward(*xs, Config.train) if layer.uses_train_flg else work.forward(*xs)
        if not adapted.container:  # its state (a recurrent layer's h) goes on from here
            grads = {f"d{attr}" for _, _, attr, _ in adapted.trained}
            layer.__dict__.update((k, v) for k, v in work.__dict__.items() if k not in grads)
        self.work = work
        ys = tuple(np.asarray(y) for y in ys) if isinstance(ys, tuple) else np.asarray(ys)
        self.out_meta = [(y.shape, y.dtype) for y in (ys if isinstance(ys, tuple) else (ys,))]
        return ys

    def backward(self, *gys):
        if Config.enable_backprop:
            raise RuntimeError(
                f"{type(self.adapted.layer).__name__} is a hand-written layer: its backward "
                "gives first derivatives only, so backward(create_graph=True) cannot go "
                "through it; write the computation with autograd functions for higher ones")
        if self.adapted.container and self.adapted.calls != self.call:
            raise RuntimeError(
                f"{type(self.adapted.layer).__name__} was called again before the backward "
                "pass of an earlier call: a hand-written container layer keeps one call's "
                "cache; use one AdaptedLayer (and one layer) per use")
        gys = [np.zeros(shape, dtype) if gy is None else gy.data
               for gy, (shape, dtype) in zip(gys, self.out_meta, strict=True)]
        gxs = self.work.backward(*gys)
        gxs = list(gxs) if isinstance(gxs, tuple) else [gxs]
        if len(gxs) > self.n_inputs:
            raise ValueError(f"{type(self.adapted.layer).__name__}.backward returned "
                             f"{len(gxs)} gradients for {self.n_inputs} inputs")
        gxs += [None] * (self.n_inputs - len(gxs))
        owners = {id(self.adapted.layer): self.work}
        gparams = []
        for _, owner, attr, _ in self.adapted.trained:
            grad = getattr(owners.get(id(owner), owner), f"d{attr}")
            gparams.append(None if grad is None else Variable(np.array(grad)))
        return (*[None if g is None else Variable(np.asarray(g)) for g in gxs], *gparams)


class AdaptedLayer(Layer):
    """A hand-written layer as an autograd Layer: y = layer.forward(*xs), its arrays as
    Parameters (the same arrays), its backward as the gradient (see the module)."""

    def __init__(self, layer: Any) -> None:
        super().__init__()
        self.layer = as_layer(layer, "the adapted layer")
        self.container = isinstance(self.layer.layers, Mapping)
        self.calls = 0
        slots = list(_slots(self.layer))
        for key, owner, attr, _ in slots:
            array = getattr(owner, attr)
            if not isinstance(array, np.ndarray):
                raise TypeError(f"AdaptedLayer shares the layer's arrays with Parameters, but "
                                f"its {key} is a {type(array).__name__}; give the layer a "
                                f"NumPy array (e.g. np.array({key}))")
            setattr(self, key, Parameter(array, name=key))
        self.trained = [slot for slot in slots if not slot[3]]

    def forward(self, *inputs: Any) -> Any:
        """The layer's outputs, as Variables of the graph."""
        params = [getattr(self, key) for key, _, _, _ in self.trained]
        return LayerFunction(self, len(inputs))(*inputs, *params)


def adapt(layer: Any) -> AdaptedLayer:
    """``AdaptedLayer(layer)``: a hand-written layer ready for an autograd graph."""
    return AdaptedLayer(layer)


__all__ = ["AdaptedLayer", "LayerFunction", "adapt"]
