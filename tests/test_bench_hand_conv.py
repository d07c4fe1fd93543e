"""The hand-assembled networks of benchmarks.bench_hand_conv compute what the library's do,
so that their times compare like with like; and the book's chapter 7 program runs."""

import numpy as np
import pytest
from helpers import needs_mnist

from benchmarks.bench_hand_conv import hand_deep, hand_simple, train_convnet
from benchmarks.book_convnet import BookSimpleConvNet
from common.nets.conv import DeepConvNet, SimpleConvNet


def mnist_like(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)


def assert_same_gradients(expected, got, rtol):
    assert set(got) == set(expected)
    for key, g in expected.items():
        np.testing.assert_allclose(got[key], g, rtol=rtol, atol=1e-12 * np.abs(g).max(),
                                   err_msg=key)


def test_the_books_class_and_the_hand_assembled_list_compute_the_librarys_gradients():
    x, t = mnist_like(6)
    lib = SimpleConvNet(dtype=np.float64, weight_init_std="he", seed=0)
    expected = {k: g.copy() for k, g in lib.gradient(x, t).items()}
    book = BookSimpleConvNet(seed=1)
    assert all(p.dtype == np.float64 for p in book.params.values())
    for key, p in book.params.items():
        p[...] = lib.params[key]
    book_grads = book.gradient(x, t)  # float32 images, float64 weights
    assert book.last_layer.loss == pytest.approx(lib.last_loss, rel=1e-12)
    assert_same_gradients(expected, book_grads, 1e-10)
    hand = hand_simple(lib, np.float64)
    assert_same_gradients(expected, hand.gradient(x, t), 1e-10)
    lib32 = SimpleConvNet(weight_init_std="he", seed=0)
    hand32 = hand_simple(lib32)
    assert hand32.dtype == np.float32
    expected32 = {k: g.copy() for k, g in lib32.gradient(x, t).items()}
    for key, g in hand32.gradient(x, t).items():
        np.testing.assert_array_equal(g, expected32[key], err_msg=key)


def test_the_hand_assembled_deep_conv_net_computes_the_librarys_gradients():
    x, t = mnist_like(3, seed=1)
    lib = DeepConvNet(seed=0)
    hand = hand_deep(lib)
    assert list(hand.params) == list(lib.params)
    expected = {k: g.copy() for k, g in lib.gradient(x, t).items()}
    for key, g in hand.gradient(x, t).items():  # the same dropout masks: the rng copied
        np.testing.assert_array_equal(g, expected[key], err_msg=key)


@pytest.mark.slow
@needs_mnist
def test_the_books_chapter_7_program_runs_and_learns(capsys):
    result = train_convnet(epochs=1, verbose=False, train_size=1000, test_size=1000)
    assert result["epochs"] == 1 and result["train_s_per_epoch"] > 0
    # 10 iterations of batch 100 from the book's small initial weights: measured 0.41
    # (chance: 0.10)
    assert result["accuracy"] > 0.25
