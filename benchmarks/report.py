"""How the suite reports: the machine the numbers were measured on, and one line per case
with its targets."""

from __future__ import annotations

import os
import platform
from typing import Any

import numpy as np

from benchmarks.torch_mlp import torch_available


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
    line = (f"{r['case']:<40} median {r['median_s']:8.3f} s  "
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
    if r.get("train_s_per_epoch") is not None:
        line += f"  {r['train_s_per_epoch']:.1f} s per training epoch"
    if r.get("accuracy") is not None:
        line += f"  accuracy {r['accuracy']}"
    if r.get("scale", 1) != 1:
        line += f"  (from {r['iterations']} iterations x{r['scale']:g})"
    for key, target in r.get("target", {}).items():
        if key in r:
            label = {"ratio_vs_torch": "ours/torch", "peak_rss_mb": "peak RSS MB"}[key]
            met = "met" if r[key] <= target else "NOT met"
            line += f"  [target {label} <= {target:g}: {met}]"
    print(line, flush=True)
