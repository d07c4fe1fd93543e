"""The logic-gate chapter: every gate is learned with the defaults, outputs are valid."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_png, assert_usage_error, headless_env

from ch_logic.cli import main, run_gate
from ch_logic.options import GATES, build_parser
from common.nets.small import make_one_net, make_two_net, probability_of_one
from dataset.logic import logic_gate

GATE_KEYS = {"gate", "net", "accuracy", "correct", "rows", "loss", "probabilities",
             "min_true_probability", "learned", "iterations", "seconds", "diverged"}






def run_main_status(tmp_path: Path, status: int, *args: str) -> dict:
    """main() with figures and JSON in tmp_path; returns the JSON (exit status must be
    ``status``)."""
    out, report = tmp_path / "out", tmp_path / "metrics.json"
    assert main(["--out", str(out), "--json", str(report), *args]) == status
    # strict JSON, which has no Infinity or NaN
    return json.loads(report.read_text(encoding="utf-8"),
                      parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))


def run_main(tmp_path: Path, *args: str) -> dict:
    """main() with figures and JSON in tmp_path; returns the JSON (exit status must be 0)."""
    return run_main_status(tmp_path, 0, *args)


def test_defaults_learn_every_gate_and_write_figures_and_json(tmp_path, capsys):
    report = run_main(tmp_path)
    text = capsys.readouterr().out
    assert set(report) == {"seed", "settings", "all_learned", "gates"}
    assert set(report["settings"]) == {"optimizer", "lr", "iters", "hidden", "init_std",
                                       "weight_decay"}
    assert set(report["gates"]) == {"and", "or", "nand", "nor", "not", "xor", "xor_onenet"}
    for key, gate in report["gates"].items():
        assert set(gate) == GATE_KEYS
        assert gate["iterations"] == 2000 and not gate["diverged"]
        if key == "xor_onenet":
            assert gate["net"] == "OneNet"
            assert gate["accuracy"] <= 0.75  # a line gets at most 3 of the 4 rows right
        else:
            assert gate["net"] == ("TwoNet" if key == "xor" else "OneNet")
            assert gate["accuracy"] == 1.0
            assert gate["min_true_probability"] > 0.9
            assert gate["learned"]
    assert report["all_learned"]
    assert "OneNet cannot learn XOR" in text
    for name in ("loss_curves", "decision_boundaries", "xor_hidden"):
        assert_png(tmp_path / "out" / f"{name}.png")


@pytest.mark.slow
@pytest.mark.parametrize("gate", [g for g in GATES if g != "xor"])
def test_one_net_learns_linear_gates_for_seeds_0_to_9(gate):
    for seed in range(10):
        run = run_gate(gate, gate, False, build_parser().parse_args(["--seed", str(seed)]))
        assert run.correct == len(run.t), (gate, seed)
        assert run.net.accuracy(run.x, run.t) == 1.0
        assert run.min_true_probability > 0.9, (gate, seed)


@pytest.mark.slow
def test_two_net_learns_xor_for_seeds_0_to_9():
    for seed in range(10):
        run = run_gate("xor", "xor", True, build_parser().parse_args(["--seed", str(seed)]))
        assert run.learned, seed


def test_networks_are_stacks_of_common_layers():
    one = make_one_net(2, seed=0)
    assert [type(layer).__name__ for layer in one.layers.values()] == ["Affine"]
    assert type(one.last_layer).__name__ == "SigmoidWithLoss"
    assert one.params["W1"].shape == (2, 1) and one.params["b1"].shape == (1,)
    two = make_two_net(2, hidden=6, seed=0)
    assert [type(layer).__name__ for layer in two.layers.values()] == ["Affine", "Relu", "Affine"]
    assert type(two.last_layer).__name__ == "SoftmaxWithLoss"
    assert {k: v.shape for k, v in two.params.items()} == {
        "W1": (2, 6), "b1": (6,), "W2": (6, 2), "b2": (2,)}
    # the initial weights are 0.01 * N(0, 1): small
    assert np.abs(two.params["W1"]).max() < 0.05
    x, _ = logic_gate("xor")
    p = probability_of_one(two, x)
    assert p.shape == (4,) and np.all((p > 0) & (p < 1))


def test_same_seed_gives_the_same_numbers(tmp_path):
    def numbers(folder: str) -> dict:
        report = run_main(tmp_path / folder, "--gate", "xor", "--seed", "3", "--iters", "200")
        for gate in report["gates"].values():
            del gate["seconds"]  # the only thing allowed to differ
        return report

    assert numbers("a") == numbers("b")


def test_single_gate_and_not_figures(tmp_path):
    report = run_main(tmp_path, "--gate", "NOT", "--iters", "100")
    assert set(report["gates"]) == {"not"}
    assert report["gates"]["not"]["rows"] == 2
    assert_png(tmp_path / "out" / "decision_boundaries.png")
    assert not (tmp_path / "out" / "xor_hidden.png").exists()


def test_help_exits_0(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for option in ("--gate", "--optimizer", "--lr", "--iters", "--hidden", "--init-std",
                   "--weight-decay", "--seed", "--out", "--json", "--show", "xor_onenet"):
        assert option in text


@pytest.mark.parametrize("args", [
    ["--lr", "0"], ["--lr", "-1"], ["--lr", "nan"], ["--lr", "x"], ["--iters", "0"],
    ["--iters", "1.5"], ["--hidden", "0"], ["--hidden", "2,2"], ["--gate", "xnand"],
    ["--optimizer", "lbfgs"], ["--seed", "-1"], ["--weight-decay", "-1e-3"],
    ["--init-std", "0"], ["--bogus"],
])
def test_bad_values_exit_2_with_one_error_line(args, capsys):
    assert_usage_error(main, args, capsys)


def test_divergence_is_reported_with_status_1(tmp_path, capsys):
    status = main(["--gate", "and", "--optimizer", "sgd", "--lr", "1e37",
                   "--out", str(tmp_path)])
    assert status == 1
    captured = capsys.readouterr()
    assert "Training stopped" in captured.out
    assert "diverged" in captured.err


def test_divergence_by_the_last_update_is_reported_too(tmp_path, capsys):
    # one step that overflows: only the check after the last update can see it
    report = run_main_status(tmp_path, 1, "--gate", "and", "--optimizer", "sgd", "--lr", "1e37",
                             "--iters", "1")
    gate = report["gates"]["and"]
    assert gate["diverged"] and not gate["learned"]
    assert gate["loss"] == pytest.approx(math.log(2), rel=1e-3)  # the initial parameters, kept
    assert "diverged" in capsys.readouterr().err


def test_module_entry_point_runs_headless_without_warnings(tmp_path):
    report = tmp_path / "m.json"
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-m", "ch_logic", "--gate", "xor", "--iters", "1000",
         "--out", str(tmp_path / "out"), "--json", str(report)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=headless_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(report.read_text(encoding="utf-8"))["gates"]["xor"]["accuracy"] == 1.0
    assert_png(tmp_path / "out" / "xor_hidden.png")
