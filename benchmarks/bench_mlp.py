"""Benchmark: one training epoch of the 784-200-80-10 ReLU MLP with Adam.

    python -m benchmarks.bench_mlp [--batch-size 256] [--repeat 5] [--dtypes float32,float64]

Trains on 60000 samples (the real MNIST when MNIST_DIR is set, otherwise random
data of the same shape) through the Trainer's own training step, so it measures
what the chapter programs run. Prints the median, min and max epoch time of
``--repeat`` epochs after a warm-up, samples per second, and the peak memory
allocated by NumPy during one epoch (tracemalloc, measured in a separate epoch).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
from typing import Any

import numpy as np

from common.nets.multi_layer import MultiLayerNet
from common.training.trainer import Trainer

SIZES = (784, [200, 80], 10)


def mlp_data(dtype: Any = np.float32, n: int = 60000, seed: int = 0
             ) -> tuple[np.ndarray, np.ndarray, str]:
    """Training images (n, 784) in ``dtype`` and labels (n,): MNIST if MNIST_DIR is set."""
    if os.environ.get("MNIST_DIR"):
        from dataset.mnist import load_mnist

        (x, t), _ = load_mnist(dtype=dtype)
        return x[:n], t[:n], "MNIST"
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32).astype(dtype), rng.integers(0, 10, n), "random"


def make_trainer(x: np.ndarray, t: np.ndarray, batch_size: int, dtype: Any, seed: int = 0
                 ) -> Trainer:
    """A Trainer for the benchmark MLP (Adam, default settings), quiet."""
    net = MultiLayerNet(*SIZES, dtype=dtype, seed=seed)
    return Trainer(net, x, t, x[:1], t[:1], epochs=1, mini_batch_size=batch_size,
                   optimizer="adam", optimizer_param={"lr": 0.001}, seed=seed, verbose=False)


def train_epoch(trainer: Trainer, order: np.ndarray | None = None) -> float:
    """One pass over the training set in ``order`` (default: a new random order),
    without evaluation; returns the seconds it took."""
    if order is None:
        order = trainer.rng.permutation(trainer.train_size)
    start = time.perf_counter()
    for i in range(0, trainer.train_size, trainer.batch_size):
        trainer.train_step(order[i:i + trainer.batch_size])
    return time.perf_counter() - start


def bench_epoch(dtype: Any = np.float32, batch_size: int = 256, repeat: int = 5,
                n: int = 60000) -> dict[str, Any]:
    """Epoch times (median/min/max over ``repeat`` after one warm-up) and peak memory."""
    x, t, source = mlp_data(dtype, n)
    trainer = make_trainer(x, t, batch_size, dtype)
    train_epoch(trainer)  # warm-up: first-touch allocations, optimizer state
    times = [train_epoch(trainer) for _ in range(repeat)]
    tracemalloc.start()
    train_epoch(trainer)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    median = statistics.median(times)
    return {
        "case": f"mlp epoch {np.dtype(dtype).name} batch {batch_size}",
        "data": source,
        "median_s": median,
        "min_s": min(times),
        "max_s": max(times),
        "samples_per_s": len(x) / median,
        "peak_alloc_mb": peak / 2**20,
        "final_loss": float(trainer.network.last_loss),
    }


def main(argv: list[str] | None = None) -> int:
    """Time the epoch for each dtype asked for and print one line each; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--dtypes", default="float32,float64")
    args = parser.parse_args(argv)
    for name in args.dtypes.split(","):
        r = bench_epoch(np.dtype(name), args.batch_size, args.repeat, args.samples)
        print(f"{r['case']:<32} ({r['data']}): median {r['median_s']:.3f} s "
              f"[{r['min_s']:.3f}..{r['max_s']:.3f}]  {r['samples_per_s']:,.0f} samples/s  "
              f"peak {r['peak_alloc_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
