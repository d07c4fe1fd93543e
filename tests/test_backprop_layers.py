"""The library pieces of the backpropagation chapter: Tanh, Gaussian, MatMul, SquaredErrorLoss,
the gates of a computational graph, and the new loss functions, each against its definition
and (in float64, on random shapes with N >= 2) against central differences."""

import warnings

import numpy as np
import pytest

from common.checks.gradients import numerical_gradient, relative_error
from common.functions import (
    cross_entropy_error,
    gaussian,
    mean_squared_error,
    softmax,
    softmax_loss,
    sum_squared_error,
)
from common.layers import (
    AddLayer,
    ExpLayer,
    Gaussian,
    MatMul,
    MulLayer,
    OffsetLayer,
    ReciprocalLayer,
    ScaleLayer,
    SquaredErrorLoss,
    Tanh,
)

SEEDS = range(4)
TOL = 1e-7


def random_shape(rng, min_rank=1):
    """A shape of rank min_rank..3 whose first axis (the samples) is at least 2."""
    rank = rng.integers(min_rank, 4)
    return (int(rng.integers(2, 6)), *(int(s) for s in rng.integers(1, 6, rank - 1)))


def check_backward(layer, x, params=(), rng=None):
    """backward(G) against the numerical gradient of Σ forward(x)·G, for x and the params."""
    out = layer.forward(x)
    G = rng.standard_normal(out.shape)
    G_before = G.copy()
    dx = layer.backward(G)
    np.testing.assert_array_equal(G, G_before, err_msg="backward must not modify dout")
    assert dx.shape == x.shape
    grads = {name: getattr(layer, "d" + name).copy() for name in params}
    f = lambda _: float(np.sum(layer.forward(x) * G))  # noqa: E731
    assert relative_error(dx, numerical_gradient(f, x)) < TOL
    for name in params:
        assert relative_error(grads[name], numerical_gradient(f, getattr(layer, name))) < TOL


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("cls", [Tanh, Gaussian])
def test_activation_gradients(cls, seed):
    rng = np.random.default_rng(seed)
    check_backward(cls(), rng.standard_normal(random_shape(rng)) * 1.5, rng=rng)


def test_activations_compute_their_definitions():
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(Tanh().forward(x), (np.exp(x) - np.exp(-x)) /
                               (np.exp(x) + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(Gaussian().forward(x), np.e ** -(x**2), rtol=1e-12)
    np.testing.assert_allclose(gaussian(x), np.e ** -(x**2), rtol=1e-12)
    assert Gaussian().forward(np.zeros(2))[0] == 1


@pytest.mark.parametrize("cls", [Tanh, Gaussian])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_keep_dtype_and_stay_finite_for_huge_inputs(cls, dtype):
    x = np.array([[-1e30, -1e4, 0.0], [1.0, 1e4, 1e30]], dtype=dtype)
    layer = cls()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer.forward(x)
        dx = layer.backward(np.ones_like(out))
    assert out.dtype == dtype and dx.dtype == dtype
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


@pytest.mark.parametrize("seed", SEEDS)
def test_matmul_gradients(seed):
    rng = np.random.default_rng(seed)
    n, d, m = (int(v) for v in rng.integers(2, 6, 3))
    layer = MatMul(rng.standard_normal((d, m)))
    check_backward(layer, rng.standard_normal((n, d)), ("W",), rng=rng)


def test_matmul_has_no_bias_keeps_its_array_and_rejects_a_wrong_width():
    W = np.ones((3, 2), np.float32)
    layer = MatMul(W)
    assert layer.param_names == ("W",) and layer.W is W
    out = layer.forward(np.zeros((4, 3), np.float32))
    assert out.dtype == np.float32 and not out.any()  # through the origin
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    with pytest.raises(ValueError, match=r"MatMul expects 3 features per sample, got 2"):
        layer.forward(np.zeros((4, 2)))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("one_output", [False, True])
def test_squared_error_loss_value_and_gradient(seed, one_output):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 8)), int(rng.integers(1, 5))
    shape = (n,) if one_output else (n, k)
    y, t = rng.standard_normal(shape), rng.standard_normal(shape)
    layer = SquaredErrorLoss()
    assert layer.forward(y, t) == pytest.approx(np.sum((y - t) ** 2) / (2 * n), rel=1e-12)
    dy = layer.backward(2.5)
    assert dy.shape == y.shape
    f = lambda _: layer.forward(y, t)  # noqa: E731
    assert relative_error(dy, 2.5 * numerical_gradient(f, y)) < TOL


def test_squared_error_loss_accepts_column_targets_keeps_float32_and_rejects_mismatch():
    layer = SquaredErrorLoss()
    y = np.array([[1.0], [3.0]], np.float32)
    assert layer.forward(y, np.array([0.0, 1.0])) == pytest.approx((1 + 4) / 4)
    assert layer.backward().dtype == np.float32
    with pytest.raises(ValueError, match="one target per output"):
        layer.forward(np.zeros((4, 2)), np.zeros(4))


@pytest.mark.parametrize("seed", SEEDS)
def test_two_input_gates_against_central_differences(seed):
    rng = np.random.default_rng(seed)
    shape = random_shape(rng)
    x, y, G = (rng.standard_normal(shape) for _ in range(3))
    for gate, definition in ((MulLayer(), x * y), (AddLayer(), x + y)):
        np.testing.assert_allclose(gate.forward(x, y), definition)
        dx, dy = gate.backward(G)
        fx = lambda _, gate=gate: float(np.sum(gate.forward(x, y) * G))  # noqa: E731
        assert relative_error(dx, numerical_gradient(fx, x)) < TOL
        assert relative_error(dy, numerical_gradient(fx, y)) < TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_one_input_gates_against_central_differences(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 2, random_shape(rng)) * rng.choice([-1, 1])
    G = rng.standard_normal(x.shape)
    gates = {ScaleLayer(-3.0): -3 * x, OffsetLayer(1.0): x + 1, ExpLayer(): np.exp(x),
             ReciprocalLayer(): 1 / x}
    for gate, definition in gates.items():
        np.testing.assert_allclose(gate.forward(x), definition, rtol=1e-12)
        dx = gate.backward(G)
        np.testing.assert_allclose(dx, G * gate.local_gradient(), rtol=1e-12)
        f = lambda _, gate=gate: float(np.sum(gate.forward(x) * G))  # noqa: E731
        assert relative_error(dx, numerical_gradient(f, x)) < TOL, type(gate).__name__


def test_gates_on_plain_numbers_give_the_books_apple_example():
    # the book's figure 5-16: 2 apples at 100 yen, tax 1.1
    apples, tax = MulLayer(), MulLayer()
    price = tax.forward(apples.forward(100, 2), 1.1)
    assert price == pytest.approx(220)
    dapples_price, dtax = tax.backward(1)
    dapple, dnumber = apples.backward(dapples_price)
    assert (dapple, dnumber, dtax) == pytest.approx((2.2, 110, 200))
    assert AddLayer().local_gradient() == (1.0, 1.0)


def test_reciprocal_of_zero_is_a_clear_error():
    with pytest.raises(ValueError, match="x = 0"):
        ReciprocalLayer().forward(np.array([1.0, 0.0]))


def test_sum_and_mean_squared_error_are_the_books_definitions():
    y = np.array([[0.1, 0.05, 0.6, 0.0], [0.2, 0.3, 0.4, 0.1]])
    t = np.array([[0, 0, 1, 0], [0, 1, 0, 0]])
    assert sum_squared_error(y[0], t[0]) == pytest.approx(0.5 * (0.01 + 0.0025 + 0.16))
    assert sum_squared_error(y, t) == pytest.approx(0.5 * np.sum((y - t) ** 2))
    assert mean_squared_error(y, t) == pytest.approx(sum_squared_error(y, t) / 2)
    assert mean_squared_error(y[0], t[0]) == sum_squared_error(y[0], t[0])
    with pytest.raises(ValueError, match="one shape"):
        sum_squared_error(y, t[0])


def test_softmax_loss_is_cross_entropy_of_softmax_and_finite_for_huge_logits():
    rng = np.random.default_rng(0)
    X, t = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    assert softmax_loss(X, t) == pytest.approx(cross_entropy_error(softmax(X), t), rel=1e-12)
    assert softmax_loss(X, np.eye(3)[t]) == pytest.approx(softmax_loss(X, t), rel=1e-12)
    assert softmax_loss(np.array([1e4, -1e4]), np.array([1])) == pytest.approx(2e4)
