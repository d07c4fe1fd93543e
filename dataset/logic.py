"""Truth tables of logic gates, the first data sets of the book (perceptrons).

``logic_gate(name)`` returns ``(x, t)``: every input combination as rows of x
(float32, (4, 2) for the two-input gates, (2, 1) for NOT), in binary counting
order (0,0), (0,1), (1,0), (1,1), and the gate's output as t (int64, (N,)).
XOR and XNOR are not linearly separable: a single perceptron cannot learn them.
"""

from __future__ import annotations

import numpy as np

#: Names accepted by ``logic_gate`` (in any letter case).
GATES: tuple[str, ...] = ("AND", "OR", "NAND", "NOR", "XOR", "XNOR", "NOT")

_TWO_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
_ONE_INPUT = np.array([[0], [1]], dtype=np.float32)

# Outputs for the rows of _TWO_INPUTS (or _ONE_INPUT for NOT).
_OUTPUTS: dict[str, tuple[int, ...]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
    "XNOR": (1, 0, 0, 1),
    "NOT": (1, 0),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Truth table of gate ``name`` (case-insensitive, one of ``GATES``) as ``(x, t)``.

    x: float32 (4, 2), or (2, 1) for NOT; t: int64 (N,) with values 0 or 1.
    Fresh arrays on each call, so changing them does not affect later calls.
    Raises ValueError listing the valid names for an unknown one.
    """
    key = name.strip().upper() if isinstance(name, str) else None
    if key not in _OUTPUTS:
        raise ValueError(f"unknown logic gate {name!r}; valid names: {', '.join(GATES)}")
    x = (_ONE_INPUT if key == "NOT" else _TWO_INPUTS).copy()
    return x, np.array(_OUTPUTS[key], dtype=np.int64)
