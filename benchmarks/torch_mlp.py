"""The benchmark MLP in PyTorch, for a side-by-side comparison (PyTorch is optional).

The same network (784-200-80-10 ReLU, softmax cross-entropy), the same initial
weights (copied from ours), the same data and batch order, Adam with the same
settings. Import only after checking ``torch_available()``.
"""

from __future__ import annotations

import importlib.util
import time
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
    """
    import torch

    dtype = {np.float32: torch.float32, np.float64: torch.float64}[x.dtype.type]
    affines = [layer for name, layer in network.layers.items() if name.startswith("Affine")]
    modules: list[Any] = []
    for i, layer in enumerate(affines):
        linear = torch.nn.Linear(*layer.W.shape, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        modules.append(linear)
        if i < len(affines) - 1:
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    x_all, t_all = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))

    def run(order: np.ndarray) -> float:
        """One epoch over ``order``; returns its seconds."""
        order_t = torch.from_numpy(order)
        start = time.perf_counter()
        for i in range(0, len(order), batch_size):
            idx = order_t[i:i + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_all[idx]), t_all[idx])
            loss.backward()
            optimizer.step()
        return time.perf_counter() - start

    return run
