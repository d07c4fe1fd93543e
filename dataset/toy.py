"""Small synthetic data sets of the backpropagation tutorials, drawn from a seeded generator.

- ``noisy_line``: points of t = 2x plus Gaussian noise (regression through the origin);
- ``three_clusters_1d``: 1-D points, one class in the middle and the other on both sides;
- ``gaussian_blobs``: two 2-D Gaussian classes side by side;
- ``noisy_circles``: two noisy concentric circles (what scikit-learn's ``make_circles``
  draws with ``shuffle=False``).

``rng`` is a seed or a generator. A seed (an int) makes NumPy's legacy
``np.random.RandomState(seed)``, so ``rng=1`` draws exactly what the originals drew
after ``np.random.seed(1)``. Pass a ``RandomState`` (or a ``np.random.Generator``)
to keep drawing from it afterwards, e.g. the initial weights, as the originals did.
Inputs are float64, (N, D); class labels int64, (N,).
"""

from __future__ import annotations

import numpy as np

Rng = int | np.random.RandomState | np.random.Generator


def _generator(rng: Rng) -> np.random.RandomState | np.random.Generator:
    """``rng`` itself, or a legacy RandomState seeded with it."""
    if isinstance(rng, np.random.RandomState | np.random.Generator):
        return rng
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and rng >= 0:
        return np.random.RandomState(int(rng))
    raise ValueError(f"rng must be a seed (an int >= 0), a np.random.RandomState or a "
                     f"np.random.Generator, got {rng!r}")


def _check_count(name: str, value: int, least: int = 1) -> None:
    if not isinstance(value, int | np.integer) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")


def noisy_line(rng: Rng = 1, n: int = 20, slope: float = 2.0,
               noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ uniform[0, 1), t = slope·x + noise·N(0, 1): x (n, 1), t (n, 1).

    Drawn in this order: the n values of x, then the n noise values (Roelants, part 1).
    """
    _check_count("n", n)
    g = _generator(rng)
    x = g.uniform(0, 1, n)
    t = slope * x + g.standard_normal(n) * noise
    return x.reshape(n, 1), t.reshape(n, 1)


def three_clusters_1d(rng: Rng = 1, n_per_class: int = 20,
                      spread: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 around 0, class 0 split around -2 and +2: x (2·n_per_class, 1), t int64.

    Every point is its centre plus spread·N(0, 1). Drawn in this order: the
    n_per_class points of class 1, then n_per_class // 2 points around -2, then the
    rest around +2 (Roelants, part 3). No line separates the classes; one radial-basis
    unit, which responds to distance from a centre, does.
    """
    _check_count("n_per_class", n_per_class, 2)
    g = _generator(rng)
    left = n_per_class // 2
    middle = g.standard_normal((n_per_class, 1)) * spread
    x_left = g.standard_normal((left, 1)) * spread - 2
    x_right = g.standard_normal((n_per_class - left, 1)) * spread + 2
    x = np.vstack([middle, x_left, x_right])
    t = np.concatenate([np.ones(n_per_class, np.int64), np.zeros(n_per_class, np.int64)])
    return x, t


def gaussian_blobs(rng: Rng = 1, n_per_class: int = 20,
                   spread: float = 1.2) -> tuple[np.ndarray, np.ndarray]:
    """Class 0 around (-1, 0), class 1 around (1, 0), spread·N(0, 1) in each coordinate.

    x (2·n_per_class, 2) with class 0 first, t int64. Drawn in this order: the
    (n_per_class, 2) draws of class 0, then those of class 1 (Roelants, part 2).
    """
    _check_count("n_per_class", n_per_class)
    g = _generator(rng)
    class_0 = g.standard_normal((n_per_class, 2)) * spread + [-1, 0]
    class_1 = g.standard_normal((n_per_class, 2)) * spread + [1, 0]
    t = np.concatenate([np.zeros(n_per_class, np.int64), np.ones(n_per_class, np.int64)])
    return np.vstack([class_0, class_1]), t


def noisy_circles(rng: Rng = 1, n: int = 100, factor: float = 0.3,
                  noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: x (n, 2), t int64 (n,), class 0 outside, class 1 inside.

    n // 2 points at equally spaced angles on the unit circle (class 0), the other
    points at the same kind of angles on the circle of radius ``factor`` (class 1),
    then noise·N(0, 1) added to every coordinate, drawn as one (n, 2) array: the
    same numbers as scikit-learn's ``make_circles(n, shuffle=False, factor=factor,
    noise=noise)`` from the same generator (Roelants, part 4).
    """
    _check_count("n", n, 2)
    if not 0 < factor < 1:
        raise ValueError(f"factor (the inner radius) must be between 0 and 1, got {factor}")
    g = _generator(rng)
    n_out = n // 2
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n - n_out, endpoint=False)
    x = np.vstack([np.column_stack([np.cos(outer), np.sin(outer)]),
                   factor * np.column_stack([np.cos(inner), np.sin(inner)])])
    x += g.normal(scale=noise, size=x.shape)
    t = np.concatenate([np.zeros(n_out, np.int64), np.ones(n - n_out, np.int64)])
    return x, t
