"""The command line of ``python -m ch_autograd``: the sections, the defaults and the options."""

from __future__ import annotations

import argparse

from common.cli import add_output_options, nonnegative_int, positive_float, positive_int

PROGRAM = "ch_autograd"

#: The sections in order: name -> title. ``--sections`` picks some by name or number (1-6).
SECTIONS: dict[str, str] = {
    "derivatives": "numerical against automatic derivatives",
    "gradients": "the gradients of Sphere, Matyas and Goldstein-Price",
    "descent": "gradient descent against Newton's method (Rosenbrock, x^4 - 2x^2)",
    "higher": "n-th derivatives of sin and tanh; the graph of tanh's derivative",
    "spiral": "a spiral classifier trained with dezero",
    "mnist": "an MLP on MNIST trained with dezero",
}

# The book's settings where it has them (the descent on Rosenbrock, Newton's 10 iterations,
# the spiral's network and training); the MNIST run is a short one of ours.
DEFAULT_SEED = 0
DEFAULT_DESCENT_ITERS = 1000
DEFAULT_DESCENT_LR = 0.001
DEFAULT_NEWTON_ITERS = 10
DEFAULT_ORDER = 4
DEFAULT_GRAPH_ORDER = 1
MAX_ORDER = 8
DEFAULT_SPIRAL_EPOCHS = 300
DEFAULT_SPIRAL_HIDDEN = 10
DEFAULT_SPIRAL_LR = 1.0
DEFAULT_SPIRAL_BATCH = 30
DEFAULT_MNIST_EPOCHS = 3
DEFAULT_MNIST_HIDDEN = 1000
DEFAULT_MNIST_BATCH = 100
DEFAULT_MNIST_LR = 0.001

EPILOG = """\
Sections (all by default; --sections picks some, by name or number):
""" + "\n".join(f"  {i} {name:12s}{title}" for i, (name, title) in
                enumerate(SECTIONS.items(), start=1)) + """

Figures written into --out DIR: derivative_error.png, gradient_fields.png,
rosenbrock_paths.png, double_well.png, nth_derivatives.png, tanh_graph.png (with
Graphviz's dot; without it tanh_graph.dot and how to render it), spiral.png, mnist.png.

--json PATH writes {"seed", "sections", "seconds", "interrupted", "figures"} and one entry
per section run:
  "derivatives": {"x", "exact", "automatic", "automatic_error", "central_1e-4", "steps",
                  "central_error", "forward_error", "best_central_step", "checks": [...]},
  "gradients": {"point", "sphere", "matyas", "goldstein_price" (each [df/dx, df/dy])},
  "descent": {"rosenbrock": {"start", "lr", "iters", "gradient_descent": {"iterates",
              "last_printed" (iterate iters-1, the book's last line), "end"}, "newton":
              {"iterates", "path", "at_minimum"}},
              "double_well": {"start", "newton": {"path", "exact_at"},
              "gradient_descent": {"lr", "iterates", "within_1e-6_at"}}},
  "higher": {"order", "sin": {"at_1", "max_error"}, "tanh": {...}, "graph": {"order",
             "functions", "variables", "dot", "png"}},
  "spiral": {"settings", "epochs", "final": {"loss", "train_accuracy", "test_accuracy"},
             "losses", "train_accuracy", "test_accuracy" (per epoch), "interrupted",
             "seconds"},
  "mnist": {"available", "message" (when not), "settings", "epochs", "iterations", "final",
            "losses", "train_accuracy", "test_accuracy", "interrupted", "seconds"}
"""


def section_names(text: str) -> list[str]:
    """'1,spiral' -> ['derivatives', 'spiral']: names or numbers 1-6, comma-separated;
    argparse's one-line error otherwise."""
    names = list(SECTIONS)
    chosen = []
    for part in text.split(","):
        key = part.strip().lower()
        if key.isdigit() and 1 <= int(key) <= len(names):
            chosen.append(names[int(key) - 1])
        elif key in SECTIONS:
            chosen.append(key)
        else:
            raise argparse.ArgumentTypeError(
                f"unknown section {part.strip()!r}; choose from {', '.join(names)} "
                f"(or 1-{len(names)}), separated by commas")
    return chosen


def derivative_order(text: str) -> int:
    """A derivative's order: a whole number from 1 to MAX_ORDER."""
    value = positive_int(text)
    if value > MAX_ORDER:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_ORDER}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of the chapter; every option says what it does and its default."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description=(
            "Automatic differentiation the third book's way (DeZero, here common.autograd\n"
            "and its face dezero): derivatives by backward() against finite differences,\n"
            "gradients of test functions, gradient descent against Newton's method with\n"
            "second derivatives by backward(create_graph=True), higher derivatives and the\n"
            "graph behind them, then networks trained with dezero on a spiral and MNIST."),
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", type=section_names, metavar="NAMES",
                        help="sections to run, by name or number, comma-separated, e.g. "
                             "1,2,spiral (default: all)")
    parser.add_argument("--seed", type=nonnegative_int, default=DEFAULT_SEED,
                        help="seed of NumPy's global generator before each section that draws "
                             "numbers (the random inputs of the checks, the networks' initial "
                             f"weights, the shuffles) (default: {DEFAULT_SEED})")
    calculus = parser.add_argument_group("derivatives and descent")
    calculus.add_argument("--descent-iters", type=positive_int, default=DEFAULT_DESCENT_ITERS,
                          metavar="N", help="gradient-descent updates on Rosenbrock "
                                            f"(default: {DEFAULT_DESCENT_ITERS}, the book's)")
    calculus.add_argument("--descent-lr", type=positive_float, default=DEFAULT_DESCENT_LR,
                          metavar="RATE", help="its learning rate "
                                               f"(default: {DEFAULT_DESCENT_LR}, the book's)")
    calculus.add_argument("--newton-iters", type=positive_int, default=DEFAULT_NEWTON_ITERS,
                          metavar="N", help="Newton iterations at most, on both functions "
                                            f"(default: {DEFAULT_NEWTON_ITERS})")
    calculus.add_argument("--order", type=derivative_order, default=DEFAULT_ORDER,
                          help=f"derivatives of sin and tanh to draw, 1-{MAX_ORDER} "
                               f"(default: {DEFAULT_ORDER})")
    calculus.add_argument("--graph-order", type=derivative_order, default=DEFAULT_GRAPH_ORDER,
                          metavar="K", help="draw the graph that computes tanh's K-th "
                                            f"derivative (default: {DEFAULT_GRAPH_ORDER}; it "
                                            "grows fast with K)")
    spiral = parser.add_argument_group("the spiral (the book's settings by default)")
    spiral.add_argument("--spiral-epochs", type=positive_int, default=DEFAULT_SPIRAL_EPOCHS,
                        metavar="N", help=f"epochs (default: {DEFAULT_SPIRAL_EPOCHS})")
    spiral.add_argument("--spiral-hidden", type=positive_int, default=DEFAULT_SPIRAL_HIDDEN,
                        metavar="H", help=f"hidden sigmoid units (default: "
                                          f"{DEFAULT_SPIRAL_HIDDEN})")
    spiral.add_argument("--spiral-lr", type=positive_float, default=DEFAULT_SPIRAL_LR,
                        metavar="RATE", help=f"SGD's learning rate (default: {DEFAULT_SPIRAL_LR})")
    spiral.add_argument("--spiral-batch", type=positive_int, default=DEFAULT_SPIRAL_BATCH,
                        metavar="N", help=f"batch size (default: {DEFAULT_SPIRAL_BATCH})")
    mnist = parser.add_argument_group("MNIST")
    mnist.add_argument("--mnist-epochs", type=positive_int, default=DEFAULT_MNIST_EPOCHS,
                       metavar="N", help=f"epochs (default: {DEFAULT_MNIST_EPOCHS}, a short "
                                         "run)")
    mnist.add_argument("--mnist-hidden", type=positive_int, default=DEFAULT_MNIST_HIDDEN,
                       metavar="H", help="hidden ReLU units of the MLP 784-H-10 "
                                         f"(default: {DEFAULT_MNIST_HIDDEN})")
    mnist.add_argument("--mnist-batch", type=positive_int, default=DEFAULT_MNIST_BATCH,
                       metavar="N", help=f"batch size (default: {DEFAULT_MNIST_BATCH})")
    mnist.add_argument("--data-dir", metavar="DIR",
                       help="folder holding the four MNIST files (default: $MNIST_DIR if set, "
                            "else the per-user cache ~/.cache/dlscratch/mnist, downloaded "
                            "into when missing); without MNIST the section says so and the "
                            "others run")
    add_output_options(parser, PROGRAM)
    return parser
