"""The synthetic data sets: the originals' draws from the legacy seed 1, shapes, errors."""

import numpy as np
import pytest

from dataset import gaussian_blobs, noisy_circles, noisy_line, three_clusters_1d


def test_noisy_line_draws_x_then_the_noise():
    rs = np.random.RandomState(1)
    x_ref = rs.uniform(0, 1, 20)
    t_ref = 2 * x_ref + rs.randn(20) * 0.2
    x, t = noisy_line(1)
    assert x.shape == t.shape == (20, 1)
    np.testing.assert_array_equal(x[:, 0], x_ref)
    np.testing.assert_array_equal(t[:, 0], t_ref)
    assert x[0, 0] == pytest.approx(0.417022004702574)  # the first uniform of seed 1


def test_three_clusters_are_the_middle_class_then_left_then_right():
    rs = np.random.RandomState(1)
    ref = np.vstack([rs.randn(20, 1) * 0.5, rs.randn(10, 1) * 0.5 - 2, rs.randn(10, 1) * 0.5 + 2])
    x, t = three_clusters_1d(1)
    np.testing.assert_array_equal(x, ref)
    assert t.dtype == np.int64 and t.tolist() == [1] * 20 + [0] * 20
    assert np.abs(x[:20]).max() < 2 and np.all(np.abs(x[20:]) > 0.5)


def test_gaussian_blobs_draw_class_0_then_class_1():
    rs = np.random.RandomState(1)
    ref = np.vstack([rs.randn(20, 2) * 1.2 + [-1, 0], rs.randn(20, 2) * 1.2 + [1, 0]])
    x, t = gaussian_blobs(1)
    np.testing.assert_array_equal(x, ref)
    assert t.tolist() == [0] * 20 + [1] * 20


def test_noisy_circles_are_make_circles_without_shuffling():
    angles = np.linspace(0, 2 * np.pi, 50, endpoint=False)
    clean = np.vstack([np.append(np.cos(angles), 0.3 * np.cos(angles)),
                       np.append(np.sin(angles), 0.3 * np.sin(angles))]).T
    rs = np.random.RandomState(1)
    x, t = noisy_circles(rs)
    np.testing.assert_allclose(x, clean + np.random.RandomState(1).normal(scale=0.1,
                                                                        size=(100, 2)))
    assert t.tolist() == [0] * 50 + [1] * 50
    # the generator was passed in: drawing goes on from where the data left off
    after = np.random.RandomState(1)
    after.normal(size=(100, 2))
    assert rs.randn() == after.randn()
    radius = np.hypot(*x.T)
    assert radius[:50].min() > radius[50:].max()


@pytest.mark.parametrize("make", [noisy_line, three_clusters_1d, gaussian_blobs, noisy_circles])
def test_same_seed_same_data_other_seed_other_data_and_generators_accepted(make):
    a, b, c = make(3), make(3), make(4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    x, t = make(np.random.default_rng(0))
    assert x.dtype == np.float64 and len(x) == len(t)


@pytest.mark.parametrize("call, message", [
    (lambda: noisy_line(-1), "seed"), (lambda: noisy_line(1.5), "seed"),
    (lambda: noisy_line(1, n=0), "n must be"),
    (lambda: three_clusters_1d(1, n_per_class=1), "n_per_class"),
    (lambda: noisy_circles(1, factor=1.5), "between 0 and 1"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()
