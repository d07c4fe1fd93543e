"""The third book's MNIST example model in PyTorch, for ``benchmarks.bench_autograd``.

``Linear(784, 1000)``, ReLU, ``Linear(1000, 1000)``, ReLU, ``Linear(1000, 10)`` from the same
initial weights as the dezero runs (a dezero ``W`` (in, out) is the transpose of a ``Linear``
weight), the mean cross-entropy, the accuracy, ``zero_grad``, ``backward`` and
``torch.optim.Adam`` with the book's settings (lr 1e-3, betas 0.9/0.999, eps 1e-8) and
``weight_decay=1e-4``, which adds 1e-4 x the parameter to its gradient as the book's
``WeightDecay`` hook does. (PyTorch's Adam puts ``eps`` after the bias correction of the
second moment, the book's before it: the same steps but for that rounding.) One thread.
Runs in a PyTorch environment through ``benchmarks.autograd_worker``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.autograd_worker import HIDDEN_SIZES, WEIGHT_DECAY, Step


def make_step(weights: dict[str, np.ndarray]) -> tuple[Step, dict[str, Any]]:
    """The PyTorch model with ``weights`` (``W0``, ``b0``, ...), its step, and versions."""
    import torch

    torch.set_num_threads(1)
    layers: list[Any] = []
    for i in range(len(HIDDEN_SIZES)):
        w = weights[f"W{i}"]
        linear = torch.nn.Linear(*w.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            linear.bias.copy_(torch.from_numpy(weights[f"b{i}"]))
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # no ReLU after the last layer
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                                 weight_decay=WEIGHT_DECAY)

    def step(x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
        """One iteration, as the book's loop does it."""
        xs, ts = torch.from_numpy(x), torch.from_numpy(t)
        y = model(xs)
        loss = torch.nn.functional.cross_entropy(y, ts)
        acc = (y.argmax(dim=1) == ts).float().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item(), acc.item()

    blas = "MKL" if torch.backends.mkl.is_available() else "its own"
    return step, {"framework": f"torch {torch.__version__}, products by {blas}",
                  "numpy": np.__version__, "torch_threads": torch.get_num_threads()}
