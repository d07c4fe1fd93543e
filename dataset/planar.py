"""Two-dimensional classification sets, the pictures a playground draws boundaries on.

Each generator returns ``(x, t)``: points x float64 (n, 2) within about [-1, 1]²
(before noise), labels t int64 (n,), in an order that mixes the classes.
``noise`` is the standard deviation of Gaussian noise added to every coordinate
(in the same units), and ``rng`` a seed (int >= 0) or a ``np.random.Generator``,
so a seed always draws the same points.

- ``xor_quadrants``: uniform points of the square, class 1 where x1·x2 < 0;
- ``two_blobs``: two Gaussian clouds around (-0.5, -0.5) and (0.5, 0.5);
- ``two_circles``: a ring of radius 1 (class 0) around a disc of radius 0.5 (class 1);
- ``two_spirals``: two interleaved arms of 1.75 turns;
- ``two_moons``: two interleaved half circles;
- ``iris_petals``: Fisher's 150 Iris flowers by petal length and width (cm), 3 classes,
  standardised; noise and n do not apply.

``PLANAR_SETS`` maps each name to its generator (all called as ``f(n, noise, rng)``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Rng = int | np.random.Generator
Planar = tuple[np.ndarray, np.ndarray]


def _generator(rng: Rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng must be a seed (an int >= 0) or a np.random.Generator, got {rng!r}")


def _check(n: int, noise: float, least: int = 2) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < least:
        raise ValueError(f"n (the number of points) must be a whole number >= {least}, "
                         f"got {n!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise (a standard deviation) must be a finite number >= 0, "
                         f"got {noise!r}")


def _noisy(g: np.random.Generator, x: np.ndarray, t: np.ndarray, noise: float) -> Planar:
    """x plus noise·N(0, 1), and both arrays in one random order."""
    x = x + noise * g.standard_normal(x.shape)
    order = g.permutation(len(t))
    return x[order], t[order]


def _halves(n: int) -> np.ndarray:
    """Labels: n // 2 zeros, then the rest ones."""
    return np.repeat(np.array([0, 1], np.int64), [n // 2, n - n // 2])


def xor_quadrants(n: int = 200, noise: float = 0.0, rng: Rng = 0) -> Planar:
    """Points uniform in [-1, 1]² (kept 0.05 away from the axes), half of them in the
    quadrants where x1·x2 < 0 (class 1: the XOR of the two signs), half in the others."""
    _check(n, noise)
    g = _generator(rng)
    t = _halves(n)
    first = g.choice([-1.0, 1.0], n)
    signs = np.column_stack([first, np.where(t == 0, first, -first)])
    x = g.uniform(0.05, 1, (n, 2)) * signs
    return _noisy(g, x, t, noise)


def two_blobs(n: int = 200, noise: float = 0.0, rng: Rng = 0) -> Planar:
    """Class 0 around (-0.5, -0.5), class 1 around (0.5, 0.5), each 0.25·N(0, 1) wide
    (plus the noise)."""
    _check(n, noise)
    g = _generator(rng)
    t = _halves(n)
    centres = np.where(t[:, None] == 0, -0.5, 0.5)
    return _noisy(g, centres + 0.25 * g.standard_normal((n, 2)), t, noise)


def two_circles(n: int = 200, noise: float = 0.0, rng: Rng = 0) -> Planar:
    """Class 0 on a ring of radius 0.75..1, class 1 in the disc of radius 0.5, uniform in
    angle."""
    _check(n, noise)
    g = _generator(rng)
    t = _halves(n)
    radius = np.where(t == 0, g.uniform(0.75, 1.0, n), 0.5 * np.sqrt(g.uniform(0, 1, n)))
    angle = g.uniform(0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _noisy(g, x, t, noise)


def two_spirals(n: int = 200, noise: float = 0.0, rng: Rng = 0) -> Planar:
    """Two arms r = s, angle = 3.5π·s + π·class, for s uniform in (0.05, 1]."""
    _check(n, noise)
    g = _generator(rng)
    t = _halves(n)
    s = g.uniform(0.05, 1.0, n)
    angle = 3.5 * np.pi * s + np.pi * t
    x = np.column_stack([s * np.cos(angle), s * np.sin(angle)])
    return _noisy(g, x, t, noise)


def two_moons(n: int = 200, noise: float = 0.0, rng: Rng = 0) -> Planar:
    """The upper half of a circle (class 0) and a lower half shifted right and up under
    it (class 1), as scikit-learn's ``make_moons``, centred and scaled by 0.6."""
    _check(n, noise)
    g = _generator(rng)
    t = _halves(n)
    angle = g.uniform(0, np.pi, n)
    x = np.where(t[:, None] == 0,
                 np.column_stack([np.cos(angle), np.sin(angle)]),
                 np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)]))
    return _noisy(g, 0.6 * (x - [0.5, 0.25]), t, noise)


def iris_petals(n: int = 150, noise: float = 0.0, rng: Rng = 0) -> Planar:
    """Iris by (petal length, petal width), each standardised (mean 0, std 1): x (150, 2),
    t in 0..2 (``dataset.iris.CLASS_NAMES``), in a random order. n and noise are ignored:
    the flowers are what they are."""
    from dataset.iris import load_iris

    (x, t), _ = load_iris(test_size=0.0, shuffle=False, dtype=np.float64)
    petals = x[:, 2:]
    petals = (petals - petals.mean(axis=0)) / petals.std(axis=0)
    order = _generator(rng).permutation(len(t))
    return petals[order], t[order]


PLANAR_SETS: dict[str, Callable[..., Planar]] = {
    "xor": xor_quadrants,
    "blobs": two_blobs,
    "circles": two_circles,
    "spiral": two_spirals,
    "moons": two_moons,
    "iris": iris_petals,
}
