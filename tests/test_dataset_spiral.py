"""The second book's spiral: three arms of 100 points, radius i/100, one-hot classes."""

import numpy as np
import pytest

from dataset import spiral


def test_shapes_classes_and_radii():
    x, t = spiral.load_data()
    assert x.shape == (300, 2) and x.dtype == np.float32
    assert t.shape == (300, 3) and t.dtype == np.int32
    np.testing.assert_array_equal(t.argmax(axis=1), np.repeat([0, 1, 2], 100))
    radius = np.tile(np.arange(100) / 100, 3)
    np.testing.assert_allclose(np.hypot(x[:, 0], x[:, 1]), radius, atol=1e-6)


def test_the_angles_follow_the_arms_with_the_seeds_noise():
    x, _ = spiral.load_data(seed=7)
    noise = np.random.RandomState(7).randn(3, 100)
    r = np.arange(100) / 100
    theta = 4.0 * np.arange(3)[:, None] + 4.0 * r + 0.2 * noise
    np.testing.assert_allclose(x[:, 0], (r * np.sin(theta)).ravel(), atol=1e-6)
    np.testing.assert_allclose(x[:, 1], (r * np.cos(theta)).ravel(), atol=1e-6)


def test_deterministic_and_seed_checked():
    np.testing.assert_array_equal(spiral.load_data()[0], spiral.load_data()[0])
    assert not np.array_equal(spiral.load_data(1)[0], spiral.load_data(2)[0])
    with pytest.raises(ValueError, match="seed must be a whole number"):
        spiral.load_data(-1)
