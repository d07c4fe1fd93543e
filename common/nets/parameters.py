"""A model's parameters are its layers' own arrays: ``ParamDict`` and ``LayeredModel``.

    class Linear(LayeredModel):
        def __init__(self, W, b):
            self.layers = OrderedDict(fc=Affine(W, b))
            self.last_layer = SoftmaxWithLoss()
            super().__init__(self.layers.items())   # params: {'fc.W': W, 'fc.b': b}

        def loss(self, x, t, train_flg=False):
            return self.last_layer.forward(self.layers["fc"].forward(x), t)

``LayeredModel`` keeps the bookkeeping that ``common.nets.network.Network`` (a stack of
layers) and ``common.nets.encoder_decoder.EncoderDecoder`` (two parts that each hold
layers) share: which layer owns each array of ``params``, the gradients the layers leave
after backward, and what needs nothing else: the dtype, the parameter count, saving and
loading (.npz files with the architecture), float64 twins and central differences for
gradient checks. Keys follow ``common.layers.base``: ``W1`` for a layer named
``Affine1``, ``decoder.lstm.Wx`` for a container's inner layer.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from common.checks.gradients import frozen_randomness, numerical_gradient
from common.layers.base import as_layer, described, layer_arrays, random_layers


class ParamDict(dict):
    """A dict of parameter arrays that writes assignments into the existing arrays.

    ``params['W1'] = new_values`` copies the values into the array the layer
    holds (``W1[...] = new_values``), so the dict and the layers can never hold
    different arrays. Assigning a value of another shape raises ValueError.
    """

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self:
            super().__setitem__(key, value)
            return
        target = self[key]
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ValueError(
                f"parameter {key!r} has shape {target.shape}; cannot assign an array of "
                f"shape {value.shape}"
            )
        target[...] = value

    def update(self, other: Mapping[str, Any] = (), **kwargs: Any) -> None:
        """Assign every item as ``self[key] = value`` does: into the existing arrays."""
        for key, value in dict(other, **kwargs).items():
            self[key] = value


class LayeredModel:
    """A model made of named layers whose arrays are its ``params`` and ``buffers``.

    A subclass sets ``layers`` (an OrderedDict name -> layer) and ``last_layer`` (the loss),
    defines ``loss(x, t, train_flg)``, and calls ``__init__`` with the (name, layer) pairs
    whose arrays it trains (each taken through ``common.layers.base.as_layer``).
    ``params`` (key -> array) then holds the very arrays the layers use, so an in-place
    update of one is an update of the other; ``buffers`` holds the running statistics
    (batch normalisation's), saved and loaded but not trained.
    """

    layers: Mapping[str, Any]
    last_layer: Any

    def __init__(self, named_layers: Iterable[tuple[str, Any]]) -> None:
        self.params = ParamDict()
        self.buffers = ParamDict()
        # key -> (layer, attribute name): backward leaves the gradient in d<attribute>
        self._param_owner: dict[str, tuple[Any, str]] = {}
        for name, layer in named_layers:
            layer = as_layer(layer, f"layer {name!r}")
            for key, owner, attr, is_buffer in layer_arrays(name, layer):
                if key in self.params or key in self.buffers:
                    raise ValueError(
                        f"two layers give a parameter the name {key!r}; rename layer "
                        f"{name!r} so that its trailing number is unique"
                    )
                (self.buffers if is_buffer else self.params)[key] = getattr(owner, attr)
                if not is_buffer:
                    self._param_owner[key] = (owner, attr)

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """The loss of x against t (a subclass computes it)."""
        raise NotImplementedError(f"{type(self).__name__} defines no loss")

    @property
    def param_owners(self) -> Mapping[str, tuple[Any, str]]:
        """Read-only: for each key of ``params``, the layer that holds the array and the
        attribute it holds it in (``'W1' -> (layers['Affine1'], 'W')``)."""
        return MappingProxyType(self._param_owner)

    def layer_gradients(self) -> dict[str, np.ndarray]:
        """The gradients the layers hold after their backward pass, keyed like ``params``:
        ``d<attribute>`` of each array's layer (the layers' own arrays, not copies). A
        ValueError naming the parameter if its layer's backward has not run yet (its
        gradient is still None): training on it would be training on nothing."""
        grads = {}
        for key, (layer, attr) in self._param_owner.items():
            grad = getattr(layer, "d" + attr)
            if grad is None:
                raise ValueError(
                    f"{type(self).__name__}: parameter {key!r} has no gradient yet: the "
                    f"backward pass of its layer {layer.name or type(layer).__name__!r} has "
                    "not run; call backward first (gradient(x, t) runs forward and backward)")
            grads[key] = grad
        return grads

    @property
    def dtype(self) -> np.dtype | None:
        """The floating-point type of the parameters (None for a model without any)."""
        return next(iter(self.params.values())).dtype if self.params else None

    def parameter_count(self) -> int:
        """The number of trained numbers (the elements of every array of ``params``)."""
        return int(sum(p.size for p in self.params.values()))

    # --- state ---------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """What the model's function and its next random draws depend on: its architecture,
        ``params`` and ``buffers`` (the arrays themselves, by name) and the state of every
        random layer's generator (``rngs``: Dropout's masks, ...)."""
        return {"architecture": self.architecture(), "params": dict(self.params),
                "buffers": dict(self.buffers),
                "rngs": {name: rng.bit_generator.state for name, rng in random_layers(self)}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Write what ``state_dict`` gave into this model's own arrays and generators, in
        place. Checks everything first: a state of another architecture, or an array of
        another name, shape or dtype, raises ValueError and changes nothing."""
        saved = json.loads(json.dumps(state["architecture"]))
        if saved != json.loads(json.dumps(self.architecture())):
            raise ValueError(f"the state is of another model:\n  saved: {saved}\n  this:  "
                             f"{self.architecture()}")
        rngs = dict(random_layers(self))
        if set(state["rngs"]) != set(rngs):
            raise ValueError(f"its random layers ({', '.join(state['rngs']) or 'none'}) are "
                             f"not this model's ({', '.join(rngs) or 'none'})")
        for group in ("params", "buffers"):
            own, stored = getattr(self, group), state[group]
            if set(own) != set(stored):
                raise ValueError(f"its {group} ({', '.join(stored)}) are not this model's "
                                 f"({', '.join(own)})")
            for key, array in own.items():
                value = np.asarray(stored[key])
                if value.shape != array.shape or value.dtype != array.dtype:
                    raise ValueError(f"{key!r} is {value.dtype} {value.shape} in the state, "
                                     f"but this model's is {array.dtype} {array.shape}")
        for group in ("params", "buffers"):
            for key, array in getattr(self, group).items():
                np.copyto(array, state[group][key])
        for name, rng in rngs.items():
            rng.bit_generator.state = state["rngs"][name]

    # --- checking gradients ----------------------------------------------------------------
    def numerical_gradient(
        self, x: np.ndarray, t: np.ndarray, train_flg: bool = True, h: float = 1e-4
    ) -> dict[str, np.ndarray]:
        """Gradients of ``loss(x, t, train_flg)`` by central differences, keyed like ``params``:
        float64 arrays, whatever the model's dtype.

        Computed on a float64 twin of the parameters (``in_float64``): in float32, a central
        difference of step 1e-4 is mostly rounding noise (differences of 1e-3 where the
        book's float64 check shows 1e-7). The model's own arrays, their dtype and its
        running statistics are as they were afterwards. Slow (two forward passes per
        parameter element): for checking backprop on small inputs. Random layers (Dropout)
        draw the same masks on every evaluation, so the result matches ``gradient``. ``h``
        is the step of the central differences.
        """
        with self.in_float64(), frozen_randomness(self) as rewind:

            def f(_: np.ndarray) -> float:
                rewind()
                return self.loss(x, t, train_flg)

            return {key: numerical_gradient(f, param, h) for key, param in self.params.items()}

    @contextlib.contextmanager
    def in_float64(self) -> Iterator[None]:
        """Within the block, the model computes in float64: its layers and ``params`` hold
        float64 copies of every parameter that is not float64 already (a twin, which gradient
        checks may probe in place), so inputs are taken in float64 too; the gradient slot
        of each (``d<name>``) is emptied, so that backward makes a float64 one. Afterwards
        the layers and ``params`` hold their own arrays and gradient arrays again,
        unchanged and in their own dtype, and the running statistics (``buffers``) have the
        values they had before."""
        originals: dict[str, tuple[Any, Any]] = {}  # key -> (parameter, gradient slot)
        for key, (layer, attr) in self._param_owner.items():
            array = self.params[key]
            if np.asarray(array).dtype != np.float64:
                originals[key] = (array, getattr(layer, "d" + attr))
                twin = np.array(array, dtype=np.float64)
                setattr(layer, attr, twin)
                setattr(layer, "d" + attr, None)
                dict.__setitem__(self.params, key, twin)  # not ParamDict's copy into the array
        saved = {key: np.copy(values) for key, values in self.buffers.items()}
        try:
            yield
        finally:
            for key, (array, grad) in originals.items():
                layer, attr = self._param_owner[key]
                setattr(layer, attr, array)
                setattr(layer, "d" + attr, grad)
                dict.__setitem__(self.params, key, array)
            for key, values in saved.items():
                self.buffers[key][...] = values

    def architecture(self) -> dict[str, Any]:
        """A JSON-able description of the structure, stored with saved parameters: the class
        and each layer's name and type (a container's with its inner layers)."""
        return {
            "class": type(self).__name__,
            "layers": [[name, *described(layer)] for name, layer in self.layers.items()],
        }
