"""python -m ch_word2vec end to end on a small setting: the side-by-side report, the JSON,
the figure and the saved vectors; the same numbers for a seed; usage errors; Ctrl-C keeps
the run."""

import contextlib
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import assert_png, assert_usage_error, headless_env

from ch_word2vec.cli import main
from common.wordvec import load_word_vectors

ROOT = Path(__file__).resolve().parents[1]
#: A run of a second or two: the first 20,000 tokens, small vectors, one epoch.
SMALL = ["--max-tokens", "20000", "--vocab", "800", "--hidden", "16", "--window", "2",
         "--epochs", "1", "--batch-size", "100", "--lr", "0.01"]


def run_main(args):
    """main(args) in this process; returns (exit status, what it printed)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(args)
    return code, printed.getvalue()


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ch_word2vec")
    code, out = run_main([*SMALL, "--out", str(folder / "out"), "--json",
                          str(folder / "r.json"), "--save", str(folder / "vectors")])
    return folder, code, out, json.loads((folder / "r.json").read_text())


def test_the_small_run_reports_both_methods_side_by_side(small_run):
    folder, code, out, report = small_run
    assert code == 0
    assert report["tokens"] == 20000 and 2000 < report["vocab_size"] < 4000
    assert report["count"]["words"] == 800 and report["count"]["dim"] == 16
    assert 0 < report["count"]["ppmi_nonzero"] < 0.5
    cbow = report["cbow"]
    assert cbow["steps"] == cbow["steps_per_epoch"] == (20000 - 4) // 100
    assert not cbow["interrupted"] and not cbow["diverged"]
    assert len(cbow["epoch_loss"]) == 1 and cbow["epoch_loss"][0] < 6 * np.log(2)  # learns
    # the default questions, answered by both methods among the same 800 words
    assert set(report["neighbours"]) <= {"king", "father", "night", "love", "thou", "good"}
    assert {"night", "love", "thou", "good"} <= set(report["neighbours"])
    for columns in report["neighbours"].values():
        assert set(columns) == {"count (PPMI+SVD)", "CBOW"}
        assert all(len(ranked) == 5 for ranked in columns.values())
    # both rankings of the analogies, the book's and by cosine, on the same questions
    assert set(report["analogies"]) == set(report["analogies_right"]) == {"analogy",
                                                                          "analogy_cosine"}
    book, cosine = report["analogies"]["analogy"], report["analogies"]["analogy_cosine"]
    assert book and [item["question"] for item in book] == [item["question"] for item in cosine]
    for rule in ("analogy", "analogy_cosine"):
        assert set(report["analogies_right"][rule]) == {"count (PPMI+SVD)", "CBOW"}
        assert f"Analogies answered right by {rule} (first answer)" in out
    assert all(-1 <= value <= 1 for item in cosine for ranked in item["answers"].values()
               for _, value in ranked)
    assert "[query] thou" in out and "count (PPMI+SVD)" in out and "[analogy]" in out
    assert "by analogy, the book's" in out and "peak memory" in out
    # run in this process: the peak is the whole test session's (over 1 GB after the MNIST
    # tests), so only its presence is checked; the default run's 410 MB is measured apart
    assert report["peak_rss_mb"] > 0 and report["seconds"] > 0


def test_the_small_run_draws_the_map_and_saves_the_vectors(small_run):
    folder, _, _, report = small_run
    assert report["figures"] == {"word_map": str(folder / "out" / "word_map.png")}
    assert_png(folder / "out" / "word_map.png")
    count, word_to_id, id_to_word = load_word_vectors(folder / "vectors" / "count.npz")
    cbow, cbow_word_to_id, _ = load_word_vectors(folder / "vectors" / "cbow.npz")
    assert count.shape == (800, 16) and cbow.shape == (report["vocab_size"], 16)
    assert id_to_word[0] == "," and word_to_id["thou"] < 800  # ids by frequency
    assert all(cbow_word_to_id[w] == i for w, i in word_to_id.items())  # one numbering


def test_the_same_seed_gives_the_same_answers(tmp_path):
    args = ["--max-tokens", "4000", "--vocab", "300", "--hidden", "8", "--window", "1",
            "--epochs", "1", "--batch-size", "50", "--query", "the", "--query", "castle"]
    reports = []
    for name in ("a", "b"):
        code, out = run_main([*args, "--out", str(tmp_path / name), "--json",
                              str(tmp_path / f"{name}.json")])
        assert code == 0 and "not among the 300 words compared: castle" in out
        reports.append(json.loads((tmp_path / f"{name}.json").read_text()))
    for report in reports:
        del report["seconds"], report["peak_rss_mb"], report["figures"]
        del report["count"]["seconds"], report["cbow"]["seconds"]
    assert reports[0] == reports[1]
    assert list(reports[0]["neighbours"]) == ["the"]


def test_help_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--seed", "--out", "--json", "--show", "--epochs", "--window", "--hidden",
                   "--vocab", "--save"):
        assert option in help_text
    assert_usage_error(main, ["--window", "0"], capsys)
    assert_usage_error(main, ["--epochs", "two"], capsys)
    assert_usage_error(main, ["--max-tokens", "6", "--window", "3"], capsys)


@pytest.mark.slow
def test_ctrl_c_stops_training_and_keeps_the_run(tmp_path):
    args = ["--max-tokens", "60000", "--vocab", "500", "--hidden", "16", "--epochs", "200",
            "--batch-size", "50", "--out", str(tmp_path / "out"), "--json",
            str(tmp_path / "r.json")]
    env = {**headless_env(), "OPENBLAS_NUM_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "ch_word2vec", *args], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("iter 1/"):
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Interrupted (Ctrl-C) at iteration" in out and "[query]" in out
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["cbow"]["interrupted"] and 1 <= report["cbow"]["steps"] < 200 * 1199
    assert_png(tmp_path / "out" / "word_map.png")
