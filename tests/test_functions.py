import warnings

import numpy as np
import pytest

from common.functions import (
    binary_cross_entropy_with_logits,
    cross_entropy_error,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)

DTYPES = [np.float32, np.float64]
EXTREME = [-1e4, -100.0, -1.0, 0.0, 1.0, 100.0, 1e4]


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_stable_and_exact_at_extremes(dtype):
    x = np.array(EXTREME, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = sigmoid(x)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y))
    assert y[0] == 0 and y[-1] == 1 and y[3] == 0.5
    np.testing.assert_allclose(y[2], 1 / (1 + np.e), rtol=1e-6)
    np.testing.assert_allclose(sigmoid(x) + sigmoid(-x), 1, rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_is_stable_for_huge_logits(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [3.0, 1.0, 0.2]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = softmax(x)
        logp = log_softmax(x)
    assert y.dtype == dtype and np.all(np.isfinite(y)) and np.all(np.isfinite(logp))
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(y[0], [1, 0, 0])
    np.testing.assert_allclose(y[1], [1 / 3] * 3, rtol=1e-6)
    e = np.exp([3.0, 1.0, 0.2])
    np.testing.assert_allclose(y[2], e / e.sum(), rtol=1e-6)
    assert logp[0, 1] == pytest.approx(-2e4, rel=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_label_forms_agree_and_stay_finite(dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((6, 4)) * 3).astype(dtype)
    t = rng.integers(0, 4, 6)
    one_hot = np.eye(4, dtype=dtype)[t]
    y = softmax(x)
    assert cross_entropy_error(y, t) == pytest.approx(cross_entropy_error(y, one_hot), rel=1e-6)
    assert softmax_cross_entropy(x, t) == pytest.approx(cross_entropy_error(y, t), rel=1e-5)
    expected = -np.mean(np.log(y[np.arange(6), t].astype(np.float64)))
    assert cross_entropy_error(y, t) == pytest.approx(expected, rel=1e-5)
    # a zero probability for the true class gives a large but finite loss
    assert np.isfinite(cross_entropy_error(np.array([[0.0, 1.0]], dtype=dtype), np.array([0])))
    # a confidently wrong logit of 1e4 is costed exactly, not as inf
    big = np.array([[1e4, 0.0]], dtype=dtype)
    assert softmax_cross_entropy(big, np.array([1])) == pytest.approx(1e4, rel=1e-6)


def test_cross_entropy_of_a_single_sample():
    y = np.array([0.1, 0.7, 0.2])
    assert cross_entropy_error(y, np.array([0, 1, 0])) == pytest.approx(-np.log(0.7))
    assert cross_entropy_error(y, 1) == pytest.approx(-np.log(0.7))


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_matches_definition_and_extremes(dtype):
    x = np.array([-2.0, 0.5, 3.0], dtype=dtype)
    t = np.array([0, 1, 1])
    p = 1 / (1 + np.exp(-x.astype(np.float64)))
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert binary_cross_entropy_with_logits(x, t) == pytest.approx(expected, rel=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = binary_cross_entropy_with_logits(np.array([1e4, -1e4], dtype=dtype), [0, 1])
    assert loss == pytest.approx(1e4, rel=1e-6)


def test_relu_keeps_dtype():
    x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    assert relu(x).dtype == np.float32
    np.testing.assert_array_equal(relu(x), [0, 0, 2])
