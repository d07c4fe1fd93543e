"""Models of the autograd (the third book's ``dezero.models``): ``Model``, a Layer that can
draw its graph, ``Sequential`` and the multi-layer perceptron ``MLP``. The large image
networks (VGG16, ResNet, SqueezeNet) are in ``common.autograd.architectures``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from common.autograd.core import Variable
from common.autograd.elementwise import sigmoid
from common.autograd.layers import Layer, Linear


class Model(Layer):
    """A Layer that is a whole network; ``plot`` draws the graph of its forward pass."""

    def plot(self, *inputs: Any, to_file: str = "model.png") -> Any:
        """Run ``forward(*inputs)`` and draw the graph that made the output to ``to_file``
        (a PNG by Graphviz's ``dot``; without ``dot``, the .dot file and how to render it)."""
        from common.autograd.graph import plot_dot_graph  # the picture's module, when needed

        y = self.forward(*inputs)
        return plot_dot_graph(y, verbose=True, to_file=to_file)


class Sequential(Model):
    """y = layer_k(... layer_1(layer_0(x))): layers (or plain functions) applied in order,
    the layers registered as l0, l1, ..."""

    def __init__(self, *layers: Layer | Callable[[Any], Any]) -> None:
        super().__init__()
        self.layers = []
        for i, layer in enumerate(layers):
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x: Any) -> Variable:
        """Every layer in turn."""
        for layer in self.layers:
            x = layer(x)
        return x


class MLP(Model):
    """Fully connected layers l0, l1, ... of ``fc_output_sizes`` outputs, ``activation``
    between them (none after the last): x (N, I) -> (N, fc_output_sizes[-1])."""

    def __init__(self, fc_output_sizes: Sequence[int],
                 activation: Callable[[Any], Variable] = sigmoid) -> None:
        super().__init__()
        self.activation = activation
        self.layers = []
        for i, out_size in enumerate(fc_output_sizes):
            layer = Linear(out_size)
            setattr(self, f"l{i}", layer)
            self.layers.append(layer)

    def forward(self, x: Any) -> Variable:
        """activation(l_i(x)) for every layer but the last, then the last layer."""
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


__all__ = ["MLP", "Model", "Sequential"]
