"""A define-by-run autograd (the third book's DeZero) on NumPy arrays.

Write the forward computation with Variables; ``y.backward()`` fills ``x.grad`` for every
Variable ``x`` that ``y`` depends on. The package, by module:

- ``core``: ``Variable``, ``Parameter``, ``Function``, ``Config``, ``using_config``,
  ``no_grad``, ``test_mode``, ``as_array``, ``as_variable``; the backward pass;
- ``arithmetic``: ``+ - * / **`` with broadcasting (installed on Variable on import);
- ``elementwise``: sin, cos, tanh, exp, log, sigmoid, relu, leaky_relu, clip;
- ``tensor``: reshape, transpose, get_item, sum, sum_to, broadcast_to, mean, matmul,
  linear, max, min;
- ``losses``: softmax, log_softmax, mean_squared_error, softmax_cross_entropy,
  sigmoid/binary cross-entropy, accuracy;
- ``regularization``: dropout, batch_nrom (batch_norm), embed_id;
- ``array_utils``: array helpers of the backward passes (sum_to_array, logsumexp, ...);
- ``checks``: numerical_grad, gradient_check; ``cuda``: NumPy or CuPy;
- ``test_functions``: Sphere, Matyas, Goldstein-Price, Rosenbrock (optimization tests).

Built on the functions:

- ``conv`` and ``pooling``: conv2d, deconv2d, im2col/col2im, max and average pooling;
- ``layers``, ``layers_recurrent``: Layer, Linear, Conv2d, BatchNorm, EmbedID, RNN, LSTM;
- ``models``: Model, Sequential, MLP; ``architectures``: VGG16, ResNet, SqueezeNet;
- ``optimizers``: SGD, MomentumSGD, AdaGrad, AdaDelta, Adam, and their hooks, on
  ``optimizer_base`` (``Optimizer``: the update loop, per-parameter state);
- ``datasets``, ``dataloaders``, ``transforms``: data for the book's programs;
- ``graph``: DOT pictures of a graph; ``adapter``: a hand-written layer as a Function.

Imports point down: ``cuda`` and ``array_utils`` first, then ``core``, then the functions.
"""

from common.autograd import arithmetic  # noqa: F401 - installs the operators on Variable
from common.autograd.core import (
    Config,
    Function,
    Parameter,
    Variable,
    as_array,
    as_variable,
    no_grad,
    test_mode,
    using_config,
)

__all__ = [
    "Config", "Function", "Parameter", "Variable", "as_array", "as_variable", "no_grad",
    "test_mode", "using_config",
]
