"""``dezero.functions`` (``F``): the differentiable functions and their Function classes
(defined in ``common.autograd``: elementwise, tensor, losses, regularization, conv,
pooling, arithmetic)."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.arithmetic import add, div, mul, neg, pow, rsub, sub  # noqa: F401
from common.autograd.conv import col2im, conv2d, conv2d_simple, deconv2d, im2col  # noqa: F401
from common.autograd.core import Config, Function, Variable, as_array, as_variable  # noqa: F401
from common.autograd.elementwise import (  # noqa: F401
    Clip,
    Cos,
    Exp,
    LeakyReLU,
    Log,
    ReLU,
    Sigmoid,
    Sin,
    Tanh,
    clip,
    cos,
    exp,
    leaky_relu,
    log,
    relu,
    sigmoid,
    sigmoid_simple,
    sin,
    tanh,
)
from common.autograd.losses import (  # noqa: F401
    LogSoftmax,
    MeanSquaredError,
    SigmoidCrossEntropy,
    Softmax,
    SoftmaxCrossEntropy,
    accuracy,
    binary_cross_entropy,
    log_softmax,
    mean_squared_error,
    mean_squared_error_simple,
    sigmoid_cross_entropy,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_simple,
    softmax_simple,
)
from common.autograd.pooling import average_pooling, pooling, pooling_simple  # noqa: F401
from common.autograd.regularization import (  # noqa: F401
    BatchNorm,
    Dropout,
    EmbedID,
    batch_norm,
    batch_nrom,
    dropout,
    embed_id,
)
from common.autograd.tensor import (  # noqa: F401
    BroadcastTo,
    GetItem,
    GetItemGrad,
    Linear,
    MatMul,
    Max,
    Min,
    Reshape,
    Sum,
    SumTo,
    Transpose,
    average,
    broadcast_to,
    expand_dims,
    flatten,
    get_item,
    linear,
    linear_simple,
    matmul,
    max,
    mean,
    min,
    reshape,
    sum,
    sum_to,
    transpose,
)
from dezero import cuda, utils  # noqa: F401, E402
