"""Option types shared by the chapter programs, and the atomic JSON writer."""

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from common.cli import (
    add_output_options,
    hidden_sizes,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    ratio,
    unit_interval,
    write_json,
)


@pytest.mark.parametrize(
    "convert, good, bad",
    [
        (positive_int, [("3", 3)], ["0", "-1", "2.5", "x"]),
        (nonnegative_int, [("0", 0), ("7", 7)], ["-1", "one"]),
        (positive_float, [("1e-3", 1e-3)], ["0", "-2", "nan", "inf", "fast"]),
        (nonnegative_float, [("0", 0.0), ("0.5", 0.5)], ["-1e-9", "nan"]),
        (ratio, [("0", 0.0), ("0.5", 0.5)], ["1", "-0.1", "inf"]),
        (unit_interval, [("1", 1.0), ("0.1", 0.1)], ["0", "1.5"]),
        (hidden_sizes, [("200,80", [200, 80]), (" 50 ", [50])], ["200,,80", "0", "a,b", "-3"]),
    ],
)
def test_option_types_accept_good_values_and_explain_bad_ones(convert, good, bad):
    for text, value in good:
        assert convert(text) == value
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            convert(text)
        assert str(info.value)  # a message that argparse prints on one line


def test_write_json_is_atomic_and_complete(tmp_path):
    path = tmp_path / "metrics.json"
    write_json(path, {"accuracy": 0.98, "curve": [1, 2]})
    assert json.loads(path.read_text()) == {"accuracy": 0.98, "curve": [1, 2]}
    with pytest.raises(TypeError):
        write_json(path, {"bad": object()})
    assert json.loads(path.read_text())["accuracy"] == 0.98  # the old file survives
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_output_options_are_the_same_for_every_program():
    parser = argparse.ArgumentParser()
    add_output_options(parser, "ch_demo")
    args = parser.parse_args([])
    assert (args.out, args.json, args.show) == (Path("out/ch_demo"), None, False)
    args = parser.parse_args(["--out", "figs", "--json", "m.json", "--show"])
    assert (args.out, args.json, args.show) == (Path("figs"), Path("m.json"), True)


def test_write_json_turns_nan_and_infinity_into_null(tmp_path):
    path = tmp_path / "m.json"
    write_json(path, {"loss": float("nan"), "curve": [1.0, np.float32("inf"), np.float64(2.5)],
                      "count": np.int64(3)})
    assert json.loads(path.read_text()) == {"loss": None, "curve": [1.0, None, 2.5], "count": 3}
