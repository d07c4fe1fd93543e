"""The training iteration of the third book's ``examples/mnist.py``, written with its API.

The same code runs with this project's ``dezero`` and with the book's own (PyPI's
``dezero`` 0.0.13, in an environment of its own): whichever ``import dezero`` finds.
``benchmarks.bench_autograd`` runs it through ``benchmarks.autograd_worker``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.autograd_worker import HIDDEN_SIZES, WEIGHT_DECAY, Step


def make_step(weights: dict[str, np.ndarray]) -> tuple[Step, dict[str, Any]]:
    """The example's model (MLP with ReLU), Adam and WeightDecay, the layers' weights set to
    ``weights`` (``W0``, ``b0``, ...: layer ``l0``, ...); the step and what runs it."""
    import dezero
    import dezero.functions as F
    from dezero import optimizers
    from dezero.models import MLP

    model = MLP(HIDDEN_SIZES, activation=F.relu)
    with dezero.no_grad():  # the first call creates W (its input size is known only then)
        model(np.zeros((1, weights["W0"].shape[0]), np.float32))
    for i in range(len(HIDDEN_SIZES)):
        layer = getattr(model, f"l{i}")
        layer.W.data[...] = weights[f"W{i}"]
        layer.b.data[...] = weights[f"b{i}"]
    optimizer = optimizers.Adam().setup(model)
    optimizer.add_hook(optimizers.WeightDecay(WEIGHT_DECAY))

    def step(x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
        """One iteration of the example's training loop."""
        y = model(x)
        loss = F.softmax_cross_entropy(y, t)
        acc = F.accuracy(y, t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        return float(loss.data), float(acc.data)

    version = getattr(dezero, "__version__", None)  # the book's package has one, ours not
    name = f"dezero {version}" if version else "dezero"
    info = {"framework": f"{name} ({Path(dezero.__file__).parent})", "numpy": np.__version__}
    return step, info
