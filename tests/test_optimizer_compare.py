"""optimizer_compare: the MNIST comparison (shortened) and the toy-function demonstrations.

Tests that need the real MNIST read it from $MNIST_DIR and are skipped when it is
not set; they run 200 iterations per optimizer instead of 2000.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_png, needs_mnist

import dataset.mnist
from common.optim.descent import fit_line_by_descent, regression_points
from optimizer_compare import cli, naive

# --- the MNIST comparison ------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist():
    """MNIST loaded once for the module's tests."""
    return dataset.mnist.load_mnist()


@needs_mnist
def test_adaptive_and_momentum_end_lower_than_sgd(mnist):
    train, test = mnist
    runs = cli.compare(cli.DEFAULT_OPTIMIZERS, cli.DEFAULT_LR, train, test, iters=200,
                       batch_size=128, seed=0)
    final = {name: float(np.mean(run.losses[-50:])) for name, run in runs.items()}
    for name in ("momentum", "adagrad", "adam"):
        assert final[name] < final["sgd"], final
    for run in runs.values():
        assert run.losses.shape == (200,) and np.all(np.isfinite(run.losses))
        assert run.diverged_at is None and 0.5 < run.test_accuracy <= 1
    # the same start: the first loss is computed before any update, on the same batch
    assert len({run.losses[0] for run in runs.values()}) == 1


@needs_mnist
def test_same_seed_same_losses(mnist):
    train, test = mnist
    first = cli.compare(["sgd", "adam"], cli.DEFAULT_LR, train, test, 40, 128, seed=5)
    second = cli.compare(["sgd", "adam"], cli.DEFAULT_LR, train, test, 40, 128, seed=5)
    other = cli.compare(["sgd"], cli.DEFAULT_LR, train, test, 40, 128, seed=6)
    for name in ("sgd", "adam"):
        np.testing.assert_array_equal(first[name].losses, second[name].losses)
        assert first[name].test_accuracy == second[name].test_accuracy
    assert not np.array_equal(first["sgd"].losses, other["sgd"].losses)


def test_batches_are_permutations_cut_into_full_batches():
    batches = cli.batch_schedule(n_samples=50, batch_size=8, iters=20, seed=0)
    assert batches.shape == (20, 8)
    per_epoch = 50 // 8
    for epoch in range(2):
        seen = batches[epoch * per_epoch:(epoch + 1) * per_epoch].ravel()
        assert len(np.unique(seen)) == seen.size  # no sample twice within an epoch
    np.testing.assert_array_equal(batches, cli.batch_schedule(50, 8, 20, seed=0))


def test_checkpoints_average_the_last_window():
    losses = np.arange(1.0, 11.0)  # 1..10
    assert cli.checkpoints(losses, every=4, window=2) == {4: 3.5, 8: 7.5, 10: 9.5}
    assert cli.checkpoints(losses, every=20, window=100) == {10: 5.5}


@needs_mnist
def test_main_prints_table_writes_figure_and_json(tmp_path, capsys):
    def run(name: str) -> dict:
        path = tmp_path / f"{name}.json"
        argv = ["--iters", "60", "--checkpoint", "20", "--window", "10", "--optimizers",
                "sgd,nesterov,rmsprop", "--lr", "rmsprop=0.001", "--out", str(tmp_path / "out"),
                "--json", str(path)]
        assert cli.main(argv) == 0
        return json.loads(path.read_text())

    report = run("a")
    printed = capsys.readouterr().out
    assert "iteration" in printed and "test acc" in printed and "nesterov" in printed
    assert_png(tmp_path / "out" / "optimizer_compare_mnist.png")
    for key in ("program", "network", "iters", "batch_size", "seed", "loss_window",
                "optimizers"):
        assert key in report, key
    assert report["iters"] == 60 and report["batch_size"] == 128
    assert report["network"] == [784, 100, 100, 100, 100, 10]
    assert list(report["optimizers"]) == ["sgd", "nesterov", "rmsprop"]
    rmsprop = report["optimizers"]["rmsprop"]
    assert rmsprop["lr"] == 0.001
    for key in ("lr", "final_loss", "checkpoints", "test_accuracy", "seconds"):
        assert key in rmsprop, key
    assert list(rmsprop["checkpoints"]) == ["20", "40", "60"]
    assert rmsprop["final_loss"] == rmsprop["checkpoints"]["60"]

    again = run("b")
    for document in (report, again):
        for numbers in document["optimizers"].values():
            del numbers["seconds"]
    assert report == again


@needs_mnist
def test_divergence_is_reported_with_exit_status_1(tmp_path, capsys):
    argv = ["--iters", "30", "--optimizers", "sgd", "--lr", "sgd=1e6",
            "--out", str(tmp_path), "--json", str(tmp_path / "r.json")]
    assert cli.main(argv) == 1
    assert "diverged" in capsys.readouterr().out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["optimizers"]["sgd"]["diverged_at"] is not None
    assert report["optimizers"]["sgd"]["test_accuracy"] is None


def test_bad_option_values_exit_with_status_2(capsys):
    for argv in (["--optimizers", "sgd,adamx"], ["--optimizers", "sgd,sgd"], ["--iters", "0"],
                 ["--lr", "adam"], ["--lr", "adam=-1"], ["--lr", "lion=0.1"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "error: argument" in err and "Traceback" not in err


def test_missing_data_offline_gives_the_loader_message(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "mnist"
    empty.mkdir()
    monkeypatch.setenv("MNIST_DIR", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(dataset.mnist, "MIRRORS", ["http://127.0.0.1:9/"])
    assert cli.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--data-dir" in err and "Traceback" not in err


def test_entry_points_run_without_warnings(tmp_path):
    env = {**os.environ, "MNIST_DIR": str(tmp_path / "no-such-folder"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for module in ("optimizer_compare", "optimizer_compare.naive"):
        shown = subprocess.run([sys.executable, "-W", "error", "-m", module, "--help"],
                               capture_output=True, text=True, env=env)
        assert shown.returncode == 0 and "--out" in shown.stdout and not shown.stderr
    failed = subprocess.run([sys.executable, "-W", "error", "-m", "optimizer_compare"],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert failed.returncode == 1
    assert "not a folder" in failed.stderr and "Traceback" not in failed.stderr


# --- the toy functions -------------------------------------------------------------------


def test_every_optimizer_reaches_the_minimum_of_the_elongated_bowl():
    paths = naive.optimizer_paths(steps=300)
    assert list(paths) == ["sgd", "momentum", "adagrad", "adam"]
    for name, points in paths.items():
        assert points.shape == (301, 2)
        np.testing.assert_array_equal(points[0], [-7, 2])
        assert np.hypot(*points[-1]) < 1e-3, name
    # the book's 30 steps already bring every optimizer much closer than the start
    for points in naive.optimizer_paths(steps=30).values():
        assert naive.elongated_bowl(*points[-1]) < 0.05 * naive.elongated_bowl(-7, 2)


def test_step_sizes_too_small_good_and_too_large():
    one, two = naive.step_size_runs()
    assert one["good"][-1] == pytest.approx(naive.PARABOLA_MIN, abs=1e-6)
    assert abs(one["too small"][-1] - naive.PARABOLA_MIN) > 0.5  # still on its way
    distance = np.abs(one["too large"] - naive.PARABOLA_MIN)
    assert np.all(np.diff(distance) > 0)  # every step overshoots further
    assert np.all(np.diff(np.sign(one["too large"] - naive.PARABOLA_MIN)) != 0)  # oscillates
    np.testing.assert_allclose(two["good"][-1], [0, 0], atol=1e-6)
    assert np.hypot(*two["too small"][-1]) > 1
    assert np.hypot(*two["too large"][-1]) > np.hypot(*two["too large"][0])


def test_linear_regression_converges_to_least_squares():
    x, y = regression_points(seed=0)
    snapshots, losses = fit_line_by_descent(x, y, naive.REGRESSION_LR, naive.REGRESSION_ITERS,
                                            naive.SNAPSHOTS)
    w, b = snapshots[naive.REGRESSION_ITERS]
    w_ls, b_ls = np.polyfit(x, y, 1)
    assert w == pytest.approx(w_ls, abs=1e-3) and b == pytest.approx(b_ls, abs=1e-3)
    assert w == pytest.approx(3, abs=0.3) and b == pytest.approx(5, abs=0.3)
    assert snapshots[0] == (0.0, 0.0) and list(snapshots) == list(naive.SNAPSHOTS)
    assert np.all(np.diff(losses) <= 1e-12)  # gradient descent never raises this loss


@pytest.mark.slow
def test_naive_main_writes_figures_and_json(tmp_path, capsys):
    path = tmp_path / "naive.json"
    assert naive.main(["--out", str(tmp_path / "out"), "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    for key in ("paths", "step_size_1d", "step_size_2d", "linear_regression", "figures"):
        assert key in report, key
    assert set(report["paths"]) == {"sgd", "momentum", "adagrad", "adam"}
    assert report["paths"]["sgd"]["lr"] == 0.95
    for figure in ("optimizer_paths", "step_size_1d", "step_size_2d", "linear_regression"):
        assert_png(Path(report["figures"][figure]))
    assert "least squares" in capsys.readouterr().out
    # same seed, same numbers
    assert naive.main(["--out", str(tmp_path / "out"), "--json", str(tmp_path / "b.json")]) == 0
    assert json.loads((tmp_path / "b.json").read_text()) == report
