"""Numerical gradients by central differences, and gradient checking of networks."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from common.layers.base import random_layers


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4
) -> np.ndarray:
    """∂f/∂x by central differences: (f(x + h e_i) - f(x - h e_i)) / 2h for every element i.

    ``x`` may have any shape and is probed in place (``f`` is called as ``f(x)``,
    the book's convention); every element is restored exactly after its probe.
    Returns an array of x's shape and dtype. Use float64 for accurate results.
    """
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)  # a view: probing it probes x
    if not np.shares_memory(flat_x, x):
        raise ValueError("numerical_gradient needs a contiguous array to probe in place")
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        saved = flat_x[i]
        flat_x[i] = saved + h
        f_plus = f(x)
        flat_x[i] = saved - h
        f_minus = f(x)
        flat_x[i] = saved
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


@contextlib.contextmanager
def frozen_randomness(network: Any) -> Iterator[Callable[[], None]]:
    """Make random layers repeat themselves: yields ``rewind()``, which resets the
    random generator of every layer of ``network`` that has one (``layer.rng``, e.g.
    Dropout, also inside container layers) to its state on entry, so each forward pass
    draws the same masks. The generators are left as they were on entry when the block
    ends.
    """
    generators = [g for _, g in random_layers(network)]
    states = [g.bit_generator.state for g in generators]

    def rewind() -> None:
        for g, state in zip(generators, states, strict=True):
            g.bit_generator.state = state

    try:
        yield rewind
    finally:
        rewind()


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-4) -> float:
    """||a - b|| / max(||a|| + ||b||, floor), in the Euclidean norm.

    The floor keeps gradients that are truly zero (a bias followed by batch
    normalisation) from turning rounding noise into a large relative error:
    below it, the difference is measured absolutely (in units of ``floor``).
    """
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(b)), floor)
    return float(np.linalg.norm(a - b)) / scale


def _in_float64(network: Any) -> contextlib.AbstractContextManager:
    """``network.in_float64()`` where the network has it (``common.nets.network.Network``): the
    block computes on a float64 twin of its parameters. Other networks (the book's own
    classes) are used as they are."""
    twin = getattr(network, "in_float64", None)
    return twin() if callable(twin) else contextlib.nullcontext()


def gradient_check(network: Any, x: np.ndarray, t: np.ndarray,
                   h: float = 1e-4) -> dict[str, float]:
    """Relative error between backprop and numerical gradients, per parameter name.

    Both are taken of the training loss with identical random draws, in float64 whatever
    the network's dtype (on a float64 twin of its parameters, ``Network.in_float64``; the
    network's arrays and dtype are left as they were). Pass a few samples: a correct
    backward pass gives errors below about 1e-7. ``h`` is the central-difference step: a
    smaller one (1e-6) keeps the probes from crossing ReLU's kink or a max-pooling tie
    when a network has very many units close to them.
    """
    with _in_float64(network), frozen_randomness(network) as rewind:
        backprop = network.gradient(x, t)
        backprop = {key: g.copy() for key, g in backprop.items()}
        rewind()
        numerical = network.numerical_gradient(x, t, h=h)
    return {key: relative_error(backprop[key], numerical[key]) for key in backprop}


class GradientMismatch(ValueError):
    """Backpropagation and central differences disagree on one element of a parameter."""


def check_gradients(network: Any, x: np.ndarray, t: np.ndarray, scale: float = 1.0,
                    h: float = 1e-4, rtol: float = 1e-5, atol: float = 1e-8) -> float:
    """Check every element of every parameter's backprop gradient; return the largest |difference|.

    Both gradients are of ``scale`` · ``network.loss(x, t)`` (e.g. ``scale = N`` for a
    cost summed over N samples instead of averaged). The numerical one is the
    central difference (L(θ + h) - L(θ - h)) / 2h. An element passes when
    |numerical - backprop| <= atol + rtol·|backprop| (``np.isclose``'s rule); the
    first element that does not raises ``GradientMismatch`` naming the parameter
    and the element, e.g. ``W1[0, 2]``. Computed in float64, as ``gradient_check``.
    """
    with _in_float64(network), frozen_randomness(network) as rewind:
        backprop = {key: scale * g for key, g in network.gradient(x, t).items()}
        rewind()
        numerical = {key: scale * g for key, g in network.numerical_gradient(x, t, h=h).items()}
    largest = 0.0
    for key, grad in backprop.items():
        close = np.isclose(numerical[key], grad, rtol=rtol, atol=atol)
        if not close.all():
            index = tuple(int(i) for i in np.argwhere(~close)[0])
            element = f"{key}[{', '.join(map(str, index))}]" if index else key
            raise GradientMismatch(
                f"gradient of {element}: backpropagation gives {grad[index]:.8g}, "
                f"central differences {numerical[key][index]:.8g}; the backward pass of the "
                f"layer holding {key!r} (or of a layer after it) is wrong")
        largest = max(largest, float(np.max(np.abs(numerical[key] - grad))))
    return largest
