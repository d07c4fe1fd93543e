"""A program written the book's way, as a workload: ``python -m benchmarks.book_twolayer``.

The book's chapter 5 ``train_neuralnet.py``: a TwoLayerNet 784-50-10 of its own (float64
parameters, an OrderedDict of ``common.layers``), mini-batches of 100 drawn at random, plain
SGD at lr 0.1. It trains ``--iters`` iterations on MNIST when ``MNIST_DIR`` (or the cache)
has it, else on random images of the same shape, and writes ``{"seconds", "iterations",
"data"}`` to ``--json``. ``benchmarks.bench_busy`` times it with one and two BLAS threads.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from common.layers import Affine, Relu, SoftmaxWithLoss


class TwoLayerNet:
    """The book's chapter 5 TwoLayerNet: Affine, ReLU, Affine, SoftmaxWithLoss."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: float = 0.01) -> None:
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, output_size),
            "b2": np.zeros(output_size),
        }
        self.layers: OrderedDict = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.last_layer = SoftmaxWithLoss()

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """Cross-entropy of the batch ``x`` with labels ``t``."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return self.last_layer.forward(x, t)

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Gradients of the loss by backpropagation."""
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


def training_data() -> tuple[np.ndarray, np.ndarray, str]:
    """MNIST's training images (flattened, scaled to 0..1) and one-hot labels, or 10000
    random images of the same shape when MNIST cannot be loaded; and which it is."""
    try:
        from dataset.mnist import load_mnist

        (x, t), _ = load_mnist(normalize=True, one_hot_label=True)
        return x.astype(np.float64), t, "MNIST"
    except Exception:  # noqa: BLE001 - no MNIST here: the same shapes, random
        rng = np.random.default_rng(0)
        labels = rng.integers(0, 10, 10000)
        return rng.random((10000, 784)), np.eye(10)[labels], "random"


def main(argv: list[str] | None = None) -> int:
    """Train ``--iters`` iterations and write the seconds they took to ``--json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.book_twolayer",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=600, help="iterations (default 600)")
    parser.add_argument("--json", type=Path, required=True, help="where to write the result")
    parser.add_argument("--out", type=Path, help="ignored (the other workloads' option)")
    args = parser.parse_args(argv)
    x, t, source = training_data()
    np.random.seed(0)
    network = TwoLayerNet(784, 50, 10)
    start = time.perf_counter()
    for _ in range(args.iters):
        batch = np.random.choice(len(x), 100)
        grads = network.gradient(x[batch], t[batch])
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= 0.1 * grads[key]
    seconds = time.perf_counter() - start
    args.json.write_text(json.dumps({"seconds": seconds, "iterations": args.iters,
                                     "data": source}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
