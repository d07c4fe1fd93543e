"""The checks behind the library's error messages: labels, inputs, arguments, and the
order of calls.

Learners pass 785 features to a 784-input network, labels as floats, a label of
10 for ten classes. Each of these functions turns such a mistake into an error
that names the layer or argument, says what was expected and what was given, and
how to fix it, instead of an IndexError from deep inside NumPy (or, for a label
of -1, a silently wrong answer). They cost a shape compare, or a min and a max
over a batch of labels: nothing next to the matrix products.

Arguments (a count, a rate, a choice) are checked by ``whole_number``, ``real_number`` and
``one_of``, so that every class and function words the same mistake the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def layer_name(layer: Any) -> str:
    """The name a network gave ``layer`` ('Affine1'), else its class name ('Affine')."""
    return getattr(layer, "name", None) or type(layer).__name__


def forward_cache(layer: Any, value: Any) -> Any:
    """``value``, something ``layer.forward`` stored for backward; a clear RuntimeError
    when it is None because forward has not run yet."""
    if value is None:
        raise RuntimeError(
            f"{layer_name(layer)}.backward was called before its forward: backward needs what "
            "forward stores, so run forward on a batch first (net.gradient(x, t) does both)"
        )
    return value


def check_dout(layer: Any, dout: Any, shape: tuple[int, ...]) -> None:
    """Raise ValueError unless ``dout`` has ``shape``, the shape of the layer's last output."""
    if np.shape(dout) != shape:
        raise ValueError(
            f"{layer_name(layer)}.backward got dout of shape {np.shape(dout)}, but its last "
            f"forward output had shape {shape}: dout must be the gradient of that output"
        )


def check_features(layer: Any, x: np.ndarray, expected: int) -> None:
    """Raise ValueError unless x is a batch (N, ...) of samples of ``expected`` elements."""
    if x.ndim < 2:
        raise ValueError(
            f"{layer_name(layer)} expects a batch of samples (N, {expected}); got an array of "
            f"shape {x.shape}. For a single sample pass x.reshape(1, -1)"
        )
    features = x.size // x.shape[0] if x.shape[0] else int(np.prod(x.shape[1:]))
    if features != expected:
        raise ValueError(
            f"{layer_name(layer)} expects {expected} features per sample, got {features} "
            f"(input shape {x.shape})"
        )


def _count(n: int, noun: str) -> str:
    """'1 sample', '8 samples', '10 classes'."""
    plural = noun + ("es" if noun.endswith("s") else "s")
    return f"{n} {noun if n == 1 else plural}"


def check_labels(t: Any, n_samples: int, n_classes: int, who: str = "labels") -> np.ndarray:
    """Class labels t for ``n_samples`` scores over ``n_classes`` classes, checked.

    Accepts integer labels (N,) or (N, 1), in 0..K-1, and one-hot rows (N, K).
    Returns one-hot rows unchanged and labels as a 1-D integer array. Raises
    ValueError, naming ``who``, for anything else: a count that differs from the
    samples', labels out of range (also -1, which NumPy would read as the last
    class), non-integer labels, one-hot rows of another width.
    """
    t = np.asarray(t)
    if t.ndim == 0 or t.shape[0] != n_samples:
        given = "a single label" if t.ndim == 0 else _count(t.shape[0], "label")
        raise ValueError(
            f"{who}: {_count(n_samples, 'sample')} but {given} (labels of shape {t.shape}); "
            "give one label per sample"
        )
    if t.ndim == 2 and t.shape[1] > 1:
        if t.shape[1] != n_classes:
            raise ValueError(
                f"{who}: one-hot labels {t.shape[1]} wide (shape {t.shape}) for "
                f"{_count(n_classes, 'output')}; one-hot rows need one column per class"
            )
        return t
    if t.ndim > 2 or (t.ndim == 2 and t.shape[1] != 1):
        raise ValueError(f"{who}: labels must be (N,) integers or (N, K) one-hot rows, got "
                         f"shape {t.shape}")
    labels = t.reshape(-1)
    if not (np.issubdtype(labels.dtype, np.integer) or labels.dtype == bool):
        raise ValueError(
            f"{who}: class labels must be integers 0..{n_classes - 1}, got {labels.dtype}; "
            "convert them with t.astype(int) (or pass one-hot rows of shape (N, "
            f"{n_classes}))"
        )
    if labels.size:
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= n_classes:
            bad = low if low < 0 else high
            raise ValueError(
                f"{who}: label {bad} is out of range for {_count(n_classes, 'class')}: labels "
                f"must lie in 0..{n_classes - 1} (found {low}..{high})"
            )
    return labels


def check_binary_targets(t: Any, n_samples: int, who: str = "targets") -> np.ndarray:
    """Targets of a single-output (sigmoid) classifier: one value in [0, 1] per sample,
    returned as (N,); ValueError naming ``who`` otherwise."""
    t = np.asarray(t)
    if t.size != n_samples or (t.ndim and t.shape[0] != n_samples):
        raise ValueError(f"{who}: {_count(n_samples, 'sample')} with one output each, but "
                         f"targets of shape {t.shape}; give one 0/1 target per sample")
    t = t.reshape(-1)
    if t.size and not (np.all(np.isfinite(t)) and t.min() >= 0 and t.max() <= 1):
        raise ValueError(f"{who}: targets of a sigmoid output must lie in [0, 1] (class 0 or "
                         f"1), found {t.min()}..{t.max()}")
    return t


def check_finite(x: np.ndarray, who: str) -> None:
    """Raise ValueError, naming ``who`` and the first bad sample, unless x is numbers,
    all finite."""
    x = np.atleast_1d(np.asarray(x))
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"{who} must hold numbers, got an array of {x.dtype}")
    if np.issubdtype(x.dtype, np.inexact):
        finite = np.isfinite(x)
        if not finite.all():
            bad = np.flatnonzero(~finite.reshape(len(x), -1).all(axis=1))
            raise ValueError(
                f"{who} has {int((~finite).sum())} NaN or infinite values, in "
                f"{_count(len(bad), 'sample')} (the first: sample {int(bad[0])}); "
                "remove or repair those samples"
            )


def check_dataset(network: Any, loss_layer: Any, x: np.ndarray, t: np.ndarray,
                  name: str) -> None:
    """Raise ValueError, naming the set (``name``: 'train', 'validation', 'test'), unless
    x (N, ...) fits the network's input, holds finite numbers, and t holds N targets
    that ``loss_layer`` accepts (labels in range, one-hot of the right width): what a
    Trainer checks before its first update."""
    x_name, t_name = f"x_{name}", f"t_{name}"
    if np.ndim(x) == 0 or np.ndim(t) == 0:
        raise ValueError(f"{x_name} and {t_name} must be arrays with one row per sample")
    if len(x) != len(t):
        raise ValueError(f"{x_name} has {len(x)} samples but {t_name} has {len(t)} labels; "
                         "give one label per sample")
    if len(x) == 0:
        raise ValueError(f"{x_name} is empty: there is nothing to {name} on")
    check_finite(x, x_name)
    try:
        scores = network.predict(x[:2])
    except ValueError as err:
        raise ValueError(f"{x_name} of shape {np.shape(x)} does not fit the network: "
                         f"{err}") from None
    check_targets = getattr(loss_layer, "check_targets", None)
    if check_targets is not None:
        check_targets(t, (len(t), *np.shape(scores)[1:]), who=t_name)


# Arguments: one rule per kind of value, one wording for every class and function.


def _prefix(who: str | None) -> str:
    return f"{who}: " if who else ""


def whole_number(value: Any, name: str, low: int = 1, high: int | None = None,
                 who: str | None = None) -> int:
    """``value`` as an int in ``low..high`` (no upper bound when ``high`` is None), else a
    ValueError naming ``who`` and ``name``: 'GPT: num_layers must be a whole number >= 1,
    got 0'. Booleans and floats are refused (``True`` is not a count)."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, np.integer))
          and value >= low and (high is None or value <= high))
    if not ok:
        bounds = f">= {low}" if high is None else f"in {low}..{high}"
        raise ValueError(f"{_prefix(who)}{name} must be a whole number {bounds}, got {value!r}")
    return int(value)


def real_number(value: Any, name: str, low: float = 0.0, high: float | None = None,
                low_open: bool = False, high_open: bool = False,
                who: str | None = None) -> float:
    """``value`` as a finite float in the interval from ``low`` to ``high`` (open at an end
    when ``low_open`` / ``high_open``), else a ValueError naming ``who`` and ``name``:
    'Dropout: dropout_ratio must be a number in [0, 1), got 1.0'."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.integer,
                                                              np.floating))
          and np.isfinite(value)
          and (value > low if low_open else value >= low)
          and (high is None or (value < high if high_open else value <= high)))
    if not ok:
        if high is None:
            bounds = f"{'>' if low_open else '>='} {low:g}"
        else:
            bounds = (f"in {'(' if low_open else '['}{low:g}, {high:g}"
                      f"{')' if high_open else ']'}")
        raise ValueError(f"{_prefix(who)}{name} must be a number {bounds}, got {value!r}")
    return float(value)


def one_of(value: Any, name: str, choices: Any, who: str | None = None) -> Any:
    """``value`` if it is among ``choices``, else a ValueError listing them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{_prefix(who)}{name} must be one of {listed}; got {value!r}")
    return value


def labels_of(t: np.ndarray) -> np.ndarray:
    """Integer class labels from labels (N,) or one-hot rows (N, K): shape (N,).

    Labels in a column (N, 1), as the book's chapter 7 gradient check passes
    them, are labels too: only rows of more than one element are one-hot.
    """
    t = np.asarray(t)
    return t.argmax(axis=1) if t.ndim == 2 and t.shape[1] > 1 else t.reshape(-1)
