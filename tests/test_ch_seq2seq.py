"""python -m ch_seq2seq: a tiny run of both tasks end to end (report, JSON, figures, exit
status), its options and errors, and Ctrl-C keeping the run."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import assert_png, assert_usage_error, headless_env

from ch_seq2seq import cli
from ch_seq2seq.options import DEFAULT_EPOCHS

ROOT = Path(__file__).resolve().parents[1]
#: Small models on a slice of the data: seconds, not minutes.
TINY = ["--train-size", "256", "--test-size", "32", "--hidden", "16", "--wordvec", "8",
        "--batch-size", "64", "--examples", "2"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """Both tasks, two epochs each, in this process (shared by several tests)."""
    folder = tmp_path_factory.mktemp("ch_seq2seq")
    code = cli.main([*TINY, "--epochs", "2", "--out", str(folder / "out"),
                     "--json", str(folder / "r.json")])
    return folder, code, json.loads((folder / "r.json").read_text())


@pytest.mark.slow  # ~4 s: generating the 100,000 lines of both data sets, and the figures
def test_a_tiny_run_trains_every_model_and_reports(tiny_run):
    folder, code, report = tiny_run
    assert code == 0 and not report["interrupted"]
    addition, dates = report["tasks"]["addition"], report["tasks"]["dates"]
    assert addition["train_pairs"] == 256 and addition["test_pairs"] == 32
    assert list(addition["models"]) == ["seq2seq", "seq2seq, reversed input",
                                        "peeky seq2seq, reversed input"]
    assert list(dates["models"]) == ["attention seq2seq, reversed input"]
    for task in (addition, dates):
        for result in task["models"].values():
            assert result["epochs"] == 2 and len(result["accuracy"]) == 2
            assert all(0 <= a <= 1 for a in result["accuracy"])
            assert result["final_accuracy"] == result["accuracy"][-1]
            assert result["epoch_loss"][1] < result["epoch_loss"][0]  # it learns something
    plain, reversed_ = addition["models"]["seq2seq"], addition["models"]["seq2seq, reversed input"]
    assert not plain["reversed_input"] and reversed_["reversed_input"]
    assert addition["models"]["peeky seq2seq, reversed input"]["model"] == "PeekySeq2seq"
    assert dates["models"]["attention seq2seq, reversed input"]["hidden_size"] == 16
    # run in this process: the peak is the whole test session's (over 1 GB after the MNIST
    # tests), so only its presence is checked; the default run's 317 MB is measured apart
    assert report["settings"]["epochs"] == 2 and report["peak_rss_mb"] > 0
    for name in ("addition_accuracy", "dates_accuracy", "dates_attention"):
        assert_png(folder / "out" / f"{name}.png")
        assert report["figures"][name] == str(folder / "out" / f"{name}.png")


@pytest.mark.slow
def test_the_run_prints_progress_answers_and_a_summary(tiny_run, capsys):
    # the fixture's output went to an earlier capture: run one task again, briefly
    folder, _, _ = tiny_run
    code = cli.main([*TINY, "--task", "addition", "--epochs", "1", "--out",
                     str(folder / "again")])
    out = capsys.readouterr().out
    assert code == 0
    assert "addition.txt: 256 pairs to train on, 32 to test; 13 characters" in out
    assert "epoch 1/1  loss" in out and "exact match" in out
    assert out.count("\nQ ") == 3 * 2  # two answers of each of the three models
    assert "Exact-match accuracy on the test set:" in out and "dates" not in out.split(
        "Exact-match accuracy")[1]
    assert not (folder / "again" / "dates_accuracy.png").exists()


def test_defaults_and_help(capsys):
    assert DEFAULT_EPOCHS["addition"] >= 1 and DEFAULT_EPOCHS["dates"] >= 1
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    help_text = capsys.readouterr().out
    assert "--task {addition,dates,all}" in help_text and "--epochs 25" in help_text


@pytest.mark.parametrize("args", [["--task", "words"], ["--epochs", "0"], ["--lr", "-1"],
                                  ["--max-grad", "nan"], ["--train-size", "x"]])
def test_bad_options_are_usage_errors(args, capsys):
    assert_usage_error(cli.main, args, capsys)


@pytest.mark.slow
def test_ctrl_c_keeps_the_run_headless(tmp_path):
    """SIGINT in the first model's training: exit 130, with the report and figure of what
    ran written all the same."""
    env = {**headless_env(), "OPENBLAS_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ch_seq2seq", "--task", "addition", "--epochs", "50",
         "--train-size", "4000", "--test-size", "50", "--hidden", "32", "--out",
         str(tmp_path / "out"), "--json", str(tmp_path / "r.json")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("epoch 2/50") or not line:
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["interrupted"]
    result = report["tasks"]["addition"]["models"]["seq2seq"]
    assert result["interrupted"] and 2 <= result["epochs"] < 50
    assert len(report["tasks"]["addition"]["models"]) == 1  # the others did not start
    assert_png(tmp_path / "out" / "addition_accuracy.png")
    assert "Interrupted (Ctrl-C)" in "".join(lines) + out
