"""The real MNIST, from the folder in MNIST_DIR (skipped when it is not set; CI sets it)."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import numpy as np
import pytest

import dataset.mnist as mnist
from dataset import load_mnist

MNIST_DIR = os.environ.get("MNIST_DIR", "")
pytestmark = pytest.mark.skipif(not MNIST_DIR, reason="MNIST_DIR is not set")

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory):
    """A private XDG_CACHE_HOME for the module; the first load in it builds the cache."""
    xdg = tmp_path_factory.mktemp("xdg")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(xdg))
        patch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/"])  # never the internet
        yield xdg


@pytest.fixture(scope="module")
def book_arrays(cache_home):
    return load_mnist()


def test_shapes_dtypes_and_range(book_arrays):
    (x_train, t_train), (x_test, t_test) = book_arrays
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == x_test.dtype == np.float32
    assert t_train.shape == (60000,) and t_test.shape == (10000,)
    assert t_train.dtype == t_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert 0.12 < x_train.mean() < 0.14  # MNIST's well-known mean intensity, 0.1307


def test_label_counts(book_arrays):
    (_, t_train), (_, t_test) = book_arrays
    np.testing.assert_array_equal(np.bincount(t_train, minlength=10), TRAIN_COUNTS)
    np.testing.assert_array_equal(np.bincount(t_test, minlength=10), TEST_COUNTS)


def test_unflattened_one_hot(book_arrays, cache_home):
    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, one_hot_label=True)
    assert x_train.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert t_train.shape == (60000, 10) and t_test.shape == (10000, 10)
    # np.array_equal: assert_array_equal's NaN bookkeeping takes seconds on 47M values.
    assert np.array_equal(x_train.reshape(60000, 784), book_arrays[0][0])
    assert np.array_equal(t_train.argmax(axis=1), book_arrays[0][1])


def test_cached_load_is_fast(book_arrays, cache_home):
    times = []
    for _ in range(3):
        start = time.perf_counter()
        load_mnist()
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 1.0, times


def test_cache_lands_in_the_user_cache_when_the_folder_is_read_only(book_arrays, cache_home):
    folder = Path(MNIST_DIR)
    beside = folder / mnist.CACHE_NAME
    private = list((cache_home / "dlscratch" / "mnist" / "parsed").glob(f"*/{mnist.CACHE_NAME}"))
    mode = folder.stat().st_mode
    if mode & 0o222 and os.access(folder, os.W_OK):
        assert beside.is_file()
    else:
        assert len(private) == 1
