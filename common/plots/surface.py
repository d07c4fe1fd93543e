"""The loss of a network as a surface over two of its parameters, for contour and 3-D plots.

    W = np.linspace(-10, 10, 200)
    L = loss_surface(net, x, t, "W1", "W2", W, W)   # L[i, j]: loss at W1 = W[j], W2 = W[i]
    plt.contourf(W, W, L)

Every other parameter keeps its value; the two chosen ones are written in place
for each grid point (as an optimizer writes them) and restored afterwards, so the
network is left exactly as it was. Plot the path of a training run over the
surface to see what gradient descent does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: A parameter's name ("W1") when it holds one number, or its name and the element's index.
ParamElement = str | tuple[str, Sequence[int]]


def _element(network: Any, spec: ParamElement) -> tuple[np.ndarray, tuple[int, ...], str]:
    """The parameter array of ``spec``, the index of the element in it, and its printed name."""
    key, index = (spec, None) if isinstance(spec, str) else (spec[0], tuple(spec[1]))
    if key not in network.params:
        raise KeyError(f"the network has no parameter {key!r}; it has {', '.join(network.params)}")
    param = network.params[key]
    if index is None:
        if param.size != 1:
            raise ValueError(f"parameter {key!r} has {param.size} elements: name one, e.g. "
                             f"({key!r}, {(0,) * param.ndim})")
        index = (0,) * param.ndim
    try:
        param[index]
    except IndexError:
        raise IndexError(f"{key}{list(index)} is outside {key!r} of shape {param.shape}") from None
    return param, index, key


def loss_surface(network: Any, x: np.ndarray, t: np.ndarray, a: ParamElement, b: ParamElement,
                 values_a: np.ndarray, values_b: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale`` · network.loss(x, t) over a grid of two parameter elements ``a`` and ``b``.

    Returns L of shape (len(values_b), len(values_a)) with L[i, j] the loss at
    a = values_a[j], b = values_b[i]: the layout of ``np.meshgrid(values_a, values_b)``,
    which matplotlib's ``contour`` and ``plot_surface`` expect. ``a`` and ``b`` are
    parameter names of ``network.params`` ("W1" for a one-element parameter) or
    (name, index) pairs such as ("W1", (0, 1)). One forward pass per grid point.
    """
    param_a, index_a, key_a = _element(network, a)
    param_b, index_b, key_b = _element(network, b)
    if param_a is param_b and index_a == index_b:
        raise ValueError(f"a and b are the same element of {key_a!r}; choose two different ones")
    values_a, values_b = np.asarray(values_a, np.float64), np.asarray(values_b, np.float64)
    saved_a, saved_b = param_a[index_a].copy(), param_b[index_b].copy()
    surface = np.empty((values_b.size, values_a.size))
    try:
        for i, vb in enumerate(values_b):
            param_b[index_b] = vb
            for j, va in enumerate(values_a):
                param_a[index_a] = va
                surface[i, j] = scale * network.loss(x, t)
    finally:
        param_a[index_a] = saved_a
        param_b[index_b] = saved_b
    return surface


def training_path(network: Any, x: np.ndarray, t: np.ndarray, optimizer: Any, updates: int,
                  track: Sequence[ParamElement] = (), scale: float = 1.0,
                  trainable: Sequence[str] | None = None,
                  lr_schedule: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch training that records where it goes: (costs, points).

    Makes ``updates`` updates ``optimizer.update(params, network.gradient(x, t))``
    on the parameters named in ``trainable`` (default: all; the others stay fixed).
    ``lr_schedule[k]``, when given, is the learning rate of update k. Returns
    costs (updates + 1,), ``scale`` · the loss before each update and after the
    last, and points (updates + 1, len(track)), the tracked parameter elements at
    the same moments: the path to draw over ``loss_surface``.
    """
    if lr_schedule is not None and len(lr_schedule) != updates:
        raise ValueError(f"lr_schedule has {len(lr_schedule)} rates for {updates} updates")
    elements = [_element(network, spec)[:2] for spec in track]
    keys = list(network.params) if trainable is None else list(trainable)
    params = {key: network.params[key] for key in keys}
    costs = np.empty(updates + 1)
    points = np.empty((updates + 1, len(elements)))
    for k in range(updates + 1):
        points[k] = [param[index] for param, index in elements]
        if k == updates:  # the cost of the final parameters, without another update
            costs[k] = scale * network.loss(x, t)
            break
        grads = network.gradient(x, t)
        costs[k] = scale * network.last_loss
        if lr_schedule is not None:
            optimizer.lr = lr_schedule[k]
        optimizer.update(params, {key: grads[key] for key in keys})
    return costs, points
