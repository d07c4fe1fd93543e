"""``dezero.optimizers``: the optimizers and their hooks (defined in
``common.autograd.optimizers``; their base ``Optimizer`` in ``optimizer_base``)."""

import math  # noqa: F401 - the book's module exposes math and np

import numpy as np  # noqa: F401

from common.autograd.core import Parameter  # noqa: F401
from common.autograd.optimizer_base import Optimizer  # noqa: F401
from common.autograd.optimizers import (  # noqa: F401
    SGD,
    AdaDelta,
    AdaGrad,
    Adam,
    ClipGrad,
    FreezeParam,
    MomentumSGD,
    WeightDecay,
)
from dezero import cuda  # noqa: F401, E402
