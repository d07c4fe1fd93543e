"""The book's fully connected networks: ``MultiLayerNet`` (chapter 6) and ``TwoLayerNet``
(chapter 5); ``MultiLayerNetExtend``, with dropout and batch normalisation, is
``common.nets.multi_layer_extend``'s, as the book keeps it in a module of its own."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from common.layers.activations import Relu, Sigmoid
from common.layers.affine import Affine
from common.layers.losses import SoftmaxWithLoss
from common.nets.network import Network

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}


def init_scale(weight_init_std: str | float, fan_in: int) -> float:
    """Standard deviation of the initial weights of a layer with ``fan_in`` inputs.

    'relu' or 'he': sqrt(2 / fan_in) (He et al. 2015, for ReLU);
    'sigmoid' or 'xavier': sqrt(1 / fan_in) (Glorot & Bengio 2010, the book's form);
    a number: that standard deviation for every layer.
    """
    if isinstance(weight_init_std, str):
        name = weight_init_std.lower()
        if name in ("relu", "he"):
            return float(np.sqrt(2.0 / fan_in))
        if name in ("sigmoid", "xavier"):
            return float(np.sqrt(1.0 / fan_in))
        raise ValueError(
            f"unknown weight_init_std {weight_init_std!r}: use 'relu'/'he', "
            "'sigmoid'/'xavier' or a number"
        )
    return float(weight_init_std)


class MultiLayerNet(Network):
    """Fully connected network: (Affine, Activation) × L, Affine, softmax loss.

    input_size D -> hidden_size_list [H1, ..., HL] -> output_size K. Inputs (N, D)
    or (N, ...) with D elements each; labels (N,) or one-hot (N, K). Layers are
    named like the book's (``Affine1``, ``Activation_function1``, ...), so ``params`` has
    ``W1, b1, W2, ...``. Weights are drawn from N(0, s²) with s from ``init_scale``,
    biases start at zero, all in ``dtype``; ``seed`` fixes them. ``hidden_block`` gives the
    layers after each hidden Affine (``MultiLayerNetExtend`` adds batch normalisation and
    dropout there).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size_list: Sequence[int],
        output_size: int,
        activation: str = "relu",
        weight_init_std: str | float = "relu",
        weight_decay_lambda: float = 0.0,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        who = type(self).__name__
        # the book's signature puts a list second; an int there would be unpacked as one
        if (isinstance(hidden_size_list, (str, bytes))
                or not isinstance(hidden_size_list, (Sequence, np.ndarray))
                or (isinstance(hidden_size_list, np.ndarray) and hidden_size_list.ndim == 0)):
            raise TypeError(f"{who}: hidden_size_list must be a list of hidden layer sizes, "
                            f"such as [50] for one hidden layer of 50 units or [100, 100] for "
                            f"two; got {hidden_size_list!r} ({type(hidden_size_list).__name__})."
                            f" The signature is {who}(input_size, hidden_size_list, "
                            "output_size, ...)")
        sizes = [input_size, *hidden_size_list, output_size]
        if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
               for n in sizes):
            raise ValueError(f"{who} needs layer sizes that are whole numbers >= 1; got "
                             f"input_size {input_size!r}, hidden_size_list "
                             f"{list(hidden_size_list)!r}, output_size {output_size!r}")
        if not isinstance(activation, str) or activation.lower() not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}: use 'relu' or 'sigmoid'")
        self.input_size = int(input_size)
        self.hidden_size_list = [int(h) for h in hidden_size_list]
        self.output_size = int(output_size)
        self.activation = activation.lower()
        self.hidden_layer_num = len(self.hidden_size_list)

        rng = np.random.default_rng(seed)
        sizes = [self.input_size, *self.hidden_size_list, self.output_size]
        layers: OrderedDict = OrderedDict()
        for i in range(1, len(sizes)):
            fan_in, fan_out = sizes[i - 1], sizes[i]
            W = (init_scale(weight_init_std, fan_in) * rng.standard_normal((fan_in, fan_out)))
            # the first layer's input gradient would be the gradient w.r.t. the data: unused
            layers[f"Affine{i}"] = Affine(W.astype(dtype), np.zeros(fan_out, dtype=dtype),
                                          input_grad=i > 1)
            if i == len(sizes) - 1:
                break
            layers.update(self.hidden_block(i, fan_out, dtype, rng))
        super().__init__(layers, SoftmaxWithLoss(), weight_decay_lambda)

    def hidden_block(self, i: int, size: int, dtype: Any,
                     rng: np.random.Generator) -> dict[str, Any]:
        """The layers after hidden Affine ``i`` (of ``size`` units): its activation."""
        return {f"Activation_function{i}": ACTIVATIONS[self.activation]()}

    def architecture(self) -> dict[str, Any]:
        """Sizes, activation and batch normalisation: what saved parameters must match."""
        return {
            "class": "MultiLayerNet",
            "input_size": self.input_size,
            "hidden_size_list": self.hidden_size_list,
            "output_size": self.output_size,
            "activation": self.activation,
            "use_batchnorm": False,
        }


class TwoLayerNet(MultiLayerNet):
    """input_size -> hidden_size (ReLU) -> output_size, weights ~ weight_init_std · N(0, 1)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        if isinstance(hidden_size, bool) or not isinstance(hidden_size, (int, np.integer)):
            raise TypeError(f"{type(self).__name__}: hidden_size is the size of its one hidden "
                            f"layer, a whole number such as 50; got {hidden_size!r} "
                            f"({type(hidden_size).__name__}). For several hidden layers use "
                            "MultiLayerNet(input_size, hidden_size_list, output_size)")
        super().__init__(input_size, [hidden_size], output_size,
                         weight_init_std=weight_init_std, dtype=dtype, seed=seed)
