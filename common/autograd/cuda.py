"""GPU arrays through CuPy, when it is installed; NumPy otherwise.

``gpu_enable`` is True only when ``import cupy`` works. The functions of the autograd ask
``get_array_module(x)`` for the array module of their inputs (NumPy or CuPy), so the same
code runs on either; without CuPy everything is NumPy and nothing here costs anything.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # CuPy is optional: the project needs NumPy only
    import cupy as cp
    import cupyx

    gpu_enable = True
except ImportError:  # pragma: no cover - depends on the machine
    cp = None
    cupyx = None
    gpu_enable = False

#: the array classes a Variable may hold
array_types: tuple[type, ...] = (np.ndarray,) if cp is None else (np.ndarray, cp.ndarray)

_NO_CUPY = (
    "CuPy is not installed, so there is no GPU array to move to: install the CuPy wheel for "
    "your CUDA (e.g. pip install cupy-cuda12x), or keep the data on the CPU"
)


def _array_of(x: Any) -> Any:
    """The array of a Variable; arrays and numbers as they are. (``core`` imports this
    module, so Variables are told apart from arrays, not imported.)"""
    return x if isinstance(x, array_types) or np.isscalar(x) else x.data


def get_array_module(x: Any):
    """The array module of ``x`` (a Variable or an array): ``cupy`` for GPU data, else ``numpy``."""
    if not gpu_enable:
        return np
    return cp.get_array_module(_array_of(x))


def as_numpy(x: Any) -> np.ndarray:
    """``x`` (a Variable, an array or a number) as a NumPy array, copied from the GPU if needed."""
    x = _array_of(x)
    if np.isscalar(x):
        return np.array(x)
    if isinstance(x, np.ndarray):
        return x
    return cp.asnumpy(x)


def as_cupy(x: Any):
    """``x`` (a Variable or an array) as a CuPy array; a RuntimeError when CuPy is missing."""
    x = _array_of(x)
    if not gpu_enable:
        raise RuntimeError(_NO_CUPY)
    return cp.asarray(x)


def add_at(target: Any, index: Any, values: Any) -> None:
    """In place, ``target[index] += values`` with repeated indices summed (np.add.at's rule).

    CuPy spells it ``cupyx.scatter_add`` (the book's ``cupy.scatter_add`` has been removed).
    """
    if gpu_enable and not isinstance(target, np.ndarray):
        cupyx.scatter_add(target, index, values)
    else:
        np.add.at(target, index, values)
