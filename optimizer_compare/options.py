"""Argument types of the optimizer-comparison programs (generic ones are in ``common.cli``).

Each type function turns an option's text into a value or raises
``argparse.ArgumentTypeError``, so a bad value ends the program with argparse's
one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import math

from common.optim import OPTIMIZERS


def optimizer_names(text: str) -> list[str]:
    """Comma-separated optimizer names, e.g. 'sgd,adam' (case-insensitive, no repeats)."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in OPTIMIZERS]
    if not names or unknown:
        problem = f"unknown optimizer {unknown[0]!r}" if unknown else "no optimizer given"
        raise argparse.ArgumentTypeError(f"{problem}; choose from {', '.join(OPTIMIZERS)}")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"an optimizer is named twice in {text!r}")
    return names


def lr_setting(text: str) -> tuple[str, float]:
    """'NAME=RATE', e.g. 'adam=0.002' -> ('adam', 0.002): one optimizer's learning rate."""
    name, sep, value = text.partition("=")
    name = name.strip().lower()
    if not sep or name not in OPTIMIZERS:
        raise argparse.ArgumentTypeError(
            f"expected NAME=RATE with NAME one of {', '.join(OPTIMIZERS)}, got {text!r}")
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number after '=', got {value!r}") from None
    if not (math.isfinite(rate) and rate > 0):
        raise argparse.ArgumentTypeError(f"the learning rate must be > 0, got {value!r}")
    return name, rate
