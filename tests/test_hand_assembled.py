"""Networks assembled by hand from ``common.layers``, and gradient checks in float64.

A plain list of layers is named as the book numbers them (Conv1, Affine2, Affine3; a
batch normalisation shares its Affine's number), so the book's SimpleConvNet and
DeepConvNet can be written as lists; built from the same weights as the library's
classes, in the book's layer order (conv - relu - pool) and with every input gradient,
they compute the very same scores and gradients. The book's float64 weights on float32
images compute in float64 without mixed-type products. ``numerical_gradient`` and
``gradient_check`` compute in float64 whatever the network's dtype and leave it as it
was, so the book's check programs print tiny differences on float32 networks.
"""

import copy

import numpy as np
import pytest

from common.checks.gradients import gradient_check, numerical_gradient
from common.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Pooling,
    Relu,
    SoftmaxWithLoss,
)
from common.nets.conv import DeepConvNet, SimpleConvNet
from common.nets.multi_layer import TwoLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.nets.network import Network


# --- naming a plain list ---------------------------------------------------------------
def test_a_plain_list_of_conv_and_affine_layers_gets_the_books_names():
    rng = np.random.default_rng(0)
    conv = Convolution(rng.standard_normal((3, 1, 3, 3)), np.zeros(3))
    hidden = Affine(rng.standard_normal((3 * 3 * 3, 5)), np.zeros(5))
    out = Affine(rng.standard_normal((5, 4)), np.zeros(4))
    net = Network([conv, Relu(), Pooling(2, 2, stride=2), hidden, Relu(), out],
                  SoftmaxWithLoss())
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine2", "Relu2", "Affine3"]
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.params["W1"] is conv.W and net.params["W2"] is hidden.W
    assert net.params["b3"] is out.b
    x, t = rng.standard_normal((4, 1, 8, 8)), np.array([0, 1, 2, 3])
    assert set(net.gradient(x, t)) == set(net.params)


@pytest.mark.parametrize("use_batchnorm", [False, True])
def test_a_plain_list_names_batch_normalisation_as_the_book_does(use_batchnorm):
    # MultiLayerNet names its layers by hand (Affine1, BatchNorm1, ...); the same layers
    # in a plain list get the same parameter names
    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=use_batchnorm, use_dropout=True, seed=0)
    listed = Network(list(net.layers.values()), SoftmaxWithLoss())
    assert list(listed.params) == list(net.params)
    assert list(listed.buffers) == list(net.buffers)
    assert all(listed.params[k] is net.params[k] for k in net.params)
    expected = ["Affine1", "BatchNorm1", "Relu1", "Dropout1", "Affine2", "BatchNorm2",
                "Relu2", "Dropout2", "Affine3"]
    assert list(listed.layers) == [n for n in expected if use_batchnorm or "Batch" not in n]


def test_named_layers_keep_their_names():
    rng = np.random.default_rng(1)
    layers = {"fc": Affine(rng.standard_normal((2, 3)), np.zeros(3)), "act": Relu(),
              "Affine7": Affine(rng.standard_normal((3, 2)), np.zeros(2))}
    net = Network(layers, SoftmaxWithLoss())
    assert list(net.params) == ["fc.W", "fc.b", "W7", "b7"]


# --- the book's networks from plain lists ------------------------------------------------
def book_simple_list(lib):
    """The book's SimpleConvNet as a plain list, conv - relu - pool, every layer computing
    its input gradient, with copies of the weights of ``lib`` (a library SimpleConvNet)."""
    p = {key: value.copy() for key, value in lib.params.items()}
    conv = lib.layers["Conv1"]
    return [Convolution(p["W1"], p["b1"], conv.stride, conv.pad), Relu(),
            Pooling(2, 2, stride=2), Affine(p["W2"], p["b2"]), Relu(),
            Affine(p["W3"], p["b3"])]


def book_deep_list(lib):
    """The book's DeepConvNet as a plain list (each ReLU before its pooling, Dropout after
    the hidden Affine's ReLU), with copies of ``lib``'s weights and of its dropout rng."""
    p = {key: value.copy() for key, value in lib.params.items()}
    layers = []
    for i in range(1, 7):
        conv = lib.layers[f"Conv{i}"]
        layers += [Convolution(p[f"W{i}"], p[f"b{i}"], conv.stride, conv.pad), Relu()]
        if i % 2 == 0:
            layers.append(Pooling(2, 2, stride=2))
    rng = copy.deepcopy(lib.layers["Dropout1"].rng)
    return [*layers, Affine(p["W7"], p["b7"]), Relu(), Dropout(0.5, rng=rng),
            Affine(p["W8"], p["b8"])]


def assert_same_scores_and_gradients(lib, hand, x, t):
    assert list(hand.params) == list(lib.params)
    assert hand.dtype == lib.dtype
    np.testing.assert_array_equal(hand.predict(x), lib.predict(x))
    expected = {key: g.copy() for key, g in lib.gradient(x, t).items()}
    got = hand.gradient(x, t)
    assert hand.last_loss == lib.last_loss
    for key, g in expected.items():
        assert got[key].dtype == g.dtype, key
        np.testing.assert_array_equal(got[key], g, err_msg=key)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_book_simple_conv_net_from_a_plain_list_has_the_librarys_gradients(dtype):
    lib = SimpleConvNet(input_dim=(1, 12, 12), conv_param={"filter_num": 4, "filter_size": 3},
                        hidden_size=6, output_size=3, weight_init_std="he", dtype=dtype,
                        seed=0)
    hand = Network(book_simple_list(lib), SoftmaxWithLoss())
    assert list(hand.layers) == ["Conv1", "Relu1", "Pool1", "Affine2", "Relu2", "Affine3"]
    rng = np.random.default_rng(1)
    x, t = rng.random((5, 1, 12, 12)).astype(np.float32), rng.integers(0, 3, 5)
    x[0] = 0  # a blank image: windows of equal values, after the ReLU too
    assert_same_scores_and_gradients(lib, hand, x, t)


def test_book_deep_conv_net_from_a_plain_list_has_the_librarys_gradients():
    lib = DeepConvNet(input_dim=(1, 12, 12), hidden_size=6, output_size=3, seed=0)
    hand = Network(book_deep_list(lib), SoftmaxWithLoss())
    assert list(hand.layers) == [
        "Conv1", "Relu1", "Conv2", "Relu2", "Pool1", "Conv3", "Relu3", "Conv4", "Relu4",
        "Pool2", "Conv5", "Relu5", "Conv6", "Relu6", "Pool3", "Affine7", "Relu7", "Dropout1",
        "Affine8"]
    rng = np.random.default_rng(2)
    x, t = rng.random((4, 1, 12, 12)).astype(np.float32), rng.integers(0, 3, 4)
    assert_same_scores_and_gradients(lib, hand, x, t)


def test_the_books_float64_weights_on_float32_images_compute_in_float64():
    # the book's networks draw float64 weights; load_mnist gives float32 images
    rng = np.random.default_rng(3)
    W, b = 0.1 * rng.standard_normal((4, 1, 3, 3)), np.zeros(4)
    x = rng.random((3, 1, 8, 8), dtype=np.float32)
    conv = Convolution(W, b)
    out = conv.forward(x)
    assert out.dtype == np.float64
    assert conv.col.dtype == np.float64  # the window matrix made in float64 at once
    np.testing.assert_array_equal(out, Convolution(W, b).forward(x.astype(np.float64)))
    dout = rng.standard_normal(out.shape)
    reference = Convolution(W, b)
    reference.forward(x.astype(np.float64))
    np.testing.assert_array_equal(conv.backward(dout), reference.backward(dout))
    np.testing.assert_array_equal(conv.dW, reference.dW)
    # an Affine on the pooled 4-D maps, as in the book's network, flattens them (C, H, W)
    pooled = Pooling(2, 2, stride=2).forward(np.maximum(out, 0))
    affine = Affine(rng.standard_normal((4 * 3 * 3, 5)), np.zeros(5))
    y = affine.forward(pooled)
    np.testing.assert_allclose(y, pooled.reshape(3, -1) @ affine.W, rtol=1e-14)
    assert affine.backward(np.ones_like(y)).shape == pooled.shape


# --- gradient checks in float64 ----------------------------------------------------------
def float32_mlp(**kwargs):
    return MultiLayerNetExtend(8, [6, 5], 3, use_batchnorm=True, use_dropout=True, seed=0, **kwargs)


def test_numerical_gradient_is_float64_and_leaves_a_float32_network_as_it_was():
    net = float32_mlp()
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((4, 8)).astype(np.float32), rng.integers(0, 3, 4)
    arrays = dict(net.params)
    before = {key: p.copy() for key, p in {**net.params, **net.buffers}.items()}
    grads = net.numerical_gradient(x, t)
    assert all(g.dtype == np.float64 for g in grads.values())
    assert net.dtype == np.float32
    assert all(net.params[k] is arrays[k] for k in arrays)  # the very same arrays
    for name, layer in net.layers.items():
        for attr in getattr(layer, "param_names", ()):
            assert getattr(layer, attr).dtype == np.float32, (name, attr)
    for key, values in {**net.params, **net.buffers}.items():
        np.testing.assert_array_equal(values, before[key], err_msg=key)  # bit for bit


def test_gradient_check_of_a_float32_network_shows_float64_differences():
    net = float32_mlp()
    x = np.random.default_rng(5).standard_normal((4, 8)).astype(np.float32)
    errors = gradient_check(net, x, np.array([0, 1, 2, 0]))
    assert max(errors.values()) < 1e-6, errors  # in float32 arithmetic: about 1e-3
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.params.values())
    grads = net.gradient(x, np.array([0, 1, 2, 0]))  # training goes on in float32
    assert all(g.dtype == np.float32 for g in grads.values())


def book_diffs(network, x, t):
    """What the book's check programs print: the mean |backprop - numerical| per key."""
    grad_numerical = network.numerical_gradient(x, t)
    grad_backprop = network.gradient(x, t)
    return {key: float(np.average(np.abs(grad_backprop[key] - grad_numerical[key])))
            for key in grad_numerical}


def float32_central_difference_diffs(network, x, t):
    """The same differences with the numerical gradient taken in float32 (what this
    library's float32 networks printed before): each parameter probed in place."""
    grad_backprop = {k: g.copy() for k, g in network.gradient(x, t).items()}
    diffs = {}
    for key, param in network.params.items():
        numerical = numerical_gradient(lambda _: network.loss(x, t, train_flg=True), param)
        diffs[key] = float(np.average(np.abs(grad_backprop[key] - numerical)))
    return diffs


def test_the_books_batch_norm_gradient_check_on_a_float32_network():
    # ch06 batch_norm_gradient_check: MultiLayerNetExtend with batch normalisation (float32
    # here, float64 in the book), h = 1e-4; smaller than the book's 784-100-100-10 so that
    # it runs in a moment, and on two images: on the book's one, every normalised output
    # is exactly beta = 0, on ReLU's kink, where a central difference sees half the slope
    # (beta2 then differs by about 0.1, in float64 as well)
    rng = np.random.default_rng(6)
    network = MultiLayerNetExtend(input_size=64, hidden_size_list=[20, 20], output_size=10,
                                  use_batchnorm=True, seed=0)
    assert network.dtype == np.float32
    x_batch, t_batch = rng.random((2, 64), dtype=np.float32), np.array([3, 8])
    diffs = book_diffs(network, x_batch, t_batch)
    assert set(diffs) == {f"{p}{i}" for i in (1, 2, 3) for p in "Wb"} | {
        f"{p}{i}" for i in (1, 2) for p in ("gamma", "beta")}
    assert max(diffs.values()) < 1e-6, diffs  # the book's own (float64) print up to 1.8e-7
    # the same check in float32 is noise: this is what it printed before
    noisy = float32_central_difference_diffs(network, x_batch, t_batch)
    assert max(noisy.values()) > 100 * max(diffs.values()), noisy


def test_the_books_two_layer_net_gradient_check_on_a_float32_network():
    # ch05 gradient_check: TwoLayerNet, three images
    rng = np.random.default_rng(7)
    network = TwoLayerNet(input_size=30, hidden_size=10, output_size=10, seed=0)
    x_batch, t_batch = rng.random((3, 30), dtype=np.float32), np.array([1, 4, 7])
    diffs = book_diffs(network, x_batch, t_batch)
    assert max(diffs.values()) < 1e-8, diffs


def test_a_float32_conv_net_passes_the_gradient_check():
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 3, "filter_size": 3},
                        hidden_size=6, output_size=3, weight_init_std="he", seed=2)
    for key in ("b1", "b2", "b3"):
        net.params[key] = np.random.default_rng(1).uniform(0.05, 0.2, net.params[key].shape)
    x = np.random.default_rng(0).random((3, 1, 8, 8), dtype=np.float32)
    errors = gradient_check(net, x, np.array([0, 1, 2]), h=1e-6)
    assert max(errors.values()) < 1e-7, errors
    assert net.dtype == np.float32


def test_batch_norm_running_statistics_are_left_as_they_were():
    gamma, beta = np.ones(4, np.float32), np.zeros(4, np.float32)
    net = Network([Affine(np.ones((3, 4), np.float32), np.zeros(4, np.float32)),
                   BatchNormalization(gamma, beta),
                   Affine(np.ones((4, 2), np.float32), np.zeros(2, np.float32))],
                  SoftmaxWithLoss())
    assert list(net.buffers) == ["running_mean1", "running_var1"]
    before = {k: b.copy() for k, b in net.buffers.items()}
    x = np.random.default_rng(8).standard_normal((5, 3)).astype(np.float32)
    gradient_check(net, x, np.array([0, 1, 0, 1, 1]))
    for key, values in net.buffers.items():
        np.testing.assert_array_equal(values, before[key])
