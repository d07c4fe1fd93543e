"""The benchmark suite: ``python -m benchmarks [--quick] [--repeat 5] [--json PATH]``.

Cases (each timed ``--repeat`` times after a warm-up; median, min and max shown):

- ``gemm``: the machine's float32 matrix-product rate on 1024³, the "limit" that
  the MLP epoch is compared with;
- ``mlp``: one training epoch of the 784-200-80-10 ReLU MLP with Adam (batch 256
  and 100 in float32, batch 256 in float64), on the real MNIST when MNIST_DIR is
  set, else random data of the same shape; with PyTorch installed, the same epoch
  in PyTorch (same data, batch order, initial weights and Adam settings) runs
  interleaved with ours, and the ratio ours/PyTorch is printed;
- ``load``: a cached ``load_mnist()`` of all 70000 images (needs MNIST_DIR);
- ``ch_mnist``: ``python -m ch_mnist`` with its defaults, end to end: wall time,
  peak memory (RSS) and test accuracy (needs MNIST_DIR);
- ``optimizer_compare``: ``python -m optimizer_compare`` end to end (needs MNIST_DIR).

``--quick`` shrinks everything (2048 samples, one run, no end-to-end programs):
a smoke test that the suite works, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_mlp import SIZES, make_trainer, mlp_data, train_epoch
from benchmarks.torch_mlp import torch_available, torch_epoch_runner
from common.fileio import atomic_write

CASES = ("gemm", "mlp", "load", "ch_mnist", "optimizer_compare")


def summary(times: list[float]) -> dict[str, float]:
    """Median, min and max of a list of seconds."""
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def gemm_rate(repeat: int, n: int = 1024) -> dict[str, Any]:
    """float32 matrix-product rate in GFLOP/s (2n³ flops per n×n product)."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    np.matmul(a, b, out=out)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(5):
            np.matmul(a, b, out=out)
        times.append((time.perf_counter() - start) / 5)
    result = summary(times)
    result["gflops"] = 2 * n**3 / result["median_s"] / 1e9
    return {"case": f"gemm float32 {n}^3", **result}


def mlp_epoch_flops(n_samples: int, sizes: list[int]) -> float:
    """FLOPs of one epoch's matrix products: forward, weight gradients, and the input
    gradients of every layer but the first (training never needs the data's gradient)."""
    pairs = [sizes[i] * sizes[i + 1] for i in range(len(sizes) - 1)]
    return 2.0 * n_samples * (2 * sum(pairs) + sum(pairs[1:]))


def mlp_cases(repeat: int, n: int, gemm_n: int, use_torch: bool) -> list[dict[str, Any]]:
    """Epoch times of our MLP (float32 batch 256 and 100, float64 batch 256), of PyTorch's
    (float32) when asked, and the GEMM rate, all measured round-robin: every round runs
    each of them once, so that a noisy machine slows them alike and the ratios hold."""
    data = {dtype: mlp_data(dtype, n) for dtype in (np.float32, np.float64)}
    runners: dict[str, Callable[[np.ndarray], float]] = {}
    for dtype, batch in ((np.float32, 256), (np.float32, 100), (np.float64, 256)):
        x, t, _ = data[dtype]
        trainer = make_trainer(x, t, batch, dtype)
        name = f"{np.dtype(dtype).name} batch {batch}"
        runners[name] = lambda order, trainer=trainer: train_epoch(trainer, order)
        if use_torch and dtype == np.float32:
            runners[f"torch {name}"] = torch_epoch_runner(trainer.network, x, t, batch)
    times: dict[str, list[float]] = {name: [] for name in runners}
    gemm_rates = []
    rng = np.random.default_rng(1)
    for i in range(repeat + 1):  # the first round warms up caches and optimizer state
        order = rng.permutation(n)
        for name, run in runners.items():
            # OpenBLAS's and PyTorch's worker threads spin for a while after their last
            # task; a pause lets them sleep, so that they do not slow the next run down
            time.sleep(0.3)
            seconds = run(order)
            if i:
                times[name].append(seconds)
        if i:
            time.sleep(0.3)
            gemm_rates.append(gemm_rate(1, gemm_n)["gflops"])
    gflops = statistics.median(gemm_rates)
    flops = mlp_epoch_flops(n, [SIZES[0], *SIZES[1], SIZES[2]])
    results = []
    for name in ("float32 batch 256", "float32 batch 100", "float64 batch 256"):
        result = {"case": f"mlp epoch {name}", "data": data[np.float32][2], **summary(times[name])}
        result["gemm_gflops"] = gflops
        result["gemm_fraction"] = flops / (gflops * 1e9 * result["median_s"])
        if f"torch {name}" in times:
            result["torch"] = summary(times[f"torch {name}"])
            result["ratio_vs_torch"] = result["median_s"] / result["torch"]["median_s"]
        results.append(result)
    results[2]["ratio_vs_float32"] = results[2]["median_s"] / results[0]["median_s"]
    return results


def load_case(repeat: int) -> dict[str, Any]:
    """A cached load_mnist() of all 70000 images (the cache is built by the warm-up)."""
    from dataset.mnist import load_mnist

    load_mnist()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        load_mnist()
        times.append(time.perf_counter() - start)
    return {"case": "cached load_mnist()", **summary(times)}


def run_program(args: list[str]) -> tuple[float, float, dict[str, Any]]:
    """Run ``python -m <args> --json FILE``: (wall seconds, peak RSS in MB, its JSON)."""
    with tempfile.TemporaryDirectory() as tmp:
        out_json, rss_file = Path(tmp) / "metrics.json", Path(tmp) / "rss"
        cmd = [sys.executable, "-m", "benchmarks.measured", str(rss_file), *args,
               "--json", str(out_json), "--out", tmp]
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        return wall, float(rss_file.read_text()), json.loads(out_json.read_text())


def program_case(name: str, args: list[str], repeat: int,
                 accuracy_of: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """Wall time, peak RSS and reported accuracy of a chapter program, ``repeat`` runs."""
    walls, rss, accuracy = [], [], None
    for _ in range(repeat):
        wall, peak, metrics = run_program(args)
        walls.append(wall)
        rss.append(peak)
        accuracy = accuracy_of(metrics)
    return {"case": name, **summary(walls), "peak_rss_mb": max(rss), "accuracy": accuracy}


def describe_machine(gemm: dict[str, Any] | None) -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "gemm_gflops": gemm["gflops"] if gemm else None,
        "torch": __import__("torch").__version__ if torch_available() else None,
    }


def print_row(r: dict[str, Any]) -> None:
    """One line of the results table for case ``r``."""
    line = (f"{r['case']:<34} median {r['median_s']:8.3f} s  "
            f"[{r['min_s']:.3f} .. {r['max_s']:.3f}]")
    if "gflops" in r:
        line += f"  {r['gflops']:.0f} GFLOP/s"
    if "torch" in r:
        line += (f"  torch {r['torch']['median_s']:.3f} s  "
                 f"ours/torch {r['ratio_vs_torch']:.2f}")
    if "gemm_fraction" in r:
        line += f"  {100 * r['gemm_fraction']:.0f}% of GEMM limit"
    if "ratio_vs_float32" in r:
        line += f"  {r['ratio_vs_float32']:.2f}x float32"
    if "peak_rss_mb" in r:
        line += f"  peak RSS {r['peak_rss_mb']:.0f} MB"
    if r.get("accuracy") is not None:
        line += f"  accuracy {r['accuracy']}"
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases, print the table, write --json; returns 0."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of training speed, loading and the chapter programs.",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one run, no end-to-end programs: a smoke test")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated subset of: {', '.join(CASES)}")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose from {CASES}")
    repeat = 1 if args.quick else args.repeat
    n = 2048 if args.quick else 60000
    have_mnist = bool(os.environ.get("MNIST_DIR"))
    use_torch = torch_available() and not args.no_torch

    results: list[dict[str, Any]] = []
    gemm = gemm_rate(repeat, 256 if args.quick else 1024)
    if "gemm" in cases:
        results.append(gemm)
        print_row(gemm)
    if "mlp" in cases:
        for r in mlp_cases(repeat, n, 256 if args.quick else 1024, use_torch):
            results.append(r)
            print_row(r)
    skipped = []
    for case in ("load", "ch_mnist", "optimizer_compare"):
        if case not in cases:
            continue
        if args.quick or not have_mnist:
            skipped.append(case)
            continue
        if case == "load":
            r = load_case(repeat)
        elif case == "ch_mnist":
            r = program_case("python -m ch_mnist (10 epochs)", ["ch_mnist"], repeat,
                             lambda m: m.get("test_accuracy"))
        else:
            r = program_case("python -m optimizer_compare", ["optimizer_compare"], repeat,
                             lambda m: {k: v.get("test_accuracy")
                                        for k, v in m.get("optimizers", {}).items()})
        results.append(r)
        print_row(r)
    if skipped:
        print(f"skipped {', '.join(skipped)}: " +
              ("--quick" if args.quick else "set MNIST_DIR to the MNIST files to run them"))
    if args.json:
        report = {"machine": describe_machine(gemm), "repeat": repeat, "results": results}
        with atomic_write(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return 0
