"""ch_mnist: quick training runs, save/load, determinism, gradient check, clean failures.

Tests that need the real MNIST read it from $MNIST_DIR and are skipped when it is
not set; they train on a few thousand images so that each takes about a second.
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
from ch_mnist import cli, gradient_check
from ch_mnist.lr_decay import decay_last_epochs
from ch_mnist.networks import build_network, resolve_defaults
from common.optim import SGD, StepDecay


def quick_args(tmp_path: Path, *extra: str) -> list[str]:
    """Options of a short run: 2000 training images, 2 epochs, outputs in tmp_path."""
    return ["--train-size", "2000", "--epochs", "2", "--out", str(tmp_path / "out"), *extra]


@needs_mnist
def test_training_run_reports_figures_json_and_saves(tmp_path, capsys):
    report_path, params = tmp_path / "report.json", tmp_path / "net.npz"
    status = cli.main(quick_args(tmp_path, "--json", str(report_path), "--save", str(params)))
    assert status == 0
    printed = capsys.readouterr().out
    assert "epoch 1/2" in printed and "epoch 2/2" in printed and "ETA" in printed
    assert "test accuracy" in printed

    report = json.loads(report_path.read_text())
    for key in ("program", "mode", "network", "optimizer", "lr", "batch_size", "epochs", "seed",
                "lr_decay_epochs", "epoch_loss", "train_accuracy",
                "test_accuracy_per_epoch", "test_accuracy", "test_errors",
                "confusion_matrix", "seconds", "figures"):
        assert key in report, key
    assert report["network"]["layers"] == [784, 200, 80, 10]
    assert report["optimizer"] == "adam" and report["lr"] == 0.001
    assert report["batch_size"] == 256 and len(report["epoch_loss"]) == 2
    assert report["test_size"] == 10000 and report["test_accuracy"] > 0.75
    # the final parameters are evaluated: the test set chooses no epoch
    assert report["test_accuracy"] == report["test_accuracy_per_epoch"][-1]
    matrix = np.array(report["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 10000
    assert np.trace(matrix) == 10000 - report["test_errors"]
    for name in ("learning_curves", "confusion_matrix", "misclassified"):
        assert_png(Path(report["figures"][name]))
    assert params.is_file()


@needs_mnist
def test_load_evaluates_saved_parameters_and_rejects_another_architecture(tmp_path, capsys):
    params = tmp_path / "net.npz"
    assert cli.main(quick_args(tmp_path, "--net", "two", "--save", str(params),
                               "--json", str(tmp_path / "trained.json"))) == 0
    trained = json.loads((tmp_path / "trained.json").read_text())
    assert trained["network"]["layers"] == [784, 50, 10]

    assert cli.main(["--net", "two", "--load", str(params), "--out", str(tmp_path / "eval"),
                     "--json", str(tmp_path / "loaded.json")]) == 0
    loaded = json.loads((tmp_path / "loaded.json").read_text())
    assert loaded["mode"] == "evaluate"
    assert loaded["test_accuracy"] == trained["test_accuracy"]
    assert loaded["confusion_matrix"] == trained["confusion_matrix"]
    assert not (tmp_path / "eval" / "learning_curves.png").exists()
    assert_png(tmp_path / "eval" / "confusion_matrix.png")

    # without --net the file says which network it holds (its widths too)
    assert cli.main(["--load", str(params), "--out", str(tmp_path / "eval"),
                     "--json", str(tmp_path / "named.json")]) == 0
    named = json.loads((tmp_path / "named.json").read_text())
    assert named["test_accuracy"] == trained["test_accuracy"]
    capsys.readouterr()
    assert cli.main(["--net", "three", "--load", str(params), "--out",
                     str(tmp_path / "eval")]) == 1  # another MultiLayerNet
    err = capsys.readouterr().err
    assert "W1" in err and "--net" in err and "Traceback" not in err


@pytest.mark.slow
@needs_mnist
def test_same_seed_same_numbers(tmp_path):
    def run(name: str, seed: str) -> dict:
        path = tmp_path / f"{name}.json"
        assert cli.main(quick_args(tmp_path, "--dropout", "0.2", "--seed", seed,
                                   "--json", str(path))) == 0
        report = json.loads(path.read_text())
        del report["seconds"]
        return report

    first, second = run("a", "3"), run("b", "3")
    assert first == second


@needs_mnist
def test_default_lr_decay_and_explicit_options(tmp_path):
    path = tmp_path / "r.json"
    assert cli.main(quick_args(tmp_path, "--epochs", "5", "--hidden", "30,20", "--batchnorm",
                               "--optimizer", "momentum", "--batch-size", "100",
                               "--json", str(path))) == 0
    report = json.loads(path.read_text())
    assert report["network"]["layers"] == [784, 30, 20, 10] and report["network"]["batchnorm"]
    assert report["lr"] == cli.DEFAULT_LR["momentum"]
    assert report["lr_decay_epochs"] == 1  # a fifth of 5 epochs


def test_step_decay_lowers_the_rate_once_at_the_right_update():
    inner = SGD(lr=1.0)
    optimizer = decay_last_epochs(inner, epochs=5, decay_epochs=2, train_size=10,
                                  batch_size=4, factor=0.1)
    assert isinstance(optimizer, StepDecay) and optimizer.decay_at == 9  # 3 epochs x 3 batches
    params, rates = {"w": np.zeros(1)}, []
    for _ in range(15):
        optimizer.update(params, {"w": np.ones(1)})
        rates.append(inner.lr)
    assert rates[:9] == [1.0] * 9 and rates[9:] == pytest.approx([0.1] * 6)
    assert decay_last_epochs(inner, 5, 0, 10, 4, 0.1) is inner


def test_bad_option_values_exit_with_status_2(capsys):
    for argv in (["--lr", "0"], ["--epochs", "-1"], ["--hidden", "200,,80"], ["--dropout", "1"],
                 ["--optimizer", "adamx"], ["--batch-size", "many"], ["--lr", "nan"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "error: argument" in err and "Traceback" not in err


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No MNIST files anywhere and no reachable mirror."""
    empty = tmp_path / "mnist"
    empty.mkdir()
    monkeypatch.setenv("MNIST_DIR", str(empty))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # port 9 (discard) on the loopback interface: the connection is refused at once
    monkeypatch.setattr(dataset.mnist, "MIRRORS", ["http://127.0.0.1:9/"])
    return empty


@pytest.mark.parametrize("program", [cli.main, gradient_check.main])
def test_missing_data_offline_gives_the_loader_message(offline, tmp_path, capsys, program):
    argv = ["--out", str(tmp_path / "out")] if program is cli.main else []
    assert program(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "MNIST_DIR" in err and "--data-dir" in err
    assert "Traceback" not in err


def test_entry_points_help_without_warnings_and_data_error_without_traceback(tmp_path):
    env = {**os.environ, "MNIST_DIR": str(tmp_path / "no-such-folder"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for module in ("ch_mnist", "ch_mnist.gradient_check"):
        shown = subprocess.run([sys.executable, "-W", "error", "-m", module, "--help"],
                               capture_output=True, text=True, env=env)
        assert shown.returncode == 0 and "--data-dir" in shown.stdout and not shown.stderr
        failed = subprocess.run([sys.executable, "-W", "error", "-m", module],
                                capture_output=True, text=True, env=env, cwd=tmp_path)
        assert failed.returncode == 1
        assert "not a folder" in failed.stderr and "Traceback" not in failed.stderr


@pytest.mark.slow
@needs_mnist
def test_gradient_check_passes_and_fails_on_an_impossible_tolerance(capsys):
    assert gradient_check.main(["--samples", "2", "--hidden", "10"]) == 0
    printed = capsys.readouterr().out
    for key in ("W1", "b1", "W2", "b2"):
        assert f"\n{key} " in printed
    assert "passed" in printed
    # batch normalisation, dropout and weight decay take part in the check as well
    assert gradient_check.main(["--samples", "3", "--hidden", "6,5", "--batchnorm",
                                "--dropout", "0.3", "--weight-decay", "0.01"]) == 0
    assert "gamma1" in capsys.readouterr().out
    assert gradient_check.main(["--samples", "1", "--hidden", "3", "--tolerance", "1e-30"]) == 1
    assert "FAILED" in capsys.readouterr().out


@needs_mnist
def test_divergence_exits_1_with_valid_json(tmp_path, capsys):
    path = tmp_path / "r.json"
    argv = quick_args(tmp_path, "--optimizer", "sgd", "--lr", "1e4", "--json", str(path))
    assert cli.main(argv) == 1
    assert "Training stopped" in capsys.readouterr().out

    def reject(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    report = json.loads(path.read_text(), parse_constant=reject)
    assert report["diverged"] is True and None in report["epoch_loss"]


@needs_mnist
def test_conv_net_run_draws_filters_and_feature_maps_and_reloads(tmp_path):
    path, params = tmp_path / "r.json", tmp_path / "conv.npz"
    argv = ["--net", "conv", "--train-size", "1000", "--epochs", "1", "--out",
            str(tmp_path / "out"), "--json", str(path), "--save", str(params)]
    assert cli.main(argv) == 0
    report = json.loads(path.read_text())
    # the network's own defaults, unless given
    assert report["batch_size"] == 100 and report["epochs"] == 1
    assert report["network"]["weight_decay"] == 0
    assert report["network"]["layers"][:4] == ["Shift", "Conv1", "Pool1", "Relu1"]
    assert "shifted by up to 1 pixel" in report["network"]["name"]  # the conv default
    assert report["test_accuracy"] > 0.6  # 10 updates: far above chance (0.1)
    for name in ("learning_curves", "confusion_matrix", "misclassified", "filters",
                 "feature_maps"):
        assert_png(Path(report["figures"][name]))
    loaded = tmp_path / "loaded.json"
    assert cli.main(["--net", "conv", "--load", str(params), "--out", str(tmp_path / "out2"),
                     "--json", str(loaded)]) == 0
    assert json.loads(loaded.read_text())["test_accuracy"] == report["test_accuracy"]
    # the shift is training only: the parameters load into the network without it
    assert cli.main(["--net", "conv", "--train-shift", "0", "--load", str(params), "--out",
                     str(tmp_path / "out3"), "--json", str(loaded)]) == 0
    again = json.loads(loaded.read_text())
    assert again["test_accuracy"] == report["test_accuracy"]
    assert again["network"]["layers"][0] == "Conv1" and "shifted" not in again["network"]["name"]
    with pytest.raises(SystemExit) as info:  # the file names the right --net
        cli.main(["--net", "deep", "--load", str(params), "--out", str(tmp_path / "x")])
    assert info.value.code == 2


def test_deep_conv_net_defaults_keep_only_the_hidden_dropout():
    parser = cli.build_parser()
    args = parser.parse_args(["--net", "deep"])
    resolve_defaults(parser, args)
    assert (args.batch_size, args.epochs, args.weight_decay) == (100, 10, 0.0)
    net = build_network(args)
    assert net.layers["Dropout1"].dropout_ratio == 0.5
    assert "Dropout2" not in net.layers  # the book's output dropout is off


def test_options_of_fully_connected_nets_are_refused_for_conv_nets(capsys):
    for argv in (["--net", "conv", "--hidden", "10"], ["--net", "deep", "--batchnorm"],
                 ["--net", "conv", "--dropout", "0.5"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        assert exit_info.value.code == 2
        assert "does not apply to --net" in capsys.readouterr().err
    for net in ("three", "deep"):
        with pytest.raises(SystemExit):
            cli.main(["--net", net, "--train-shift", "1"])
        assert "--train-shift applies to --net conv only" in capsys.readouterr().err


@pytest.mark.slow
@needs_mnist
def test_gradient_check_of_the_conv_net(capsys):
    assert gradient_check.main(["--net", "conv", "--samples", "1"]) == 0
    printed = capsys.readouterr().out
    assert "SimpleConvNet" in printed and "passed" in printed
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        assert f"\n{key} " in printed
