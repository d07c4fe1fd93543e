"""``python -m optimizer_compare.naive``: optimizers and step sizes on functions you can draw.

Three small experiments, each one a PNG in --out:

- ``optimizer_paths.png``: SGD, Momentum, AdaGrad and Adam minimising
  f(x, y) = x²/20 + y² from (-7, 2), the book's figure 6-8. The function is 20
  times steeper along y than along x, which is what separates the optimizers.
- ``step_size_1d.png`` and ``step_size_2d.png``: plain gradient descent on
  f(x) = 3x² + 4x + 5 and on f(x, y) = 3x² + 4y² + 5 with a step size that is too
  small (crawls), good, and too large (overshoots further every step).
- ``linear_regression.png``: fitting y = w x + b to noisy points of y = 3x + 5
  by gradient descent on the mean squared error, the line drawn as it moves.

Every descent uses the optimizers of ``common.optim`` on a dict of
parameters, exactly as a network's training does; only the gradients are
written out by hand instead of coming from backpropagation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from common.cli import add_output_options, exit_130_on_ctrl_c, positive_int, write_json
from common.optim import SGD, make_optimizer
from common.optim.descent import (
    PARABOLA_MIN,
    descend,
    elongated_bowl,
    elongated_bowl_gradient,
    fit_line_by_descent,
    parabola,
    parabola_gradient,
    paraboloid,
    paraboloid_gradient,
    regression_points,
)
from common.plots.descent import plot_paths, plot_regression, plot_steps_1d, plot_steps_2d
from common.plots.figures import show_figures

PROGRAM = "optimizer_compare.naive"

# --- f(x, y) = x²/20 + y², the book's test function -----------------------------------
START = {"x": -7.0, "y": 2.0}
#: The book's learning rates for this function (ch06/optimizer_compare_naive.py).
PATH_LR = {"sgd": 0.95, "momentum": 0.1, "adagrad": 1.5, "adam": 0.3}
DISPLAY = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
           "rmsprop": "RMSprop", "adam": "Adam"}


# --- the step-size demonstrations (the functions are in common.optim.descent) ---------------
# Gradient descent on a parabola a·x² multiplies the distance to the minimum by
# (1 - 2a·lr) each step: with a = 3 it converges for lr < 1/3 and fastest at 1/6.
STEP_1D = {"too small": 0.01, "good": 0.1, "too large": 0.34}
START_1D = {"x": 2.0}
# On 3x² + 4y² the steeper direction (y, factor 1 - 8·lr) sets the limit: lr < 1/4.
STEP_2D = {"too small": 0.01, "good": 0.1, "too large": 0.26}
START_2D = {"x": -4.0, "y": 3.0}
STEPS = 20

# --- linear regression ------------------------------------------------------------------
TRUE_W, TRUE_B = 3.0, 5.0
REGRESSION_LR, REGRESSION_ITERS = 0.1, 500
SNAPSHOTS = (0, 5, 20, 60, 200, REGRESSION_ITERS)


def optimizer_paths(steps: int, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Paths of the optimizers (book's learning rates) on x²/20 + y² from (-7, 2)."""
    names = list(PATH_LR) if names is None else names
    return {name: descend(make_optimizer(name, lr=PATH_LR[name]), elongated_bowl_gradient,
                          START, steps) for name in names}


def step_size_runs(steps: int = STEPS) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Gradient descent (``SGD``) with the three step sizes on the 1-D and the 2-D function."""
    one = {label: descend(SGD(lr), parabola_gradient, START_1D, steps)[:, 0]
           for label, lr in STEP_1D.items()}
    two = {label: descend(SGD(lr), paraboloid_gradient, START_2D, steps)
           for label, lr in STEP_2D.items()}
    return one, two


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m optimizer_compare.naive``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Optimizers and step sizes on small functions, drawn: the paths of SGD, "
                    "Momentum, AdaGrad and Adam on x^2/20 + y^2; gradient descent with a "
                    "too small, good and too large step on 3x^2 + 4x + 5 and 3x^2 + 4y^2 + 5; "
                    "a line fitted to points of y = 3x + 5 by gradient descent. No data needed.",
    )
    parser.add_argument("--iters", type=positive_int, default=30, metavar="N",
                        help="steps of each optimizer on x^2/20 + y^2 (default 30, the book's)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the noise in the regression points (default 0)")
    add_output_options(parser, "optimizer_compare")
    return parser


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the three experiments, print their outcome, draw them; return 0."""
    args = build_parser().parse_args(argv)
    out = Path(args.out)
    figures: dict[str, str] = {}
    report: dict[str, Any] = {"program": PROGRAM}

    paths = optimizer_paths(args.iters)
    print(f"f(x, y) = x^2/20 + y^2 from (-7, 2), {args.iters} steps; the minimum is (0, 0):")
    report["paths"] = {}
    for name, points in paths.items():
        end = points[-1]
        print(f"  {DISPLAY[name]:9s} lr {PATH_LR[name]:<5g} ends at ({end[0]:8.4f}, {end[1]:8.4f})"
              f"  f = {elongated_bowl(*end):.2e}")
        report["paths"][name] = {"lr": PATH_LR[name], "end": end.tolist(),
                                 "f_end": float(elongated_bowl(*end))}
    figures["optimizer_paths"] = str(plot_paths(
        {f"{DISPLAY[n]} (lr {PATH_LR[n]:g})": p for n, p in paths.items()}, elongated_bowl,
        (0, 0), out / "optimizer_paths.png", title="f(x, y) = x²/20 + y²",
        levels=np.linspace(0.5, 7, 10) ** 2 / 4, show=args.show))

    one, two = step_size_runs()
    print(f"gradient descent on f(x) = 3x^2 + 4x + 5 from x = 2, {STEPS} steps; the minimum "
          f"is x = -2/3:")
    report["step_size_1d"] = {}
    for label, xs in one.items():
        print(f"  {label:9s} lr {STEP_1D[label]:<5g} ends at x = {xs[-1]:.6g}")
        report["step_size_1d"][label] = {"lr": STEP_1D[label], "end": float(xs[-1])}
    figures["step_size_1d"] = str(plot_steps_1d(
        {f"{k} (lr {STEP_1D[k]:g})": v for k, v in one.items()}, parabola, PARABOLA_MIN,
        out / "step_size_1d.png", title="gradient descent on f(x) = 3x² + 4x + 5",
        show=args.show))
    print(f"gradient descent on f(x, y) = 3x^2 + 4y^2 + 5 from (-4, 3), {STEPS} steps; the "
          "minimum is (0, 0):")
    report["step_size_2d"] = {}
    for label, points in two.items():
        end = points[-1]
        print(f"  {label:9s} lr {STEP_2D[label]:<5g} ends at ({end[0]:.4g}, {end[1]:.4g})")
        report["step_size_2d"][label] = {"lr": STEP_2D[label], "end": end.tolist()}
    figures["step_size_2d"] = str(plot_steps_2d(
        {f"{k} (lr {STEP_2D[k]:g})": v for k, v in two.items()}, paraboloid, (0, 0),
        out / "step_size_2d.png", title="gradient descent on f(x, y) = 3x² + 4y² + 5",
        show=args.show))

    x, y = regression_points(args.seed, w=TRUE_W, b=TRUE_B)
    snapshots, losses = fit_line_by_descent(x, y, REGRESSION_LR, REGRESSION_ITERS, SNAPSHOTS)
    w, b = snapshots[REGRESSION_ITERS]
    # the exact least-squares line, to show what gradient descent is converging to
    w_ls, b_ls = np.polyfit(x, y, 1)
    print(f"linear regression by gradient descent (lr {REGRESSION_LR:g}) on {len(x)} noisy "
          f"points of y = 3x + 5: after {REGRESSION_ITERS} iterations y = {w:.4f} x + {b:.4f} "
          f"(least squares: {w_ls:.4f} x + {b_ls:.4f}), mean squared error {losses[-1]:.4f}")
    report["linear_regression"] = {
        "lr": REGRESSION_LR, "iters": REGRESSION_ITERS, "w": w, "b": b,
        "least_squares": {"w": float(w_ls), "b": float(b_ls)}, "mse": float(losses[-1]),
    }
    figures["linear_regression"] = str(plot_regression(
        x, y, snapshots, losses, out / "linear_regression.png",
        title="fitting y = w x + b by gradient descent", show=args.show))

    report["figures"] = figures
    print(f"figures in {out}/: " + ", ".join(Path(p).name for p in figures.values()))
    if args.json:
        write_json(args.json, report)
    show_figures(args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
