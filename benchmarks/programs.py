"""The suite's end-to-end cases: chapter programs run as a user runs them (wall time, peak
memory, the accuracy they report) and a cached MNIST load."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.timing import summary

#: Target of ``python -m ch_mnist --net deep``'s peak RSS: 1.5 GB, in MB (2**20 bytes).
DEEP_RSS_TARGET_MB = 1.5 * 1024


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
                 accuracy_of: Callable[[dict[str, Any]], Any],
                 details: Callable[[dict[str, Any]], dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    """Wall time, peak RSS and reported accuracy of a chapter program, ``repeat`` runs;
    ``details(metrics)`` adds items read from the program's JSON (of the last run)."""
    walls, rss, accuracy, extra = [], [], None, {}
    for _ in range(repeat):
        wall, peak, metrics = run_program(args)
        walls.append(wall)
        rss.append(peak)
        accuracy = accuracy_of(metrics)
        extra = details(metrics) if details else {}
    return {"case": name, **summary(walls), "peak_rss_mb": max(rss), "accuracy": accuracy,
            **extra}


def deep_program_case(repeat: int, epochs: int) -> dict[str, Any]:
    """``python -m ch_mnist --net deep`` end to end, ``--epochs epochs`` (0: its defaults)."""
    args = ["ch_mnist", "--net", "deep"]
    if epochs:
        args += ["--epochs", str(epochs)]
        name = f"python -m ch_mnist --net deep ({epochs} epoch{'s' if epochs > 1 else ''})"
    else:
        name = "python -m ch_mnist --net deep (defaults)"

    def details(metrics: dict[str, Any]) -> dict[str, Any]:
        """Training seconds per epoch (each with its evaluation), as the program reports."""
        seconds, done = metrics.get("seconds"), metrics.get("epochs")
        return {"epochs": done,
                "train_s_per_epoch": seconds / done if seconds and done else None}

    result = program_case(name, args, repeat, lambda m: m.get("test_accuracy"), details)
    result["target"] = {"peak_rss_mb": DEEP_RSS_TARGET_MB}
    return result
