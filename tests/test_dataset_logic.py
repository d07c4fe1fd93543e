"""logic_gate: truth tables checked against Python's own boolean operators."""

from __future__ import annotations

import numpy as np
import pytest

from dataset import GATES, logic_gate

REFERENCE = {
    "AND": lambda a, b: a and b,
    "OR": lambda a, b: a or b,
    "NAND": lambda a, b: not (a and b),
    "NOR": lambda a, b: not (a or b),
    "XOR": lambda a, b: a != b,
    "XNOR": lambda a, b: a == b,
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_two_input_gates(name):
    x, t = logic_gate(name)
    assert x.shape == (4, 2) and x.dtype == np.float32
    assert t.shape == (4,) and t.dtype == np.int64
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    expected = [int(REFERENCE[name](bool(a), bool(b))) for a, b in x]
    np.testing.assert_array_equal(t, expected)


def test_not_gate():
    x, t = logic_gate("NOT")
    assert x.shape == (2, 1) and x.dtype == np.float32 and t.dtype == np.int64
    np.testing.assert_array_equal(x[:, 0], [0, 1])
    np.testing.assert_array_equal(t, [1, 0])


def test_names_are_case_insensitive_and_all_listed():
    assert set(GATES) == set(REFERENCE) | {"NOT"}
    for name in GATES:
        for spelling in (name.lower(), name.title(), f" {name} "):
            np.testing.assert_array_equal(logic_gate(spelling)[1], logic_gate(name)[1])


def test_unknown_gate_lists_valid_names():
    with pytest.raises(ValueError) as excinfo:
        logic_gate("IMPLIES")
    message = str(excinfo.value)
    assert "IMPLIES" in message
    assert all(name in message for name in GATES)


def test_returned_arrays_are_fresh():
    x, t = logic_gate("and")
    x[:] = 7
    t[:] = 7
    x2, t2 = logic_gate("and")
    np.testing.assert_array_equal(t2, [0, 0, 0, 1])
    assert x2.max() == 1
