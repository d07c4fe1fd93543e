"""Section 3 of ``python -m ch_autograd``: gradient descent against Newton's method, on
Rosenbrock's valley and on the double well x⁴ − 2x², the second derivatives by
``backward(create_graph=True)``."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ch_autograd.result import SectionResult
from common.autograd.test_functions import double_well, gradient_descent, newton, rosenbrock
from common.plots.descent import plot_paths, plot_steps_1d

ROSENBROCK_START = (0.0, 2.0)
ROSENBROCK_MINIMUM = (1.0, 1.0)
DOUBLE_WELL_START = 2.0
#: Gradient descent on the double well: the step and how many to take.
DOUBLE_WELL_LR = 0.01
DOUBLE_WELL_ITERS = 200
#: How close counts as "there" for an iterate.
CLOSE = 1e-6


def first_iterate(path: np.ndarray, target: Any, tolerance: float) -> int | None:
    """The index of the first row of ``path`` (n, d) within ``tolerance`` of ``target`` in
    every coordinate (0 tolerance: equal), or None."""
    hits = np.flatnonzero(np.all(np.abs(path - np.asarray(target)) <= tolerance, axis=1))
    return int(hits[0]) if hits.size else None


def _point(p: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.4f}" for v in p) + ")"


def run_descent(args: argparse.Namespace) -> SectionResult:
    """Both methods on both functions: the iterates, the numbers the book prints, two
    figures of the paths."""
    iters = args.descent_iters
    gd = gradient_descent(rosenbrock, ROSENBROCK_START, args.descent_lr, iters)
    nt = newton(rosenbrock, ROSENBROCK_START, args.newton_iters)
    # the book's loop prints the point before each update: its last line is iterate iters - 1
    last_printed = gd[min(iters - 1, len(gd) - 1)]
    at_minimum = first_iterate(nt, ROSENBROCK_MINIMUM, 0.0)
    print(f"Rosenbrock from {ROSENBROCK_START}, minimum at {ROSENBROCK_MINIMUM}:")
    print(f"  gradient descent, lr {args.descent_lr:g}: iterate {iters - 1} (the last a loop of "
          f"{iters} prints before its update) {_point(last_printed)}, after {len(gd) - 1} "
          f"updates {_point(gd[-1])}")
    print("  Newton (Hessian by double backprop): "
          + (f"exactly (1, 1) at iterate {at_minimum}" if at_minimum is not None else
             f"at {_point(nt[-1])} after {len(nt) - 1} iterations"))
    wells_newton = newton(double_well, (DOUBLE_WELL_START,), args.newton_iters)[:, 0]
    wells_gd = gradient_descent(double_well, (DOUBLE_WELL_START,), DOUBLE_WELL_LR,
                                DOUBLE_WELL_ITERS)[:, 0]
    exact_at = first_iterate(wells_newton[:, None], 1.0, 0.0)
    close_at = first_iterate(wells_gd[:, None], 1.0, CLOSE)
    print(f"x^4 - 2x^2 from x = {DOUBLE_WELL_START} (minimum at x = 1):")
    print("  Newton, f''(x) by backward(create_graph=True): "
          + ", ".join(f"{i}: {float(x)!r}" for i, x in enumerate(wells_newton)))
    print("  Newton reaches 1.0 exactly at iterate "
          + (str(exact_at) if exact_at is not None else "- (not within the iterations)"))
    print(f"  gradient descent, lr {DOUBLE_WELL_LR}: within {CLOSE:g} of 1 at iterate "
          + (str(close_at) if close_at is not None else f"- (not in {DOUBLE_WELL_ITERS})"))
    figures = [
        plot_paths({f"gradient descent, lr {args.descent_lr:g}": gd, "Newton's method": nt},
                   rosenbrock, ROSENBROCK_MINIMUM, args.out / "rosenbrock_paths.png",
                   title="Rosenbrock from (0, 2): gradient descent against Newton's method",
                   xlim=(-2, 2), ylim=(-1, 3), levels=np.logspace(-1, 3.5, 12),
                   show=args.show),
        plot_steps_1d({f"gradient descent, lr {DOUBLE_WELL_LR}": wells_gd,
                       "Newton's method": wells_newton}, double_well, 1.0,
                      args.out / "double_well.png", title="x⁴ − 2x² from x = 2",
                      show=args.show),
    ]
    report = {
        "rosenbrock": {
            "start": list(ROSENBROCK_START), "lr": args.descent_lr, "iters": iters,
            "gradient_descent": {"iterates": len(gd) - 1, "last_printed": last_printed.tolist(),
                                 "end": gd[-1].tolist()},
            "newton": {"iterates": len(nt) - 1, "path": nt.tolist(), "at_minimum": at_minimum},
        },
        "double_well": {
            "start": DOUBLE_WELL_START,
            "newton": {"path": wells_newton.tolist(), "exact_at": exact_at},
            "gradient_descent": {"lr": DOUBLE_WELL_LR, "iterates": len(wells_gd) - 1,
                                 "within_1e-6_at": close_at},
        },
    }
    return SectionResult(report, figures)
