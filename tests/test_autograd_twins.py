"""One project, not two: every hand-written layer of ``common.layers`` that has an autograd
twin gives the same loss and the same gradients as the twin (float64 rounding), and both
agree with central differences. The twins are the autograd's functions and layers, or,
where the third book has none (GRU, LayerNorm, attention), compositions of its functions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import numerical

import common.autograd  # noqa: F401 - installs the operators
import common.layers as H
from common.autograd import elementwise as E
from common.autograd import losses, regularization, tensor
from common.autograd.architectures import concat
from common.autograd.conv import conv2d
from common.autograd.core import Variable
from common.autograd.layers_recurrent import LSTM
from common.autograd.pooling import pooling


def check(arrays: dict, hand, auto) -> None:
    """hand() -> (loss, grads) by the hand-written layer; auto() -> (loss Variable, leaves:
    name -> Variable or a call giving the gradient array after backward). The losses, the
    hand-written and automatic gradients (to rounding) and the numerical ones agree."""
    loss_h, grads_h = hand()
    loss_a, leaves = auto()
    loss_a.backward()
    assert np.isclose(float(loss_a.data), loss_h, rtol=1e-12, atol=1e-12)
    assert set(grads_h) == set(leaves)
    for name, grad_h in grads_h.items():
        leaf = leaves[name]
        grad_a = leaf() if callable(leaf) else leaf.grad.data
        np.testing.assert_allclose(grad_a, grad_h, rtol=1e-9, atol=1e-12, err_msg=name)
        grad_n = numerical(lambda: hand()[0], arrays[name])
        np.testing.assert_allclose(grad_n, grad_h, rtol=1e-5, atol=1e-8, err_msg=name)


def weighted(layer_out: np.ndarray, dout: np.ndarray) -> float:
    """The test loss Σ dout ⊙ y of an output y."""
    return float(np.sum(layer_out * dout))


def variables(arrays: dict) -> dict:
    """A Variable of a copy of every array."""
    return {k: Variable(v.copy()) for k, v in arrays.items()}


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _elementwise_twin(rng, layer, function, x):
    dout = rng.standard_normal(x.shape)
    arrays = {"x": x}

    def hand():
        y = layer.forward(x)
        return weighted(y, dout), {"x": layer.backward(dout)}

    def auto():
        v = variables(arrays)
        return tensor.sum(function(v["x"]) * dout), v

    check(arrays, hand, auto)


def test_affine_and_linear(rng):
    arrays = {"x": rng.standard_normal((4, 5)), "W": rng.standard_normal((5, 3)),
              "b": rng.standard_normal(3)}
    layer = H.Affine(arrays["W"], arrays["b"])
    dout = rng.standard_normal((4, 3))

    def hand():
        y = layer.forward(arrays["x"])
        dx = layer.backward(dout)
        return weighted(y, dout), {"x": dx, "W": layer.dW.copy(), "b": layer.db.copy()}

    def auto():
        v = variables(arrays)
        return tensor.sum(tensor.linear(v["x"], v["W"], v["b"]) * dout), v

    check(arrays, hand, auto)


def test_relu_and_sigmoid(rng):
    x = rng.standard_normal((3, 4))
    x[np.abs(x) < 0.05] = 0.5  # no element at relu's kink
    _elementwise_twin(rng, H.Relu(), E.relu, x)
    _elementwise_twin(rng, H.Sigmoid(), E.sigmoid, rng.standard_normal((3, 4)))


def test_softmax_with_loss_and_softmax_cross_entropy(rng):
    arrays = {"x": rng.standard_normal((5, 4)) * 3}
    t = np.array([0, 3, 1, 1, 2])
    layer = H.SoftmaxWithLoss()

    def hand():
        loss = layer.forward(arrays["x"], t)
        return loss, {"x": layer.backward(1.0)}

    def auto():
        v = variables(arrays)
        return losses.softmax_cross_entropy(v["x"], t), v

    check(arrays, hand, auto)


def test_batch_normalization_and_batch_norm(rng):
    arrays = {"x": rng.standard_normal((6, 4)) * 2 + 1, "gamma": rng.standard_normal(4),
              "beta": rng.standard_normal(4)}
    layer = H.BatchNormalization(arrays["gamma"], arrays["beta"], momentum=0.9, eps=2e-5)
    dout = rng.standard_normal((6, 4))

    def hand():
        y = layer.forward(arrays["x"], train_flg=True)
        dx = layer.backward(dout)
        return weighted(y, dout), {"x": dx, "gamma": layer.dgamma.copy(),
                                   "beta": layer.dbeta.copy()}

    mean, var = np.zeros(4), np.ones(4)

    def auto():
        v = variables(arrays)
        y = regularization.batch_nrom(v["x"], v["gamma"], v["beta"], mean, var, decay=0.9)
        return tensor.sum(y * dout), v

    layer.running_mean[...] = 0
    hand()
    auto()
    # the same running mean after one step (the book keeps the unbiased variance)
    np.testing.assert_allclose(mean, layer.running_mean, rtol=1e-12)
    check(arrays, hand, auto)


def test_dropout_with_the_same_mask(rng):
    arrays = {"x": rng.standard_normal((4, 6))}
    dout = rng.standard_normal((4, 6))
    np.random.seed(3)
    y = regularization.dropout(Variable(arrays["x"].copy()), 0.4)
    kept = y.data != 0

    class SameMask:
        """The generator the hand-written layer draws from: gives the autograd's mask."""

        def random(self, shape, dtype):
            return np.where(kept, 0.0, 1.0).astype(dtype)

    layer = H.Dropout(0.4)
    layer.rng = SameMask()

    def hand():
        out = layer.forward(arrays["x"], train_flg=True)
        return weighted(out, dout), {"x": layer.backward(dout)}

    def auto():
        np.random.seed(3)
        v = variables(arrays)
        return tensor.sum(regularization.dropout(v["x"], 0.4) * dout), v

    check(arrays, hand, auto)
    assert 0 < kept.mean() < 1


@pytest.mark.parametrize("stride,pad", [(1, 0), (2, 1), (2, 0)])
def test_convolution_and_conv2d(rng, stride, pad):
    arrays = {"x": rng.standard_normal((2, 3, 7, 6)), "W": rng.standard_normal((4, 3, 3, 3)),
              "b": rng.standard_normal(4)}
    layer = H.Convolution(arrays["W"], arrays["b"], stride=stride, pad=pad)
    out_shape = layer.forward(arrays["x"]).shape
    dout = rng.standard_normal(out_shape)

    def hand():
        y = layer.forward(arrays["x"])
        dx = layer.backward(dout)
        return weighted(y, dout), {"x": dx, "W": layer.dW.copy(), "b": layer.db.copy()}

    def auto():
        v = variables(arrays)
        return tensor.sum(conv2d(v["x"], v["W"], v["b"], stride, pad) * dout), v

    check(arrays, hand, auto)


@pytest.mark.parametrize("size,stride,pad", [(2, 2, 0), (3, 2, 1), (2, 1, 0)])
def test_pooling_and_pooling(rng, size, stride, pad):
    arrays = {"x": rng.standard_normal((2, 3, 7, 6))}
    layer = H.Pooling(size, size, stride=stride, pad=pad)
    dout = rng.standard_normal(layer.forward(arrays["x"]).shape)

    def hand():
        y = layer.forward(arrays["x"])
        return weighted(y, dout), {"x": layer.backward(dout)}

    def auto():
        v = variables(arrays)
        return tensor.sum(pooling(v["x"], size, stride, pad) * dout), v

    check(arrays, hand, auto)


def test_embedding_and_embed_id(rng):
    arrays = {"W": rng.standard_normal((6, 3))}
    ids = np.array([[0, 2, 2, 5], [1, 2, 0, 0]])  # repeated ids add up
    layer = H.Embedding(arrays["W"])
    dout = rng.standard_normal((2, 4, 3))

    def hand():
        y = layer.forward(ids)
        layer.backward(dout)
        return weighted(y, dout), {"W": layer.dW.copy()}

    def auto():
        v = variables(arrays)
        return tensor.sum(regularization.embed_id(ids, v["W"]) * dout), v

    check(arrays, hand, auto)


def test_lstm_and_lstm(rng):
    n, d, h = 3, 4, 5
    arrays = {"x": rng.standard_normal((n, d)), "h0": rng.standard_normal((n, h)),
              "c0": rng.standard_normal((n, h)), "Wx": rng.standard_normal((d, 4 * h)) / 2,
              "Wh": rng.standard_normal((h, 4 * h)) / 2, "b": rng.standard_normal(4 * h)}
    layer = H.LSTM(arrays["Wx"], arrays["Wh"], arrays["b"])
    dh, dc = rng.standard_normal((n, h)), rng.standard_normal((n, h))

    def hand():
        h1, c1 = layer.forward(arrays["x"], arrays["h0"], arrays["c0"])
        dx, dh0, dc0 = layer.backward(dh, dc)
        grads = {"x": dx, "h0": dh0, "c0": dc0, "Wx": layer.dWx.copy(),
                 "Wh": layer.dWh.copy(), "b": layer.db.copy()}
        return weighted(h1, dh) + weighted(c1, dc), grads

    # the hand-written blocks are f, g, i, o; the book's layers are x2f, x2u (g), x2i, x2o
    gates = ("f", "u", "i", "o")

    def auto():
        v = variables(arrays)
        lstm = LSTM(h, in_size=d)
        for k, gate in enumerate(gates):
            block = slice(k * h, (k + 1) * h)
            getattr(lstm, f"x2{gate}").W.data = arrays["Wx"][:, block].copy()
            getattr(lstm, f"x2{gate}").b.data = arrays["b"][block].copy()
            getattr(lstm, f"h2{gate}").W.data = arrays["Wh"][:, block].copy()
        lstm.h, lstm.c = v["h0"], v["c0"]
        h1 = lstm(v["x"])
        loss = tensor.sum(h1 * dh) + tensor.sum(lstm.c * dc)

        def stacked(kind, attr):
            return lambda: np.concatenate([getattr(getattr(lstm, f"{kind}2{g}"), attr).grad.data
                                           for g in gates], axis=-1)

        leaves = {k: v[k] for k in ("x", "h0", "c0")}
        leaves |= {"Wx": stacked("x", "W"), "Wh": stacked("h", "W"), "b": stacked("x", "b")}
        return loss, leaves

    check(arrays, hand, auto)


def test_gru_and_a_gru_of_autograd_functions(rng):
    n, d, h = 3, 4, 5
    arrays = {"x": rng.standard_normal((n, d)), "h0": rng.standard_normal((n, h)),
              "Wx": rng.standard_normal((d, 3 * h)) / 2, "Wh": rng.standard_normal((h, 3 * h)) / 2,
              "bx": rng.standard_normal(3 * h), "bh": rng.standard_normal(3 * h)}
    layer = H.GRU(arrays["Wx"], arrays["Wh"], arrays["bx"], arrays["bh"])
    dout = rng.standard_normal((n, h))

    def hand():
        h1 = layer.forward(arrays["x"], arrays["h0"])
        dx, dh0 = layer.backward(dout)
        return weighted(h1, dout), {"x": dx, "h0": dh0, "Wx": layer.dWx.copy(),
                                    "Wh": layer.dWh.copy(), "bx": layer.dbx.copy(),
                                    "bh": layer.dbh.copy()}

    def auto():
        v = variables(arrays)
        ax = tensor.linear(v["x"], v["Wx"], v["bx"])
        ah = tensor.linear(v["h0"], v["Wh"], v["bh"])
        r = E.sigmoid(ax[:, :h] + ah[:, :h])
        z = E.sigmoid(ax[:, h:2 * h] + ah[:, h:2 * h])
        cand = E.tanh(ax[:, 2 * h:] + r * ah[:, 2 * h:])
        h1 = (1 - z) * cand + z * v["h0"]
        return tensor.sum(h1 * dout), v

    check(arrays, hand, auto)


def test_layer_norm_and_a_layer_norm_of_autograd_functions(rng):
    arrays = {"x": rng.standard_normal((2, 3, 4)), "gamma": rng.standard_normal(4),
              "beta": rng.standard_normal(4)}
    layer = H.LayerNorm(arrays["gamma"], arrays["beta"], eps=1e-5)
    dout = rng.standard_normal((2, 3, 4))

    def hand():
        y = layer.forward(arrays["x"])
        dx = layer.backward(dout)
        return weighted(y, dout), {"x": dx, "gamma": layer.dgamma.copy(),
                                   "beta": layer.dbeta.copy()}

    def auto():
        v = variables(arrays)
        centred = v["x"] - tensor.mean(v["x"], axis=-1, keepdims=True)
        var = tensor.mean(centred ** 2, axis=-1, keepdims=True)
        y = centred / (var + 1e-5) ** 0.5 * v["gamma"] + v["beta"]
        return tensor.sum(y * dout), v

    check(arrays, hand, auto)


def test_causal_attention_and_softmax_qk_v_of_autograd_functions(rng):
    n, t, d, heads = 2, 4, 6, 2
    arrays = {"x": rng.standard_normal((n, t, d)), "W_qkv": rng.standard_normal((d, 3 * d)) / 2,
              "W_out": rng.standard_normal((d, d)) / 2}
    layer = H.CausalSelfAttention(arrays["W_qkv"], arrays["W_out"], heads)
    dout = rng.standard_normal((n, t, d))
    mask = np.where(np.triu(np.ones((t, t), dtype=bool), k=1), -np.inf, 0.0)
    size = d // heads

    def hand():
        y = layer.forward(arrays["x"])
        dx = layer.backward(dout)
        return weighted(y, dout), {"x": dx, "W_qkv": layer.dW_qkv.copy(),
                                   "W_out": layer.dW_out.copy()}

    def auto():
        v = variables(arrays)
        qkv = tensor.reshape(tensor.matmul(tensor.reshape(v["x"], (n * t, d)), v["W_qkv"]),
                             (n, t, 3 * d))
        samples = []
        for i in range(n):
            ys = []
            for head in range(heads):
                q, k, val = (qkv[i, :, part * d + head * size:part * d + (head + 1) * size]
                             for part in range(3))
                scores = tensor.matmul(q, k.T) / math.sqrt(size) + mask
                ys.append(tensor.matmul(losses.softmax(scores, axis=1), val))  # (T, d)
            samples.append(tensor.reshape(concat(ys, axis=1), (1, t, d)))
        y = tensor.reshape(concat(samples, axis=0), (n * t, d))
        out = tensor.reshape(tensor.matmul(y, v["W_out"]), (n, t, d))
        return tensor.sum(out * dout), v

    check(arrays, hand, auto)
