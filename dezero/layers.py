"""``dezero.layers`` (``L``): Layer and the layers with parameters (defined in
``common.autograd.layers`` and ``common.autograd.layers_recurrent``)."""

import numpy as np  # noqa: F401 - the book's module exposes np

import dezero.functions as F  # noqa: F401, N812 - the book's name
from common.autograd.array_utils import pair  # noqa: F401
from common.autograd.core import Parameter  # noqa: F401
from common.autograd.layers import BatchNorm, Conv2d, Deconv2d, EmbedID, Layer, Linear  # noqa: F401
from common.autograd.layers_recurrent import LSTM, RNN  # noqa: F401
from dezero import cuda  # noqa: F401
