"""Layers: each one a small class with ``forward`` and ``backward``.

``forward`` computes the layer's output and caches what ``backward`` needs;
``backward(dout)`` takes ∂L/∂out and returns ∂L/∂x, storing the gradients of
the layer's own parameters as ``d<name>`` (``dW``, ``db``, ...; None until the first
backward, the same arrays after). ``backward`` never writes into ``dout``.

``base``: ``Layer``, the base of them all, declares the protocol once: the traits a
network reads (``param_names``, ``buffer_names``, ``uses_train_flg``, ``takes_ids``,
``rng``, ``name``, a container's ``layers``) with their defaults, and the second book's
lists ``layer.params`` and ``layer.grads``; ``as_layer`` lets any other object with
``forward`` and ``backward`` (the book's own layers) into a network. The arrays of
``param_names`` are the ones passed in and are only ever changed in place, so a
network's ``params`` dict and its layers always hold the same arrays.

The modules, by family: ``affine`` (Affine, MatMul, TimeAffine), ``activations`` (ReLU,
sigmoid, softmax, tanh, GELU, Gaussian), ``losses`` (the softmax, sigmoid and
squared-error losses, and the second book's TimeSoftmaxWithLoss, TimeSigmoidWithLoss),
``regularization`` (Dropout, BatchNormalization, the second book's TimeDropout),
``augment`` (RandomShift), ``conv`` (Convolution, Pooling), ``gates`` (the computational
graph's add, multiply, exp, ... nodes), ``embedding`` (Embedding, PositionalEmbedding, the
second book's TimeEmbedding), ``normalization`` (LayerNorm), ``attention`` (causal
self-attention), ``residual`` (Residual blocks); the second book's: ``recurrent`` (RNN,
TimeRNN), ``lstm`` (LSTM, TimeLSTM, TimeBiLSTM), ``gru`` (GRU, TimeGRU), with
``recurrent_base`` (the state they carry, their shape checks), ``tied`` (an
embedding that is also the output layer), ``word2vec`` (EmbeddingDot, UnigramSampler,
NegativeSamplingLoss), ``seq_attention`` (attention of a decoder over encoder states);
``base`` declares the layer protocol and numbers a network's layers and arrays the book's
way (W1, b1, ...).

Mistakes get clear errors (``common.validation``): an input of the wrong size names the
layer (by the ``name`` a network gives it, e.g. 'Affine1'), and ``backward`` before
``forward``, or with a ``dout`` of another shape than the output, says so.
"""


import numpy as np

# The book's common/layers.py imports these, so its star import gives them: keep them
from common.functions import (
    cross_entropy_error,
    identity_function,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_loss,
    step_function,
    sum_squared_error,
)
from common.layers.activations import GELU, Gaussian, Relu, Sigmoid, Softmax, Tanh
from common.layers.affine import Affine, MatMul, TimeAffine
from common.layers.attention import CausalSelfAttention
from common.layers.augment import RandomShift
from common.layers.base import layer_forward
from common.layers.conv import Convolution, Pooling
from common.layers.embedding import Embedding, PositionalEmbedding, TimeEmbedding
from common.layers.gates import (
    AddLayer,
    ExpLayer,
    MulLayer,
    OffsetLayer,
    ReciprocalLayer,
    ScaleLayer,
)
from common.layers.gru import GRU, TimeGRU
from common.layers.losses import (
    SigmoidWithLoss,
    SoftmaxWithLoss,
    SquaredErrorLoss,
    TimeSigmoidWithLoss,
    TimeSoftmaxWithLoss,
)
from common.layers.lstm import LSTM, TimeBiLSTM, TimeLSTM
from common.layers.normalization import LayerNorm
from common.layers.recurrent import RNN, TimeRNN
from common.layers.regularization import BatchNormalization, Dropout, TimeDropout
from common.layers.residual import Residual
from common.layers.seq_attention import Attention, AttentionWeight, TimeAttention, WeightSum
from common.layers.word2vec import (
    ContextMean,
    EmbeddingDot,
    NegativeSamplingLoss,
    UnigramSampler,
)
from common.util import col2im, im2col

__all__ = [
    "Affine",
    "BatchNormalization",
    "Convolution",
    "Dropout",
    "Pooling",
    "RandomShift",
    "Relu",
    "Sigmoid",
    "SigmoidWithLoss",
    "Softmax",
    "SoftmaxWithLoss",
    # backpropagation chapter: more activations, a layer without bias, regression loss, gates
    "AddLayer",
    "ExpLayer",
    "Gaussian",
    "MatMul",
    "MulLayer",
    "OffsetLayer",
    "ReciprocalLayer",
    "ScaleLayer",
    "SquaredErrorLoss",
    "Tanh",
    # Transformers (ch_gpt): sequences (N, T, D), attention, residual blocks
    "CausalSelfAttention",
    "Embedding",
    "GELU",
    "LayerNorm",
    "PositionalEmbedding",
    "Residual",
    "TimeAffine",
    "TimeSoftmaxWithLoss",
    "layer_forward",
    # recurrent layers (the second book): one step and over a sequence (N, T, D)
    "LSTM",
    "RNN",
    "TimeBiLSTM",
    "TimeLSTM",
    "TimeRNN",
    "GRU",
    "TimeGRU",
    "TimeDropout",
    "TimeEmbedding",
    "TimeSigmoidWithLoss",
    # seq2seq with attention (the second book's chapter 8): a decoder attends to an encoder
    "Attention",
    "AttentionWeight",
    "TimeAttention",
    "WeightSum",
    # word2vec (the second book's chapters 3-4): CBOW's mean, negative sampling
    "ContextMean",
    "EmbeddingDot",
    "NegativeSamplingLoss",
    "UnigramSampler",
    # what the book's module gives too: np, its functions and the sliding windows
    "np",
    "cross_entropy_error",
    "identity_function",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_loss",
    "step_function",
    "sum_squared_error",
    "im2col",
    "col2im",
]
