"""Every layer's backward pass against central differences, in float64, on random shapes."""

import numpy as np
import pytest

from common.checks.gradients import numerical_gradient, relative_error
from common.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    Relu,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
)

SEEDS = range(5)
TOL = 1e-6


def away_from_zero(rng, shape, margin=0.1):
    """Random values with |x| >= margin, so that a ±1e-4 probe never crosses ReLU's kink."""
    x = rng.standard_normal(shape)
    return np.where(x >= 0, x + margin, x - margin)


def check_layer(layer, x, params=(), forward=None, rng=None):
    """Compare backward(G) with the numerical gradient of sum(forward(x) * G)."""
    forward = forward or layer.forward
    out = forward(x)
    G = rng.standard_normal(out.shape)
    G_before = G.copy()
    dx = layer.backward(G)
    np.testing.assert_array_equal(G, G_before, err_msg="backward must not modify dout")
    grads = {name: getattr(layer, "d" + name).copy() for name in params}
    f = lambda _: float(np.sum(forward(x) * G))  # noqa: E731
    assert dx.shape == x.shape
    assert relative_error(dx, numerical_gradient(f, x)) < TOL
    for name in params:
        assert relative_error(grads[name], numerical_gradient(f, getattr(layer, name))) < TOL, name


@pytest.mark.parametrize("seed", SEEDS)
def test_affine_gradients_with_image_shaped_input(seed):
    rng = np.random.default_rng(seed)
    n, c, h = rng.integers(2, 5, 3)
    d, m = c * h * 2, rng.integers(1, 6)
    layer = Affine(rng.standard_normal((d, m)), rng.standard_normal(m))
    check_layer(layer, rng.standard_normal((n, c, h, 2)), ("W", "b"), rng=rng)


def test_affine_without_input_gradient_still_gives_parameter_gradients():
    rng = np.random.default_rng(0)
    W, b, x = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((5, 4))
    full, skip = Affine(W, b), Affine(W, b, input_grad=False)
    G = rng.standard_normal((5, 3))
    full.forward(x)
    skip.forward(x)
    assert skip.backward(G) is None
    assert full.backward(G).shape == x.shape
    np.testing.assert_allclose(skip.dW, full.dW)
    np.testing.assert_allclose(skip.db, full.db)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cls", [Relu, Sigmoid, Softmax])
def test_activation_gradients(cls, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(2, 6, rng.integers(1, 4)))
    check_layer(cls(), away_from_zero(rng, shape), rng=rng)


@pytest.mark.parametrize("seed", SEEDS)
def test_dropout_gradient_with_fixed_mask(seed):
    rng = np.random.default_rng(seed)
    layer = Dropout(0.4, rng=seed)
    x = rng.standard_normal((4, 7))
    layer.forward(x, train_flg=True)
    mask = layer.mask.copy()
    assert 0 < np.count_nonzero(mask) < mask.size
    np.testing.assert_allclose(mask[mask != 0], 1 / 0.6)

    def forward_with_fixed_mask(x):
        return x * mask

    layer.mask = mask
    out = forward_with_fixed_mask(x)
    G = rng.standard_normal(out.shape)
    dx = layer.backward(G)
    f = lambda _: float(np.sum(forward_with_fixed_mask(x) * G))  # noqa: E731
    assert relative_error(dx, numerical_gradient(f, x)) < TOL


def test_dropout_is_identity_at_inference_and_unbiased_in_training():
    x = np.ones((200, 500), dtype=np.float32)
    layer = Dropout(0.3, rng=0)
    assert layer.forward(x, train_flg=False) is x
    out = layer.forward(x, train_flg=True)
    assert out.dtype == np.float32
    assert abs(out.mean() - 1) < 0.01
    assert abs(np.mean(out == 0) - 0.3) < 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_gradients_in_training_mode(seed):
    rng = np.random.default_rng(seed)
    n, d = rng.integers(2, 7), rng.integers(1, 6)
    layer = BatchNormalization(rng.standard_normal(d) + 1.5, rng.standard_normal(d))
    x = rng.standard_normal((n, d)) * 3 + 1

    def forward(x):
        return layer.forward(x, train_flg=True)

    check_layer(layer, x, ("gamma", "beta"), forward=forward, rng=rng)


def test_batchnorm_normalises_and_tracks_running_statistics():
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((500, 3)) * [1, 2, 3] + [5, -1, 0]).astype(np.float32)
    layer = BatchNormalization(np.ones(3, np.float32), np.zeros(3, np.float32), momentum=0.5)
    out = layer.forward(x, train_flg=True)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)
    for _ in range(30):
        layer.forward(x, train_flg=True)
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.running_var, x.var(axis=0), rtol=1e-4)
    np.testing.assert_allclose(layer.forward(x, train_flg=False), out, atol=1e-3)


def test_batchnorm_accepts_image_batches():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 2, 3, 3))
    layer = BatchNormalization(np.ones(18), np.zeros(18))
    out = layer.forward(x)
    assert out.shape == x.shape
    assert layer.backward(np.ones_like(out)).shape == x.shape


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_gradient(seed, one_hot):
    rng = np.random.default_rng(seed)
    n, k = rng.integers(2, 8), rng.integers(2, 6)
    x = rng.standard_normal((n, k)) * 2
    t = rng.integers(0, k, n)
    if one_hot:
        t = np.eye(k)[t]
    layer = SoftmaxWithLoss()
    f = lambda _: layer.forward(x, t)  # noqa: E731
    f(x)
    dx = layer.backward(2.5)
    assert relative_error(dx, 2.5 * numerical_gradient(f, x)) < TOL


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("column", [False, True])
def test_sigmoid_with_loss_gradient(seed, column):
    rng = np.random.default_rng(seed)
    n = rng.integers(2, 9)
    x = rng.standard_normal((n, 1) if column else n) * 2
    t = rng.integers(0, 2, n)
    layer = SigmoidWithLoss()
    f = lambda _: layer.forward(x, t)  # noqa: E731
    f(x)
    dx = layer.backward()
    assert dx.shape == x.shape
    assert relative_error(dx, numerical_gradient(f, x)) < TOL


def test_sigmoid_with_loss_rejects_several_outputs():
    with pytest.raises(ValueError, match="one logit"):
        SigmoidWithLoss().forward(np.zeros((4, 2)), np.zeros(4))


def test_loss_layers_are_finite_and_correct_for_extreme_logits():
    x = np.array([[1e4, -1e4], [-1e4, 1e4]], dtype=np.float32)
    layer = SoftmaxWithLoss()
    assert layer.forward(x, np.array([0, 1])) == 0
    assert layer.forward(x, np.array([1, 0])) == pytest.approx(2e4)
    assert np.all(np.isfinite(layer.backward()))
    s = SigmoidWithLoss()
    assert s.forward(np.array([1e4, -1e4], np.float32), np.array([0, 1])) == pytest.approx(1e4)
    assert np.all(np.isfinite(s.backward()))


@pytest.mark.parametrize(
    "make, call",
    [
        (lambda: Relu(), lambda layer, x: layer.forward(x)),
        (lambda: Sigmoid(), lambda layer, x: layer.forward(x)),
        (lambda: Softmax(), lambda layer, x: layer.forward(x)),
        (lambda: Dropout(0.5, rng=0), lambda layer, x: layer.forward(x, True)),
        (lambda: Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32)),
         lambda layer, x: layer.forward(x)),
        (lambda: BatchNormalization(np.ones(3, np.float32), np.zeros(3, np.float32)),
         lambda layer, x: layer.forward(x, True)),
    ],
)
def test_float32_in_float32_out(make, call):
    layer = make()
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    out = call(layer, x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32


def test_softmax_with_loss_keeps_float32():
    layer = SoftmaxWithLoss()
    layer.forward(np.zeros((3, 4), np.float32), np.array([0, 1, 2]))
    assert layer.backward().dtype == np.float32
