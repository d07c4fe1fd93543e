"""Very short runs: a curve of a single point is drawn as a marker you can see, the chapter
says how to get a curve, and ch_gpt says when the whole run is learning-rate warm-up."""

from __future__ import annotations

import numpy as np
import pytest

import ch_gpt.cli
import ch_iris.cli
import ch_logic.cli
import ch_rnnlm.cli
import ch_seq2seq.cli
from common.plots import attention, figures, logic, perplexity, seq2seq
from common.plots.figures import short_run_note

# --- the figures --------------------------------------------------------------------------


@pytest.fixture
def drawn(monkeypatch):
    """The figures the plot functions draw (kept instead of saved), by module."""
    kept = []

    def keep(fig, path, show=False):
        kept.append(fig)
        return path

    for module in (attention, figures, logic, perplexity, seq2seq):
        monkeypatch.setattr(module, "save_figure", keep)
    yield kept
    for fig in kept:
        figures.pyplot().close(fig)


def lone_points(fig) -> list:
    """The lines of ``fig`` that have a single point."""
    return [line for ax in fig.axes for line in ax.get_lines() if len(line.get_xdata()) == 1]


def draw_one_point_each():
    figures.plot_learning_curves([2.3], [0.4], [0.35], acc_x=[1], val_acc_list=[0.3])
    attention.plot_loss_curves([4.2], [1], {"train": [4.1], "val": [4.3]}, reference=4.17)
    seq2seq.plot_accuracy_curves({"plain": [0.1], "peeky": [0.2]}, path=None)
    perplexity.plot_perplexities({"LSTM": {"ppl": [900.0], "ppl_iteration": [20],
                                           "val_ppl": [850.0], "val_iteration": [20]}})
    logic.plot_loss_curves({"AND (OneNet)": [0.69], "XOR (TwoNet)": [0.7]})


def test_a_curve_of_one_point_is_drawn_with_a_marker_you_can_see(drawn):
    draw_one_point_each()
    assert len(drawn) == 5
    for fig in drawn:
        lines = lone_points(fig)
        assert lines, fig.axes[0].get_title()
        for line in lines:
            assert line.get_marker() not in (None, "None", "", " "), line.get_label()
            assert line.get_markersize() >= 6, line.get_label()
    # a curve of many points keeps its own style
    figures.plot_learning_curves(np.linspace(2, 1, 50), [0.4, 0.6], [0.35, 0.5], acc_x=[25, 50])
    ax_loss, ax_acc = drawn[-1].axes
    assert [line.get_marker() for line in ax_loss.get_lines()] == ["None", "None"]
    assert {line.get_markersize() for line in ax_acc.get_lines()} == {3}


def test_the_note_says_how_to_get_a_curve():
    assert short_run_note(1) == "note: only one evaluation: run more epochs for a curve"
    assert short_run_note(0, "iteration", "iterations") == (
        "note: no iteration: run more iterations for a curve")
    assert short_run_note(2) is None


# --- the chapters -------------------------------------------------------------------------

NOTE = "for a curve"


def test_ch_iris_and_ch_logic_say_when_a_run_gives_one_point(tmp_path, capsys):
    assert ch_iris.cli.main(["--iters", "1", "--out", str(tmp_path / "iris")]) == 0
    assert "note: only one evaluation: run more iterations" in capsys.readouterr().out
    assert ch_iris.cli.main(["--iters", "20", "--eval-every", "10",
                             "--out", str(tmp_path / "iris")]) == 0
    assert NOTE not in capsys.readouterr().out
    ch_logic.cli.main(["--gate", "and", "--iters", "1", "--out", str(tmp_path / "logic")])
    assert "note: only one iteration: run more iterations" in capsys.readouterr().out
    ch_logic.cli.main(["--gate", "and", "--iters", "2", "--out", str(tmp_path / "logic")])
    assert NOTE not in capsys.readouterr().out


def test_ch_seq2seq_says_when_one_epoch_gives_one_point(tmp_path, capsys):
    tiny = ["--train-size", "64", "--test-size", "16", "--hidden", "8", "--wordvec", "4",
            "--batch-size", "32", "--examples", "1", "--task", "addition",
            "--out", str(tmp_path / "out")]
    ch_seq2seq.cli.main([*tiny, "--epochs", "1"])
    assert "note: only one evaluation: run more epochs" in capsys.readouterr().out
    ch_seq2seq.cli.main([*tiny, "--epochs", "2"])
    assert NOTE not in capsys.readouterr().out


@pytest.mark.slow
def test_ch_rnnlm_says_when_one_epoch_gives_one_point(tmp_path, capsys):
    tiny = ["--max-words", "3000", "--size", "8", "--batch-size", "5", "--time-size", "10",
            "--eval-interval", "10", "--lr", "5", "--sample-size", "4", "--model", "simple",
            "--out", str(tmp_path / "out")]
    ch_rnnlm.cli.main([*tiny, "--epochs", "1"])
    assert "note: only one validation perplexity: run more epochs" in capsys.readouterr().out
    ch_rnnlm.cli.main([*tiny, "--epochs", "2"])
    assert NOTE not in capsys.readouterr().out


GPT = ["--context", "16", "--dim", "16", "--layers", "1", "--heads", "2", "--batch-size", "4",
       "--eval-windows", "2", "--tokens", "5"]


def test_ch_gpt_says_when_the_whole_run_is_warm_up(tmp_path, capsys):
    out = ["--out", str(tmp_path / "out")]
    assert ch_gpt.cli.main([*GPT, *out, "--iters", "6", "--warmup", "6"]) == 0
    printed = capsys.readouterr().out
    assert "note: --iters 6 is no more than --warmup 6: the whole run is warm-up" in printed
    assert "note: only one evaluation: run more iterations" in printed  # --eval-every 250
    assert ch_gpt.cli.main([*GPT, *out, "--iters", "6", "--warmup", "2",
                            "--eval-every", "3"]) == 0
    printed = capsys.readouterr().out
    assert "warm-up" in printed and "whole run" not in printed and NOTE not in printed
    assert "a run of no more --iters than this is all warm-up" in " ".join(
        ch_gpt.cli.build_parser().format_help().split())
