"""Helpers: one-hot, shuffling, stratified split, smoothing, confusion matrix,
numerical gradients, and the PNG plots."""

import numpy as np
import pytest
from helpers import assert_png

from common.checks.gradients import numerical_gradient, relative_error
from common.plots.figures import plot_confusion_matrix, plot_image_grid, plot_learning_curves
from common.util import (
    confusion_matrix,
    shuffle_dataset,
    smooth_curve,
    to_one_hot,
    train_test_split,
)


def test_to_one_hot():
    np.testing.assert_array_equal(to_one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    assert to_one_hot(np.array([1, 3])).shape == (2, 4)
    with pytest.raises(ValueError, match="0..2"):
        to_one_hot(np.array([3]), 3)
    with pytest.raises(ValueError, match="integer labels"):
        to_one_hot(np.array([0.5]))


def test_shuffle_dataset_keeps_pairs_together():
    x = np.arange(20).reshape(10, 2)
    t = np.arange(10)
    xs, ts = shuffle_dataset(x, t, seed=0)
    np.testing.assert_array_equal(xs[:, 0] // 2, ts)
    assert not np.array_equal(ts, t)
    np.testing.assert_array_equal(shuffle_dataset(x, t, seed=0)[1], ts)


def test_train_test_split_is_stratified_and_deterministic():
    t = np.repeat([0, 1, 2], [50, 30, 20])
    x = np.arange(100)
    (x_tr, t_tr), (x_te, t_te) = train_test_split(x, t, test_size=0.2, seed=1)
    assert np.bincount(t_te).tolist() == [10, 6, 4]
    assert np.bincount(t_tr).tolist() == [40, 24, 16]
    assert sorted(np.concatenate([x_tr, x_te]).tolist()) == list(range(100))
    again = train_test_split(x, t, test_size=0.2, seed=1)
    np.testing.assert_array_equal(again[1][0], x_te)
    assert not np.array_equal(train_test_split(x, t, 0.2, seed=2)[1][0], x_te)
    (_, t_tr_oh), _ = train_test_split(x, np.eye(3)[t], test_size=0.2, seed=1)
    assert t_tr_oh.sum(axis=0).tolist() == [40, 24, 16]


def test_smooth_curve_keeps_length_and_reduces_noise():
    rng = np.random.default_rng(0)
    noisy = np.linspace(2, 0, 300) + rng.standard_normal(300) * 0.3
    smooth = smooth_curve(noisy)
    assert smooth.shape == noisy.shape
    assert np.std(np.diff(smooth)) < 0.2 * np.std(np.diff(noisy))
    np.testing.assert_allclose(smooth_curve(np.full(50, 3.0)), 3.0)


def test_confusion_matrix():
    m = confusion_matrix(np.array([0, 0, 1, 2, 2]), np.array([0, 1, 1, 2, 0]), 3)
    np.testing.assert_array_equal(m, [[1, 1, 0], [0, 1, 0], [1, 0, 1]])


def test_numerical_gradient_of_any_ndim_restores_input_exactly():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    original = x.copy()
    grad = numerical_gradient(lambda a: float(np.sum(a**3)), x)
    np.testing.assert_array_equal(x, original)
    assert relative_error(grad, 3 * original**2) < 1e-8
    with pytest.raises(ValueError, match="contiguous"):
        numerical_gradient(lambda a: 0.0, np.ones((3, 4)).T)




def test_plots_write_valid_pngs(tmp_path):
    loss = np.exp(-np.linspace(0, 3, 100)) + 0.05
    paths = [
        plot_learning_curves(loss, [0.5, 0.7, 0.8], [0.45, 0.65, 0.7], tmp_path / "a" / "c.png",
                             title="curves"),
        plot_confusion_matrix(np.array([[5, 1], [2, 7]]), ["no", "yes"], tmp_path / "cm.png"),
        plot_image_grid(np.random.default_rng(0).random((3, 28, 28)), ["a", "b", "c"],
                        tmp_path / "grid.png"),
    ]
    for path in paths:
        assert_png(path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "c.png", "cm.png", "grid.png"]
