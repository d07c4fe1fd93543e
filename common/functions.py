"""Activation and loss functions, written to be numerically stable.

Every function works on float32 and float64 arrays and returns the dtype it was
given. None of them overflows for logits as large as ±1e4: exponentials are only
ever taken of non-positive numbers.
"""

from __future__ import annotations

import numpy as np

from common.validation import check_labels, labels_of


def identity_function(x: np.ndarray) -> np.ndarray:
    """Return ``x`` unchanged: f(x) = x."""
    return x


def step_function(x: np.ndarray) -> np.ndarray:
    """The perceptron's step: 1 where x > 0, else 0, as integers of x's shape."""
    return (np.asarray(x) > 0).astype(np.int64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function σ(x) = 1 / (1 + exp(-x)), element-wise, any shape.

    Computed from e = exp(-|x|) <= 1, as 1/(1+e) for x >= 0 and e/(1+e) for x < 0,
    so that large |x| neither overflows nor loses the answer.
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid: σ'(x) = σ(x)(1 - σ(x))."""
    s = sigmoid(x)
    return s * (1 - s)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit max(0, x), element-wise, any shape."""
    return np.maximum(x, 0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ReLU: 1 where x > 0, else 0 (same dtype as x)."""
    return (x > 0).astype(np.asarray(x).dtype)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over the last axis: x - max(x) - log Σ exp(x - max(x)).

    Shapes: (K,) or (N, K) -> same shape.
    """
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax(x: np.ndarray) -> np.ndarray:
    """softmax(x)_k = exp(x_k - max x) / Σ_j exp(x_j - max x) over the last axis.

    Shapes: (K,) or (N, K) -> same shape; every row sums to 1.
    """
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean cross-entropy -1/N Σ_n log y[n, t_n] of probabilities y (N, K) or (K,).

    ``t`` holds integer labels (N,) or one-hot rows (N, K). The log is clipped at
    the smallest positive number of y's dtype, so a zero probability gives a large
    finite loss instead of inf.
    """
    y = np.asarray(y)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = np.reshape(t, (1, -1)) if np.ndim(t) == 1 and np.size(t) == y.size else np.ravel(t)
    labels = labels_of(check_labels(t, y.shape[0], y.shape[1], "cross_entropy_error: t"))
    picked = y[np.arange(y.shape[0]), labels]
    return float(-np.mean(np.log(np.maximum(picked, np.finfo(y.dtype).tiny))))


def nll_from_log_probs(logp: np.ndarray, t: np.ndarray) -> float:
    """Mean negative log-likelihood -1/N Σ_n logp[n, t_n] of log-probabilities logp (N, K);
    t: integer labels (N,) or one-hot rows (N, K)."""
    return float(-np.mean(logp[np.arange(logp.shape[0]), labels_of(t)]))


def softmax_cross_entropy(x: np.ndarray, t: np.ndarray) -> float:
    """Mean cross-entropy of softmax(x) against ``t``, from logits (N, K) via log-softmax.

    Equivalent to ``cross_entropy_error(softmax(x), t)`` but exact for huge logits.
    """
    t = check_labels(t, x.shape[0], x.shape[1], "softmax_cross_entropy: t")
    return nll_from_log_probs(log_softmax(x), t)


def binary_cross_entropy_with_logits(x: np.ndarray, t: np.ndarray) -> float:
    """Mean binary cross-entropy of σ(x) against t ∈ {0, 1}, computed from logits.

    Uses -[t log σ(x) + (1-t) log(1-σ(x))] = max(x, 0) - x t + log(1 + exp(-|x|)),
    which never overflows. ``x`` and ``t`` have the same number of elements.
    """
    x = np.ravel(x)
    t = np.ravel(t).astype(x.dtype)
    return float(np.mean(np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))))


def sum_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """The book's squared error ½ Σ (y - t)² over every element of y and t (same shape)."""
    y, t = np.asarray(y), np.asarray(t)
    if y.shape != t.shape:
        raise ValueError(f"sum_squared_error needs y and t of one shape, got {y.shape} and "
                         f"{t.shape}")
    return float(0.5 * np.sum((y - t) ** 2))


def mean_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """``sum_squared_error`` averaged over the samples: 1/(2N) Σ_n Σ_k (y_nk - t_nk)².

    y, t: (N, K), one row per sample; a 1-D array (K,) is one sample, as in the
    book's ``cross_entropy_error``. The ½ is kept and the mean is over the N samples,
    not over all N·K elements (as ``cross_entropy_error`` averages over samples), so
    its gradient with respect to y is (y - t)/N.
    """
    y = np.asarray(y)
    return sum_squared_error(y, t) / (y.shape[0] if y.ndim > 1 else 1)


def softmax_loss(X: np.ndarray, t: np.ndarray) -> float:
    """The book's ``softmax_loss``: mean cross-entropy of softmax(X) (N, K) against t.

    t: integer labels (N,) or one-hot rows (N, K). Computed with log-softmax, so it
    is finite for any logits (the same as ``softmax_cross_entropy``).
    """
    return softmax_cross_entropy(np.atleast_2d(X), t)


def gaussian(x: np.ndarray) -> np.ndarray:
    """The radial basis function exp(-x²), element-wise, any shape; 1 at 0, → 0 for large |x|."""
    # beyond |x| = 100 the result is 0 anyway; clipping there keeps x² from overflowing
    x = np.minimum(np.abs(np.asarray(x)), 100)
    return np.exp(-(x * x))
