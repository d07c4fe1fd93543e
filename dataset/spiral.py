"""The spiral of the second book's chapter 1: three arms of 100 points around the origin,
a classification problem no straight line separates.

Arm j (class j) has points i = 0..99 at radius r = i/100 and angle
θ = 4j + 4r + 0.2·ε (ε ~ N(0, 1)): x = (r sin θ, r cos θ). ``load_data(seed=1984)`` draws
the ε of arm 0, then arm 1, then arm 2 from ``RandomState(seed)``, the order in which the
book's loop draws them, so the default gives the book's very points.
"""

from __future__ import annotations

import numpy as np

POINTS_PER_CLASS = 100
CLASSES = 3


def load_data(seed: int = 1984) -> tuple[np.ndarray, np.ndarray]:
    """The spiral as ``(x, t)``: x float32 (300, 2), t one-hot int32 (300, 3), class by
    class (arm 0's 100 points first)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"spiral.load_data: seed must be a whole number >= 0, got {seed!r}")
    noise = np.random.RandomState(seed).randn(CLASSES, POINTS_PER_CLASS)
    radius = np.arange(POINTS_PER_CLASS) / POINTS_PER_CLASS           # (100,)
    theta = 4.0 * np.arange(CLASSES)[:, None] + 4.0 * radius + 0.2 * noise  # (3, 100)
    x = np.stack([radius * np.sin(theta), radius * np.cos(theta)], axis=-1)
    t = np.repeat(np.eye(CLASSES, dtype=np.int32), POINTS_PER_CLASS, axis=0)
    return x.reshape(-1, 2).astype(np.float32), t
