"""``python -m ch_autograd``: automatic differentiation the third book's way, section by section.

Derivatives by ``backward()`` against finite differences; the gradients of Sphere, Matyas and
Goldstein-Price; gradient descent against Newton's method (the second derivative by
``backward(create_graph=True)``); derivatives of any order and the graph behind one; then a
spiral classifier and an MLP on MNIST trained with ``dezero``. Prints the book's numbers,
writes the figures and, with ``--json``, the metrics.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ch_autograd.calculus import run_derivatives, run_gradients
from ch_autograd.descent import run_descent
from ch_autograd.higher import run_higher
from ch_autograd.mnist import run_mnist
from ch_autograd.options import SECTIONS, build_parser
from ch_autograd.result import SectionResult
from ch_autograd.spiral import run_spiral
from common.cli import INTERRUPTED, check_output_paths, exit_130_on_ctrl_c, write_json
from common.interrupt import StopRequest, stop_on_interrupt
from common.plots.figures import show_figures

#: How each section runs from the parsed options and the Ctrl-C request.
RUNS: dict[str, Callable[[argparse.Namespace, StopRequest], SectionResult]] = {
    "derivatives": lambda args, stop: run_derivatives(args),
    "gradients": lambda args, stop: run_gradients(args),
    "descent": lambda args, stop: run_descent(args),
    "higher": lambda args, stop: run_higher(args),
    "spiral": run_spiral,
    "mnist": run_mnist,
}


def run_sections(names: list[str], args: argparse.Namespace,
                 report: dict[str, Any]) -> tuple[list[Path], str | None]:
    """Run ``names`` in order into ``report``; returns the figures written and the section
    during which Ctrl-C came (None when none did). The first Ctrl-C lets the running section
    end its batch (or finish, for the quick ones) and report, and no other section starts; a
    second stops at once, keeping what the finished sections reported."""
    figures: list[Path] = []
    with stop_on_interrupt() as stop:
        for name in names:
            print(f"== {list(SECTIONS).index(name) + 1} {name}: {SECTIONS[name]} ==", flush=True)
            try:
                result = RUNS[name](args, stop)
            except KeyboardInterrupt:
                return figures, name
            report[name] = result.report
            figures += result.figures
            print()
            if result.interrupted or stop.requested:
                return figures, name
    return figures, None


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections in order; return 0, 130 after Ctrl-C (what was done is
    reported and written), or 1 when the results cannot be written."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_output_paths(parser, args)
    names = [name for name in SECTIONS if args.sections is None or name in args.sections]
    report: dict[str, Any] = {"seed": args.seed, "sections": names}
    start = time.perf_counter()
    try:
        figures, stopped = run_sections(names, args, report)
    except OSError as err:  # e.g. --out names a file, or a folder without write access
        print(f"error: cannot write the results: {err}", file=sys.stderr)
        return 1
    report["seconds"] = round(time.perf_counter() - start, 2)
    report["interrupted"] = stopped
    report["figures"] = [str(path) for path in figures]
    if figures:
        print(f"Figures in {args.out}: " + ", ".join(path.name for path in figures))
    if args.json is not None:
        try:
            write_json(args.json, report)
        except OSError as err:
            print(f"error: cannot write the results: {err}", file=sys.stderr)
            return 1
        print(f"Metrics: {args.json}")
    print(f"({report['seconds']:.1f} s)")
    if stopped is not None:
        done = [name for name in names if name in report]
        print(f"interrupted (Ctrl-C) in section {stopped}; reported: "
              f"{', '.join(done) or 'nothing'}", file=sys.stderr)
        return INTERRUPTED
    show_figures(args.show)
    return 0
