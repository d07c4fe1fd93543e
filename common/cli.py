"""Command-line pieces shared by the chapter programs.

Each type function turns the text of an option into a value or raises
``argparse.ArgumentTypeError``, so that a bad value ends the program with
argparse's one-line message and exit status 2 instead of a traceback later on.
``write_json`` saves a program's final metrics atomically; ``check_output_paths`` stops a
program whose --json, --save, --out or --checkpoint cannot be written before it trains, not
after; ``exit_130_on_ctrl_c`` ends a program interrupted outside training with one line and
the shell's status 130.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from common.fileio import atomic_write

#: The exit status of a program stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


def exit_130_on_ctrl_c(main: Callable[..., int]) -> Callable[..., int]:
    """Wrap a program's ``main(argv)`` so that Ctrl-C where nothing catches it (loading
    data, drawing) prints one line and returns 130 instead of a traceback. Training
    loops catch Ctrl-C themselves and finish their report first (``common.training.trainer``)."""

    @functools.wraps(main)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        try:
            return main(*args, **kwargs)
        except KeyboardInterrupt:
            print("\ninterrupted (Ctrl-C)", file=sys.stderr)
            return INTERRUPTED

    return wrapper


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    # float() accepts 'nan' and 'inf', which would only fail much later
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _check(value: float, ok: bool, requirement: str) -> None:
    if not ok:
        raise argparse.ArgumentTypeError(f"must be {requirement}, got {value:g}")


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _whole_number(text)
    _check(value, value >= 1, "at least 1")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0 (a seed, a count that may be zero)."""
    value = _whole_number(text)
    _check(value, value >= 0, "0 or more")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (a learning rate, a tolerance)."""
    value = _finite_float(text)
    _check(value, value > 0, "greater than 0")
    return value


def nonnegative_float(text: str) -> float:
    """A finite number >= 0 (a weight-decay coefficient)."""
    value = _finite_float(text)
    _check(value, value >= 0, "0 or more")
    return value


def ratio(text: str) -> float:
    """A number in [0, 1) (a dropout ratio: 0 keeps every unit, 1 would keep none)."""
    value = _finite_float(text)
    _check(value, 0 <= value < 1, "in [0, 1)")
    return value


def unit_interval(text: str) -> float:
    """A number in (0, 1] (a factor that scales a learning rate down)."""
    value = _finite_float(text)
    _check(value, 0 < value <= 1, "in (0, 1]")
    return value


def hidden_sizes(text: str) -> list[int]:
    """Comma-separated hidden-layer widths, e.g. '200,80' -> [200, 80]."""
    parts = [part.strip() for part in text.split(",")]
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer widths such as 200,80, got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"every layer width must be at least 1, got {text!r}")
    return sizes


def _json_safe(data: Any) -> Any:
    """``data`` with NaN and infinite floats (NumPy's too) replaced by None: JSON has neither."""
    if isinstance(data, dict):
        return {key: _json_safe(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json_safe(value) for value in data]
    if isinstance(data, float | np.floating):
        return float(data) if math.isfinite(data) else None
    if isinstance(data, np.integer):
        return int(data)
    return data


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path``, atomically (temp file, then rename).

    A NaN or infinite number (a diverged loss) is written as null, since JSON has no
    such values, and NumPy scalars as plain numbers.
    """
    with atomic_write(path, "w") as f:
        json.dump(_json_safe(data), f, indent=2, allow_nan=False)
        f.write("\n")


def add_output_options(parser: Any, program: str) -> None:
    """The options every chapter program shares: --out DIR (default out/<program>),
    --json PATH and --show. ``parser`` is an ArgumentParser or an argument group."""
    parser.add_argument("--out", type=Path, default=Path("out") / program, metavar="DIR",
                        help=f"folder for the PNG figures (default: out/{program})")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the final metrics to this JSON file (replaced if it "
                             "exists; missing folders are created)")
    parser.add_argument("--show", action="store_true",
                        help="open the figures in windows at the end, when there is a display "
                             "(they are saved anyway)")


def add_checkpoint_options(parser: Any) -> None:
    """--checkpoint PATH, --checkpoint-every N (default 250) and --resume PATH, worded the
    same way in every program that trains for long. ``parser``: a parser or a group."""
    parser.add_argument("--checkpoint", type=Path, metavar="PATH",
                        help="write the state of the run (parameters, optimizer, random "
                             "generators, iteration, curves) to this file, atomically, every "
                             "--checkpoint-every iterations, on Ctrl-C and at the end")
    parser.add_argument("--checkpoint-every", type=positive_int, default=250, metavar="N",
                        help="iterations between checkpoints (default 250)")
    parser.add_argument("--resume", type=Path, metavar="PATH",
                        help="continue the run checkpointed in PATH with the same options: it "
                             "ends with exactly the parameters of an uninterrupted run; "
                             "checkpoints go on to PATH unless --checkpoint says otherwise")


def check_checkpoint_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--resume without --checkpoint goes on checkpointing into the resumed file; an existing
    --checkpoint file is kept unless it is the one resumed (nothing is overwritten by
    mistake). Stops the program with a usage error otherwise."""
    if args.resume is not None and args.checkpoint is None:
        args.checkpoint = args.resume
    if (args.checkpoint is not None and args.checkpoint.exists()
            and (args.resume is None or args.resume.resolve() != args.checkpoint.resolve())):
        parser.error(f"--checkpoint {args.checkpoint} exists: pass --resume {args.checkpoint} "
                     "to continue that run, or remove the file or choose another path to start "
                     "a new one")


def _unwritable(folder: Path) -> str | None:
    """Why no file can be created in the existing ``folder``, or None when one can: tried
    for real (a temporary file, removed at once), since permission bits do not tell for
    root, read-only file systems or /proc."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-check.", suffix=".tmp")
    except OSError as err:
        return f"cannot be written: no file can be created in {folder} ({err.strerror or err})"
    os.close(fd)
    os.unlink(probe)
    return None


def _output_problem(path: Path, is_folder: bool) -> str | None:
    """What stops ``path`` (a file, or a folder when ``is_folder``) from being written at the
    end of a run, or None. Missing folders are fine: they are created then."""
    if is_folder and path.exists() and not path.is_dir():
        return "is a file; give a folder (it is created if missing)"
    if not is_folder and path.is_dir():
        return "names a folder; give a file path"
    if not is_folder and path.exists() and not path.is_file():
        # the file is replaced by a rename, which would replace a device such as /dev/null
        return "is not a regular file; give the path of a file"
    existing = path if is_folder and path.is_dir() else path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"cannot be created: {existing} is a file, not a folder"
    return _unwritable(existing)


def check_output_paths(parser: argparse.ArgumentParser, args: argparse.Namespace,
                       files: Iterable[str] = ("json",), folders: Iterable[str] = ("out",)
                       ) -> None:
    """Stop the program at once, with a usage error (exit status 2), when an output option
    names a place it could not write at the end of a run: a folder where a file goes, a
    file where a folder goes, a place without write access, or two options naming one
    file. ``files`` and ``folders`` are the options' ``args`` names (``"save"`` for
    --save); options left unset are skipped. Call it right after parsing, before loading
    data or training. Missing folders are not an error: writing creates them, and an
    existing file is replaced (atomically) when the run ends."""
    named: dict[Path, str] = {}
    for dest, is_folder in [*((d, False) for d in files), *((d, True) for d in folders)]:
        value = getattr(args, dest, None)
        if value is None:
            continue
        option, path = "--" + dest.replace("_", "-"), Path(value)
        problem = _output_problem(path, is_folder)
        if problem:
            parser.error(f"{option} {path} {problem}")
        if not is_folder:
            key = path.resolve()
            if key in named:
                parser.error(f"{named[key]} and {option} both name {path}: give each its own "
                             "file")
            named[key] = option
