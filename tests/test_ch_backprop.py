"""The backpropagation chapter: every published number to the digits published, the outputs,
the gradient check that catches a wrong backward pass, and the 2-unit network that fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_png, assert_usage_error, headless_env

import common.nets.small
from ch_backprop.cli import PARTS, main
from common.layers import Sigmoid
from common.nets.small import make_circles_net
from common.optim import Momentum
from common.plots.surface import training_path
from common.util import to_one_hot
from dataset.toy import noisy_circles

FIGURES = ("descent", "graph", "neuron_circuit", "regression", "logistic", "rbf", "softmax",
           "circles_cost", "circles_boundary", "circles_hidden")
RANDOM_PARTS = ("regression", "logistic", "rbf", "circles")


def run_program(folder: Path, *args: str) -> tuple[dict, str]:
    """``python -W error -m ch_backprop`` without a display; returns (JSON, stdout)."""
    report = folder / "report.json"
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-m", "ch_backprop", "--grid", "20",
         "--out", str(folder / "out"), "--json", str(report), *args],
        capture_output=True, text=True, timeout=300, cwd=folder, env=headless_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no warning of any kind
    return json.loads(report.read_text(encoding="utf-8")), proc.stdout


@pytest.fixture(scope="module")
def chapter(tmp_path_factory) -> tuple[dict, str, Path]:
    """The whole chapter, run once with the default seed: (JSON, printed text, folder)."""
    folder = tmp_path_factory.mktemp("ch_backprop")
    report, text = run_program(folder)
    return report, text, folder


def published(value: float, text: str) -> None:
    """``value`` shows as ``text`` when rounded to as many decimals as ``text`` has."""
    places = len(text.split(".")[1]) if "." in text else 0
    shown = f"{value:.{places}f}"
    assert shown == text or (shown == "-" + text and float(text) == 0), (value, text)


def test_part_0_descent_prints_the_tutorials_iterates(chapter):
    report, text, _ = chapter
    expected = [("10", "345"), ("3.6", "58.28"), ("1.04", "12.4048"), ("0.016", "5.064768"),
                ("-0.3936", "3.890363"), ("-0.55744", "3.702458"), ("-0.622976", "3.672393"),
                ("-0.64919", "3.667583"), ("-0.659676", "3.666813"), ("-0.66387", "3.66669")]
    rows = report["descent"]["one_d"]
    assert [row[0] for row in rows] == list(range(10))
    for (i, x, f), (x_text, f_text) in zip(rows, expected, strict=True):
        assert f"x = {x_text:>9}  f = {f_text:>9}" in text, i
        published(x, x_text)
        published(f, f_text)
    published(report["descent"]["two_d_end"][0], "0.02055")
    published(report["descent"]["two_d_end"][1], "0.00239")


def test_part_1_graph_gradients_descent_and_the_slip(chapter):
    graph = chapter[0]["graph"]
    assert graph["grads"] == {"a": 3, "b": 6, "c": 9}
    assert graph["values"] == {"a": 5, "b": 3, "c": 2, "u": 6, "v": 11, "J": 33}
    assert graph["updates"] == 6
    for value, text in zip(graph["J_history"], ["33", "22.02", "15.56", "10.886", "6.363",
                                                "0.690", "-7.614"], strict=True):
        published(value, text)
    for key, text in zip("abc", ["3.2", "2.708", "-2.119"], strict=True):
        published(graph["final_abc"][key], text)
    slip = graph["slip"]
    assert slip["updates"] == 6
    published(slip["final_J"], "0.0683")
    for key, text in zip("abc", ["3.299", "1.687", "-1.942"], strict=True):
        published(slip["final_abc"][key], text)
    assert "J = 3(a + bc) has no minimum" in chapter[1] and "v^2/2" in chapter[1]


def test_part_2_neuron_every_wire_and_the_sigmoid_shortcut(chapter):
    neuron = chapter[0]["neuron"]
    for key, text in {"w0": "-0.196612", "x0": "0.393224", "w1": "-0.393224",
                      "x1": "-0.589836", "w2": "0.196612"}.items():
        published(neuron["grads"][key], text)
    published(neuron["output"], "0.731059")
    published(neuron["sigmoid_local_gradient"], "0.196612")
    table = {"w0*x0": ("-2.00", "0.20"), "w1*x1": ("6.00", "0.20"),
             "w0*x0 + w1*x1": ("4.00", "0.20"), "+ w2": ("1.00", "0.20"),
             "* (-1)": ("-1.00", "-0.20"), "exp": ("0.37", "-0.53"), "+ 1": ("1.37", "-0.53"),
             "1/x (output)": ("0.73", "1.00")}
    for wire, (forward, gradient) in table.items():
        value, grad = neuron["wires"][wire]
        published(value, forward)
        published(grad, gradient)
    published(neuron["wires"]["exp"][1], "-0.534447")
    # the Affine + Sigmoid layers give the gates' gradients in one step
    np.testing.assert_allclose(neuron["sigmoid_gate"]["dw"],
                               [neuron["grads"][k] for k in ("w0", "w1", "w2")], rtol=1e-12)
    np.testing.assert_allclose(neuron["sigmoid_gate"]["dx"],
                               [neuron["grads"][k] for k in ("x0", "x1")], rtol=1e-12)


def test_part_3_regression(chapter):
    report, text, _ = chapter
    ls = report["least_squares"]
    published(ls["w"], "3.195717")
    published(ls["b"], "2.329493")
    published(ls["cost_start"], "815.75")
    published(ls["cost"], "0.8262")
    # centring x removes the slow intercept: the same 250 updates reach the exact line
    assert ls["centred"]["w"] == pytest.approx(3, abs=1e-3)
    assert ls["centred"]["b"] == pytest.approx(5, abs=1e-3)
    history = report["line_through_origin"]["history"]
    for (w, cost), (w_text, cost_text) in zip(history, [
            ("0.1000", "13.6197"), ("1.5277", "1.1239"), ("1.8505", "0.4853"),
            ("1.9234", "0.4527"), ("1.9399", "0.4510")], strict=True):
        published(w, w_text)
        published(cost, cost_text)
    fit = report["sigmoid_layer"]
    assert fit["reachable"] and fit["cost"] < 0.1 and fit["updates"] > 100
    assert fit["floor"] < 0.1
    assert "reached: cost" in text


def test_part_3_detects_the_unreachable_sigmoid_fit(tmp_path, capsys):
    assert main(["regression", "--seed", "4", "--out", str(tmp_path),
                 "--json", str(tmp_path / "r.json")]) == 0
    assert "UNREACHABLE" in capsys.readouterr().out
    fit = json.loads((tmp_path / "r.json").read_text())["sigmoid_layer"]
    assert not fit["reachable"] and fit["updates"] == 0 and fit["floor"] >= 0.1
    published(fit["floor"], "0.1210")


def test_part_4_logistic(chapter):
    logistic = chapter[0]["logistic"]
    published(logistic["w"][0], "1.4854")
    published(logistic["w"][1], "0.7834")
    published(logistic["cost"], "14.49")
    assert logistic["accuracy"] == 0.85
    assert (logistic["blue_as_red"], logistic["red_as_blue"]) == (2, 4)
    assert "2 blue misclassified as red, 4 red as blue" in chapter[1]


def test_part_5_rbf(chapter):
    rbf = chapter[0]["rbf"]
    for key, short, long in (("final_cost", "9.55", "9.5461"), ("wh", "1.07", "1.0738"),
                             ("wo", "5.05", "5.0532")):
        published(rbf[key], short)
        published(rbf[key], long)
    assert rbf["accuracy"] == 1.0
    assert "final cost is 9.55 for weights wh: 1.07 and wo: 5.05" in chapter[1]


def test_part_7_circles(chapter):
    circles = chapter[0]["circles"]
    published(circles["final_cost"], "0.381")
    assert circles["accuracy"] == 1.0
    assert f"{circles['gradient_check_max_diff']:.1e}" == "1.5e-08"
    costs = circles["costs"]
    for update, text in (("100", "69.2"), ("150", "36.4"), ("180", "6.1"), ("200", "1.48")):
        published(costs[update], text)
    # the plateau near 100 ln 2 = 69.3, then a drop to about 36 and a second plateau
    assert all(abs(costs[k] - 69.3) < 0.5 for k in ("0", "50", "100", "110"))
    assert 33 < costs["165"] < 37
    assert "No gradient errors found" in chapter[1]


def test_two_hidden_units_fail_where_three_succeed(chapter):
    circles = chapter[0]["circles"]
    assert circles["accuracy_2_hidden"] < 0.95 and circles["accuracy_2_hidden_longer"] < 0.95
    assert circles["final_cost_2_hidden"] > 20 * circles["final_cost"]
    for seed in (2, 3, 4):  # fresh data: the same lesson
        rs = np.random.RandomState(seed)
        x, labels = noisy_circles(rs)
        t = to_one_hot(labels, 2, dtype=np.float64)
        make_circles_net(rs, 3, 1.0)  # the gradient check's draws
        accuracies = {}
        for hidden in (3, 2):
            net = make_circles_net(rs, hidden, 0.1)
            training_path(net, x, t, Momentum(2.0, 0.9), 300)
            accuracies[hidden] = net.accuracy(x, t)
        assert accuracies[3] == 1.0 and accuracies[2] < 0.95, (seed, accuracies)


class ForgetfulSigmoid(Sigmoid):
    """A deliberately wrong backward pass: the (1 - σ) factor is missing."""

    def backward(self, dout):
        return dout * self.out


def test_the_gradient_check_stops_the_program_on_a_wrong_backward(tmp_path, monkeypatch,
                                                                   capsys):
    monkeypatch.setattr(common.nets.small, "Sigmoid", ForgetfulSigmoid)
    assert main(["circles", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the gradient check failed: gradient of W1[")
    assert "backpropagation gives" in err and "central differences" in err


def test_json_keys_and_figures(chapter):
    report, _, folder = chapter
    assert report["seed"] == 1 and report["parts"] == list(PARTS)
    required = {"graph": {"grads", "updates", "final_J"}, "neuron": {"grads", "output"},
                "least_squares": {"w", "b", "cost"}, "logistic": {"w", "accuracy"},
                "rbf": {"final_cost", "wh", "wo", "accuracy"},
                "circles": {"final_cost", "accuracy", "accuracy_2_hidden",
                            "gradient_check_max_diff"}}
    for section, keys in required.items():
        assert keys <= set(report[section]), section
    assert set(report["graph"]["grads"]) == {"a", "b", "c"}
    assert set(report["neuron"]["grads"]) == {"w0", "x0", "w1", "x1", "w2"}
    assert [Path(p).stem for p in report["figures"]] == list(FIGURES)
    for name in FIGURES:
        assert_png(folder / "out" / f"{name}.png")


@pytest.mark.slow
def test_same_seed_same_numbers_other_seed_other_data(chapter, tmp_path):
    again, _ = run_program(tmp_path, *RANDOM_PARTS)
    for section in ("least_squares", "line_through_origin", "sigmoid_layer", "logistic", "rbf",
                    "circles"):
        assert again[section] == chapter[0][section], section
    assert main(["logistic", "--seed", "2", "--grid", "10", "--out", str(tmp_path / "o"),
                 "--json", str(tmp_path / "s2.json")]) == 0
    other = json.loads((tmp_path / "s2.json").read_text())
    assert other["logistic"]["w"] != chapter[0]["logistic"]["w"]


def test_parts_run_alone_by_name_or_number(tmp_path, capsys):
    assert main(["1", "neuron", "--out", str(tmp_path), "--json", str(tmp_path / "p.json")]) == 0
    report = json.loads((tmp_path / "p.json").read_text())
    assert report["parts"] == ["graph", "neuron"]
    assert "descent" not in report and "circles" not in report
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["graph.png", "neuron_circuit.png"]
    assert "== 1 graph" in capsys.readouterr().out


def test_help_lists_the_parts(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for word in (*PARTS, "--seed", "--grid", "--out", "--json", "--show",
                 "gradient_check_max_diff"):
        assert word in text


@pytest.mark.parametrize("args", [["bogus"], ["8"], ["--grid", "5"], ["--grid", "x"],
                                  ["--seed", "-1"], ["--seed", "1.5"], ["--bogus"]])
def test_bad_values_exit_2_with_one_error_line(args, capsys):
    assert_usage_error(main, args, capsys)


def test_an_unwritable_output_folder_is_reported_before_anything_runs(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as info:
        main(["graph", "--out", str(blocker)])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert f"--out {blocker} is a file; give a folder" in captured.err
    assert captured.out == ""  # refused before the first part ran
