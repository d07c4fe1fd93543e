"""Section 4 of ``python -m ch_autograd``: derivatives of any order, by differentiating the
graph that the previous ``backward(create_graph=True)`` built, and a picture of that graph."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from numpy.polynomial import Polynomial

from ch_autograd.result import SectionResult
from common.autograd import Variable
from common.autograd.elementwise import sin, tanh
from common.autograd.graph import plot_dot_graph
from common.autograd.test_functions import derivatives
from common.plots.autograd import plot_derivatives

#: Where the curves are drawn, and the point whose derivatives are printed.
SIN_RANGE = (-7.0, 7.0)
TANH_RANGE = (-4.0, 4.0)
POINTS = 401
AT = 1.0


def sin_derivative(x: np.ndarray, k: int) -> np.ndarray:
    """The k-th derivative of sin, by hand: sin(x + kπ/2)."""
    return np.sin(x + k * np.pi / 2)


def tanh_derivative(x: np.ndarray, k: int) -> np.ndarray:
    """The k-th derivative of tanh, by hand: a polynomial P_k of t = tanh x, with P_0(t) = t
    and P_{k+1}(t) = P_k'(t) (1 − t²)."""
    p = Polynomial([0, 1])
    for _ in range(k):
        p = p.deriv() * Polynomial([1, 0, -1])
    return p(np.tanh(x))


def graph_size(y: Variable) -> tuple[int, int]:
    """(functions, variables) of the graph that made ``y``, each counted once."""
    funcs, variables = set(), {id(y)}
    todo = [] if y.creator is None else [y.creator]
    while todo:
        f = todo.pop()
        if id(f) in funcs:
            continue
        funcs.add(id(f))
        for x in f.inputs:
            variables.add(id(x))
            if x.creator is not None:
                todo.append(x.creator)
    return len(funcs), len(variables)


def tanh_derivative_graph(order: int, x0: float = AT) -> Variable:
    """The Variable holding tanh's ``order``-th derivative at ``x0``, with the graph that
    computed it (every backward but the last builds the next one's graph)."""
    x = Variable(np.array(x0), name="x")
    y = tanh(x)
    y.name = "y"
    current = y
    for _ in range(order):
        x.cleargrad()
        current.backward(create_graph=True)
        current = x.grad
    current.name = f"gx{order}"
    return current


def _check(name: str, x: np.ndarray, ys: list[np.ndarray], exact: Any) -> dict[str, Any]:
    """The largest difference of each derivative from the one by hand, and the values at AT."""
    at = derivatives(sin if name == "sin" else tanh, AT, len(ys) - 1)
    return {"at_1": [float(v) for v in at],
            "max_error": [float(np.abs(y - exact(x, k)).max()) for k, y in enumerate(ys)]}


def run_higher(args: argparse.Namespace) -> SectionResult:
    """The first ``args.order`` derivatives of sin and tanh over a range, checked against the
    formulas; the graph of tanh's ``args.graph_order``-th derivative (Graphviz, or DOT)."""
    curves, report = {}, {"order": args.order}
    for name, f, span, exact in (("sin", sin, SIN_RANGE, sin_derivative),
                                 ("tanh", tanh, TANH_RANGE, tanh_derivative)):
        x = np.linspace(*span, POINTS)
        ys = derivatives(f, x, args.order)
        curves[name] = (x, ys)
        report[name] = _check(name, x, ys, exact)
        print(f"{name}: derivatives 0..{args.order} at x = {AT}: "
              + ", ".join(f"{v:.6f}" for v in report[name]["at_1"]))
        print(f"  largest difference from the formula over [{span[0]:g}, {span[1]:g}]: "
              f"{max(report[name]['max_error']):.1e}")
    figures = [plot_derivatives(curves, args.out / "nth_derivatives.png", show=args.show)]
    gx = tanh_derivative_graph(args.graph_order)
    functions, variables = graph_size(gx)
    print(f"The graph of tanh's derivative of order {args.graph_order}: {functions} functions, "
          f"{variables} variables")
    drawn = Path(str(plot_dot_graph(gx, verbose=False,
                                    to_file=str(args.out / "tanh_graph.png"))))
    png = drawn if drawn.suffix == ".png" else None
    if png is not None:
        figures.append(png)
    report["graph"] = {"order": args.graph_order, "functions": functions,
                       "variables": variables, "dot": str(args.out / "tanh_graph.dot"),
                       "png": None if png is None else str(png)}
    return SectionResult(report, figures)
