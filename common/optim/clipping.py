"""Gradient clipping by the global norm, as GPT training uses it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from common.validation import real_number


def _arrays(grads: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> list[np.ndarray]:
    """The arrays of a dict of gradients, or of a list of them (the second book's)."""
    return list(grads.values()) if isinstance(grads, Mapping) else list(grads)


def global_norm(grads: Mapping[str, np.ndarray] | Sequence[np.ndarray]) -> float:
    """‖g‖ = sqrt(Σ over every array and element of g²), accumulated in float64."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in _arrays(grads)))


def clip_grads(grads: Mapping[str, np.ndarray] | Sequence[np.ndarray], max_norm: float
               ) -> float:
    """Scale every gradient in place so that their global L2 norm is at most ``max_norm``;
    return the norm before clipping.

    When ‖g‖ > max_norm, every array is multiplied by max_norm / (‖g‖ + 1e-6) (PyTorch's
    ``clip_grad_norm_``): the direction of the whole step is kept, only its length is
    capped, so one unlucky batch cannot throw the weights far. A norm that is NaN or
    infinite is returned without touching the gradients (the loss will show the trouble).
    """
    real_number(max_norm, "max_norm", low_open=True, who="clip_grads")
    norm = global_norm(grads)
    if math.isfinite(norm) and norm > max_norm:
        scale = max_norm / (norm + 1e-6)  # a Python float: float32 gradients stay float32
        for g in _arrays(grads):
            g *= scale
    return norm
