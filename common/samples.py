"""Samples and labels: one-hot labels, shuffles and stratified splits (a validation split
among them), the confusion matrix, and a smoothed copy of a curve (a loss per iteration)."""

from __future__ import annotations

import numpy as np

from common.validation import check_labels, labels_of


def to_one_hot(labels: np.ndarray, num_classes: int | None = None,
               dtype: type = np.float32) -> np.ndarray:
    """One-hot rows from integer labels: (N,) -> (N, K) with a 1 in column ``labels[n]``.

    K is ``num_classes``, or max(labels) + 1 when not given.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"to_one_hot needs a 1-D array of integer labels, got {labels.dtype} "
                         f"of shape {labels.shape}")
    k = int(labels.max()) + 1 if num_classes is None else num_classes
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must lie in 0..{k - 1}, found {labels.min()}..{labels.max()}")
    one_hot = np.zeros((labels.size, k), dtype=dtype)
    one_hot[np.arange(labels.size), labels] = 1
    return one_hot


def shuffle_dataset(x: np.ndarray, t: np.ndarray,
                    seed: int | np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The samples of x (N, ...) and t (N, ...) in one random order (copies)."""
    permutation = np.random.default_rng(seed).permutation(x.shape[0])
    return x[permutation], t[permutation]


def train_test_split(
    x: np.ndarray, t: np.ndarray, test_size: float | int = 0.2,
    seed: int | np.random.Generator | None = None, stratify: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Split (x, t) into ((x_train, t_train), (x_test, t_test)).

    ``test_size`` is a fraction in (0, 1), or a number of samples (an int >= 1).
    With ``stratify`` every class (labels (N,) or one-hot (N, K)) gives its share
    of the test samples (round(test_size · its count) for a fraction; for a number,
    the shares are rounded so that they add up to exactly that number), so both
    parts keep the class proportions. Samples are drawn at random (``seed``); each
    part keeps the original order of its samples.
    """
    n = x.shape[0]
    if len(t) != n:
        raise ValueError(f"x has {n} samples but t has {len(t)} labels")
    is_count = isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool)
    if is_count and not 1 <= test_size < n:
        raise ValueError(f"test_size of {test_size} samples must lie in 1..{n - 1} ({n} samples)")
    if not is_count and not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction between 0 and 1 or a number of "
                         f"samples, got {test_size}")
    rng = np.random.default_rng(seed)
    if stratify:
        labels = labels_of(t)
        groups = [np.flatnonzero(labels == c) for c in np.unique(labels)]
    else:
        groups = [np.arange(n)]
    sizes = np.array([g.size for g in groups])
    if is_count:
        # largest remainders: each class's exact share, floored, plus one for the
        # classes with the largest fractions until the shares add up to test_size
        exact = test_size * sizes / n
        quotas = np.floor(exact).astype(int)
        order = np.argsort(-(exact - quotas), kind="stable")
        quotas[order[: test_size - quotas.sum()]] += 1
    else:
        quotas = [int(round(test_size * size)) for size in sizes]
    test_idx = np.concatenate([rng.permutation(g)[:q] for g, q in zip(groups, quotas, strict=True)])
    is_test = np.zeros(n, dtype=bool)
    is_test[test_idx] = True
    return (x[~is_test], t[~is_test]), (x[is_test], t[is_test])


def smooth_curve(x: np.ndarray, window: int = 11, beta: float = 2.0) -> np.ndarray:
    """A smoothed copy of the 1-D series ``x`` (e.g. a loss per iteration), same length.

    The moving average weighted by a Kaiser window (``window`` points, shape
    ``beta``), as in the book; the ends are padded by reflection.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size < window:
        return x.copy()
    half = window // 2
    padded = np.concatenate([x[half:0:-1], x, x[-2:-half - 2:-1]])
    w = np.kaiser(window, beta)
    return np.convolve(padded, w / w.sum(), mode="valid")


def confusion_matrix(t: np.ndarray, y: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts C[i, j] of samples with true class i predicted as j: (K, K) int64.

    t and y are integer labels (N,) (one-hot rows are accepted for t); labels outside
    0..K-1 or of different counts raise ValueError.
    """
    y = check_labels(y, len(y), num_classes, "confusion_matrix: y")
    t = labels_of(check_labels(t, len(y), num_classes, "confusion_matrix: t"))
    counts = np.bincount(t * num_classes + y, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def split_validation(x: np.ndarray, t: np.ndarray, size: float | int, seed: int | None
                     ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Hold out ``size`` training samples (a number, or a fraction in (0, 1)) for
    validation, stratified by class and drawn with ``seed``; returns (train, validation).

    The draw uses its own stream of ``seed``, so it does not change the order in
    which the Trainer visits the remaining samples.
    """
    rng = np.random.default_rng(None if seed is None else [seed, 1])
    if isinstance(size, float) and 0 < size < 1:
        size = max(1, round(size * len(x)))  # exactly that share of all the samples
    try:
        return train_test_split(x, t, size, seed=rng, stratify=True)
    except ValueError as err:
        raise ValueError(f"validation_split: {err}") from None
