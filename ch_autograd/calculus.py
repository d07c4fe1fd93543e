"""Sections 1 and 2 of ``python -m ch_autograd``: derivatives by ``backward()`` against finite
differences, and the gradients of three test functions (a whole grid in one backward pass)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ch_autograd.result import SectionResult
from common.autograd import Variable, no_grad
from common.autograd.checks import gradient_check, numerical_grad
from common.autograd.elementwise import cos, exp, sin, tanh
from common.autograd.losses import softmax_cross_entropy
from common.autograd.tensor import matmul
from common.autograd.test_functions import goldstein_price, gradient, matyas, sphere
from common.plots.autograd import GradientField, plot_difference_errors, plot_gradient_fields

#: The point of the composite function, and the finite-difference steps tried.
X0 = 0.5
STEPS = 10.0 ** -np.arange(1, 13)
#: The step of the central difference the book uses.
BOOK_STEP = 1e-4
#: Where the test functions' gradients are printed, and the square their fields cover.
POINT = (1.0, 1.0)
SQUARE = (-2.0, 2.0)
GRID = 201


def composite(x: Any) -> Variable:
    """f(x) = (exp(x²))², the chain of square, exp and square."""
    return exp(x ** 2) ** 2


def composite_derivative(x: float) -> float:
    """f'(x) = 4x exp(2x²), by hand."""
    return 4 * x * float(np.exp(2 * x ** 2))


def _value(x: float) -> float:
    """f(x) as a float, no graph built."""
    with no_grad():
        return float(composite(Variable(np.array(x))).data)


def _checks(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Backward against central differences on random arrays, one function at a time."""
    w = rng.standard_normal((4, 3))
    labels = rng.integers(0, 3, size=5)
    functions = {
        "sin(x) * cos(x)": lambda x: sin(x) * cos(x),
        "x ** 3 / (1 + exp(x))": lambda x: x ** 3 / (1 + exp(x)),
        "tanh(x @ W)": lambda x: tanh(matmul(x, w)),
        "softmax_cross_entropy(x @ W, t)": lambda x: softmax_cross_entropy(matmul(x, w), labels),
    }
    rows = []
    for name, f in functions.items():
        x = rng.standard_normal((5, 4))
        var = Variable(x.copy())
        f(var).backward()  # seeded with ones: the gradient of the sum of f(x)
        numeric = numerical_grad(f, x)
        rows.append({"function": name, "elements": int(x.size),
                     "max_abs_diff": float(np.abs(var.grad.data - numeric).max()),
                     "forward_passes_numerical": 2 * int(x.size),
                     "agree": gradient_check(f, x)})
    return rows


def run_derivatives(args: argparse.Namespace) -> SectionResult:
    """A derivative three ways: by hand, by backward() and by finite differences of each step
    h; then backward against central differences on random arrays."""
    exact = composite_derivative(X0)
    x = Variable(np.array(X0))
    composite(x).backward()
    automatic = float(x.grad.data)
    f0 = _value(X0)
    central = np.array([(_value(X0 + h) - _value(X0 - h)) / (2 * h) for h in STEPS])
    forward = np.array([(_value(X0 + h) - f0) / h for h in STEPS])
    central_error, forward_error = np.abs(central - exact), np.abs(forward - exact)
    book_central = (_value(X0 + BOOK_STEP) - _value(X0 - BOOK_STEP)) / (2 * BOOK_STEP)
    best = int(np.argmin(central_error))
    print(f"f(x) = (exp(x²))² at x = {X0}: f'(x) = 4x exp(2x²) = {exact!r} by hand")
    print(f"  automatic (backward)          {automatic!r}  error {abs(automatic - exact):.1e}")
    print(f"  central difference, h = 1e-4  {book_central!r}  error "
          f"{abs(book_central - exact):.1e}")
    print("      h   forward error  central error")
    for h, fe, ce in zip(STEPS, forward_error, central_error, strict=True):
        print(f"  {h:.0e}   {fe:12.2e}   {ce:12.2e}")
    print(f"  the central difference is best at h = {STEPS[best]:.0e} (error "
          f"{central_error[best]:.1e}); below, rounding wins. backward() has no step.")
    checks = _checks(np.random.default_rng(args.seed))
    print("Backward against central differences (h = 1e-4) on random arrays:")
    for row in checks:
        print(f"  {row['function']:34s} {row['elements']:3d} elements, "
              f"{row['forward_passes_numerical']:3d} forward passes: largest difference "
              f"{row['max_abs_diff']:.1e} {'ok' if row['agree'] else 'DISAGREE'}")
    figure = plot_difference_errors(
        STEPS, {"forward difference (f(x+h) − f(x)) / h": forward_error,
                "central difference (f(x+h) − f(x−h)) / 2h": central_error},
        abs(automatic - exact), args.out / "derivative_error.png",
        title=f"f(x) = (exp(x²))² at x = {X0}: error of each derivative", show=args.show)
    report = {"x": X0, "exact": exact, "automatic": automatic,
              "automatic_error": abs(automatic - exact), "central_1e-4": book_central,
              "steps": STEPS.tolist(), "central_error": central_error.tolist(),
              "forward_error": forward_error.tolist(), "best_central_step": float(STEPS[best]),
              "checks": checks}
    return SectionResult(report, [figure])


def run_gradients(args: argparse.Namespace) -> SectionResult:
    """The gradients of Sphere, Matyas and Goldstein-Price at (1, 1), and each function's
    gradient over a whole grid from one backward pass."""
    report: dict[str, Any] = {"point": list(POINT)}
    fields = []
    grid = np.linspace(*SQUARE, GRID)
    gx, gy = np.meshgrid(grid, grid)
    for key, name, f in (("sphere", "Sphere", sphere), ("matyas", "Matyas", matyas),
                         ("goldstein_price", "Goldstein-Price", goldstein_price)):
        value, grad = gradient(f, POINT)
        report[key] = [float(g) for g in grad]
        print(f"{name:16s} f(1, 1) = {float(value)!r:8}  df/dx = {float(grad[0])!r}, "
              f"df/dy = {float(grad[1])!r}")
        z, field = gradient(f, (gx, gy))  # every grid point at once
        fields.append(GradientField(name, gx, gy, z, field, log=key == "goldstein_price",
                                    mark=(POINT, grad)))
    print(f"Each field: {GRID}x{GRID} points, one forward and one backward pass.")
    figure = plot_gradient_fields(fields, args.out / "gradient_fields.png", show=args.show,
                                  title="Three test functions; arrows point downhill (−∇f)")
    return SectionResult(report, [figure])
