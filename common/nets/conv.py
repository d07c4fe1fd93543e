"""The book's convolutional networks: SimpleConvNet (chapter 7) and DeepConvNet (chapter 8).

Both are ``common.nets.network.Network`` stacks of ``common.layers``. Layers are
numbered after the weights they hold, so ``params`` carries the book's names:
``Conv1`` holds W1 and b1, and in SimpleConvNet ``Affine2`` holds W2 and b2.
Inputs are images (N, C, H, W); flat MNIST rows (N, 784) are accepted and
reshaped to ``input_dim``.

Where the book has a ReLU directly before a max pooling (conv - relu - pool), the
layers here pool first and apply the ReLU after: conv - pool - relu. The two compute
the same function and the same gradients, because max and ReLU commute,
relu(max(a, b, ...)) = max(relu(a), relu(b), ...) (both are non-decreasing), and in
backward a gradient reaches an input only if it was the window's maximum and positive,
in either order. Pooling first leaves the ReLU a quarter of the values (2×2 windows).
The layers keep the book's names (``Relu1`` still follows ``Conv1``), so ``net.layers``
lists them as Conv1, Pool1, Relu1.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.layers.activations import Relu
from common.layers.affine import Affine
from common.layers.augment import RandomShift
from common.layers.conv import Convolution, Pooling
from common.layers.losses import SoftmaxWithLoss
from common.layers.regularization import Dropout
from common.nets.files import ParameterFiles
from common.nets.multi_layer import init_scale
from common.nets.network import Network
from common.windows import window_positions


class _ImageNet(ParameterFiles, Network):
    """A Network whose input is images of shape ``input_dim`` (C, H, W)."""

    #: Every convolution keeps the windows of its last forward pass (for backward): in
    #: DeepConvNet about 1.1 MB per image, all six layers together. Evaluating 100 images
    #: at a time needs no more memory than a training step of batch 100.
    eval_batch_size = 100

    def __init__(self, input_dim: Sequence[int], layers: OrderedDict,
                 weight_decay_lambda: float) -> None:
        self.input_dim = tuple(int(d) for d in input_dim)
        super().__init__(layers, SoftmaxWithLoss(), weight_decay_lambda)

    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """Scores (N, K) of images (N, C, H, W) or of flat rows (N, C·H·W)."""
        if x.ndim == 2:
            if x.shape[1] != np.prod(self.input_dim):
                raise ValueError(f"{type(self).__name__} takes images {self.input_dim} or flat "
                                 f"rows of {np.prod(self.input_dim)} values; got rows of "
                                 f"{x.shape[1]}")
            x = x.reshape(len(x), *self.input_dim)
        return super().predict(x, train_flg)


def _pooled(size: int, after: str) -> int:
    """The size after a 2×2 pooling of stride 2 that follows layer ``after`` (an odd size
    loses its last row or column, as in the book and PyTorch); a clear error when not
    even one window fits."""
    try:
        return window_positions(size, 2, 2)
    except ValueError as err:
        raise ValueError(f"the 2x2 pooling after {after} does not fit its {size}-pixel "
                         f"output: {err}; choose another input size or padding") from None


def _conv_layer(rng: np.random.Generator, channels: int, param: Mapping[str, int],
                std: str | float, dtype: Any, input_grad: bool) -> Convolution:
    """A Convolution with ``param['filter_num']`` filters of ``param['filter_size']``²,
    weights N(0, s²) with s from ``init_scale`` (fan-in C·FH·FW), zero biases."""
    fn, size = param["filter_num"], param["filter_size"]
    scale = init_scale(std, channels * size * size)
    W = (scale * rng.standard_normal((fn, channels, size, size))).astype(dtype)
    return Convolution(W, np.zeros(fn, dtype=dtype), param.get("stride", 1),
                       param.get("pad", 0), input_grad=input_grad)


def _affine_layer(rng: np.random.Generator, fan_in: int, fan_out: int, std: str | float,
                  dtype: Any) -> Affine:
    """An Affine fan_in -> fan_out, weights N(0, s²) with s from ``init_scale``, zero biases."""
    W = (init_scale(std, fan_in) * rng.standard_normal((fan_in, fan_out))).astype(dtype)
    return Affine(W, np.zeros(fan_out, dtype=dtype))


class SimpleConvNet(_ImageNet):
    """conv - relu - pool - affine - relu - affine - softmax, the book's chapter 7 network
    (built as conv - pool - relu: the same function, faster; see the module docstring).

    With the defaults on MNIST: 30 filters 5×5 (1×28×28 -> 30×24×24), 2×2 max
    pooling (-> 30×12×12 = 4320), Affine 4320 -> 100, Affine 100 -> 10.
    ``weight_init_std`` is a number (the book's 0.01) or 'he' / 'xavier'.
    ``train_shift`` = k > 0 puts a ``RandomShift(k)`` layer named ``Shift`` first: data
    augmentation that moves every training image by a random -k..k pixels (inference
    sees the images as they are). 0, the default, is the book's network.
    """

    def __init__(
        self,
        input_dim: Sequence[int] = (1, 28, 28),
        conv_param: Mapping[str, int] | None = None,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_init_std: str | float = 0.01,
        weight_decay_lambda: float = 0.0,
        dtype: Any = np.float32,
        seed: int | None = None,
        train_shift: int = 0,
    ) -> None:
        conv_param = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1,
                      **(conv_param or {})}
        self.conv_param = conv_param
        self.hidden_size, self.output_size = int(hidden_size), int(output_size)
        channels, height, width = input_dim
        size, pad, stride = conv_param["filter_size"], conv_param["pad"], conv_param["stride"]
        conv_h = window_positions(height, size, stride, pad)
        conv_w = window_positions(width, size, stride, pad)
        pooled = conv_param["filter_num"] * _pooled(conv_h, "Conv1") * _pooled(conv_w, "Conv1")

        rng = np.random.default_rng(seed)
        layers: OrderedDict = OrderedDict()
        # the first layer's input gradient would be the gradient w.r.t. the data: unused
        layers["Conv1"] = _conv_layer(rng, channels, conv_param, weight_init_std, dtype,
                                      input_grad=False)
        layers["Pool1"] = Pooling(2, 2, stride=2)  # before Relu1: see the module docstring
        layers["Relu1"] = Relu()
        layers["Affine2"] = _affine_layer(rng, pooled, self.hidden_size, weight_init_std, dtype)
        layers["Relu2"] = Relu()
        layers["Affine3"] = _affine_layer(rng, self.hidden_size, self.output_size,
                                          weight_init_std, dtype)
        if train_shift:
            # drawn after the weights, so that the weights do not depend on train_shift
            layers["Shift"] = RandomShift(train_shift, rng=rng.spawn(1)[0])
            layers.move_to_end("Shift", last=False)
        self.train_shift = train_shift
        super().__init__(input_dim, layers, weight_decay_lambda)

    def architecture(self) -> dict[str, Any]:
        """What saved parameters must match: input, convolution and layer sizes (not the
        shifts of training, which change no parameter)."""
        return {"class": "SimpleConvNet", "input_dim": list(self.input_dim),
                "conv_param": dict(self.conv_param), "hidden_size": self.hidden_size,
                "output_size": self.output_size}


#: DeepConvNet's six 3×3 convolutions (the book's): filters and padding.
DEEP_CONV_PARAMS = (
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
)


class DeepConvNet(_ImageNet):
    """The book's chapter 8 network, about 99.4 % on MNIST:

        (conv - relu - conv - relu - pool) × 3 - affine - relu - [dropout] - affine
        - [dropout] - softmax

    (each pool comes before the ReLU that precedes it in the book: the same function,
    faster; see the module docstring).

    Six 3×3 convolutions with 16, 16, 32, 32, 64, 64 filters (pads 1, 1, 1, 2, 1, 1);
    on 1×28×28 the pools give 16×14×14, 32×8×8, 64×4×4 = 1024 -> Affine 1024 -> 50 -> 10.
    He initialisation. ``use_dropout`` puts Dropout(``dropout_ratio``) after the
    hidden Affine's ReLU, as the book does. The book also drops out the output
    scores; that is ``output_dropout=True``, off by default because it randomises
    the logits the loss is measured on: the training loss stays near 0.95 while
    the accuracy is 99 %, and the gradient is noisier for nothing.
    """

    def __init__(
        self,
        input_dim: Sequence[int] = (1, 28, 28),
        conv_params: Sequence[Mapping[str, int]] = DEEP_CONV_PARAMS,
        hidden_size: int = 50,
        output_size: int = 10,
        use_dropout: bool = True,
        dropout_ratio: float = 0.5,
        output_dropout: bool = False,
        weight_init_std: str | float = "he",
        weight_decay_lambda: float = 0.0,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        if len(conv_params) != 6:
            raise ValueError(f"DeepConvNet has six convolutions; got {len(conv_params)} "
                             "conv_params")
        self.conv_params = [dict(p) for p in conv_params]
        self.hidden_size, self.output_size = int(hidden_size), int(output_size)
        self.use_dropout, self.output_dropout = use_dropout, output_dropout
        rng = np.random.default_rng(seed)
        layers: OrderedDict = OrderedDict()
        channels, height, width = input_dim
        for i, param in enumerate(self.conv_params, start=1):
            layers[f"Conv{i}"] = _conv_layer(rng, channels, param, weight_init_std, dtype,
                                             input_grad=i > 1)
            channels = param["filter_num"]
            size, pad, stride = param["filter_size"], param["pad"], param.get("stride", 1)
            height = window_positions(height, size, stride, pad)
            width = window_positions(width, size, stride, pad)
            if i % 2 == 0:  # the pool before the ReLU: see the module docstring
                layers[f"Pool{i // 2}"] = Pooling(2, 2, stride=2)
                height, width = _pooled(height, f"Conv{i}"), _pooled(width, f"Conv{i}")
            layers[f"Relu{i}"] = Relu()
        layers["Affine7"] = _affine_layer(rng, channels * height * width, self.hidden_size,
                                          weight_init_std, dtype)
        layers["Relu7"] = Relu()
        if use_dropout:
            layers["Dropout1"] = Dropout(dropout_ratio, rng=rng.spawn(1)[0])
        layers["Affine8"] = _affine_layer(rng, self.hidden_size, self.output_size,
                                          weight_init_std, dtype)
        if output_dropout:
            layers["Dropout2"] = Dropout(dropout_ratio, rng=rng.spawn(1)[0])
        super().__init__(input_dim, layers, weight_decay_lambda)

    def architecture(self) -> dict[str, Any]:
        """What saved parameters must match: input, convolutions and layer sizes."""
        return {"class": "DeepConvNet", "input_dim": list(self.input_dim),
                "conv_params": self.conv_params, "hidden_size": self.hidden_size,
                "output_size": self.output_size}
