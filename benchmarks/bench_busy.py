"""One and two BLAS threads on a quiet machine and on a busy one: ``python -m
benchmarks.bench_busy [--workloads twolayer,gpt] [--repeat 3] [--load 4]``.

Each workload is a program run as a user runs it (``python -m ...``, in a subprocess, so
that ``OPENBLAS_NUM_THREADS`` takes effect before NumPy starts), with 1 and with 2 BLAS
threads, alternately, ``--repeat`` times: first on the machine as it is ("quiet"), then
while ``--load`` busy-looping Python processes that this benchmark starts (and ends) keep
the cores busy ("busy"). It reports the median seconds of the workload's training as the
program measures it (imports and data loading left out), the ratio 2 threads / 1 thread,
and busy / quiet. These figures chose the thread policy of ``common.threads``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.timing import summary

#: workload -> the program and its arguments (each writes ``"seconds"`` to ``--json``).
WORKLOADS: dict[str, list[str]] = {
    "twolayer": ["benchmarks.book_twolayer", "--iters", "600"],
    "mnist": ["ch_mnist", "--epochs", "1"],
    "gpt": ["ch_gpt", "--iters", "20"],
    "iris": ["ch_iris"],
    "rnnlm": ["ch_rnnlm", "--model", "lstm", "--epochs", "1", "--max-words", "10000"],
}
#: Workloads that read MNIST (skipped without ``MNIST_DIR``).
NEEDS_MNIST = ("mnist",)
#: The variables that set the BLAS library's thread count.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
#: Python code of one background process: a core kept busy until it is ended.
BUSY_LOOP = "while True: pass"


def run_workload(name: str, threads: int) -> float:
    """Run workload ``name`` with ``threads`` BLAS threads; its training seconds."""
    env = {**os.environ, **{variable: str(threads) for variable in THREAD_VARIABLES},
           "MPLBACKEND": "Agg"}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "metrics.json"
        cmd = [sys.executable, "-m", *WORKLOADS[name], "--json", str(report), "--out", tmp]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        return float(json.loads(report.read_text(encoding="utf-8"))["seconds"])


@contextmanager
def background_load(processes: int) -> Iterator[None]:
    """Keep ``processes`` busy-looping Python processes running inside the block."""
    started = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(processes)]
    try:
        time.sleep(1.0)  # let the load settle
        yield
    finally:
        for proc in started:
            proc.kill()
        for proc in started:
            proc.wait()


def measure(names: list[str], repeat: int, load: int) -> list[dict[str, Any]]:
    """Median seconds of every workload with 1 and 2 threads, quiet and busy; one result
    per workload with the ratios 2/1 threads and busy/quiet."""
    times: dict[tuple[str, str, int], list[float]] = {}
    for condition in ("quiet", "busy"):
        with background_load(load if condition == "busy" else 0):
            for _ in range(repeat):
                for name in names:
                    for threads in (1, 2):  # alternately, so that a change of load hits both
                        time.sleep(0.3)  # let the last run's BLAS threads go to sleep
                        times.setdefault((name, condition, threads), []).append(
                            run_workload(name, threads))
    results = []
    for name in names:
        result: dict[str, Any] = {"case": f"busy machine: {' '.join(WORKLOADS[name])}",
                                  "workload": name, "load_processes": load}
        for condition in ("quiet", "busy"):
            for threads in (1, 2):
                result[f"{condition}_{threads}"] = summary(times[(name, condition, threads)])
            result[f"{condition}_ratio_2_vs_1"] = (result[f"{condition}_2"]["median_s"]
                                                   / result[f"{condition}_1"]["median_s"])
        for threads in (1, 2):
            result[f"busy_vs_quiet_{threads}"] = (result[f"busy_{threads}"]["median_s"]
                                                  / result[f"quiet_{threads}"]["median_s"])
        result["median_s"] = result["quiet_1"]["median_s"]  # the suite's table column
        result["min_s"], result["max_s"] = result["quiet_1"]["min_s"], result["quiet_1"]["max_s"]
        results.append(result)
    return results


def describe(r: dict[str, Any]) -> str:
    """One line per result: medians in seconds and the ratios."""
    return (f"{r['workload']:<9} quiet 1 thread {r['quiet_1']['median_s']:7.2f} s, "
            f"2 threads {r['quiet_2']['median_s']:7.2f} s ({r['quiet_ratio_2_vs_1']:.2f}x); "
            f"busy ({r['load_processes']} loops) 1 thread {r['busy_1']['median_s']:7.2f} s, "
            f"2 threads {r['busy_2']['median_s']:7.2f} s ({r['busy_ratio_2_vs_1']:.2f}x)")


def busy_case(repeat: int, names: list[str] | None = None, load: int = 4
              ) -> list[dict[str, Any]]:
    """The suite's ``busy`` case: ``measure`` of ``names`` (default: the book-style
    TwoLayerNet and the GPT), MNIST workloads left out without ``MNIST_DIR``."""
    names = names or ["twolayer", "gpt"]
    if not os.environ.get("MNIST_DIR"):
        names = [name for name in names if name not in NEEDS_MNIST]
    return measure(names, repeat, load)


def main(argv: list[str] | None = None) -> int:
    """Measure the chosen workloads, print one line each, write ``--json``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_busy",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="twolayer,gpt",
                        help=f"comma-separated subset of: {', '.join(WORKLOADS)} "
                             "(default twolayer,gpt)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per setting (default 3)")
    parser.add_argument("--load", type=int, default=4,
                        help="busy-looping processes of the busy runs (default 4)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.workloads.split(",") if name.strip()]
    unknown = set(names) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(sorted(unknown))}")
    results = busy_case(args.repeat, names, args.load)
    for r in results:
        print(describe(r), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
