"""Parts 0-2: gradient descent by hand, a computational graph, and the sigmoid neuron as a circuit.

Each ``run_*`` function computes its part and returns a ``PartResult``: the text
to print, the numbers for the JSON report, and the figures it drew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ch_backprop.plots_circuit import Wire, plot_circuit, plot_descent
from common.layers import AddLayer, Affine, MulLayer, ScaleLayer, Sigmoid
from common.nets.circuit import NEURON, neuron_circuit
from common.optim import SGD
from common.optim.descent import (
    PARABOLA_MIN,
    descend,
    parabola,
    parabola_gradient,
    paraboloid,
    paraboloid_gradient,
)


@dataclass
class PartResult:
    """What a part printed, its sections of the JSON report (name -> numbers), its figures."""

    text: str
    report: dict[str, Any]
    figures: list[Path] = field(default_factory=list)


def decimals(value: float, places: int = 6) -> str:
    """``value`` with at most ``places`` decimals, trailing zeros dropped: 3.600 -> '3.6'."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --- part 0: the tutorial's descents -------------------------------------------------------
DESCENT_1D = {"start": {"x": 10.0}, "lr": 0.1, "updates": 10}
DESCENT_2D = {"start": {"x": 10.0, "y": 10.0}, "lr": 0.01, "updates": 100}


def run_descent(out: Path, show: bool) -> PartResult:
    """f(x) = 3x² + 4x + 5 from 10 (step 0.1, 10 updates), f(x, y) = 3x² + 4y² + 5 from
    (10, 10) (step 0.01, 100 updates), with ``common.optim.descent.descend`` and ``SGD``."""
    xs = descend(SGD(DESCENT_1D["lr"]), parabola_gradient, DESCENT_1D["start"],
                 DESCENT_1D["updates"])[:, 0]
    path = descend(SGD(DESCENT_2D["lr"]), paraboloid_gradient, DESCENT_2D["start"],
                   DESCENT_2D["updates"])
    rows = [(i, float(x), float(parabola(x))) for i, x in enumerate(xs[:-1])]
    lines = ["f(x) = 3x^2 + 4x + 5, f'(x) = 6x + 4, from x = 10 with step 0.1 "
             "(x <- x - 0.1(6x + 4) = 0.4x - 0.4); (i, x, f) before each update:"]
    lines += [f"  {i:2d}  x = {decimals(x):>9}  f = {decimals(f):>9}" for i, x, f in rows]
    lines.append(f"  after {len(rows)} updates x = {decimals(xs[-1])}; the minimum is "
                 f"x = -2/3 = {PARABOLA_MIN:.6f}, f = 11/3 = {parabola(PARABOLA_MIN):.6f}")
    end = path[-1]
    lines.append(f"f(x, y) = 3x^2 + 4y^2 + 5 from (10, 10), step 0.01, "
                 f"{DESCENT_2D['updates']} updates: ends at x = {end[0]:.5f}, y = {end[1]:.5f}, "
                 f"f = {paraboloid(*end):.6f}")
    lines.append("  (each update multiplies x by 1 - 0.06 and y by 1 - 0.08, so y, on the "
                 "steeper side, gets there first; the tutorial printed f with 4y for 4y^2, a slip)")
    figure = plot_descent(xs, parabola, PARABOLA_MIN, path, paraboloid, out / "descent.png", show)
    report = {"descent": {"one_d": [list(row) for row in rows], "one_d_end": float(xs[-1]),
                          "two_d_end": [float(end[0]), float(end[1])]}}
    return PartResult("\n".join(lines), report, [figure])


# --- part 1: J = 3(a + b·c) as a graph -----------------------------------------------------
GRAPH_START = {"a": 5.0, "b": 3.0, "c": 2.0}
GRAPH_LR, GRAPH_TARGET, GRAPH_MAX_UPDATES = 0.1, 0.1, 1000


class Graph:
    """J = 3v, v = a + u, u = b·c, built from a multiply, an add and a ×3 gate."""

    def __init__(self) -> None:
        self.mul, self.add, self.times3 = MulLayer(), AddLayer(), ScaleLayer(3.0)

    def forward(self, a: float, b: float, c: float) -> dict[str, float]:
        """The value of every node: a, b, c, u, v, J."""
        u = self.mul.forward(b, c)
        v = self.add.forward(a, u)
        return {"a": a, "b": b, "c": c, "u": u, "v": v, "J": self.times3.forward(v)}

    def backward(self, dv: float | None = None) -> dict[str, float]:
        """∂J/∂node for every node, from the output back. ``dv`` replaces ∂J/∂v (the slip)."""
        dv = self.times3.backward(1.0) if dv is None else dv
        da, du = self.add.backward(dv)
        db, dc = self.mul.backward(du)
        return {"J": 1.0, "v": dv, "u": du, "a": da, "b": db, "c": dc}


def graph_descent(slip: bool) -> tuple[list[float], dict[str, float]]:
    """Gradient descent on a, b, c (``SGD``, step 0.1) until J < 0.1: (J before each update
    and at the end, final a, b, c). With ``slip``, ∂J/∂v = v as in the original code."""
    params = {key: np.array(value) for key, value in GRAPH_START.items()}
    graph, optimizer, history = Graph(), SGD(GRAPH_LR), []
    while True:
        values = graph.forward(*(float(p) for p in params.values()))
        history.append(values["J"])
        if values["J"] < GRAPH_TARGET or len(history) > GRAPH_MAX_UPDATES:
            break
        grads = graph.backward(values["v"] if slip else None)
        optimizer.update(params, {key: np.array(grads[key]) for key in params})
    return history, {key: float(p) for key, p in params.items()}


def run_graph(out: Path, show: bool) -> PartResult:
    """Forward values, local derivatives and ∂J/∂node of J = 3(a + bc) at (5, 3, 2); then
    descent until J < 0.1 with the true derivatives and with the original's slip."""
    graph = Graph()
    values = graph.forward(*GRAPH_START.values())
    grads = graph.backward()
    local = {"a": "dv/da = 1", "b": f"du/db = c = {decimals(values['c'])}",
             "c": f"du/dc = b = {decimals(values['b'])}", "u": "dv/du = 1", "v": "dJ/dv = 3",
             "J": ""}
    names = {"a": "a", "b": "b", "c": "c", "u": "u = b*c", "v": "v = a + u", "J": "J = 3v"}
    lines = ["J = 3(a + b*c) at a = 5, b = 3, c = 2, as gates u = b*c (multiply), v = a + u "
             "(add), J = 3v (x3):",
             f"  {'node':10s} {'value':>6s}   {'local derivative':18s} {'dJ/dnode':>8s}"]
    for key in ("a", "b", "c", "u", "v", "J"):
        lines.append(f"  {names[key]:10s} {decimals(values[key]):>6s}   {local[key]:18s} "
                     f"{decimals(grads[key]):>8s}")
    lines.append("  chain rule: dJ/db = dJ/dv * dv/du * du/db = 3 * 1 * c = 6, "
                 "dJ/dc = 3 * 1 * b = 9")
    true_history, true_end = graph_descent(slip=False)
    slip_history, slip_end = graph_descent(slip=True)
    for label, history, end in (("true derivatives", true_history, true_end),
                                ("the original's dJ/dv = v", slip_history, slip_end)):
        lines.append(f"descent with step 0.1 until J < 0.1, {label}: J = "
                     + ", ".join(f"{j:.3f}" if abs(j) >= 0.1 else f"{j:.4f}" for j in history)
                     + f"\n  stops after {len(history) - 1} updates at J = "
                     f"{history[-1]:.4g}, with a, b, c = "
                     + ", ".join(f"{end[k]:.4g}" for k in "abc"))
    lines.append(
        "  Why it stops at J = -7.61: J = 3(a + bc) has no minimum. It is linear in a, and bc\n"
        "  can be made as negative as we like, so every step keeps lowering J; 'J < 0.1' is\n"
        "  met by the sixth step jumping from 0.690 past 0, not by reaching a minimum.\n"
        "  The original code used dJ/dv = v: that is the derivative of v^2/2, not of J = 3v.\n"
        "  It minimised v^2/2 (minimum v = 0, so J = 0) and its steps shrank as v -> 0,\n"
        "  which is why it looked like convergence, stopping at J = 0.0683.")
    figure = plot_circuit(
        {"a": (0, 2.0), "b": (0, 1.0), "c": (0, 0.0)},
        {"mul": ((1.6, 0.5), "×"), "add": ((3.2, 1.25), "+"), "x3": ((4.8, 1.25), "×3")},
        [Wire("a", "add", values["a"], grads["a"]), Wire("b", "mul", values["b"], grads["b"]),
         Wire("c", "mul", values["c"], grads["c"]), Wire("mul", "add", values["u"], grads["u"]),
         Wire("add", "x3", values["v"], grads["v"]), Wire("x3", None, values["J"], grads["J"])],
        "J", out / "graph.png", "J = 3(a + b·c): values above the wires, ∂J/∂wire below", show)
    report = {"graph": {"values": values, "grads": {k: grads[k] for k in "abc"},
                        "updates": len(true_history) - 1, "final_J": true_history[-1],
                        "J_history": true_history, "final_abc": true_end,
                        "slip": {"updates": len(slip_history) - 1, "final_J": slip_history[-1],
                                 "final_abc": slip_end}}}
    return PartResult("\n".join(lines), report, [figure])


# --- part 2: CS231n's sigmoid neuron ---------------------------------------------------------
# the circuit itself is common.nets.circuit.neuron_circuit, which the playground shows too
WIRE_NAMES = {"w0": "w0", "x0": "x0", "w1": "w1", "x1": "x1", "w2": "w2", "w0x0": "w0*x0",
              "w1x1": "w1*x1", "sum": "w0*x0 + w1*x1", "+w2": "+ w2", "*-1": "* (-1)",
              "exp": "exp", "+1": "+ 1", "1/x": "1/x (output)"}


def sigmoid_gate(w0: float, x0: float, w1: float, x1: float,
                 w2: float) -> tuple[float, np.ndarray, np.ndarray]:
    """The same neuron as ``Affine`` + ``Sigmoid`` layers: (f, ∂f/∂[w0, w1, w2], ∂f/∂[x0, x1])."""
    affine = Affine(np.array([[w0], [w1]]), np.array([w2]))
    sigmoid = Sigmoid()
    f = sigmoid.forward(affine.forward(np.array([[x0, x1]])))
    dx = affine.backward(sigmoid.backward(np.ones_like(f)))
    return float(f[0, 0]), np.append(affine.dW[:, 0], affine.db), dx[0]


def run_neuron(out: Path, show: bool) -> PartResult:
    """The circuit's forward values and gradients on every wire, then the sigmoid-gate shortcut."""
    values, grads = neuron_circuit(**NEURON)
    lines = ["CS231n's neuron f = 1/(1 + exp(-(w0*x0 + w1*x1 + w2))), w0 = 2, x0 = -1, "
             "w1 = -3, x1 = -2, w2 = -3, as gates:",
             f"  {'wire':16s} {'forward':>8s} {'gradient':>9s}   (exact)"]
    for key, name in WIRE_NAMES.items():
        lines.append(f"  {name:16s} {values[key]:8.2f} {grads[key]:9.2f}   "
                     f"({values[key]:.6f}, {grads[key]:.6f})")
    lines.append("  local gradients: 1/x -> -1/x^2, +1 -> 1, exp -> e^x, *(-1) -> -1, "
                 "+ -> 1 to both inputs, * -> the other input")
    output, dw, dx = sigmoid_gate(**NEURON)
    local = output * (1 - output)
    lines.append(f"in one step with the Sigmoid layer (after an Affine): local gradient "
                 f"f(1 - f) = {local:.6f}, so\n  dw = [x0, x1, 1] * {local:.6f} = "
                 f"[{', '.join(f'{g:.6f}' for g in dw)}], dx = [w0, w1] * {local:.6f} = "
                 f"[{', '.join(f'{g:.6f}' for g in dx)}]: the gates' numbers")
    inputs = {"w0": (0, 4.0), "x0": (0, 3.0), "w1": (0, 2.0), "x1": (0, 1.0), "w2": (0, 0.0)}
    gates = {"m0": ((1.5, 3.5), "×"), "m1": ((1.5, 1.5), "×"), "s1": ((3.0, 2.5), "+"),
             "s2": ((4.5, 1.25), "+"), "neg": ((6.0, 1.25), "×-1"), "exp": ((7.5, 1.25), "exp"),
             "p1": ((9.0, 1.25), "+1"), "inv": ((10.5, 1.25), "1/x")}
    links = [("w0", "m0", "w0"), ("x0", "m0", "x0"), ("w1", "m1", "w1"), ("x1", "m1", "x1"),
             ("m0", "s1", "w0x0"), ("m1", "s1", "w1x1"), ("s1", "s2", "sum"), ("w2", "s2", "w2"),
             ("s2", "neg", "+w2"), ("neg", "exp", "*-1"), ("exp", "p1", "exp"),
             ("p1", "inv", "+1"), ("inv", None, "1/x")]
    wires = [Wire(src, dst, values[key], grads[key]) for src, dst, key in links]
    figure = plot_circuit(inputs, gates, wires, "f", out / "neuron_circuit.png",
                          "The sigmoid neuron as a circuit: values (green) above the wires, "
                          "gradients (red) below", show)
    report = {"neuron": {
        "grads": {k: float(grads[k]) for k in ("w0", "x0", "w1", "x1", "w2")},
        "output": float(values["1/x"]), "sigmoid_local_gradient": float(local),
        "sigmoid_gate": {"dw": dw.tolist(), "dx": dx.tolist()},
        "wires": {WIRE_NAMES[k]: [float(values[k]), float(grads[k])] for k in WIRE_NAMES}}}
    return PartResult("\n".join(lines), report, [figure])
