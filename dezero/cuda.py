"""``dezero.cuda``: NumPy or CuPy (``common.autograd.cuda``). ``gpu_enable`` is True only
when CuPy imports; ``cupy`` is defined only then, as in the book."""

import numpy as np  # noqa: F401 - the book's module exposes np

from common.autograd.cuda import as_cupy, as_numpy, get_array_module, gpu_enable  # noqa: F401
from common.autograd.cuda import cp as _cp

if _cp is not None:  # pragma: no cover - needs CuPy
    cupy = _cp
