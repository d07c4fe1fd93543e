"""python -m ch_gpt: a short run on the real text learns; its JSON, figures and saved model;
sampling is deterministic for a seed; a run killed with SIGKILL (or stopped with Ctrl-C)
and resumed ends with exactly the parameters of the uninterrupted run; bad text files,
models and checkpoints get clear errors."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_png, assert_usage_error, headless_env

from ch_gpt import cli
from ch_gpt.model import CharGPT, load_model
from common.nets.files import save_params
from common.training.checkpoint import read_checkpoint
from dataset.text import CharVocab, load_tiny_shakespeare

ROOT = Path(__file__).resolve().parents[1]
#: A tiny model that learns in a few seconds (the reference run is a benchmark, not a test).
TINY = ["--context", "32", "--dim", "32", "--layers", "1", "--heads", "2", "--batch-size", "16",
        "--lr", "1e-2", "--min-lr", "1e-3", "--warmup", "10", "--tokens", "40"]


def run(args, **kwargs):
    """``python -m ch_gpt ARGS`` in a subprocess, headless, with one BLAS thread (a small
    model gains nothing from more, and loses much on a busy machine)."""
    env = {**headless_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "ch_gpt", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def finish(process, timeout=600):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One short run on tiny Shakespeare with --save and --json (shared by several tests)."""
    folder = tmp_path_factory.mktemp("ch_gpt")
    code, out, err = finish(run([*TINY, "--iters", "100", "--eval-every", "50",
                                 "--out", str(folder / "out"), "--json", str(folder / "r.json"),
                                 "--save", str(folder / "model.npz")]))
    assert code == 0, err
    return folder, out, json.loads((folder / "r.json").read_text())


def test_a_short_run_on_the_real_text_learns(trained):
    folder, out, report = trained
    uniform = math.log(65)
    assert report["vocab_size"] == 65 and report["characters"] == 1_115_394
    assert report["history"]["eval_iteration"] == [50, 100]
    assert report["val_loss"] < uniform - 1.2  # about 2.6 after 100 iterations, from 4.17
    assert report["val_loss"] == report["history"]["val_loss"][-1]
    assert len(report["history"]["loss"]) == 100 and report["iterations"] == 100
    assert report["history"]["loss"][0] == pytest.approx(uniform, abs=0.1)  # GPT-2's init
    assert not report["interrupted"] and not report["diverged"]
    assert report["settings"]["iters"] == 100 and report["model"]["parameters"] > 10_000
    assert 0 < report["peak_rss_mb"] < 600 and report["iterations_per_second"] > 0
    assert len(report["sample"]) == 40
    # the program's output: the summary, progress lines, losses, the sample
    assert "Total parameters" in out and "CausalSelfAttention" in out
    assert "iter 50/100  loss" in out and "it/s  ETA" in out
    assert "iter 100: train loss" in out and "val loss" in out
    assert f"val loss {report['val_loss']:.4f}" in out and report["sample"] in out
    for name in ("loss_curves.png", "attention_layer1.png"):
        assert_png(folder / "out" / name)
    assert set(report["figures"]) == {"loss_curves", "attention"}


def test_the_saved_model_carries_its_vocabulary_and_samples_deterministically(trained, capsys):
    folder, _, _ = trained
    net = load_model(folder / "model.npz")
    assert len(net.vocab) == 65 and net.context == 32 and net.dim == 32
    args = ["--sample", "--load", str(folder / "model.npz"), "--prompt", "ROMEO:",
            "--tokens", "60", "--temperature", "0.8", "--top-k", "20"]
    samples = []
    for seed in (1, 1, 2):
        assert cli.main([*args, "--seed", str(seed)]) == 0
        samples.append(capsys.readouterr().out)
    assert samples[0] == samples[1] != samples[2]
    assert samples[0].startswith("ROMEO:") and len(samples[0]) == len("ROMEO:") + 60 + 1
    assert set(samples[0][6:-1]) <= set(net.vocab.chars)
    assert cli.main(["--sample", "--load", str(folder / "model.npz"), "--prompt", "ROMEO é",
                     "--json", str(folder / "s.json")]) == 1
    assert "characters not in the vocabulary of 65: 'é'" in capsys.readouterr().err
    assert cli.main([*args, "--json", str(folder / "s.json")]) == 0
    assert json.loads((folder / "s.json").read_text())["sample"] in capsys.readouterr().out


def test_help_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--iters", "--checkpoint-every", "--resume", "--sample", "--top-k", "--text"):
        assert option in text
    assert_usage_error(cli.main, ["--sample"], capsys)
    assert_usage_error(cli.main, ["--dim", "30", "--heads", "4"], capsys)
    assert_usage_error(cli.main, ["--iters", "0"], capsys)
    assert_usage_error(cli.main, ["--temperature", "-1"], capsys)
    assert_usage_error(cli.main, ["--load", "m.npz", "--resume", "c.npz"], capsys)


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    (b"GIF89a\x00\x01\x00\x00" * 400, "NUL bytes"),
    ("naïve café ".encode("latin-1") * 400, "is not UTF-8 text"),
    (b"Too short to learn from.\n" * 10, "too short: 250 characters, at least 1000"),
])
def test_text_files_that_will_not_do_get_a_clear_error(tmp_path, capsys, content, message):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert cli.main(["--text", str(path), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert message in err and str(path) in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_text_long_enough_for_the_minimum_but_not_the_context(tmp_path, capsys):
    path = tmp_path / "input.txt"
    path.write_text("abcdefghij" * 150, encoding="utf-8")  # 1500 characters
    assert cli.main(["--text", str(path), "--context", "256"]) == 1
    assert "too short: 1500 characters, at least 2580" in capsys.readouterr().err


def test_trains_on_any_text_file(tmp_path):
    path = tmp_path / "song.txt"
    path.write_text("la la la, sing a song of sixpence\n" * 200, encoding="utf-8")
    code, out, err = finish(run([*TINY, "--text", str(path), "--iters", "30", "--eval-every",
                                 "30", "--eval-windows", "20", "--out", str(tmp_path / "o"),
                                 "--json", str(tmp_path / "r.json"), "--prompt", "la"]))
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["text"] == str(path) and report["vocab_size"] == len(set("la, sing of xpce\n"))
    assert report["val_loss"] < math.log(report["vocab_size"])


def compare_models(a, b):
    with np.load(a) as first, np.load(b) as second:
        assert first.files == second.files
        for key in first.files:
            np.testing.assert_array_equal(first[key], second[key], err_msg=key)


RESUMABLE = [*TINY, "--iters", "60", "--eval-every", "20", "--eval-windows", "50",
             "--checkpoint-every", "10"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole")
    code, _, err = finish(run([*RESUMABLE, "--out", str(folder / "out"),
                               "--save", str(folder / "model.npz"),
                               "--json", str(folder / "r.json")]))
    assert code == 0, err
    return folder / "model.npz", json.loads((folder / "r.json").read_text())


def wait_for(path, process, timeout=300):
    deadline = time.monotonic() + timeout
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_a_stopped_run_resumed_ends_with_the_same_parameters(tmp_path, uninterrupted, stop):
    whole_model, whole_report = uninterrupted
    checkpoint = tmp_path / "run.ckpt.npz"
    args = [*RESUMABLE, "--out", str(tmp_path / "out"), "--save", str(tmp_path / "model.npz"),
            "--json", str(tmp_path / "r.json")]
    first = run([*args, "--checkpoint", str(checkpoint)])
    wait_for(checkpoint, first)
    first.send_signal(stop)
    code, out, _ = finish(first)
    stopped_at = read_checkpoint(checkpoint).iteration
    if stop == signal.SIGKILL:
        assert code == -signal.SIGKILL and not (tmp_path / "model.npz").exists()
        assert 10 <= stopped_at < 60
    else:  # Ctrl-C keeps the run: report, sample, figures, --save, a checkpoint, status 130
        assert code == 130 and "Interrupted (Ctrl-C) at iteration" in out
        report = json.loads((tmp_path / "r.json").read_text())
        assert report["interrupted"] and report["iterations"] == stopped_at < 60
        assert (tmp_path / "model.npz").exists() and "A sample" in out

    code, out, err = finish(run([*args, "--resume", str(checkpoint)]))
    assert code == 0, err
    assert f"resumed from {checkpoint} at iteration {stopped_at}" in out
    compare_models(whole_model, tmp_path / "model.npz")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["history"] == whole_report["history"]
    assert report["val_loss"] == whole_report["val_loss"]
    assert report["sample"] == whole_report["sample"]


def test_a_damaged_or_foreign_checkpoint_is_refused_and_kept(tmp_path, capsys):
    vocab = CharVocab.from_text(load_tiny_shakespeare())
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 half a zip file")
    assert cli.main([*TINY, "--iters", "5", "--resume", str(damaged),
                     "--save", str(tmp_path / "m.npz")]) == 1
    assert "is damaged or not a checkpoint" in capsys.readouterr().err
    assert damaged.read_bytes() == b"PK\x03\x04 half a zip file"
    assert not (tmp_path / "m.npz").exists()

    small = tmp_path / "small.npz"
    assert cli.main([*TINY, "--iters", "2", "--eval-every", "2", "--eval-windows", "4",
                     "--checkpoint", str(small), "--out", str(tmp_path / "o")]) == 0
    capsys.readouterr()
    before = small.read_bytes()
    assert cli.main([*TINY, "--iters", "3", "--eval-every", "2", "--eval-windows", "4",
                     "--resume", str(small), "--out", str(tmp_path / "o")]) == 1
    assert "other settings (iters: 2 in the file, 3 now)" in capsys.readouterr().err
    assert small.read_bytes() == before
    assert_usage_error(cli.main, ["--checkpoint", str(small)], capsys)
    net = CharGPT(vocab, context=32, dim=32, num_layers=1, num_heads=2)
    assert net.architecture()["vocabulary"] == "".join(vocab.chars)


def test_models_that_are_not_ch_gpt_models_are_refused(tmp_path, capsys):
    from common.nets.gpt import GPT

    plain = tmp_path / "plain.npz"
    save_params(GPT(65, context=8, dim=8, num_layers=1, num_heads=2), plain)
    assert cli.main(["--sample", "--load", str(plain)]) == 1
    assert "not a model saved by python -m ch_gpt --save" in capsys.readouterr().err
    assert cli.main(["--sample", "--load", str(tmp_path / "none.npz")]) == 1
    assert "there is no model file" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "none.npz")
