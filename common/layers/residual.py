"""The residual connection, a layer made of layers: out = x + f(x)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from common.layers.base import Container, as_layer
from common.validation import layer_name


class Residual(Container):
    """out = x + f(x), where f applies ``layers`` in order; f(x) must keep x's shape.

    ``layers`` is a list (its layers are then named ``LayerNorm1``, ``TimeAffine1``,
    ``TimeAffine2``, ... by class) or a mapping name -> layer. ``backward(dout)`` runs
    f's layers backwards and returns dout + f's input gradient: the identity path hands
    the gradient on unchanged, which is what lets deep stacks of these blocks train.
    A ``Network`` lists the inner layers' parameters in its ``params`` as
    ``<residual>.<inner>.<name>`` (e.g. ``attention1.norm.gamma``), the same arrays.
    """

    uses_train_flg = True

    def __init__(self, layers: Mapping[str, Any] | Iterable[Any]) -> None:
        if isinstance(layers, Mapping):
            self.layers = OrderedDict(layers)
        else:
            self.layers = OrderedDict()
            counts: dict[str, int] = {}
            for layer in layers:
                cls = type(layer).__name__
                counts[cls] = counts.get(cls, 0) + 1
                self.layers[f"{cls}{counts[cls]}"] = layer
        if not self.layers:
            raise ValueError("Residual needs at least one layer: out = x + f(x)")
        for name, layer in self.layers.items():
            as_layer(layer, f"Residual: {name!r}")
        self.name = "Residual"

    def forward(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """x + f(x)."""
        out = x
        for layer in self.layers.values():
            if layer.uses_train_flg:
                out = layer.forward(out, train_flg)
            else:
                out = layer.forward(out)
        if out.shape != x.shape:
            raise ValueError(f"{layer_name(self)}: its layers turn x of shape {x.shape} into "
                             f"{out.shape}, but x + f(x) needs f(x) of x's shape")
        return x + out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout (the identity path) + f's backward of dout."""
        d = dout
        for layer in reversed(self.layers.values()):
            d = layer.backward(d)
        return dout + d
