"""Output paths are checked before a program loads data or trains (``common.cli.
check_output_paths``): a --json that names a folder, a --save that names a folder, a place
that cannot be written stop the program at once with a usage error, not with a traceback
after a long training run; an existing file is replaced."""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path

import numpy as np
import pytest

import dataset.mnist
from ch_mnist import cli as mnist_cli
from common.cli import check_output_paths
from common.nets.files import save_params


def parser_of(*argv: str) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="demo")
    for option in ("--json", "--save", "--checkpoint", "--out"):
        parser.add_argument(option, type=Path)
    return parser, parser.parse_args(argv)


def usage_error(capsys, *argv: str, **kinds) -> str:
    parser, args = parser_of(*argv)
    with pytest.raises(SystemExit) as info:
        check_output_paths(parser, args, **kinds)
    assert info.value.code == 2
    return capsys.readouterr().err


def test_a_folder_given_for_a_file_is_a_usage_error(tmp_path, capsys):
    err = usage_error(capsys, "--json", str(tmp_path))
    assert f"--json {tmp_path} names a folder; give a file path" in err
    err = usage_error(capsys, "--save", str(tmp_path), files=("save",))
    assert f"--save {tmp_path} names a folder" in err


def test_a_file_given_for_a_folder_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "figures").write_text("a file")
    err = usage_error(capsys, "--out", str(tmp_path / "figures"))
    assert "--out" in err and "is a file; give a folder" in err


def test_unwritable_places_are_usage_errors(tmp_path, capsys):
    (tmp_path / "blocker").write_text("a file")
    err = usage_error(capsys, "--json", str(tmp_path / "blocker" / "sub" / "m.json"))
    assert f"{tmp_path / 'blocker'} is a file, not a folder" in err
    # /proc takes no new files, whoever asks (root included)
    err = usage_error(capsys, "--json", "/proc/dlscratch/m.json")
    assert "no file can be created in /proc" in err
    err = usage_error(capsys, "--json", "/dev/null")
    assert "not a regular file" in err  # it would be replaced by a rename
    assert Path("/dev/null").is_char_device()


def test_two_options_naming_one_file_are_a_usage_error(tmp_path, capsys):
    path = str(tmp_path / "x.npz")
    err = usage_error(capsys, "--json", path, "--save", path, files=("json", "save"))
    assert "--json and --save both name" in err


def test_good_paths_pass_and_leave_nothing_behind(tmp_path):
    (tmp_path / "old.json").write_text("{}")
    parser, args = parser_of("--json", str(tmp_path / "old.json"), "--save",
                             str(tmp_path / "new" / "deeper" / "p.npz"), "--out",
                             str(tmp_path / "figs"))
    check_output_paths(parser, args, files=("json", "save", "checkpoint"))
    # missing folders are created when the files are written, not by the check
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]


# --- every chapter checks before it loads data or trains ---------------------------------

@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    """No MNIST anywhere and no reachable mirror: a run that got past the checks fails."""
    (tmp_path / "mnist").mkdir()
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "mnist"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(dataset.mnist, "MIRRORS", ["http://127.0.0.1:9/"])


#: Each chapter with small settings (so that a regression trains for seconds, not minutes).
CHAPTERS = {
    "ch_backprop": ["graph"],
    "ch_iris": [],
    "ch_logic": ["--gate", "and"],
    "ch_mnist": ["--train-size", "100", "--epochs", "1"],
    "ch_gpt": ["--context", "8", "--dim", "8", "--layers", "1", "--heads", "1",
               "--batch-size", "4", "--iters", "2", "--tokens", "4"],
    "ch_rnnlm": ["--max-words", "3000", "--size", "8", "--better-size", "8", "--epochs", "1",
                 "--model", "simple"],
    "ch_seq2seq": ["--task", "addition", "--train-size", "64", "--test-size", "8", "--hidden",
                   "8", "--wordvec", "4", "--epochs", "1"],
    "ch_word2vec": ["--max-tokens", "2000", "--vocab", "100", "--hidden", "4", "--epochs", "1"],
}


def chapter_main(chapter: str):
    """The chapter's ``main`` (imported here, so that one chapter's import problem fails
    its own tests only)."""
    return importlib.import_module(f"{chapter}.cli").main


@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_every_chapter_refuses_a_json_folder_before_it_starts(chapter, tmp_path, capsys,
                                                               no_mnist):
    main, small = chapter_main(chapter), CHAPTERS[chapter]
    with pytest.raises(SystemExit) as info:
        main([*small, "--out", str(tmp_path / "out"), "--json", str(tmp_path)])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert "names a folder; give a file path" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""  # nothing ran
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("chapter, option", [("ch_mnist", "--save"), ("ch_gpt", "--save"),
                                             ("ch_mnist", "--checkpoint"),
                                             ("ch_rnnlm", "--checkpoint")])
def test_save_and_checkpoint_folders_are_refused_before_training(chapter, option, tmp_path,
                                                                 capsys, no_mnist):
    main, small = chapter_main(chapter), CHAPTERS[chapter]
    (tmp_path / "weights").mkdir()
    with pytest.raises(SystemExit) as info:
        main([*small, "--out", str(tmp_path / "out"), option, str(tmp_path / "weights")])
    assert info.value.code == 2
    assert f"{option} {tmp_path / 'weights'} names a folder" in capsys.readouterr().err


def test_word2vec_save_is_a_folder_and_a_file_there_is_refused(tmp_path, capsys):
    main, small = chapter_main("ch_word2vec"), CHAPTERS["ch_word2vec"]
    (tmp_path / "vectors").write_text("a file")
    with pytest.raises(SystemExit) as info:
        main([*small, "--out", str(tmp_path / "out"), "--save", str(tmp_path / "vectors")])
    assert info.value.code == 2
    assert "--save" in capsys.readouterr().err


# --- ch_mnist --load reads the network's kind from the file ------------------------------

def fake_mnist(**_: object):
    rng = np.random.default_rng(0)
    x = rng.random((30, 784), dtype=np.float32)
    t = np.arange(30) % 10
    return (x, t), (x, t)


def saved(tmp_path: Path, *net_options: str) -> Path:
    parser = mnist_cli.build_parser()
    args = parser.parse_args(list(net_options))
    from ch_mnist.networks import build_network, resolve_defaults
    resolve_defaults(parser, args)
    path = tmp_path / "net.npz"
    save_params(build_network(args), path)
    return path


@pytest.mark.parametrize("options, title", [(["--net", "conv"], "SimpleConvNet"),
                                            (["--net", "two"], "TwoLayerNet"),
                                            (["--hidden", "12,7", "--batchnorm"],
                                             "MultiLayerNet 784-12-7-10 (batchnorm)")])
def test_load_builds_the_network_the_file_was_saved_from(options, title, tmp_path,
                                                         monkeypatch):
    monkeypatch.setattr(mnist_cli, "load_mnist", fake_mnist)
    path = saved(tmp_path, *options)
    report = tmp_path / "r.json"
    assert mnist_cli.main(["--load", str(path), "--out", str(tmp_path / "out"), "--json",
                           str(report)]) == 0
    assert json.loads(report.read_text())["network"]["name"].startswith(title)


def test_load_with_another_net_names_the_right_option(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(mnist_cli, "load_mnist", fake_mnist)
    path = saved(tmp_path, "--net", "conv")
    with pytest.raises(SystemExit) as info:
        mnist_cli.main(["--net", "three", "--load", str(path), "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "holds a SimpleConvNet: give --net conv" in capsys.readouterr().err
