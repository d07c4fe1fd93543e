"""The busy-machine benchmark's machinery: runs with 1 and 2 threads, quiet and busy, and a
background load that is ended (no timing is judged here)."""

from __future__ import annotations

import json
import os

import pytest

from benchmarks import bench_busy, book_twolayer


def test_book_twolayer_trains_and_reports_its_seconds(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "no-mnist-here"))  # random data instead
    path = tmp_path / "r.json"
    assert book_twolayer.main(["--iters", "3", "--json", str(path)]) == 0
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["iterations"] == 3 and report["data"] == "random" and report["seconds"] > 0


def test_background_load_is_ended(monkeypatch):
    started = []
    real_popen = bench_busy.subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(bench_busy.subprocess, "Popen", popen)
    monkeypatch.setattr(bench_busy.time, "sleep", lambda seconds: None)
    with bench_busy.background_load(2):
        assert len(started) == 2 and all(p.poll() is None for p in started)
    assert all(p.poll() is not None for p in started)


def test_measure_gives_medians_and_ratios_of_both_thread_counts(monkeypatch):
    runs = []

    def run_workload(name, threads):
        runs.append((name, threads))
        return 1.0 if threads == 1 else 3.0

    monkeypatch.setattr(bench_busy, "run_workload", run_workload)
    monkeypatch.setattr(bench_busy.time, "sleep", lambda seconds: None)
    (result,) = bench_busy.measure(["iris"], repeat=2, load=1)
    assert runs == [("iris", 1), ("iris", 2)] * 4  # quiet twice, then busy twice
    assert result["quiet_1"]["median_s"] == 1.0 and result["busy_2"]["median_s"] == 3.0
    assert result["quiet_ratio_2_vs_1"] == result["busy_ratio_2_vs_1"] == 3.0
    assert result["busy_vs_quiet_1"] == 1.0
    assert "iris" in bench_busy.describe(result)


def test_a_workload_runs_with_the_threads_it_is_given(monkeypatch, tmp_path):
    # a stand-in program that reports its thread setting as its "seconds"
    (tmp_path / "threads_probe.py").write_text(
        "import json, os, sys\n"
        "path = sys.argv[sys.argv.index('--json') + 1]\n"
        "open(path, 'w').write(json.dumps({'seconds': int(os.environ['OPENBLAS_NUM_THREADS'])}))\n",
        encoding="utf-8")
    monkeypatch.setitem(bench_busy.WORKLOADS, "probe", ["threads_probe"])
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "7")  # the benchmark's own setting wins
    assert bench_busy.run_workload("probe", 1) == 1.0
    assert bench_busy.run_workload("probe", 2) == 2.0


def test_unknown_workload_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        bench_busy.main(["--workloads", "nope"])
    assert exc.value.code == 2
