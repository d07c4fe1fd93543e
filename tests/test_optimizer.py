"""Optimizers: hand-computed updates, descent on a convex quadratic, in-place updates."""

import math

import numpy as np
import pytest

from common.optim import (
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
    StepDecay,
    make_optimizer,
)

# f(w) = 1/2 Σ a_i w_i², gradient a * w: an ill-conditioned convex bowl
A = np.array([1.0, 10.0])


def grad(w):
    return A * w


def f(w):
    return 0.5 * float(np.sum(A * w * w))


def two_steps(opt, w0, g_of):
    w = np.array(w0, dtype=np.float64)
    params = {"w": w}
    for _ in range(2):
        opt.update(params, {"w": g_of(w)})
    assert params["w"] is w  # updated in place
    return w


W0 = [1.0, -2.0]
g1 = A * np.array(W0)  # the gradient at the starting point


def test_sgd_two_steps():
    lr = 0.1
    w1 = np.array(W0) - lr * g1
    w2 = w1 - lr * grad(w1)
    np.testing.assert_allclose(two_steps(SGD(lr), W0, grad), w2)


def test_momentum_two_steps():
    lr, mu = 0.05, 0.9
    v1 = -lr * g1
    w1 = np.array(W0) + v1
    v2 = mu * v1 - lr * grad(w1)
    np.testing.assert_allclose(two_steps(Momentum(lr, mu), W0, grad), w1 + v2)


def test_nesterov_two_steps():
    lr, mu = 0.05, 0.9
    v1 = -lr * g1
    w1 = np.array(W0) + mu * v1 - lr * g1
    g2 = grad(w1)
    v2 = mu * v1 - lr * g2
    w2 = w1 + mu * v2 - lr * g2
    np.testing.assert_allclose(two_steps(Nesterov(lr, mu), W0, grad), w2)


def test_adagrad_two_steps():
    lr, eps = 0.5, 1e-7
    h1 = g1**2
    w1 = np.array(W0) - lr * g1 / (np.sqrt(h1) + eps)
    g2 = grad(w1)
    h2 = h1 + g2**2
    np.testing.assert_allclose(two_steps(AdaGrad(lr), W0, grad), w1 - lr * g2 / (np.sqrt(h2) + eps))


def test_rmsprop_two_steps():
    lr, rho, eps = 0.01, 0.9, 1e-7
    h1 = (1 - rho) * g1**2
    w1 = np.array(W0) - lr * g1 / (np.sqrt(h1) + eps)
    g2 = grad(w1)
    h2 = rho * h1 + (1 - rho) * g2**2
    expected = w1 - lr * g2 / (np.sqrt(h2) + eps)
    np.testing.assert_allclose(two_steps(RMSprop(lr, rho), W0, grad), expected)


def test_adam_two_steps():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w = np.array(W0)
    m = np.zeros(2)
    v = np.zeros(2)
    for t in (1, 2):
        g = grad(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        lr_t = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - lr_t * m / (np.sqrt(v) + eps)
    np.testing.assert_allclose(two_steps(Adam(lr, b1, b2), W0, grad), w)


@pytest.mark.parametrize(
    "opt",
    [SGD(0.05), Momentum(0.02), Nesterov(0.02), AdaGrad(0.5), RMSprop(0.01), Adam(0.05)],
    ids=lambda o: type(o).__name__,
)
def test_every_optimizer_descends_a_convex_quadratic(opt):
    w = np.array(W0)
    start = f(w)
    for _ in range(300):
        opt.update({"w": w}, {"w": grad(w)})
    assert f(w) < 1e-2 * start


@pytest.mark.parametrize("name", ["sgd", "Momentum", "NESTEROV", "adagrad", "rmsprop", "Adam"])
def test_optimizers_keep_float32(name):
    opt = make_optimizer(name)
    w = np.ones((3, 2), dtype=np.float32)
    for _ in range(2):
        opt.update({"w": w}, {"w": np.full((3, 2), 0.5, dtype=np.float32)})
    assert w.dtype == np.float32
    assert np.all(w < 1)
    for state in vars(opt).values():
        if isinstance(state, dict):
            assert all(s.dtype == np.float32 for s in state.values())


def test_book_defaults_and_unknown_name():
    assert make_optimizer("sgd").lr == 0.01
    assert (Momentum().lr, Momentum().momentum) == (0.01, 0.9)
    assert AdaGrad().lr == 0.01
    assert (RMSprop().lr, RMSprop().decay_rate) == (0.01, 0.99)
    assert (Adam().lr, Adam().beta1, Adam().beta2) == (0.001, 0.9, 0.999)
    with pytest.raises(ValueError, match="unknown optimizer 'adamx'.*sgd.*adamw"):
        make_optimizer("adamx")


def test_step_decay_lowers_the_rate_once_after_its_step():
    inner = SGD(lr=0.5)
    opt = StepDecay(inner, decay_at=2, factor=0.1)
    w = np.array([1.0])
    rates = []
    for _ in range(4):
        opt.update({"w": w}, {"w": np.array([1.0])})
        rates.append(opt.lr)
    assert rates == pytest.approx([0.5, 0.5, 0.05, 0.05])
    np.testing.assert_allclose(w, 1 - 0.5 - 0.5 - 0.05 - 0.05)
