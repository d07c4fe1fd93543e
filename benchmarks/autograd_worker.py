"""One framework's side of ``benchmarks.bench_autograd``, in a process of its own.

    python -m benchmarks.autograd_worker --framework dezero|torch --data D.npz --json R.json
        [--warmup 5] [--iterations 50] [--checkpoints 100,1000]

Trains the book's MNIST example model (``examples/mnist.py``: MLP 784-1000-1000-10 with
ReLU, Adam, ``WeightDecay(1e-4)``, batch 100) from the initial weights in ``D.npz`` on its
batches, in turn, with the framework's own code: ``dezero`` is whichever ``dezero`` this
Python imports (``benchmarks.dezero_mnist``), ``torch`` its PyTorch twin
(``benchmarks.torch_autograd``). ``--warmup`` iterations run first, then ``--iterations``
are timed (wall and CPU time of the process); ``--checkpoints`` instead runs that many
iterations under ``tracemalloc`` and records the memory at each checkpoint (no timing).

The runner decides the environment: the Python (a benchmark venv), the BLAS threads. This
module imports only the standard library and NumPy, so that it runs in the book's
environment (NumPy 1.23) too.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

#: The model's layer sizes and the training settings of the book's examples/mnist.py.
HIDDEN_SIZES = (1000, 1000, 10)
BATCH_SIZE = 100
WEIGHT_DECAY = 1e-4
#: (loss, accuracy) of one training iteration on a batch (images, labels).
Step = Callable[[np.ndarray, np.ndarray], tuple[float, float]]


def memory_status() -> dict[str, float]:
    """The process's resident memory now and at its peak (``VmRSS``, ``VmHWM``), in MB."""
    found = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key = {"VmRSS:": "rss_mb", "VmHWM:": "peak_rss_mb"}.get(line.split(":")[0] + ":")
            if key:
                found[key] = int(line.split()[1]) / 1024
    except OSError:  # not Linux: no figures
        pass
    return found


def blas_core() -> str | None:
    """The processor kernel NumPy's OpenBLAS chose (``openblas_get_corename``), or None when
    NumPy uses another BLAS or the name cannot be read (Linux only)."""
    import ctypes

    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
    except OSError:
        return None
    libraries = {line.split()[-1] for line in maps if "openblas" in line.split()[-1]}
    for library in sorted(libraries):
        for symbol in ("openblas_get_corename64_", "scipy_openblas_get_corename64_",
                       "openblas_get_corename", "scipy_openblas_get_corename"):
            function = getattr(ctypes.CDLL(library), symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return None


def make_step(framework: str, weights: dict[str, np.ndarray]) -> tuple[Step, dict[str, Any]]:
    """The framework's training step built from ``weights``, and what it is (versions)."""
    if framework == "dezero":
        from benchmarks.dezero_mnist import make_step as make
    elif framework == "torch":
        from benchmarks.torch_autograd import make_step as make
    else:
        raise ValueError(f"unknown framework {framework!r}: choose dezero or torch")
    return make(weights)


def run(framework: str, data: dict[str, np.ndarray], warmup: int, iterations: int,
        checkpoints: list[int] | None = None) -> dict[str, Any]:
    """Train as the module docstring says; the report as a dict."""
    x, t = data["x"], data["t"]
    weights = {k: v for k, v in data.items() if k not in ("x", "t")}
    batches = len(x) // BATCH_SIZE

    def batch(i: int) -> tuple[np.ndarray, np.ndarray]:
        start = (i % batches) * BATCH_SIZE
        return x[start:start + BATCH_SIZE], t[start:start + BATCH_SIZE]

    step, info = make_step(framework, weights)
    report: dict[str, Any] = {**info, "batches": batches, "blas_core": blas_core(),
                              "label_dtype": t.dtype.name}
    if checkpoints:
        tracemalloc.start()
        report["memory"] = []
        for i in range(max(checkpoints)):
            loss, _ = step(*batch(i))
            if i + 1 in checkpoints:
                current, peak = tracemalloc.get_traced_memory()
                report["memory"].append({"iterations": i + 1, "traced_mb": current / 2**20,
                                         "traced_peak_mb": peak / 2**20, **memory_status()})
        tracemalloc.stop()
        report["last_loss"] = loss
        return report
    losses = [step(*batch(i))[0] for i in range(warmup)]
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(warmup, warmup + iterations):
        loss, _ = step(*batch(i))
    report["seconds"] = (time.perf_counter() - wall) / iterations
    report["cpu_seconds"] = (time.process_time() - cpu) / iterations
    report["first_loss"] = losses[0] if losses else None
    report["last_loss"] = loss
    report.update(memory_status())
    return report


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, write the JSON report; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.autograd_worker",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--framework", required=True, choices=("dezero", "torch"))
    parser.add_argument("--data", type=Path, required=True,
                        help=".npz with x, t and the initial weights W0, b0, W1, b1, W2, b2")
    parser.add_argument("--json", type=Path, required=True, help="where to write the report")
    parser.add_argument("--warmup", type=int, default=5, help="untimed iterations first")
    parser.add_argument("--iterations", type=int, default=50, help="timed iterations")
    parser.add_argument("--label-dtype", default="int64",
                        help="the labels' dtype, as the framework's own MNIST loader gives "
                             "them (default int64; the book's: uint8)")
    parser.add_argument("--checkpoints", default="",
                        help="comma-separated iteration counts: a memory run instead")
    args = parser.parse_args(argv)
    with np.load(args.data) as npz:
        data = {key: npz[key] for key in npz.files}
    data["t"] = data["t"].astype(args.label_dtype)
    checkpoints = [int(c) for c in args.checkpoints.split(",") if c.strip()]
    report = run(args.framework, data, args.warmup, args.iterations, checkpoints)
    args.json.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
