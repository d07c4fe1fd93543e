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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

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
