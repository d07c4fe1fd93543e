"""The autograd chapter: the book's numbers to their printed digits, figures, options, Ctrl-C,
MNIST missing; the full default run behind the slow marker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_png, assert_usage_error, headless_env

import dataset.mnist
from ch_autograd.cli import main
from ch_autograd.options import SECTIONS

ROOT = Path(__file__).resolve().parents[1]


def run_main(tmp_path: Path, *args: str, status: int = 0) -> dict:
    """main() with figures and JSON in tmp_path; returns the (strict) JSON."""
    out, report = tmp_path / "out", tmp_path / "metrics.json"
    assert main(["--out", str(out), "--json", str(report), *args]) == status
    return json.loads(report.read_text(encoding="utf-8"),
                      parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))


@pytest.fixture(scope="module")
def calculus(tmp_path_factory) -> tuple[dict, Path, str]:
    """Sections 1-4 run once (about 3 s): the report, the figures' folder, what was printed."""
    tmp = tmp_path_factory.mktemp("calculus")
    report_path = tmp / "metrics.json"
    proc = subprocess.run(
        [sys.executable, "-W", "error", "-m", "ch_autograd", "--sections", "1,2,3,4", "--out",
         str(tmp / "out"), "--json", str(report_path)],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=headless_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no warning either
    return json.loads(report_path.read_text(encoding="utf-8")), tmp / "out", proc.stdout


def test_the_books_gradients_of_goldstein_price_and_the_others(calculus):
    report, _, text = calculus
    gradients = report["gradients"]
    assert gradients["goldstein_price"] == [-5376.0, 8064.0]
    assert gradients["sphere"] == [2.0, 2.0]
    assert gradients["matyas"] == pytest.approx([0.04, 0.04], abs=1e-15)
    assert "df/dx = -5376.0, df/dy = 8064.0" in text


def test_gradient_descent_on_rosenbrock_and_newton_on_the_double_well(calculus):
    report, _, text = calculus
    rosenbrock = report["descent"]["rosenbrock"]
    gd = rosenbrock["gradient_descent"]
    assert (rosenbrock["start"], rosenbrock["lr"], rosenbrock["iters"]) == ([0.0, 2.0], 0.001,
                                                                           1000)
    assert [round(v, 4) for v in gd["last_printed"]] == [0.6835, 0.4657]
    assert gd["iterates"] == 1000 and gd["end"][0] < 0.7  # far from (1, 1) yet
    assert "(0.6835, 0.4657)" in text
    assert rosenbrock["newton"]["at_minimum"] is not None  # Newton gets there in a few steps
    assert rosenbrock["newton"]["path"][-1] == [1.0, 1.0]
    well = report["descent"]["double_well"]
    assert well["newton"]["exact_at"] == 7
    assert well["newton"]["path"][7] == 1.0
    assert well["newton"]["path"][1] == pytest.approx(2 - 24 / 44)  # x - f'(x) / f''(x)
    assert well["gradient_descent"]["within_1e-6_at"] > 7
    assert "reaches 1.0 exactly at iterate 7" in text


def test_automatic_derivatives_are_exact_and_finite_differences_are_not(calculus):
    report, _, _ = calculus
    d = report["derivatives"]
    assert d["automatic_error"] < 1e-15
    assert d["central_1e-4"] == pytest.approx(d["exact"], abs=1e-6)
    assert min(d["central_error"]) > d["automatic_error"]
    assert max(d["forward_error"]) > max(d["central_error"])
    assert d["checks"] and all(row["agree"] for row in d["checks"])
    higher = report["higher"]
    assert higher["order"] == 4
    assert max(higher["sin"]["max_error"]) < 1e-12
    assert max(higher["tanh"]["max_error"]) < 1e-12
    assert higher["sin"]["at_1"][1] == pytest.approx(0.5403023058681398)
    assert higher["graph"]["functions"] == 4  # tanh, then 1 - y*y, times gy


def test_the_figures_are_written(calculus):
    report, out, _ = calculus
    for name in ("derivative_error", "gradient_fields", "rosenbrock_paths", "double_well",
                 "nth_derivatives"):
        assert_png(out / f"{name}.png")
    assert (out / "tanh_graph.dot").read_text().startswith("digraph g {")
    if report["higher"]["graph"]["png"] is not None:  # Graphviz was there
        assert_png(out / "tanh_graph.png", min_side=50)
    assert report["sections"] == ["derivatives", "gradients", "descent", "higher"]
    assert report["interrupted"] is None


def test_without_graphviz_the_dot_file_and_how_to_draw_it(tmp_path, monkeypatch, capsys):
    import common.autograd.graph

    monkeypatch.setattr(common.autograd.graph.shutil, "which", lambda name: None)
    report = run_main(tmp_path, "--sections", "higher", "--order", "2", "--graph-order", "2")
    graph = report["higher"]["graph"]
    assert graph["png"] is None and graph["order"] == 2 and graph["functions"] > 4
    assert Path(graph["dot"]).is_file() and not (tmp_path / "out" / "tanh_graph.png").exists()
    assert "dot " in capsys.readouterr().out  # the command that renders it


def test_a_short_spiral_run_is_deterministic(tmp_path):
    def numbers(folder: str) -> dict:
        report = run_main(tmp_path / folder, "--sections", "spiral", "--spiral-epochs", "20",
                          "--seed", "3")["spiral"]
        del report["seconds"]
        return report

    first = numbers("a")
    assert first == numbers("b")
    assert first["epochs"] == 20 and len(first["losses"]) == 20 and not first["interrupted"]
    assert first["losses"][-1] < first["losses"][0]
    assert first["settings"] == {"hidden": 10, "lr": 1.0, "batch": 30, "epochs": 20}
    assert_png(tmp_path / "a" / "out" / "spiral.png")


def test_without_mnist_the_section_says_so_and_the_others_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dataset.mnist, "MIRRORS", ["http://127.0.0.1:9/"])  # no download
    empty = tmp_path / "empty"
    empty.mkdir()
    report = run_main(tmp_path, "--sections", "gradients,mnist", "--data-dir", str(empty))
    assert report["mnist"]["available"] is False
    assert "MNIST is not available" in report["mnist"]["message"]
    assert report["gradients"]["goldstein_price"] == [-5376.0, 8064.0]
    assert "--data-dir" in capsys.readouterr().out


def test_help_lists_the_sections_and_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    for word in (*SECTIONS, "--sections", "--seed", "--descent-iters", "--newton-iters",
                 "--order", "--graph-order", "--spiral-epochs", "--mnist-epochs", "--data-dir",
                 "--out", "--json", "--show"):
        assert word in text


@pytest.mark.parametrize("args", [
    ["--sections", "7"], ["--sections", "0"], ["--sections", "spiral,nope"], ["--order", "0"],
    ["--order", "9"], ["--graph-order", "x"], ["--descent-lr", "0"], ["--descent-lr", "nan"],
    ["--descent-iters", "-1"], ["--spiral-epochs", "0"], ["--mnist-epochs", "1.5"],
    ["--spiral-batch", "0"], ["--seed", "-1"], ["--bogus"],
])
def test_bad_options_exit_2_with_one_error_line(args, capsys):
    assert_usage_error(main, args, capsys)


def test_an_unwritable_json_path_is_a_usage_error_before_anything_runs(tmp_path, capsys):
    assert_usage_error(main, ["--json", str(tmp_path)], capsys)  # a folder, not a file


def test_ctrl_c_keeps_what_was_done(tmp_path):
    """SIGINT during the spiral's training: exit 130, the finished sections and the epochs
    done reported, the spiral's figure drawn."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ch_autograd", "--sections", "2,spiral", "--spiral-epochs",
         "100000", "--out", str(tmp_path / "out"), "--json", str(tmp_path / "r.json")],
        cwd=ROOT, env=headless_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("== 5 spiral") or not line:
            break
    time.sleep(1.0)  # some epochs
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["interrupted"] == "spiral"
    assert report["gradients"]["goldstein_price"] == [-5376.0, 8064.0]
    spiral = report["spiral"]
    assert spiral["interrupted"] and 0 < spiral["epochs"] < 100000
    assert_png(tmp_path / "out" / "spiral.png")
    assert "Interrupted (Ctrl-C)" in out and "interrupted" in err


@pytest.mark.slow
def test_the_default_run(tmp_path, monkeypatch):
    """Every section with its defaults (MNIST when $MNIST_DIR is set; about 30 s)."""
    if not os.environ.get("MNIST_DIR"):
        monkeypatch.setattr(dataset.mnist, "MIRRORS", ["http://127.0.0.1:9/"])  # no download
    report = run_main(tmp_path)
    assert report["sections"] == list(SECTIONS) and report["interrupted"] is None
    assert report["gradients"]["goldstein_price"] == [-5376.0, 8064.0]
    gd = report["descent"]["rosenbrock"]["gradient_descent"]
    assert [round(v, 4) for v in gd["last_printed"]] == [0.6835, 0.4657]
    assert report["descent"]["double_well"]["newton"]["exact_at"] == 7
    spiral = report["spiral"]
    assert spiral["epochs"] == 300 and spiral["test_accuracy"][-1] > 0.9
    mnist = report["mnist"]
    if os.environ.get("MNIST_DIR"):
        assert mnist["available"] and mnist["epochs"] == 3
        assert mnist["test_accuracy"][-1] > 0.96
        assert_png(tmp_path / "out" / "mnist.png")
    for path in report["figures"]:
        assert Path(path).is_file()
