"""The benchmark suite: ``python -m benchmarks [--quick] [--repeat 5] [--json PATH]``.

Cases (each timed ``--repeat`` times after a warm-up; median, min and max shown):

- ``gemm``: the machine's float32 matrix-product rate on 1024³, the "limit" that
  the MLP epoch is compared with;
- ``mlp``: one training epoch of the 784-200-80-10 ReLU MLP with Adam (batch 256
  and 100 in float32, batch 256 in float64), on the real MNIST when MNIST_DIR is
  set, else random data of the same shape; with PyTorch installed, the same epoch
  in PyTorch (same data, batch order, initial weights and Adam settings) runs
  interleaved with ours, and the ratio ours/PyTorch is printed;
- ``conv``: SimpleConvNet and DeepConvNet training (batch 100, Adam lr 1e-3, float32:
  ``network.gradient`` and the update, nothing else), on the same data as ``mlp``
  shaped (N, 1, 28, 28). SimpleConvNet trains one epoch of 60000 images; DeepConvNet
  ``--deep-iterations`` iterations (default 60), its times scaled to an epoch
  (× 600 / iterations). With PyTorch installed, the same networks in PyTorch (initial
  weights copied from ours, same batches, Adam with the same settings, Dropout in
  training mode in both, mean cross-entropy) run interleaved with ours, the ratio
  ours/PyTorch is printed against its target (SimpleConvNet <= 1.0, DeepConvNet
  <= 1.5), and ``benchmarks.torch_conv.check_equivalence`` first shows that both
  compute the same first-iteration loss and gradients;
- ``profile``: where our conv networks' time goes: the median forward and backward
  time of every layer of a training iteration (batch 100, float32), and their sums
  by group (conv forward, conv backward, pooling, relu, affine, loss+optimizer);
- ``hand_conv``: SimpleConvNet and DeepConvNet assembled by hand from ``common.layers`` in
  the book's order, and the book's chapter 7 class, against the library's networks
  (``benchmarks.bench_hand_conv``: time per iteration, interleaved, ratios and targets);
- ``load``: a cached ``load_mnist()`` of all 70000 images (needs MNIST_DIR);
- ``ch_mnist``: ``python -m ch_mnist`` with its defaults, end to end: wall time,
  peak memory (RSS) and test accuracy (needs MNIST_DIR);
- ``ch_mnist_deep``: ``python -m ch_mnist --net deep --epochs 1`` end to end (needs
  MNIST_DIR): peak RSS against its target (<= 1.5 GB; one epoch needs as much memory as
  ten), wall time, training seconds per epoch (with its evaluation) and the test
  accuracy after that epoch. ``--deep-epochs N`` trains N epochs instead, and
  ``--deep-epochs 0`` runs the program's own defaults: the full training with the
  accuracy target, about 10 minutes per run (use ``--repeat 1``);
- ``optimizer_compare``: ``python -m optimizer_compare`` end to end (needs MNIST_DIR);
- ``playground``: a step request of the playground (10 iterations of the default network
  and a 60×60 boundary grid) over HTTP on loopback, ``40 × --repeat`` requests, against
  its target (median <= 25 ms) (``benchmarks.bench_playground``);
- ``gpt``: a training iteration (gradient, clip_grads, AdamW) of the reference GPT of
  ``ch_gpt`` (4 blocks, 4 heads, width 128, context 64, batch 12, float32), interleaved
  with the same model in PyTorch when installed, ratio against its target (<= 1.0);
  ``--gpt-iterations`` per round (``benchmarks.bench_gpt``, which also profiles it).
- ``rnnlm``: a training iteration (forward, backward, clip_grads at 0.25, SGD lr 20) of
  the book's Rnnlm (word vectors and LSTM of 100, batch 20x35) over word-level tiny
  Shakespeare's 12,385 words, interleaved with the same model in PyTorch (nn.LSTM) when
  installed, ratio against its target (<= 1.0); ``--gpt-iterations`` per round
  (``benchmarks.bench_rnnlm``, which also profiles it and compares test perplexities);
  not run by ``--quick``.
- ``autograd``: a training iteration of the third book's MNIST example (``dezero``: MLP
  784-1000-1000-10, Adam, WeightDecay, batch 100, float32), against PyTorch and the book's own
  DeZero run in their own environments (``--torch-python``/``--book-python`` of
  ``benchmarks.bench_autograd``, found beside the project), interleaved, ratios against their
  targets (<= 1.2 and <= 0.6), and our memory over 1,000 iterations (flat); not run by
  ``--quick`` (its smoke test is tests/test_bench_autograd.py's).
- ``busy``: the book-style TwoLayerNet (``benchmarks.book_twolayer``) and a short
  ``python -m ch_gpt``, each with 1 and 2 BLAS threads, on the machine as it is and while 4
  busy-looping processes that the case starts keep the cores busy: medians and the ratios
  2 threads / 1 thread (``benchmarks.bench_busy``, which runs the other chapters too); not
  run by ``--quick``.

``--quick`` shrinks everything (2048 samples for the MLP, 500 for SimpleConvNet, 2
DeepConvNet iterations, 2 profiled iterations, one run, no end-to-end programs): a
smoke test that the suite works, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_conv import (
    BATCH_SIZE,
    LR,
    conv_data,
    conv_epoch_runner,
    make_conv_net,
    print_profile,
    profile_iterations,
)
from benchmarks.bench_mlp import SIZES, make_trainer, mlp_data, train_epoch
from benchmarks.programs import deep_program_case, load_case, program_case
from benchmarks.report import describe_machine, print_row
from benchmarks.timing import summary
from benchmarks.torch_mlp import torch_available, torch_epoch_runner
from common.fileio import atomic_write

CASES = ("gemm", "mlp", "conv", "profile", "hand_conv", "load", "ch_mnist", "ch_mnist_deep",
         "optimizer_compare", "playground", "gpt", "rnnlm", "autograd", "busy")
#: End-to-end programs: they need MNIST_DIR and are skipped by --quick.
PROGRAM_CASES = ("load", "ch_mnist", "ch_mnist_deep", "optimizer_compare")
#: Targets of the conv networks' ours/PyTorch epoch-time ratio (issue 9).
CONV_TARGETS = {"SimpleConvNet": 1.0, "DeepConvNet": 1.5}
#: Training images per epoch: an epoch of batch 100 is 600 iterations.
EPOCH_SAMPLES = 60000


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


def conv_cases(repeat: int, simple_samples: int, deep_iterations: int, use_torch: bool
               ) -> list[dict[str, Any]]:
    """Epoch times of our SimpleConvNet (on ``simple_samples`` images) and DeepConvNet (on
    ``deep_iterations`` batches), scaled to a 60000-image epoch, and of their PyTorch
    copies when asked, measured round-robin as in ``mlp_cases``."""
    n = max(simple_samples, deep_iterations * BATCH_SIZE)
    x, t, source = conv_data(n)
    samples = {"SimpleConvNet": simple_samples, "DeepConvNet": deep_iterations * BATCH_SIZE}
    runners: dict[str, Callable[[np.ndarray], float]] = {}
    checks: dict[str, dict[str, float]] = {}
    for kind, name in (("simple", "SimpleConvNet"), ("deep", "DeepConvNet")):
        network = make_conv_net(kind, np.float32, seed=0)
        if use_torch:
            from benchmarks.torch_conv import check_equivalence, torch_conv_runner

            # the same initial weights, copied before ours starts training
            runners[f"torch {name}"] = torch_conv_runner(network, x, t, BATCH_SIZE, LR)
            check = check_equivalence(make_conv_net(kind, np.float32, seed=0,
                                                    use_dropout=False),
                                      x[:BATCH_SIZE], t[:BATCH_SIZE], LR)
            checks[name] = check
            print(f"{name} vs PyTorch, first iteration without dropout: loss "
                  f"{check['loss']:.6f} vs {check['loss_torch']:.6f} (|diff| "
                  f"{check['loss_diff']:.1e}), gradients' max relative difference "
                  f"{check['grad_rel_diff']:.1e}", flush=True)
        runners[name] = conv_epoch_runner(network, x, t, BATCH_SIZE, LR)
    times: dict[str, list[float]] = {name: [] for name in runners}
    rng = np.random.default_rng(1)
    for i in range(repeat + 1):  # the first round warms up caches and optimizer state
        order = rng.permutation(n)
        for name, run in runners.items():
            time.sleep(0.3)  # let the BLAS and PyTorch worker threads go to sleep
            seconds = run(order[:samples[name.removeprefix("torch ")]])
            if i:
                times[name].append(seconds)
    results = []
    for name in ("SimpleConvNet", "DeepConvNet"):
        scale = EPOCH_SAMPLES / samples[name]
        result: dict[str, Any] = {
            "case": f"{name} epoch batch {BATCH_SIZE}", "data": source,
            **summary([s * scale for s in times[name]]),
            "iterations": samples[name] // BATCH_SIZE, "scale": scale,
            "target": {"ratio_vs_torch": CONV_TARGETS[name]},
        }
        if f"torch {name}" in times:
            result["torch"] = summary([s * scale for s in times[f"torch {name}"]])
            result["ratio_vs_torch"] = result["median_s"] / result["torch"]["median_s"]
            result["torch_check"] = checks[name]
        results.append(result)
    return results


def profile_cases(iterations: int) -> list[dict[str, Any]]:
    """``benchmarks.bench_conv.profile_iterations`` of SimpleConvNet and DeepConvNet:
    the per-layer times of ``iterations`` training iterations each."""
    x, t, source = conv_data(max(10 * BATCH_SIZE, 2048))
    results = []
    for kind, name in (("simple", "SimpleConvNet"), ("deep", "DeepConvNet")):
        profile = profile_iterations(make_conv_net(kind, np.float32, seed=0), x, t,
                                     iterations)
        results.append({"case": f"profile {name} iteration", "data": source, **profile})
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases, print the table, write --json; returns 0, or 1 when an
    end-to-end program failed (the other cases are still measured and reported)."""
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
    parser.add_argument("--deep-iterations", type=int, default=60, metavar="N",
                        help="DeepConvNet iterations timed per run, scaled to an epoch "
                             "(default 60)")
    parser.add_argument("--profile-iterations", type=int, default=20, metavar="N",
                        help="iterations per network in the profile case (default 20)")
    parser.add_argument("--deep-epochs", type=int, default=1, metavar="N",
                        help="epochs of the ch_mnist_deep case (default 1; 0: the program's "
                             "defaults, a full training of about 10 minutes per run)")
    parser.add_argument("--gpt-iterations", type=int, default=20, metavar="N",
                        help="GPT training iterations per timed round (default 20)")
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
    if "conv" in cases:
        simple_samples = 500 if args.quick else EPOCH_SAMPLES
        deep_iterations = 2 if args.quick else args.deep_iterations
        for r in conv_cases(repeat, simple_samples, deep_iterations, use_torch):
            if args.quick:  # a few iterations scaled up are no measurement to judge
                del r["target"]
            results.append(r)
            print_row(r)
    if "profile" in cases:
        for r in profile_cases(2 if args.quick else args.profile_iterations):
            results.append(r)
            print_profile(f"{r['case']} ({r['data']} data)", r)
    if "hand_conv" in cases:
        from benchmarks.bench_hand_conv import hand_conv_cases, print_hand_row

        for r in hand_conv_cases(repeat, *((2, 1) if args.quick else (20, 5))):
            if args.quick:
                r.pop("target", None)
            results.append(r)
            print_hand_row(r)
    if "playground" in cases:
        from benchmarks.bench_playground import describe, playground_case

        r = playground_case(repeat)
        results.append(r)
        print_row(r)
        print(f"  {describe(r)}", flush=True)
    skipped = []
    failed: list[dict[str, str]] = []
    for case in PROGRAM_CASES:
        if case not in cases:
            continue
        if args.quick or not have_mnist:
            skipped.append(case)
            continue
        try:
            if case == "load":
                r = load_case(repeat)
            elif case == "ch_mnist":
                r = program_case("python -m ch_mnist (10 epochs)", ["ch_mnist"], repeat,
                                 lambda m: m.get("test_accuracy"))
            elif case == "ch_mnist_deep":
                r = deep_program_case(repeat, args.deep_epochs)
            else:
                r = program_case("python -m optimizer_compare", ["optimizer_compare"], repeat,
                                 lambda m: {k: v.get("test_accuracy")
                                            for k, v in m.get("optimizers", {}).items()})
        except RuntimeError as err:  # a program failed: say so, and measure the others
            print(f"{case} FAILED: {err}", file=sys.stderr, flush=True)
            failed.append({"case": case, "error": str(err)})
            continue
        results.append(r)
        print_row(r)
    if "gpt" in cases:
        from benchmarks.bench_gpt import gpt_case

        tiny = {"num_layers": 1, "context": 16} if args.quick else {}
        r = gpt_case(repeat, 2 if args.quick else args.gpt_iterations, use_torch, **tiny)
        if args.quick:
            del r["target"]
        results.append(r)
        print_row(r)
    if "rnnlm" in cases and args.quick:
        skipped.append("rnnlm")  # its smoke test is tests/test_rnnlm.py's
    elif "rnnlm" in cases:
        from benchmarks.bench_rnnlm import rnnlm_case

        r = rnnlm_case(repeat, args.gpt_iterations, use_torch)
        results.append(r)
        print_row(r)
    if "autograd" in cases and args.quick:
        skipped.append("autograd")  # its smoke test is tests/test_bench_autograd.py's
    elif "autograd" in cases:
        from benchmarks import bench_autograd as autograd

        pythons = {} if args.no_torch else {"torch": autograd.default_python(
            "BENCH_TORCH_PYTHON", "torch")}
        pythons["book"] = autograd.default_python("BENCH_BOOK_PYTHON", "dezero0013")
        pythons = {name: python for name, python in pythons.items() if python}
        timing = autograd.autograd_case(repeat, 50, 5, pythons,
                                        book_coretype=autograd.blas_core())
        for r in (timing, autograd.memory_case(1000)):
            results.append(r)
            print(autograd.describe(r), flush=True)
    if "busy" in cases and args.quick:
        skipped.append("busy")  # whole programs under load: no smoke test to be had quickly
    elif "busy" in cases:
        from benchmarks.bench_busy import busy_case, describe

        for r in busy_case(args.repeat):
            results.append(r)
            print(describe(r), flush=True)
    if skipped:
        print(f"skipped {', '.join(skipped)}: " +
              ("--quick" if args.quick else "set MNIST_DIR to the MNIST files to run them"))
    if args.json:
        report = {"machine": describe_machine(gemm), "repeat": repeat, "results": results}
        if failed:
            report["failed"] = failed
        with atomic_write(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return 1 if failed else 0
