"""The dezero benchmark's machinery in its quick mode, without PyTorch or the book's DeZero
(no timing is judged here); the PyTorch twin computes what ours does where torch is installed."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys

import numpy as np
import pytest

from benchmarks import bench_autograd
from benchmarks.autograd_worker import BATCH_SIZE


def test_quick_run_times_ours_and_checks_its_memory(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MNIST_DIR", raising=False)  # random images of MNIST's shape
    out = tmp_path / "r.json"
    assert bench_autograd.main(["--quick", "--no-torch", "--no-book", "--json", str(out)]) == 0
    timing, memory = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert timing["data"] == "random" and timing["rounds"] == 1 and timing["iterations"] == 2
    assert "target" not in timing and "torch" not in timing and "book" not in timing
    assert 0 < timing["min_s"] <= timing["median_s"] <= timing["max_s"]
    assert bench_autograd.ROOT.as_posix() in timing["framework"].replace("\\", "/")  # ours
    assert math.isclose(timing["first_loss"], math.log(10), rel_tol=0.1)  # ten classes
    assert [c["iterations"] for c in memory["checkpoints"]] == [2, 20]
    assert memory["peak_growth"] > 0 and isinstance(memory["flat"], bool)
    printed = capsys.readouterr().out
    assert "ours" in printed and "traced peak" in printed


def test_another_environment_imports_its_own_dezero_first(tmp_path):
    # this Python started as another environment's would be: isolated, the project last
    data = tmp_path / "d.npz"
    bench_autograd.write_data(data, batches=1)
    command = bench_autograd.worker_command("dezero", sys.executable)
    assert command[1] == "-I"
    report = bench_autograd.run_worker(command, data, "--warmup", "1", "--iterations", "1")
    assert report["seconds"] > 0 and report["batches"] == 1


def test_initial_weights_are_the_books_initialisation():
    weights = bench_autograd.initial_weights(seed=3)
    assert [weights[f"W{i}"].shape for i in range(3)] == [(784, 1000), (1000, 1000), (1000, 10)]
    assert all(w.dtype == np.float32 for w in weights.values())
    assert weights["W1"].std() == pytest.approx(math.sqrt(1 / 1000), rel=0.01)
    assert not weights["b2"].any()


def test_pytorch_twin_trains_as_ours_does():
    pytest.importorskip("torch")
    pytest.importorskip("dezero")
    from benchmarks.dezero_mnist import make_step as ours
    from benchmarks.torch_autograd import make_step as twin

    x, t, _ = bench_autograd.autograd_data(2)
    weights = bench_autograd.initial_weights()
    steps = [ours(weights)[0], twin(weights)[0]]
    # the first loss is the same forward pass; after a step, the two Adams' different places
    # for eps (the book's before the bias correction of v, PyTorch's after it) show
    for i, rel in enumerate((1e-6, 1e-3)):
        batch = slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE)
        (loss, acc), (loss_torch, acc_torch) = (step(x[batch], t[batch]) for step in steps)
        assert loss == pytest.approx(loss_torch, rel=rel)
        assert acc == pytest.approx(acc_torch, abs=1e-6)


def test_the_books_run_gets_its_own_labels_and_our_blas_kernel(monkeypatch):
    runs = []

    def run_worker(command, data, *options, env=None):
        runs.append((command, options, env))
        return {"seconds": 0.02, "cpu_seconds": 0.02, "first_loss": 2.3, "framework": "x",
                "numpy": "1", "blas_core": env.get("OPENBLAS_CORETYPE", "Mine"),
                "label_dtype": "uint8" if "uint8" in options else "int64"}

    monkeypatch.setattr(bench_autograd, "run_worker", run_worker)
    monkeypatch.setattr(bench_autograd.time, "sleep", lambda seconds: None)
    r = bench_autograd.autograd_case(2, 3, 1, {"book": "/envs/book/bin/python"}, batches=1,
                                     book_coretype="SkylakeX")
    ours, book = sys.executable, "/envs/book/bin/python"
    assert [c[0][0] for c in runs] == [ours, book, book, ours]  # the order rotates by round
    book = [(options, env) for command, options, env in runs if command[1] == "-I"]
    assert all(o[-2:] == ("--label-dtype", "uint8") for o, _ in book)
    assert all(env == {"OPENBLAS_CORETYPE": "SkylakeX"} for _, env in book)
    assert r["book"]["label_dtype"] == "uint8" and r["label_dtype"] == "int64"
    assert r["ratio_vs_book"] == 1.0 and r["target"] == {"ratio_vs_torch": 1.2,
                                                        "ratio_vs_book": 0.6}


def test_an_environment_that_does_not_see_the_project_is_told_the_line_to_add():
    bare = shutil.which("python3")
    if bare is None or subprocess.run([bare, "-I", "-c", "import benchmarks"]).returncode == 0:
        pytest.skip("needs a Python that does not see this project")
    with pytest.raises(RuntimeError, match=r"echo .* > .*dlscratch-benchmarks\.pth"):
        bench_autograd.check_sees_project(bare)
