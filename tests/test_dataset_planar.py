"""The 2-D sets of the playground: shapes, classes where the picture puts them, seeds, errors."""

import numpy as np
import pytest

from dataset.planar import PLANAR_SETS, iris_petals, two_circles, two_spirals, xor_quadrants


@pytest.mark.parametrize("name", [name for name in PLANAR_SETS if name != "iris"])
def test_every_set_has_n_points_of_two_mixed_classes(name):
    x, t = PLANAR_SETS[name](101, 0.1, 3)
    assert x.shape == (101, 2) and x.dtype == np.float64
    assert t.shape == (101,) and t.dtype == np.int64
    assert sorted(np.bincount(t)) == [50, 51]
    assert 0 < t[:20].sum() < 20  # the classes are mixed, not one block after the other
    assert np.abs(x).max() < 2.0
    again = PLANAR_SETS[name](101, 0.1, 3)
    np.testing.assert_array_equal(x, again[0])
    assert not np.array_equal(x, PLANAR_SETS[name](101, 0.1, 4)[0])


def test_noise_moves_the_points_and_only_them():
    x0, t0 = two_circles(200, 0.0, 1)
    x1, t1 = two_circles(200, 0.2, 1)
    np.testing.assert_array_equal(t0, t1)
    assert 0.1 < np.std(x1 - x0) < 0.3


def test_without_noise_each_class_is_where_its_rule_says():
    x, t = xor_quadrants(400, 0.0, 0)
    np.testing.assert_array_equal(t, x[:, 0] * x[:, 1] < 0)
    x, t = two_circles(400, 0.0, 0)
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius[t == 1].max() <= 0.5 < 0.75 <= radius[t == 0].min()
    x, t = two_spirals(400, 0.0, 0)
    # the arms are half a turn apart: the same radius, opposite points
    assert np.hypot(*x.T).max() <= 1.0


def test_iris_petals_are_the_150_flowers_standardised():
    x, t = iris_petals()
    assert x.shape == (150, 2) and np.bincount(t).tolist() == [50, 50, 50]
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1)
    # setosa has the smallest petals of all
    assert x[t == 0, 0].max() < x[t != 0, 0].min()


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 1}, "n .* >= 2"), ({"n": 2.5}, "whole number"), ({"noise": -1}, "noise"),
    ({"noise": float("nan")}, "noise"), ({"rng": -3}, "rng"),
])
def test_bad_arguments_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        two_spirals(**{"n": 10, **kwargs})
