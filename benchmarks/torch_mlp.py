"""The benchmark MLP in PyTorch, for a side-by-side comparison (PyTorch is optional).

The same network (784-200-80-10 ReLU, softmax cross-entropy), the same initial
weights (copied from ours), the same data and batch order, Adam with the same
settings. Import only after checking ``torch_available()``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np


def torch_available() -> bool:
    """Whether PyTorch can be imported here."""
    return importlib.util.find_spec("torch") is not None


def torch_epoch_runner(network: Any, x: np.ndarray, t: np.ndarray, batch_size: int,
                       lr: float = 0.001) -> Callable[[np.ndarray], float]:
    """A function ``run(order) -> seconds`` training a PyTorch copy of ``network`` one epoch.

    ``network`` is one of our MultiLayerNets (ReLU, no batchnorm or dropout);
    ``order`` is the permutation of the training samples to visit, batch by batch.
    The copy and its training loop are the conv benchmark's (``benchmarks.torch_conv``):
    its ``torch_model`` knows Affine and Relu layers as well.
    """
    from benchmarks.torch_conv import torch_conv_runner

    return torch_conv_runner(network, x, t, batch_size, lr)
