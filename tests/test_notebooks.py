"""The notebooks of ``notebooks/``: committed ready to read, and in step with their chapters.

Fast (no Jupyter needed): every committed notebook was executed top to bottom (its code cells
numbered 1, 2, 3, ... in order), its figures are there, and no output holds an error, a
warning, text on stderr or a path of the machine it ran on.

Slow: each notebook executes without error in a fresh kernel (a temporary copy, a time
limit per cell), and the key numbers it prints equal those its chapter reports in ``--json``
with the same settings: ``KEY_NUMBERS``, one small table per notebook. Notebooks are found
by glob, so a new one is checked as soon as it exists (and asks for its table).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Seconds a single cell may take before the slow test gives up on it.
CELL_TIMEOUT = 600

#: What a machine's own paths look like (home folders, temporary files, this checkout).
MACHINE_PATH = re.compile(r"/work/|/root/|/home/|/Users/|/tmp/|/var/folders/|site-packages|"
                          r"[A-Za-z]:\\")
WARNING = re.compile(r"Warning\b|warnings\.warn|Traceback")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass(frozen=True)
class KeyNumber:
    """A number (or a list of numbers) that a notebook prints, and where its chapter's
    ``--json`` report holds the same: ``printed`` is a regular expression whose group 1
    matches the number(s) in the notebook's output (the last match counts), ``reported``
    the keys that lead to the value in the report."""

    printed: str
    reported: tuple[str, ...]


@dataclass(frozen=True)
class Chapter:
    """The chapter run that computes what a notebook computes, with the notebook's settings:
    ``python -m <argv> --out DIR --json PATH``."""

    argv: tuple[str, ...]
    numbers: tuple[KeyNumber, ...]
    needs_mnist: bool = False


KEY_NUMBERS: dict[str, Chapter] = {
    "01_logic_gates": Chapter(("ch_logic",), (
        KeyNumber(r"XOR TwoNet: P\(1\) per row (.+)", ("gates", "xor", "probabilities")),
        KeyNumber(r"AND OneNet: loss (\S+)", ("gates", "and", "loss")),
        KeyNumber(r"NOT OneNet: loss (\S+)", ("gates", "not", "loss")),
        KeyNumber(r"XOR OneNet: loss (\S+)", ("gates", "xor_onenet", "loss")),
    )),
    "02_iris": Chapter(("ch_iris",), (
        KeyNumber(r"train accuracy (\S+)", ("train_accuracy",)),
        KeyNumber(r"test accuracy (\S+)", ("test_accuracy",)),
        KeyNumber(r"kept step (\d+)", ("best_iteration",)),
    )),
    "03_mnist": Chapter(("ch_mnist", "--train-size", "20000", "--epochs", "4"), (
        KeyNumber(r"test accuracy (\S+)", ("test_accuracy",)),
    ), needs_mnist=True),
    "04_optimizers": Chapter(("optimizer_compare.naive",), (
        *(KeyNumber(rf"{name} +ends at \(([^)]*)\)", ("paths", name, "end"))
          for name in ("sgd", "momentum", "adagrad", "adam")),
        KeyNumber(r"gradient descent, 500 steps: y = (\S+) x", ("linear_regression", "w")),
        KeyNumber(r"gradient descent, 500 steps: y = \S+ x \+ (\S+)", ("linear_regression", "b")),
    )),
    "05_backprop": Chapter(("ch_backprop", "circles"), (
        KeyNumber(r"final cost (\S+)", ("circles", "final_cost")),
        KeyNumber(r"accuracy with 3 hidden units (\S+)", ("circles", "accuracy")),
        KeyNumber(r"accuracy with 2 hidden units (\S+)", ("circles", "accuracy_2_hidden")),
    )),
    "06_convnets": Chapter(("ch_mnist", "--net", "conv", "--train-size", "6000", "--epochs", "1"), (
        KeyNumber(r"test accuracy (\S+)", ("test_accuracy",)),
    ), needs_mnist=True),
    "07_transformer": Chapter(("ch_gpt", "--iters", "500", "--context", "32", "--dim", "64",
                               "--layers", "2", "--heads", "4", "--batch-size", "16",
                               "--lr", "3e-3", "--min-lr", "3e-4", "--warmup", "50",
                               "--eval-every", "100", "--eval-windows", "50", "--tokens", "200"), (
        KeyNumber(r"train loss (\S+)", ("train_loss",)),
        KeyNumber(r"val loss (\S+)", ("val_loss",)),
    )),
    "08_word2vec": Chapter(("ch_word2vec", "--vocab", "2000", "--epochs", "3"), (
        KeyNumber(r"PPMI non-zero (\S+)", ("count", "ppmi_nonzero")),
        KeyNumber(r"CBOW loss by epoch (.+)", ("cbow", "epoch_loss")),
    )),
    "09_rnnlm": Chapter(("ch_rnnlm", "--max-words", "60000", "--better-size", "100",
                         "--eval-interval", "10"), tuple(
        # \b: "Rnnlm test perplexity" must not match the end of "BetterRnnlm test perplexity"
        KeyNumber(rf"\b{name} test perplexity (\S+)", ("models", name, "test_ppl"))
        for name in ("SimpleRnnlm", "Rnnlm", "BetterRnnlm"))),
    "10_seq2seq": Chapter(("ch_seq2seq", "--train-size", "20000", "--test-size", "1000",
                           "--epochs", "5", "--lr", "0.005", "--hidden", "128"), (
        *(KeyNumber(rf"addition, {re.escape(label)}: accuracy (\S+)",
                    ("tasks", "addition", "models", label, "final_accuracy"))
          for label in ("seq2seq", "seq2seq, reversed input", "peeky seq2seq, reversed input")),
        KeyNumber(r"dates, attention seq2seq, reversed input: accuracy (\S+)",
                  ("tasks", "dates", "models", "attention seq2seq, reversed input",
                   "final_accuracy")),
    )),
    "11_autograd": Chapter(("ch_autograd", "--sections", "1,2,3,4,5"), (
        KeyNumber(r"automatic derivative (\S+)", ("derivatives", "automatic")),
        KeyNumber(r"central difference \(h = 1e-4\) (\S+)", ("derivatives", "central_1e-4")),
        KeyNumber(r"Goldstein-Price gradient at \(1, 1\): (.+)", ("gradients", "goldstein_price")),
        KeyNumber(r"iterate 999 \(([^)]*)\)",
                  ("descent", "rosenbrock", "gradient_descent", "last_printed")),
        KeyNumber(r"exactly at iterate (\d+)", ("descent", "double_well", "newton", "exact_at")),
        KeyNumber(r"spiral after 300 epochs: loss (\S+)", ("spiral", "final", "loss")),
        KeyNumber(r"spiral after 300 epochs: .* test accuracy (\S+)",
                  ("spiral", "final", "test_accuracy")),
    )),
}


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """The code cells of a notebook (its JSON), in order."""
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def output_text(output: dict[str, Any]) -> str:
    """All the text of one output: a stream's, an error's, and every text/* representation."""
    if output["output_type"] == "stream":
        return "".join(output["text"])
    if output["output_type"] == "error":
        return "\n".join([output.get("ename", ""), output.get("evalue", ""),
                          *output.get("traceback", [])])
    return "".join("".join(value) for kind, value in output.get("data", {}).items()
                   if kind.startswith("text/"))


def printed_text(notebook: dict[str, Any]) -> str:
    """Everything the notebook's cells printed, in order."""
    return "".join(output_text(output) for cell in code_cells(notebook)
                   for output in cell["outputs"] if output["output_type"] == "stream")


def numbers_in(text: str) -> list[float]:
    """The numbers written in ``text``, e.g. '0.0001 0.9997' -> [0.0001, 0.9997]."""
    return [float(n) for n in NUMBER.findall(text)]


def decimals(number: str) -> int:
    """Decimal places written in ``number``: '0.9559' -> 4, '900' -> 0, '1.5e-08' -> 9."""
    mantissa, _, exponent = number.lower().partition("e")
    places = len(mantissa.partition(".")[2])
    return max(0, places - int(exponent or 0))


def assert_key_numbers(notebook: dict[str, Any], report: dict[str, Any],
                       numbers: tuple[KeyNumber, ...]) -> None:
    """Every key number printed by the notebook equals the report's, to the printed digits."""
    text = printed_text(notebook)
    for key in numbers:
        matches = re.findall(key.printed, text)
        assert matches, f"the notebook printed nothing matching {key.printed!r}"
        written = NUMBER.findall(matches[-1])
        value = report
        for step in key.reported:
            value = value[step]
        expected = value if isinstance(value, list) else [value]
        assert len(written) == len(expected), (key.printed, written, expected)
        for shown, wanted in zip(written, expected, strict=True):
            tolerance = 0.5 * 10.0 ** -decimals(shown) + 1e-12
            assert abs(float(shown) - float(wanted)) <= tolerance, (
                f"{key.printed!r}: the notebook printed {shown}, the chapter reports "
                f"{wanted} ({'.'.join(key.reported)})")


def test_every_key_numbers_table_has_its_notebook():
    assert set(KEY_NUMBERS) <= {path.stem for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_notebook_has_its_key_numbers_table(path):
    assert path.stem in KEY_NUMBERS, (
        f"add {path.stem!r} to KEY_NUMBERS: the chapter command with the notebook's settings "
        "and the numbers both print")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_notebook_was_executed_in_order_with_clean_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [cell for cell in code_cells(notebook) if "".join(cell["source"]).strip()]
    assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1)), (
        f"{path.name}: execute it top to bottom in a fresh kernel (make notebooks)")
    for number, cell in enumerate(cells, start=1):
        source = "".join(cell["source"])
        for output in cell["outputs"]:
            text = output_text(output)
            where = f"{path.name}, cell [{number}]"
            assert output["output_type"] != "error", f"{where} failed: {text[:300]}"
            assert output.get("name") != "stderr", f"{where} wrote to stderr: {text[:300]}"
            assert not MACHINE_PATH.search(text), f"{where} shows a machine path: {text[:300]}"
            assert not WARNING.search(text), f"{where} shows a warning: {text[:300]}"
        if "show=True" in source or "plt.show()" in source:
            assert any("image/png" in output.get("data", {}) for output in cell["outputs"]), (
                f"{path.name}, cell [{number}] draws a figure but holds no image")
    assert printed_text(notebook).strip(), f"{path.name} holds no printed output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_imports_no_chapter(path):
    # what a notebook shares with a chapter lives in common (or dataset), not in the chapter
    notebook = json.loads(path.read_text(encoding="utf-8"))
    chapters = {folder.name for folder in ROOT.iterdir()
                if (folder / "__main__.py").is_file() and folder.name != "dataset"}
    for cell in code_cells(notebook):
        for line in "".join(cell["source"]).splitlines():
            words = line.replace(",", " ").split()
            if words[:1] in (["import"], ["from"]):
                modules = {word.split(".")[0] for word in words[1:]}
                assert not modules & chapters, f"{path.name} imports a chapter: {line.strip()}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_markdown_names_the_chapter_command(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    markdown = "".join("".join(cell["source"]) for cell in notebook["cells"]
                       if cell["cell_type"] == "markdown")
    assert markdown.lstrip().startswith("# "), f"{path.name} should open with a title"
    chapter = KEY_NUMBERS.get(path.stem)
    if chapter is not None:
        assert f"python -m {chapter.argv[0]}" in markdown, (
            f"{path.name} should say how to run the full version (python -m {chapter.argv[0]})")


def test_a_figure_without_a_path_is_drawn_but_not_written(tmp_path, monkeypatch):
    from common.plots.figures import in_notebook, plot_confusion_matrix, pyplot

    monkeypatch.chdir(tmp_path)
    open_before = pyplot().get_fignums()  # figures other tests left open
    assert plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["a", "b"], show=False) is None
    assert list(tmp_path.iterdir()) == [] and pyplot().get_fignums() == open_before
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    assert in_notebook()  # then pyplot() keeps the notebook's backend
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert not in_notebook()


def test_key_numbers_are_compared_to_the_printed_digits():
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": ["test accuracy 0.9559\n"]}]}]}
    key = (KeyNumber(r"test accuracy (\S+)", ("test_accuracy",)),)
    assert_key_numbers(notebook, {"test_accuracy": 0.95594}, key)
    with pytest.raises(AssertionError, match="printed 0.9559"):
        assert_key_numbers(notebook, {"test_accuracy": 0.9561}, key)
    assert decimals("1.5e-08") == 9 and decimals("900") == 0


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_executes_and_agrees_with_its_chapter(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="Jupyter is not installed: "
                                   "pip install -e '.[notebooks]'")
    nbclient = pytest.importorskip("nbclient", reason="Jupyter is not installed: "
                                   "pip install -e '.[notebooks]'")
    chapter = KEY_NUMBERS[path.stem]
    if chapter.needs_mnist and not os.environ.get("MNIST_DIR"):
        pytest.skip("set MNIST_DIR to the folder of the MNIST files")
    # the kernel inherits the environment: let it choose its own (inline) figure backend
    monkeypatch.delenv("MPLBACKEND", raising=False)
    copy = tmp_path / path.name
    shutil.copyfile(path, copy)
    notebook = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # CellExecutionError, with the cell and its traceback, on any failure
    errors = [output_text(output) for cell in code_cells(notebook)
              for output in cell["outputs"] if output["output_type"] == "error"]
    assert not errors

    report_path = tmp_path / "chapter.json"
    result = subprocess.run(
        [sys.executable, "-m", *chapter.argv, "--out", str(tmp_path / "out"),
         "--json", str(report_path)], cwd=tmp_path, capture_output=True, text=True,
        timeout=1800, env={k: v for k, v in os.environ.items()
                           if k not in ("DISPLAY", "WAYLAND_DISPLAY")})
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert_key_numbers(notebook, report, chapter.numbers)
