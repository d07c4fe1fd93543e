"""The second book's module path ``common.time_layers``: the layers over sequences
(N, T, ·), implemented in ``common.layers``.

- ``RNN``, ``TimeRNN`` (``common.layers.recurrent``), ``LSTM``, ``TimeLSTM``, ``TimeBiLSTM``
  (``common.layers.lstm``);
- ``GRU``, ``TimeGRU`` (``common.layers.gru``, PyTorch's formulation with two biases);
- ``TimeEmbedding`` (``common.layers.embedding``), ``TimeDropout``
  (``common.layers.regularization``), ``TimeSigmoidWithLoss`` (``common.layers.losses``);
- ``TimeAffine``, ``TimeSoftmaxWithLoss``, ``Embedding`` (``common.layers``).

The book's module starts with ``from common.layers import *``, so its star import gives
the other layers too, and ``np``, ``softmax``, ``sigmoid``, ``GPU`` (False: this library
runs on NumPy) and the book's slow reference versions ``Simple_TimeAffine`` and
``Simple_TimeSoftmaxWithLoss``: they compute what ``TimeAffine`` and
``TimeSoftmaxWithLoss`` compute, and are those layers here.
"""

import numpy as np

from common.functions import sigmoid, softmax
from common.layers import *  # noqa: F403 - as the book's module does
from common.layers import __all__ as _layer_names
from common.layers.affine import TimeAffine
from common.layers.embedding import Embedding, TimeEmbedding
from common.layers.gru import GRU, TimeGRU
from common.layers.losses import TimeSigmoidWithLoss, TimeSoftmaxWithLoss
from common.layers.lstm import LSTM, TimeBiLSTM, TimeLSTM
from common.layers.recurrent import RNN, TimeRNN
from common.layers.regularization import TimeDropout

#: The book's ``common.np`` switches to CuPy when its config says so; this library never does.
GPU = False

Simple_TimeAffine = TimeAffine
Simple_TimeSoftmaxWithLoss = TimeSoftmaxWithLoss

__all__ = [
    "np", "GPU", "sigmoid", "softmax",
    "RNN", "TimeRNN", "LSTM", "TimeLSTM", "TimeBiLSTM", "GRU", "TimeGRU",
    "Embedding", "TimeEmbedding", "TimeDropout", "TimeAffine", "TimeSoftmaxWithLoss",
    "TimeSigmoidWithLoss", "Simple_TimeAffine", "Simple_TimeSoftmaxWithLoss",
]
__all__ += [name for name in _layer_names if name not in __all__]
