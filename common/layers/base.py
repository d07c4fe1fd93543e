"""The layer protocol, declared once: ``Layer``, the base of every layer of
``common.layers``, and ``as_layer``, the one door through which any other object with
``forward`` and ``backward`` (the book's own layer classes) enters a network.

A layer is an object with ``forward`` and ``backward``. What a network needs to know about
it besides are its traits, ``Layer``'s class attributes, which a layer class overrides:

- ``param_names = ()``: the attributes holding its trained arrays (``('W', 'b')``);
  ``backward`` leaves each one's gradient in ``d<name>`` (``dW``), None until it has run;
- ``buffer_names = ()``: arrays saved with the parameters but not trained (batch
  normalisation's running statistics);
- ``uses_train_flg = False``: True for a layer whose ``forward(x, train_flg)`` behaves
  differently in training (Dropout);
- ``takes_ids = False``: True for a layer that takes integer ids, not floats (Embedding);
- ``rng = None``: the ``np.random.Generator`` of a layer that draws random numbers;
- ``name = None``: the name a network gives it ('Affine2'), which its errors show;
- ``layers = None``: a container's inner layers, name -> layer (``Residual``).

The second book's list view is here too: ``params`` [W, b, ...] and ``grads``
[dW, db, ...], in ``param_names`` order, the very arrays the layer reads and writes, so
that lists a model gathers once, when it is built, stay right for the whole training
(``tests/test_param_lists.py``).

And what a network builds on the traits, its names: a plain list of layers is named as the
book numbers its networks (Conv1, Relu1, Pool1, Affine2, ...), each parameter gets the
layer's number (W1, b1, W2, ...) so that ``net.params`` has the book's keys, a
``Container`` (``Residual``, ``TimeBiLSTM``) contributes its inner layers' arrays under
dotted names (``attention1.attn.W_qkv``), and ``random_layers`` finds every generator.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
from numpy.random import Generator

#: The traits of the protocol, with ``Layer``'s values as the defaults.
TRAITS = ("param_names", "buffer_names", "uses_train_flg", "takes_ids", "rng", "name",
          "layers")


class Layer:
    """The base of every layer: the protocol's traits with their defaults, and the second
    book's lists ``params`` [W, b, ...] and ``grads`` [dW, db, ...] (``param_names`` order).

    A subclass defines ``forward`` and ``backward``, names its arrays in ``param_names``
    and sets each gradient slot ``d<name>`` to None in ``__init__``; ``backward`` fills the
    slot on its first call and writes into the same array afterwards
    (``self.dW = np.matmul(x.T, dout, out=self.dW)``).
    """

    param_names: tuple[str, ...] = ()
    buffer_names: tuple[str, ...] = ()
    uses_train_flg: bool = False
    takes_ids: bool = False
    rng: np.random.Generator | None = None
    name: str | None = None
    layers: Mapping[str, Any] | None = None

    @property
    def params(self) -> list[np.ndarray]:
        """The layer's parameter arrays themselves (not copies)."""
        return [getattr(self, name) for name in self.param_names]

    @property
    def grads(self) -> list[np.ndarray]:
        """The arrays ``backward`` writes the gradients into, d<name> for each parameter.

        A slot that no backward has filled yet gets zeros of its parameter's shape and
        dtype here, which ``backward`` then writes into: lists taken before training are
        the arrays every backward fills."""
        for name in self.param_names:
            if getattr(self, f"d{name}") is None:
                setattr(self, f"d{name}", np.zeros_like(getattr(self, name)))
        return [getattr(self, f"d{name}") for name in self.param_names]


def as_layer(obj: Any, who: str) -> Any:
    """``obj`` itself, checked as a layer: a ``Layer``, or any object with callable
    ``forward`` and ``backward`` (the book's own layer classes), which is given the traits
    it lacks, with ``Layer``'s defaults (and empty ``params``/``grads`` lists), as are the
    layers inside it (``layers``). A TypeError naming ``who`` ('layer 'fc'') otherwise.

    Networks and containers pass their layers through here once, when they are built, so
    that everything after reads the traits as plain attributes."""
    if isinstance(obj, Layer):
        return obj
    for method in ("forward", "backward"):
        if not callable(getattr(obj, method, None)):
            raise TypeError(f"{who} ({type(obj).__name__}) has no {method} method: a layer is "
                            "an object with forward and backward (or a common.layers.Layer)")
    # made per call: every object gets lists of its own
    defaults = {trait: getattr(Layer, trait) for trait in TRAITS} | {"params": [], "grads": []}
    for trait, default in defaults.items():
        if not hasattr(obj, trait):
            setattr(obj, trait, default)
    if isinstance(obj.layers, Mapping):
        for inner, layer in obj.layers.items():
            as_layer(layer, f"{who}.{inner}")
    return obj


def layer_forward(layer: Any, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
    """``layer.forward(x, train_flg)`` for layers that take the flag (``uses_train_flg``),
    ``layer.forward(x)`` for the others; ``layer`` is a ``Layer`` or has been through
    ``as_layer``."""
    if layer.uses_train_flg:
        return layer.forward(x, train_flg)
    return layer.forward(x)


class Container(Layer):
    """A layer made of named inner layers (``self.layers``, an OrderedDict): whatever name a
    network gives it, its inner layers are named '<name>.<inner>', so that their errors and
    their parameters ('attention1.attn.W_qkv') say where they sit. Its ``params`` and
    ``grads`` lists (the second book's) are its inner layers', in order."""

    layers: OrderedDict

    @property
    def params(self) -> list[np.ndarray]:
        """The inner layers' parameter arrays, layer after layer."""
        return [p for layer in self.layers.values() for p in layer.params]

    @property
    def grads(self) -> list[np.ndarray]:
        """The inner layers' gradient arrays, in the order of ``params``."""
        return [g for layer in self.layers.values() for g in layer.grads]

    @property
    def name(self) -> str:
        """The name a network gave this layer."""
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value
        for inner, layer in self.layers.items():
            layer.name = f"{value}.{inner}"


def param_key(layer_name: str, attr: str) -> str:
    """'Affine2', 'W' -> 'W2' (the book's names); a name without a number -> 'fc.W'."""
    number = re.search(r"(\d+)$", layer_name)
    return f"{attr}{number.group(1)}" if number else f"{layer_name}.{attr}"


#: Short names of layer classes in automatic names, as the book and ``common.nets.conv``
#: name them (Conv1, Pool1, BatchNorm2); other classes go by their own name (Affine3).
_SHORT_NAMES = {"Convolution": "Conv", "Pooling": "Pool", "BatchNormalization": "BatchNorm"}


def _holds_parameters(layer: Any) -> bool:
    """Whether ``layer`` holds parameters, and so is numbered in the sequence that gives
    parameters their book names (W1, W2, ...)."""
    return bool(layer.param_names)


def named_layers(layers: Mapping[str, Any] | Iterable[Any]) -> OrderedDict:
    """Layers as an OrderedDict. A plain list is named the way the book numbers its layers:

    - the layers that hold parameters in one sequence, whatever their class, so that the
      parameters get unique book names: Conv1 -> W1, Affine2 -> W2, Affine3 -> W3;
    - except that a layer whose parameters have other names than those already given
      that number keeps it, as the book's batch normalisation does: Affine1 (W1, b1),
      BatchNorm1 (gamma1, beta1), Affine2;
    - the other layers by their own count per class: Relu1, Pool1, Relu2.
    """
    if isinstance(layers, Mapping):
        return OrderedDict(layers)
    named: OrderedDict = OrderedDict()
    counts: dict[str, int] = {}
    number, taken = 0, set()  # the current number, and the names it has given
    for layer in layers:
        cls = type(layer).__name__
        short = _SHORT_NAMES.get(cls, cls)
        if _holds_parameters(layer):
            own = {*layer.param_names, *layer.buffer_names}
            # a layer with no names of its own (one holding other layers') takes a new number
            if not number or not own or own & taken:
                number, taken = number + 1, set()
            taken |= own
            named[f"{short}{number}"] = layer
        else:
            counts[short] = counts.get(short, 0) + 1
            named[f"{short}{counts[short]}"] = layer
    return named


def layer_arrays(name: str, layer: Any) -> Iterator[tuple[str, Any, str, bool]]:
    """(key, owning layer, attribute, is_buffer) of every parameter and running statistic
    of ``layer``, named ``name`` in the network. A container layer (one with ``layers``,
    e.g. ``Residual``) contributes its inner layers' arrays as ``name.inner.attr``."""
    if isinstance(layer.layers, Mapping):
        for inner, sublayer in layer.layers.items():
            for _, owner, attr, is_buffer in layer_arrays(inner, sublayer):
                yield f"{name}.{inner}.{attr}", owner, attr, is_buffer
        return
    for attr in layer.param_names:
        yield param_key(name, attr), layer, attr, False
    for attr in layer.buffer_names:
        yield param_key(name, attr), layer, attr, True


def described(layer: Any) -> list[Any]:
    """A layer's type, with its inner layers' names and descriptions for a container."""
    if isinstance(layer.layers, Mapping):
        return [type(layer).__name__, [[n, *described(sub)] for n, sub in layer.layers.items()]]
    return [type(layer).__name__]


def random_layers(network: Any) -> Iterator[tuple[str, Any]]:
    """(name, generator) of every layer of ``network`` that draws random numbers
    (``layer.rng``, a ``numpy.random.Generator``: Dropout, RandomShift), looking inside
    container layers too (``attention1.drop``) and at the loss layer (negative sampling
    draws there). ``network`` may be any model, the book's own classes too: its ``layers``
    (a dict) and ``last_layer`` are looked at if it has them, through ``as_layer``."""

    def walk(prefix: str, layers: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
        for name, layer in layers.items():
            layer = as_layer(layer, f"layer {prefix + name!r}")
            if isinstance(layer.rng, Generator):
                yield prefix + name, layer.rng
            if isinstance(layer.layers, Mapping):
                yield from walk(f"{prefix}{name}.", layer.layers)

    # a model that is not a library one may have neither (the book's use lastLayer)
    layers = getattr(network, "layers", None)
    yield from walk("", layers if isinstance(layers, Mapping) else {})
    last_layer = getattr(network, "last_layer", None)
    if last_layer is not None:
        last_layer = as_layer(last_layer, "the loss layer")
        if isinstance(last_layer.rng, Generator):
            yield last_layer.name or "loss", last_layer.rng
