"""Benchmark: a training iteration of the third book's MNIST example with ``dezero``, against
PyTorch and against the book's own DeZero, and its memory over 1,000 iterations.

    python -m benchmarks.bench_autograd [--repeat 7] [--iterations 50] [--no-torch] [--no-book]
        [--torch-python PY] [--book-python PY] [--memory-iterations 1000] [--profile 20]

The iteration is the loop body of the book's ``examples/mnist.py``: ``MLP((1000, 1000, 10),
activation=F.relu)``, ``Adam()`` with the hook ``WeightDecay(1e-4)``, batch 100, float32:
forward, ``softmax_cross_entropy``, ``accuracy``, ``cleargrads``, ``backward``, ``update``
(``benchmarks.dezero_mnist``; PyTorch's twin is ``benchmarks.torch_autograd``). All start
from the same initial weights (the book's initialisation, seeded) and train on the same
batches: the first 5,000 MNIST training images when ``MNIST_DIR`` is set, else random images
of the same shape (the time does not depend on the pixels). The data loader is left out.

Each framework runs in a process of its own (``benchmarks.autograd_worker``) with one BLAS
thread (and ``torch.set_num_threads(1)``): ours in this Python, PyTorch in ``--torch-python``
and the book's DeZero (PyPI's ``dezero`` 0.0.13, which needs NumPy < 1.24) in
``--book-python``, by default ``../bench-envs/torch/bin/python`` and
``../bench-envs/dezero0013/bin/python`` beside the project when they exist (or the variables
``BENCH_TORCH_PYTHON`` and ``BENCH_BOOK_PYTHON``). The book's code gets what its own
``examples/mnist.py`` has: uint8 labels (its MNIST's), and the OpenBLAS kernel that ours
uses (``OPENBLAS_CORETYPE``; ``--book-blas-default`` lets its OpenBLAS choose, which on a
processor newer than it knows is a generic kernel). A round runs each framework once,
``--warmup`` untimed iterations then ``--iterations`` timed ones, in an order that rotates
from round to round; medians over ``--repeat`` rounds, and the ratios of the medians
ours/PyTorch (target <= 1.2) and ours/book (target <= 0.6).

Memory: ours trains ``--memory-iterations`` iterations under ``tracemalloc``; the peak after
them must be that after ``--memory-iterations // 10`` (flat: at most 5 % more, resident
memory likewise). ``--profile N`` prints where ours spends N iterations (cProfile).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.autograd_worker import BATCH_SIZE, HIDDEN_SIZES, blas_core
from benchmarks.timing import summary

ROOT = Path(__file__).resolve().parent.parent
#: The targets of issue 27: ours/PyTorch and ours/book of the median iteration times.
TARGETS = {"ratio_vs_torch": 1.2, "ratio_vs_book": 0.6}
#: How much the memory peak may grow from iteration N/10 to N and still count as flat.
FLAT_GROWTH = 1.05
#: Batches of the data set the iterations cycle through (5,000 images).
BATCHES = 50
#: The variables that set the BLAS library's thread count (as ``common.threads``).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: The line that shows another environment where this project's ``benchmarks`` are: a
#: ``.pth`` file in its site-packages, read after them, so that ``import dezero`` there still
#: finds that environment's own package, not ours.
PTH_NAME = "dlscratch-benchmarks.pth"


def autograd_data(batches: int = BATCHES, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """``batches`` x 100 training images (N, 784) float32 in [0, 1] and int64 labels: MNIST's
    first ones when ``MNIST_DIR`` is set, else random; and which it is."""
    n = batches * BATCH_SIZE
    if os.environ.get("MNIST_DIR"):
        from dataset.mnist import load_mnist

        (x, t), _ = load_mnist(dtype=np.float32)
        return x[:n], t[:n].astype(np.int64), "MNIST"
    rng = np.random.default_rng(seed)
    return rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n), "random"


def initial_weights(seed: int = 0, in_size: int = 784) -> dict[str, np.ndarray]:
    """The book's initialisation of the MLP's Linear layers, seeded: ``W{i}`` standard normal
    scaled by sqrt(1 / in_size), ``b{i}`` zeros, float32."""
    rng = np.random.default_rng(seed)
    weights = {}
    for i, out_size in enumerate(HIDDEN_SIZES):
        w = rng.standard_normal((in_size, out_size)) * np.sqrt(1 / in_size)
        weights[f"W{i}"] = w.astype(np.float32)
        weights[f"b{i}"] = np.zeros(out_size, np.float32)
        in_size = out_size
    return weights


def default_python(variable: str, env_name: str) -> str | None:
    """The Python of a benchmark environment: ``$variable``, else
    ``../bench-envs/<env_name>/bin/python`` beside the project when it exists, else None."""
    if os.environ.get(variable):
        return os.environ[variable]
    path = ROOT.parent / "bench-envs" / env_name / "bin" / "python"
    return str(path) if path.exists() else None


def worker_command(framework: str, python: str | None) -> list[str]:
    """How to start the worker: ours in this Python from the project (its ``dezero`` first),
    another environment's Python isolated (``-I``: neither the working directory nor
    PYTHONPATH), which finds ``benchmarks`` through a ``.pth`` file (``check_sees_project``)."""
    if python is None:
        return [sys.executable, "-m", "benchmarks.autograd_worker", "--framework", framework]
    return [python, "-I", "-m", "benchmarks.autograd_worker", "--framework", framework]


def check_sees_project(python: str) -> None:
    """RuntimeError, saying the one line to add, unless ``python`` (another environment)
    imports this project's ``benchmarks`` package."""
    probe = subprocess.run([python, "-I", "-c", "import benchmarks.autograd_worker"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        site = subprocess.run([python, "-I", "-c", "import site; print(site.getsitepackages()[0])"],
                              capture_output=True, text=True).stdout.strip() or "its site-packages"
        raise RuntimeError(f"{python} does not see this project's benchmarks; show it where they "
                           f"are (after its own packages) with: echo {ROOT} > {site}/{PTH_NAME}")


def run_worker(command: list[str], data: Path, *options: str,
               env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one worker with one BLAS thread (and the variables ``env``); its JSON report."""
    env = {**os.environ, **{variable: "1" for variable in THREAD_VARIABLES}, **(env or {})}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [*command, "--data", str(data), "--json", str(report), *options]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        return json.loads(report.read_text(encoding="utf-8"))


def write_data(path: Path, batches: int = BATCHES, seed: int = 0) -> str:
    """Write the batches and the initial weights the workers read; the data's source."""
    x, t, source = autograd_data(batches, seed)
    np.savez(path, x=x, t=t, **initial_weights(seed))
    return source


def autograd_case(repeat: int, iterations: int, warmup: int, pythons: dict[str, str | None],
                  batches: int = BATCHES, book_coretype: str | None = None) -> dict[str, Any]:
    """Seconds per iteration of every framework of ``pythons`` (``ours``, and ``torch`` and
    ``book`` with their Pythons), interleaved in ``repeat`` rounds; medians, ratios.

    The book's DeZero gets its labels as uint8, as its own MNIST gives them (the bytes of the
    label file; its softmax cross-entropy makes its one-hot of the labels' dtype, so that
    int64 labels would turn its backward pass to float64), and ``OPENBLAS_CORETYPE`` set to
    ``book_coretype`` when that is given (see ``main``)."""
    commands = {"ours": worker_command("dezero", None)}
    options: dict[str, list[str]] = {"ours": [], "torch": [], "book": ["--label-dtype", "uint8"]}
    envs: dict[str, dict[str, str]] = {"ours": {}, "torch": {}, "book": {}}
    if book_coretype:
        envs["book"]["OPENBLAS_CORETYPE"] = book_coretype
    for name, framework in (("torch", "torch"), ("book", "dezero")):
        if name in pythons:
            commands[name] = worker_command(framework, pythons[name])
    names = list(commands)
    reports: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.npz"
        source = write_data(data, batches)
        for i in range(repeat):
            for name in names[i % len(names):] + names[:i % len(names)]:
                time.sleep(0.3)  # let the previous process's threads and memory go
                reports[name].append(run_worker(
                    commands[name], data, "--warmup", str(warmup), "--iterations",
                    str(iterations), *options[name], env=envs[name]))
    sizes = "-".join(str(s) for s in (784, *HIDDEN_SIZES))
    result: dict[str, Any] = {
        "case": f"dezero MNIST MLP {sizes} iteration (batch {BATCH_SIZE}, Adam, WeightDecay)",
        "data": source, "iterations": iterations, "warmup": warmup, "rounds": repeat,
    }
    for name in names:
        entry = {**summary([r["seconds"] for r in reports[name]]),
                 "cpu_median_s": statistics.median(r["cpu_seconds"] for r in reports[name]),
                 "first_loss": reports[name][0]["first_loss"],
                 "peak_rss_mb": max(r.get("peak_rss_mb", 0.0) for r in reports[name]),
                 **{key: reports[name][0][key]
                    for key in ("framework", "numpy", "blas_core", "label_dtype")}}
        if name == "ours":
            result.update(entry)
        else:
            result[name] = entry
            result[f"ratio_vs_{name}"] = result["median_s"] / entry["median_s"]
            result[f"cpu_ratio_vs_{name}"] = result["cpu_median_s"] / entry["cpu_median_s"]
    result["target"] = dict(TARGETS)
    return result


def memory_case(iterations: int, batches: int = BATCHES) -> dict[str, Any]:
    """Ours trained ``iterations`` iterations under tracemalloc: the memory after a tenth of
    them and after all, and whether the peak stayed flat (``FLAT_GROWTH``)."""
    early = max(1, iterations // 10)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.npz"
        source = write_data(data, batches)
        report = run_worker(worker_command("dezero", None), data,
                            "--checkpoints", f"{early},{iterations}")
    first, last = report["memory"]
    growth = last["traced_peak_mb"] / first["traced_peak_mb"]
    rss_growth = last.get("peak_rss_mb", 1.0) / first.get("peak_rss_mb", 1.0)
    return {"case": f"dezero MNIST MLP memory over {iterations} iterations", "data": source,
            "checkpoints": report["memory"], "peak_growth": growth,
            "peak_rss_growth": rss_growth,
            "flat": growth <= FLAT_GROWTH and rss_growth <= FLAT_GROWTH}


def profile_ours(iterations: int, top: int = 25) -> str:
    """cProfile of ``iterations`` of our iterations (after 3 untimed), in this process: the
    ``top`` functions by their own time, as text."""
    import cProfile
    import io
    import pstats

    from benchmarks.dezero_mnist import make_step

    x, t, _ = autograd_data(max(iterations, 3))
    step, _ = make_step(initial_weights())
    batch = [(x[i:i + BATCH_SIZE], t[i:i + BATCH_SIZE]) for i in range(0, len(x), BATCH_SIZE)]
    for xb, tb in batch[:3]:
        step(xb, tb)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(iterations):
        step(*batch[i % len(batch)])
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def describe(r: dict[str, Any]) -> str:
    """The results of ``autograd_case`` or ``memory_case`` as text, targets judged."""
    if "checkpoints" in r:
        first, last = r["checkpoints"]
        return (f"{r['case']}: traced peak {first['traced_peak_mb']:.1f} MB after "
                f"{first['iterations']}, {last['traced_peak_mb']:.1f} MB after "
                f"{last['iterations']} (x{r['peak_growth']:.3f}); peak RSS "
                f"{first.get('peak_rss_mb', 0):.0f} MB, {last.get('peak_rss_mb', 0):.0f} MB "
                f"(x{r['peak_rss_growth']:.3f}) [target flat: {'met' if r['flat'] else 'NOT met'}]")
    lines = [f"{r['case']}, {r['data']} data, medians of {r['rounds']} rounds of "
             f"{r['iterations']} iterations:"]
    for name, entry in (("ours", r), ("torch", r.get("torch")), ("book", r.get("book"))):
        if entry is None:
            continue
        lines.append(f"  {name:<5} {1e3 * entry['median_s']:7.2f} ms [{1e3 * entry['min_s']:.2f}"
                     f" .. {1e3 * entry['max_s']:.2f}]  CPU {1e3 * entry['cpu_median_s']:.2f} ms"
                     f"  first loss {entry['first_loss']:.6f}  peak RSS "
                     f"{entry['peak_rss_mb']:.0f} MB  ({entry['framework']}, NumPy "
                     f"{entry['numpy']} with OpenBLAS kernel {entry['blas_core']}, labels "
                     f"{entry['label_dtype']})")
    for key, target in r.get("target", {}).items():
        if key in r:
            met = "met" if r[key] <= target else "NOT met"
            lines.append(f"  {key} {r[key]:.2f} (CPU time {r['cpu_' + key]:.2f}) "
                         f"[target <= {target:g}: {met}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Time, compare, check the memory, print; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_autograd",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--iterations", type=int, default=50,
                        help="timed iterations per round (default 50)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed iterations before them (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--no-book", action="store_true", help="skip the book's DeZero")
    parser.add_argument("--torch-python", default=default_python("BENCH_TORCH_PYTHON", "torch"),
                        help="the Python of an environment with torch (default: "
                             "$BENCH_TORCH_PYTHON or ../bench-envs/torch/bin/python)")
    parser.add_argument("--book-python",
                        default=default_python("BENCH_BOOK_PYTHON", "dezero0013"),
                        help="the Python of an environment with PyPI's dezero 0.0.13 "
                             "(default: $BENCH_BOOK_PYTHON or "
                             "../bench-envs/dezero0013/bin/python)")
    parser.add_argument("--book-blas-default", action="store_true",
                        help="let the book's OpenBLAS choose its kernel (default: the one "
                             "ours uses, through OPENBLAS_CORETYPE)")
    parser.add_argument("--memory-iterations", type=int, default=1000,
                        help="iterations of the memory check (default 1000; 0 skips it)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile N of our iterations (cProfile)")
    parser.add_argument("--quick", action="store_true",
                        help="one round of 2 iterations, memory over 20: a smoke test")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.iterations, args.warmup = 1, 2, 1
        args.memory_iterations = min(args.memory_iterations, 20)
    pythons: dict[str, str | None] = {}
    for name, python, skip in (("torch", args.torch_python, args.no_torch),
                               ("book", args.book_python, args.no_book)):
        if not skip and python:
            check_sees_project(python)
            pythons[name] = python
        elif not skip:
            print(f"no {name} environment: see --{name}-python", flush=True)
    if args.profile:
        print(profile_ours(args.profile), flush=True)
    # NumPy 1.23's OpenBLAS 0.3.20 knows no kernel for some newer processors and falls back
    # to a generic one (Prescott: 3-4x slower products): the book's code then gets the
    # processor kernel that ours has, so that the comparison is of the two frameworks
    book_coretype = None if args.book_blas_default else blas_core()
    results = [autograd_case(args.repeat, args.iterations, args.warmup, pythons,
                             batches=3 if args.quick else BATCHES,
                             book_coretype=book_coretype)]
    if args.quick:  # two iterations are no measurement to judge
        del results[0]["target"]
    print(describe(results[0]), flush=True)
    if args.memory_iterations:
        results.append(memory_case(args.memory_iterations, batches=3 if args.quick else BATCHES))
        print(describe(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"results": results}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
