"""Smoke test of the benchmark suite at tiny sizes (no timing is asserted)."""

import json
import subprocess
import sys

from benchmarks.suite import mlp_epoch_flops


def test_the_suite_runs_with_tiny_sizes(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-torch", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    cases = [r["case"] for r in report["results"]]
    assert cases == ["gemm float32 256^3", "mlp epoch float32 batch 256",
                     "mlp epoch float32 batch 100", "mlp epoch float64 batch 256"]
    for r in report["results"]:
        assert 0 < r["min_s"] <= r["median_s"] <= r["max_s"]
    assert report["machine"]["cpus"] >= 1
    assert "mlp epoch float32 batch 256" in proc.stdout


def test_epoch_flops_count_forward_weight_and_hidden_input_gradients():
    # one sample, sizes 4-3-2: forward 2(12+6), weight gradients 2(12+6), input gradient 2·6
    assert mlp_epoch_flops(1, [4, 3, 2]) == 2 * (12 + 6) * 2 + 2 * 6
    assert mlp_epoch_flops(60000, [784, 200, 80, 10]) / 1e9 == 43.68
