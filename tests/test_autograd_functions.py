"""Every autograd Function against central differences (float64), dtypes, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from common.autograd import Function, Variable, test_mode
from common.autograd import array_utils as AU
from common.autograd import elementwise as E
from common.autograd import losses as L
from common.autograd import regularization as R
from common.autograd import tensor as T
from common.autograd.checks import array_allclose, array_equal, gradient_check, numerical_grad

RNG = np.random.default_rng(27)
W34 = RNG.standard_normal((4, 3))
B3 = RNG.standard_normal(3)
LABELS = np.array([0, 3, 1, 2, 3])
TARGETS = (RNG.random((5, 4)) > 0.5).astype(np.float64)
GAMMA, BETA = RNG.uniform(0.5, 1.5, 4), RNG.standard_normal(4)
WEIGHTS = RNG.standard_normal((5, 4))  # makes a loss of a normalised output non-trivial


def bn(x):
    return R.batch_nrom(x, GAMMA, BETA, np.zeros(4), np.ones(4)) * WEIGHTS


# name -> (f of one Variable, input shape); inputs are drawn away from kinks (|x| > 0.05)
CASES = {
    "add_broadcast": (lambda x: x + B3[None, :3].T[:1], (5, 4)),
    "add_row": (lambda x: x[:, :3] + B3, (5, 4)),
    "radd_of_row": (lambda x: Variable(np.ones((5, 4))) + x[0], (5, 4)),
    "sub_column": (lambda x: x - x[:, :1], (5, 4)),
    "mul_broadcast": (lambda x: x * x[0], (5, 4)),
    "div_broadcast": (lambda x: x / (x[:, :1] ** 2 + 1.0), (5, 4)),
    "rdiv": (lambda x: 1.0 / (x * x + 0.5), (5, 4)),
    "neg": (lambda x: -x, (5, 4)),
    "pow": (lambda x: x**3, (5, 4)),
    "sin": (E.sin, (5, 4)),
    "cos": (E.cos, (5, 4)),
    "tanh": (E.tanh, (5, 4)),
    "exp": (E.exp, (5, 4)),
    "log": (lambda x: E.log(x * x), (5, 4)),
    "sigmoid": (E.sigmoid, (5, 4)),
    "sigmoid_simple": (E.sigmoid_simple, (5, 4)),
    "relu": (E.relu, (5, 4)),
    "leaky_relu": (E.leaky_relu, (5, 4)),
    "clip": (lambda x: E.clip(x, -0.5, 0.5), (5, 4)),
    "reshape": (lambda x: T.reshape(x, (2, 10)) * np.arange(20.0).reshape(2, 10), (5, 4)),
    "transpose": (lambda x: T.transpose(x, (2, 0, 1)) * np.arange(24.0).reshape(4, 2, 3),
                  (2, 3, 4)),
    "transpose_negative_axes": (lambda x: T.transpose(x, (-1, 0, 1)) * np.arange(24.0)
                                .reshape(4, 2, 3), (2, 3, 4)),
    "get_item_repeated": (lambda x: x[[0, 0, 3]] * np.arange(12.0).reshape(3, 4), (5, 4)),
    "get_item_slice": (lambda x: x[1:, ::2], (5, 4)),
    "expand_dims": (lambda x: T.expand_dims(x, 1) * np.arange(20.0).reshape(5, 1, 4), (5, 4)),
    "flatten": (lambda x: T.flatten(x) * np.arange(24.0).reshape(2, 12), (2, 3, 4)),
    "sum_axis": (lambda x: T.sum(x, axis=(0, 2)) * np.arange(3.0), (2, 3, 4)),
    "sum_keepdims": (lambda x: T.sum(x, axis=1, keepdims=True) ** 2, (5, 4)),
    "sum_to": (lambda x: T.sum_to(x, (1, 4)) ** 2, (5, 4)),
    "broadcast_to": (lambda x: T.broadcast_to(x, (3, 5, 4)) * np.arange(60.0).reshape(3, 5, 4),
                     (5, 4)),
    "mean": (lambda x: T.mean(x, axis=0) ** 2, (5, 4)),
    "matmul": (lambda x: T.matmul(x, W34) ** 2, (5, 4)),
    "matmul_grad_w": (lambda w: T.matmul(W34.T, w) ** 2, (4, 2)),
    "linear": (lambda x: T.linear(x, W34, B3) ** 2, (5, 4)),
    "linear_no_bias": (lambda x: T.linear(x, W34) ** 2, (5, 4)),
    "linear_grad_b": (lambda b: T.linear(W34.T, np.eye(4), b) ** 2, (4,)),
    "linear_simple": (lambda x: T.linear_simple(x, W34, B3) ** 2, (5, 4)),
    "max": (lambda x: T.max(x, axis=1) ** 2, (5, 4)),
    "min_all": (lambda x: T.min(x) ** 2, (5, 4)),
    "softmax": (lambda x: L.softmax(x) * WEIGHTS, (5, 4)),
    "softmax_axis0": (lambda x: L.softmax(x, axis=0) * WEIGHTS, (5, 4)),
    "softmax_simple": (lambda x: L.softmax_simple(x) * WEIGHTS, (5, 4)),
    "log_softmax": (lambda x: L.log_softmax(x) * WEIGHTS, (5, 4)),
    "mean_squared_error": (lambda x: L.mean_squared_error(x, WEIGHTS), (5, 4)),
    "mean_squared_error_simple": (lambda x: L.mean_squared_error_simple(x, WEIGHTS), (5, 4)),
    "softmax_cross_entropy": (lambda x: L.softmax_cross_entropy(x, LABELS), (5, 4)),
    "softmax_cross_entropy_simple": (lambda x: L.softmax_cross_entropy_simple(x, LABELS),
                                     (5, 4)),
    "sigmoid_cross_entropy": (lambda x: L.sigmoid_cross_entropy(x, TARGETS), (5, 4)),
    "binary_cross_entropy": (lambda x: L.binary_cross_entropy(E.sigmoid(x), TARGETS), (5, 4)),
    "batch_norm": (bn, (5, 4)),
    "batch_norm_4d": (lambda x: R.batch_nrom(x, GAMMA[:3], BETA[:3], np.zeros(3), np.ones(3))
                      * np.arange(48.0).reshape(2, 3, 2, 4), (2, 3, 2, 4)),
    "embed_id": (lambda w: R.embed_id(np.array([[0, 2], [2, 2]]), w) ** 2, (3, 4)),
}


def draw(shape, seed=0):
    x = np.random.default_rng(seed).uniform(0.05, 1.5, shape)
    return x * np.random.default_rng(seed + 1).choice([-1.0, 1.0], shape)


@pytest.mark.parametrize("name", sorted(CASES))
def test_backprop_matches_central_differences(name):
    f, shape = CASES[name]
    assert gradient_check(f, draw(shape), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["batch_norm", "batch_norm_4d"])
def test_batch_norm_in_test_mode_matches_central_differences(name):
    f, shape = CASES[name]
    with test_mode():
        assert gradient_check(f, draw(shape), rtol=1e-5, atol=1e-7)


def test_dropout_matches_central_differences_with_a_fixed_mask():
    def f(x):
        np.random.seed(3)
        return R.dropout(x, 0.4) * WEIGHTS

    assert gradient_check(f, draw((5, 4)))


SECOND_ORDER = [
    "sin", "cos", "tanh", "exp", "log", "sigmoid", "sigmoid_simple", "rdiv", "pow",
    "div_broadcast", "mul_broadcast", "softmax", "log_softmax", "softmax_cross_entropy",
    "sigmoid_cross_entropy", "mean_squared_error", "linear", "sum_to", "mean",
    "batch_norm", "get_item_repeated", "max", "binary_cross_entropy",
]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_hessian_vector_products_match_central_differences(name):
    """d/dx Σ (∂f/∂x · r) by create_graph, against differences of the first gradient."""
    f, shape = CASES[name]
    x0 = draw(shape, seed=5)
    r = np.random.default_rng(6).standard_normal(shape)

    def first_gradient(a, create_graph=False):
        x = Variable(a)
        T.sum(f(x)).backward(create_graph=create_graph)
        return x, x.grad

    x, gx = first_gradient(x0.copy(), create_graph=True)
    x.cleargrad()
    T.sum(gx * r).backward()
    expected = numerical_grad(lambda a: first_gradient(a)[1].data * r, x0, eps=1e-5)
    got = np.zeros_like(x0) if x.grad is None else x.grad.data  # None: f is linear in x
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


F32 = np.float32
FLOAT32 = {
    "arithmetic": lambda x: (x * 2.0 + 1) / (x * x + 3) - x**2 + (-x) - 1.5,
    "broadcasting": lambda x: x * x[0] + x[:, :1] / 2,
    "sin": E.sin, "cos": E.cos, "tanh": E.tanh, "exp": E.exp, "log": lambda x: E.log(x * x),
    "sigmoid": E.sigmoid, "sigmoid_simple": E.sigmoid_simple, "relu": E.relu,
    "leaky_relu": E.leaky_relu, "clip": lambda x: E.clip(x, -0.5, 0.5),
    "reshape": lambda x: T.reshape(x, (2, 10)), "transpose": T.transpose,
    "get_item": lambda x: x[[0, 0, 2], 1:], "expand_dims": lambda x: T.expand_dims(x, 0),
    "sum": lambda x: T.sum(x, axis=1), "sum_to": lambda x: T.sum_to(x, (1, 4)),
    "broadcast_to": lambda x: T.broadcast_to(x, (2, 5, 4)), "mean": T.mean,
    "max": lambda x: T.max(x, axis=0), "min": T.min,
    "matmul": lambda x: T.matmul(x, np.ones((4, 3), F32)),
    "linear": lambda x: T.linear(x, np.ones((4, 3), F32), np.ones(3, F32)),
    "linear_simple": lambda x: T.linear_simple(x, np.ones((4, 3), F32), np.ones(3, F32)),
    "softmax": L.softmax, "softmax_simple": L.softmax_simple, "log_softmax": L.log_softmax,
    "softmax_cross_entropy": lambda x: L.softmax_cross_entropy(x, LABELS),
    "softmax_cross_entropy_simple": lambda x: L.softmax_cross_entropy_simple(x, LABELS),
    "sigmoid_cross_entropy": lambda x: L.sigmoid_cross_entropy(x, TARGETS > 0),
    "binary_cross_entropy": lambda x: L.binary_cross_entropy(E.sigmoid(x), TARGETS.astype(F32)),
    "mean_squared_error": lambda x: L.mean_squared_error(x, np.zeros((5, 4), F32)),
    "mean_squared_error_simple": lambda x: L.mean_squared_error_simple(x, np.zeros((5, 4), F32)),
    "batch_nrom": lambda x: R.batch_nrom(x, np.ones(4, F32), np.zeros(4, F32), np.zeros(4, F32),
                                         np.ones(4, F32)),
    "batch_nrom_4d": lambda x: R.batch_nrom(T.reshape(x, (5, 4, 1, 1)), np.ones(4, F32),
                                            np.zeros(4, F32), np.zeros(4, F32), np.ones(4, F32)),
    "dropout": R.dropout, "embed_id": lambda x: R.embed_id(np.array([1, 1, 4]), x),
}


@pytest.mark.parametrize("f", FLOAT32.values(), ids=FLOAT32.keys())
def test_functions_keep_float32(f):
    x = Variable(draw((5, 4)).astype(np.float32))
    y = f(x)
    assert y.dtype == np.float32
    T.sum(y).backward()
    assert x.grad.dtype == np.float32


def test_large_inputs_do_not_overflow():
    big = Variable(np.array([[-1000.0, 0.0, 1000.0]], np.float32))  # warnings are errors here
    assert np.array_equal(E.sigmoid(big).data, [[0.0, 0.5, 1.0]])
    assert np.array_equal(E.sigmoid_simple(big).data, [[0.0, 0.5, 1.0]])
    assert np.array_equal(L.softmax(big).data, [[0.0, 0.0, 1.0]])
    assert np.array_equal(L.softmax_simple(big).data, [[0.0, 0.0, 1.0]])
    assert L.log_softmax(big).data[0, 2] == 0.0
    assert L.softmax_cross_entropy(big, np.array([0])).data == 2000.0
    assert np.isfinite(L.sigmoid_cross_entropy(big, np.array([[1, 0, 1]])).data)
    assert np.isfinite(L.binary_cross_entropy(E.sigmoid(big), np.array([[1, 1, 0]])).data)


@pytest.mark.parametrize(
    ("labels", "said"),
    [(np.array([0, 4]), r"labels must be in \[0, 4\) for 4 classes, got 4"),
     (np.array([-1, 0]), r"in \[0, 4\).*got -1"),
     (np.array([0.0, 1.0]), r"labels must be integers in \[0, 4\)"),
     (np.array([0, 1, 2]), "expected 2 labels")],
)
def test_bad_labels_are_a_clear_error(labels, said):
    with pytest.raises(ValueError, match=said):
        L.softmax_cross_entropy(np.zeros((2, 4)), labels)
    with pytest.raises(ValueError, match=said):
        L.softmax_cross_entropy_simple(np.zeros((2, 4)), labels)


def test_bad_embedding_ids_are_a_clear_error():
    with pytest.raises(ValueError, match=r"ids must be in \[0, 3\)"):
        R.embed_id(np.array([0, 3]), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="integer ids"):
        R.embed_id(np.array([0.0]), np.zeros((3, 2)))


def test_accuracy_is_a_variable_without_a_graph():
    acc = L.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 1, 1]))
    assert type(acc) is Variable and acc.creator is None
    assert acc.data == pytest.approx(2 / 3)


def test_dropout_uses_the_books_mask_and_is_the_identity_in_test_mode():
    x = Variable(np.ones((3, 5)))
    np.random.seed(0)
    y = R.dropout(x, 0.3)
    np.random.seed(0)
    mask = np.random.rand(3, 5) > 0.3
    assert np.array_equal(y.data, mask / 0.7)
    with test_mode():
        assert R.dropout(x) is x


def test_batch_norm_updates_its_running_averages_and_uses_them_in_test_mode():
    x = draw((6, 4)) * 3 + 2
    mean, var = np.zeros(4), np.ones(4)
    R.batch_nrom(x, np.ones(4), np.zeros(4), mean, var)
    np.testing.assert_allclose(mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(var, 0.9 + 0.1 * x.var(axis=0, ddof=1))
    y = R.batch_nrom(x, np.ones(4), np.zeros(4), np.zeros(4), np.ones(4))
    np.testing.assert_allclose(y.data.mean(axis=0), 0, atol=1e-12)
    with test_mode():
        y = R.batch_nrom(x, np.full(4, 2.0), np.ones(4), mean, var)
        saved = mean.copy()
    np.testing.assert_allclose(y.data, 2 * (x - mean) / np.sqrt(var + 2e-5) + 1)
    assert np.array_equal(mean, saved)
    assert R.batch_norm is R.batch_nrom


def test_gradient_check_can_fail_and_says_where(capsys):
    class WrongSquare(Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            return gy * self.inputs[0] * 3.0

    assert not gradient_check(lambda x: WrongSquare()(x), np.array([1.0, 2.0]))
    assert "largest difference" in capsys.readouterr().out


def test_numerical_grad_is_float64_and_leaves_x_alone():
    x = np.array([1.0, 2.0], np.float32)
    g = numerical_grad(lambda a: a**3, x)
    assert g.dtype == np.float64 and np.allclose(g, [3.0, 12.0])
    assert x.tolist() == [1.0, 2.0]
    assert array_equal(Variable(x), x) and array_allclose(x, x + 1e-7)
    assert not array_equal(x, x[:1])


def test_array_helpers():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert np.array_equal(AU.sum_to_array(x, (3, 1)), x.sum(axis=(0, 2))[:, None])
    assert AU.sum_to_array(x, (4,)).shape == (4,)
    gy = np.ones(3)
    assert AU.reshape_sum_backward(gy, (2, 3, 4), (0, -1), False).shape == (1, 3, 1)
    assert AU.reshape_sum_backward(np.ones(()), (2, 3), None, False).shape == (1, 1)
    big = np.array([[1000.0, 1000.0]])
    np.testing.assert_allclose(AU.logsumexp(big), [[1000.0 + np.log(2)]])
    assert AU.get_conv_outsize(28, 5, 1, 0) == 24 and AU.get_conv_outsize(4, 3, 2, 1) == 2
    assert AU.get_deconv_outsize(2, 3, 2, 1) == 3
    assert AU.pair(3) == (3, 3) and AU.pair((1, 2)) == (1, 2) and AU.pair(np.int64(2)) == (2, 2)
    with pytest.raises(ValueError, match="an int or a pair"):
        AU.pair((1, 2, 3))
