"""Gradient checks: is a backward pass right?

- ``gradients``: ``numerical_gradient(f, x)`` by central differences (the book's), and
  the checks of a whole network against it: ``gradient_check`` (relative error per
  parameter), ``check_gradients`` (every element, naming the first that disagrees),
  ``frozen_randomness`` (random layers draw the same masks in every probe).

Imports: ``common.layers`` (to find the random layers inside a network); the networks
import these checks, not the other way round.
"""

from common.checks.gradients import (
    GradientMismatch,
    check_gradients,
    frozen_randomness,
    gradient_check,
    numerical_gradient,
    relative_error,
)

__all__ = [
    "GradientMismatch", "check_gradients", "frozen_randomness", "gradient_check",
    "numerical_gradient", "relative_error",
]
