"""``python -m ch_backprop``: backpropagation from the ground up, part by part.

Reproduces a step-by-step gradient-descent tutorial, CS231n's sigmoid-neuron
circuit and P. Roelants' "How to implement a neural network" with the framework's
own layers and optimizers, printing the numbers the originals published.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ch_backprop.calculus import PartResult, run_descent, run_graph, run_neuron
from ch_backprop.circles import run_circles, run_softmax
from ch_backprop.models import run_logistic, run_rbf, run_regression
from common.checks.gradients import GradientMismatch
from common.cli import (
    add_output_options,
    check_output_paths,
    exit_130_on_ctrl_c,
    nonnegative_int,
    write_json,
)
from common.plots.figures import show_figures

PROGRAM = "ch_backprop"
DEFAULT_SEED = 1
DEFAULT_GRID = 200

#: The parts in order: name -> (title, how to run it from the parsed options).
PARTS: dict[str, tuple[str, Callable[[argparse.Namespace], PartResult]]] = {
    "descent": ("gradient descent by hand", lambda a: run_descent(a.out, a.show)),
    "graph": ("a computational graph: J = 3(a + bc)", lambda a: run_graph(a.out, a.show)),
    "neuron": ("the sigmoid neuron as a circuit (CS231n)",
               lambda a: run_neuron(a.out, a.show)),
    "regression": ("regression with an Affine layer and a squared error",
                   lambda a: run_regression(a.seed, a.out, a.show)),
    "logistic": ("logistic regression (Roelants part 2)",
                 lambda a: run_logistic(a.seed, a.grid, a.out, a.show)),
    "rbf": ("one RBF hidden unit (Roelants part 3)",
            lambda a: run_rbf(a.seed, a.grid, a.out, a.show)),
    "softmax": ("the softmax outputs", lambda a: run_softmax(a.grid, a.out, a.show)),
    "circles": ("a hidden layer: two circles (Roelants part 4)",
                lambda a: run_circles(a.seed, a.grid, a.out, a.show)),
}

EPILOG = """\
Parts (run all by default; name some, or give their numbers, to run only those):
""" + "\n".join(f"  {i} {name:10s} {title}" for i, (name, (title, _)) in enumerate(PARTS.items())) \
    + """

Figures written into --out DIR: descent.png, graph.png, neuron_circuit.png, regression.png,
logistic.png, rbf.png, softmax.png, circles_cost.png, circles_boundary.png, circles_hidden.png.

--json PATH writes {"seed", "grid", "parts", "figures"} and a section per part run:
  "descent": {"one_d": [[i, x, f], ...], "one_d_end", "two_d_end"},
  "graph": {"grads": {"a", "b", "c"}, "updates", "final_J", "J_history", "slip", ...},
  "neuron": {"grads": {"w0", "x0", "w1", "x1", "w2"}, "output", "sigmoid_gate", "wires"},
  "least_squares": {"w", "b", "cost", "cost_start", "centred"}, "line_through_origin":
  {"w", "cost", "history"}, "sigmoid_layer": {"floor", "reachable", "updates", "cost"},
  "logistic": {"w", "accuracy", "cost", ...}, "rbf": {"final_cost", "wh", "wo", "accuracy"},
  "circles": {"final_cost", "accuracy", "accuracy_2_hidden", "gradient_check_max_diff",
  "costs", ...}
"""


def part_name(text: str) -> str:
    """A part's name or number (0-7) -> its name; argparse's one-line error otherwise."""
    names = list(PARTS)
    key = text.strip().lower()
    if key.isdigit() and int(key) < len(names):
        return names[int(key)]
    if key in PARTS:
        return key
    raise argparse.ArgumentTypeError(f"unknown part {text!r}; choose from "
                                     f"{', '.join(names)} (or 0-{len(names) - 1})")


def grid_size(text: str) -> int:
    """Points per side of the surface and boundary grids: a whole number from 10 to 1000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 10 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be from 10 to 1000, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of the chapter; every option says what it does and its default."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Backpropagation from the ground up: gradient descent by hand, a "
                    "computational graph, the sigmoid neuron as a circuit, regression, logistic "
                    "regression, an RBF unit, softmax and a hidden layer on two circles, with "
                    "the framework's own layers; prints the numbers the original tutorials "
                    "published.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", type=part_name, metavar="PART",
                        help="parts to run, by name or number (default: all)")
    parser.add_argument("--seed", type=nonnegative_int, default=DEFAULT_SEED,
                        help="seed of the legacy np.random.RandomState every random part "
                             f"draws its data (and the circles' weights) from; {DEFAULT_SEED} "
                             "reproduces the originals (default)")
    parser.add_argument("--grid", type=grid_size, default=DEFAULT_GRID, metavar="N",
                        help=f"points per side of the cost surfaces and decision boundaries "
                             f"(default {DEFAULT_GRID}, the originals'; the logistic cost "
                             "surface uses half)")
    add_output_options(parser, PROGRAM)
    return parser


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts in order; return 0, or 1 if a gradient check or writing fails."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_output_paths(parser, args)
    names = [name for name in PARTS if name in args.parts] if args.parts else list(PARTS)
    report: dict[str, Any] = {"seed": args.seed, "grid": args.grid, "parts": names}
    figures: list[Path] = []
    start = time.perf_counter()
    try:
        for name in names:
            title, run = PARTS[name]
            print(f"== {list(PARTS).index(name)} {name}: {title} ==", flush=True)
            result = run(args)
            print(result.text + "\n")
            report.update(result.report)
            figures += result.figures
        report["figures"] = [str(path) for path in figures]
        if args.json is not None:
            write_json(args.json, report)
    except GradientMismatch as err:
        print(f"error: the gradient check failed: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # e.g. --out names a file, or a folder without write access
        print(f"error: cannot write the results: {err}", file=sys.stderr)
        return 1
    print(f"Figures in {args.out}: " + ", ".join(path.name for path in figures))
    if args.json is not None:
        print(f"Metrics: {args.json}")
    print(f"({time.perf_counter() - start:.1f} s)")
    show_figures(args.show)
    return 0
