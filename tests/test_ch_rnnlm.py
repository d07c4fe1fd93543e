"""python -m ch_rnnlm: the three models end to end on a tiny setting (JSON, figure, texts),
a run stopped with Ctrl-C and resumed ends exactly as an uninterrupted one, and mistakes
in the options get clear errors."""

import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_png, assert_usage_error, headless_env

from ch_rnnlm import cli
from common.training.checkpoint import read_checkpoint

ROOT = Path(__file__).resolve().parents[1]
#: Small models on the first 3000 words of each split: seconds, not minutes.
TINY = ["--max-words", "3000", "--size", "8", "--better-size", "8", "--batch-size", "5",
        "--time-size", "10", "--eval-interval", "10", "--lr", "5", "--sample-size", "12"]


def run(args, **kwargs):
    """``python -m ch_rnnlm ARGS`` in a subprocess, headless, one BLAS thread."""
    env = {**headless_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "ch_rnnlm", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.slow
def test_the_three_models_end_to_end(tmp_path):
    process = run([*TINY, "--epochs", "2", "--out", str(tmp_path / "out"),
                   "--json", str(tmp_path / "r.json")])
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["vocab_size"] == 12385
    assert report["words"] == {"train": 3000, "val": 3000, "test": 3000}
    assert list(report["models"]) == ["SimpleRnnlm", "Rnnlm", "BetterRnnlm"]
    for name, model in report["models"].items():
        assert model["epochs"] == 2 and len(model["val_ppl"]) == 2
        assert model["best_val_ppl"] == min(model["val_ppl"])
        assert math.isfinite(model["test_ppl"])
        # training lowers the perplexity well below uniform guessing over 12,385 words
        assert model["ppl"][-1] < model["ppl"][0] / 4, name
        assert model["sample"].startswith("romeo") and name in out
    assert report["models"]["BetterRnnlm"]["parameters"] < report["models"]["Rnnlm"]["parameters"]
    assert 0 < report["peak_rss_mb"] < 1024
    assert_png(tmp_path / "out" / "perplexity.png")


@pytest.mark.slow
def test_ctrl_c_then_resume_ends_as_an_uninterrupted_run(tmp_path):
    args = [*TINY, "--model", "better", "--epochs", "3", "--checkpoint-every", "5",
            "--out", str(tmp_path / "out")]
    whole = tmp_path / "whole.npz"
    process = run([*args, "--checkpoint", str(whole)])
    assert process.communicate(timeout=600) and process.returncode == 0
    path = tmp_path / "stopped.npz"
    process = run([*args, "--checkpoint", str(path), "--json", str(tmp_path / "s.json")])
    deadline = time.time() + 300
    while not path.exists() and time.time() < deadline:  # the first checkpoint: mid-run
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    stopped = json.loads((tmp_path / "s.json").read_text())
    if process.returncode == 0:  # finished before the signal arrived: nothing to resume
        pytest.skip("the run ended before Ctrl-C")
    assert process.returncode == 130, err
    assert stopped["models"]["BetterRnnlm"]["interrupted"]
    process = run([*args, "--resume", str(path)])
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    a, b = read_checkpoint(whole), read_checkpoint(path)
    assert a.iteration == b.iteration
    for key, value in a.state["model"]["params"].items():
        np.testing.assert_array_equal(b.state["model"]["params"][key], value, err_msg=key)


def test_help_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0 and "BetterRnnlm" in capsys.readouterr().out
    assert_usage_error(cli.main, ["--checkpoint", "x.npz"], capsys)  # needs --model
    assert_usage_error(cli.main, ["--dropout", "1"], capsys)
    assert_usage_error(cli.main, ["--lr-decay", "0.5"], capsys)


def test_data_that_will_not_do_are_clear_errors(capsys, tmp_path):
    out = ["--out", str(tmp_path)]
    assert cli.main([*TINY, *out, "--start", "zyzzyva"]) == 1
    assert "not a word of the vocabulary" in capsys.readouterr().err
    assert cli.main(["--max-words", "300", *out]) == 1
    assert "too short" in capsys.readouterr().err
