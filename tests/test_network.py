"""Networks: backprop vs numerical gradients, shared parameter arrays, dtypes, save/load."""

import os
from collections import OrderedDict

import numpy as np
import pytest

from common.checks.gradients import gradient_check
from common.layers import Affine, Relu, SigmoidWithLoss, SoftmaxWithLoss
from common.nets.files import load_params, save_params
from common.nets.multi_layer import MultiLayerNet, TwoLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.nets.network import Network
from common.nets.parameters import LayeredModel
from common.optim import SGD


def data(n=6, d=5, k=3, seed=0, one_hot=False):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, k, n)
    return rng.standard_normal((n, d)), np.eye(k)[t] if one_hot else t


VARIANTS = {
    "plain": {},
    "weight decay": {"weight_decay_lambda": 0.3},
    "dropout": {"use_dropout": True, "dropout_ratio": 0.3},
    "batchnorm": {"use_batchnorm": True},
    "everything": {"use_batchnorm": True, "use_dropout": True, "weight_decay_lambda": 0.1},
    "sigmoid": {"activation": "sigmoid", "weight_init_std": "xavier"},
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("one_hot", [False, True])
def test_multilayernet_backprop_matches_numerical_gradient(variant, one_hot):
    net = MultiLayerNetExtend(5, [6, 4], 3, dtype=np.float64, seed=3, **VARIANTS[variant])
    x, t = data(one_hot=one_hot)
    errors = gradient_check(net, x, t)
    assert set(errors) == set(net.params)
    assert max(errors.values()) < 1e-6, errors


def test_weight_decay_is_in_loss_and_gradient():
    x, t = data()
    plain = MultiLayerNet(5, [4], 3, dtype=np.float64, seed=0)
    decayed = MultiLayerNet(5, [4], 3, dtype=np.float64, seed=0, weight_decay_lambda=0.5)
    penalty = 0.25 * sum(np.sum(plain.params[k] ** 2) for k in ("W1", "W2"))
    assert decayed.loss(x, t) == pytest.approx(plain.loss(x, t) + penalty)
    g_plain, g_decayed = plain.gradient(x, t), decayed.gradient(x, t)
    np.testing.assert_allclose(g_decayed["W1"], g_plain["W1"] + 0.5 * plain.params["W1"])
    np.testing.assert_allclose(g_decayed["b1"], g_plain["b1"])


def test_params_are_the_layers_arrays_and_updates_reach_both():
    net = MultiLayerNetExtend(5, [4], 3, seed=0, use_batchnorm=True)
    assert net.params["W1"] is net.layers["Affine1"].W
    assert net.params["gamma1"] is net.layers["BatchNorm1"].gamma
    x, t = data()
    before = net.predict(x).copy()
    SGD(lr=1.0).update(net.params, net.gradient(x, t))
    assert net.params["W1"] is net.layers["Affine1"].W
    assert not np.allclose(net.predict(x), before)
    # assigning through the dict writes into the layer's array
    net.params["W2"] = np.zeros((4, 3))
    assert net.params["W2"] is net.layers["Affine2"].W and not net.layers["Affine2"].W.any()
    with pytest.raises(ValueError, match="'W2' has shape"):
        net.params["W2"] = np.zeros((3, 3))


def test_each_parameter_has_one_owner_and_the_gradients_are_the_layers_own():
    net = MultiLayerNetExtend(5, [4], 3, seed=0, use_batchnorm=True)
    assert list(net.param_owners) == list(net.params)  # no buffers: they are not trained
    assert net.param_owners["W1"] == (net.layers["Affine1"], "W")
    assert net.param_owners["gamma1"] == (net.layers["BatchNorm1"], "gamma")
    with pytest.raises(TypeError):
        net.param_owners["W1"] = (net.layers["Affine2"], "W")  # read-only
    grads = net.gradient(*data())
    own = net.layer_gradients()
    assert list(own) == list(grads) == list(net.params)
    assert all(own[k] is getattr(layer, "d" + attr) for k, (layer, attr) in
               net.param_owners.items())
    assert net.parameter_count() == sum(p.size for p in net.params.values()) == 5 * 4 + 4 \
        + 4 + 4 + 4 * 3 + 3  # W1, b1, gamma1, beta1, W2, b2


def test_a_model_of_named_layers_gets_params_checks_and_files_from_layered_model(tmp_path):
    """The contract of LayeredModel, without Network: layers, last_layer, loss."""

    class Linear(LayeredModel):
        def __init__(self, W, b):
            self.layers = OrderedDict(fc=Affine(W, b))
            self.last_layer = SoftmaxWithLoss()
            super().__init__(self.layers.items())

        def loss(self, x, t, train_flg=False):
            return self.last_layer.forward(self.layers["fc"].forward(x), t)

    rng = np.random.default_rng(0)
    model = Linear(rng.standard_normal((5, 3)).astype(np.float32), np.zeros(3, np.float32))
    assert list(model.params) == ["fc.W", "fc.b"] and model.params["fc.W"] is model.layers["fc"].W
    assert model.dtype == np.float32 and model.parameter_count() == 18
    x, t = data()
    model.loss(x.astype(np.float32), t)
    model.layers["fc"].backward(model.last_layer.backward(1))
    backprop = {k: g.copy() for k, g in model.layer_gradients().items()}
    numerical = model.numerical_gradient(x, t)
    assert all(np.allclose(backprop[k], numerical[k], atol=1e-4) for k in backprop)
    assert model.params["fc.W"].dtype == np.float32  # the float64 twin is gone
    save_params(model, tmp_path / "linear.npz")
    other = Linear(np.zeros((5, 3), np.float32), np.ones(3, np.float32))
    load_params(other, tmp_path / "linear.npz")
    np.testing.assert_array_equal(other.params["fc.W"], model.params["fc.W"])
    assert other.architecture() == {"class": "Linear", "layers": [["fc", "Affine"]]}


def test_float32_network_stays_float32_even_for_float64_input():
    net = MultiLayerNetExtend(5, [4, 4], 3, seed=0, use_batchnorm=True, use_dropout=True)
    x, t = data()  # float64 data
    assert net.predict(x).dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.gradient(x, t).values())
    assert all(b.dtype == np.float32 for b in net.buffers.values())


def test_seed_gives_identical_networks_and_init_scales():
    a, b = MultiLayerNet(784, [100], 10, seed=1), MultiLayerNet(784, [100], 10, seed=1)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert a.params["W1"].std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)
    xavier = MultiLayerNet(784, [100], 10, weight_init_std="xavier", seed=1)
    assert xavier.params["W1"].std() == pytest.approx(np.sqrt(1 / 784), rel=0.02)
    assert MultiLayerNet(784, [100], 10, weight_init_std=0.01, seed=1).params["W2"].std() == (
        pytest.approx(0.01, rel=0.1))
    with pytest.raises(ValueError, match="weight_init_std"):
        MultiLayerNet(4, [3], 2, weight_init_std="gauss")


def test_book_aliases():
    extend = MultiLayerNetExtend(input_size=784, hidden_size_list=[100] * 2, output_size=10,
                                 use_dropout=True, dropout_ration=0.2, use_batchnorm=True)
    assert isinstance(extend, MultiLayerNet)
    assert extend.layers["Dropout1"].dropout_ratio == 0.2
    assert "gamma2" in extend.params
    net = TwoLayerNet(784, 50, 10, seed=0)
    assert [k for k in net.params] == ["W1", "b1", "W2", "b2"]
    assert net.params["W1"].shape == (784, 50)


def test_a_network_assembled_from_layers_without_subclassing():
    rng = np.random.default_rng(0)
    layers = [Affine(rng.standard_normal((2, 3)), np.zeros(3)), Relu(),
              Affine(rng.standard_normal((3, 1)), np.zeros(1))]
    net = Network(layers, SigmoidWithLoss())
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float) + 0.05
    t = np.array([0, 1, 1, 1])
    assert max(gradient_check(net, x, t).values()) < 1e-6
    for _ in range(500):
        SGD(0.5).update(net.params, net.gradient(x, t))
    assert net.accuracy(x, t) == 1.0


def test_clashing_parameter_names_are_refused():
    W, b = np.ones((2, 2)), np.zeros(2)
    with pytest.raises(ValueError, match="'W1'"):
        Network({"Affine1": Affine(W, b), "Dense1": Affine(W.copy(), b.copy())},
                SoftmaxWithLoss())


def test_accuracy_in_batches_equals_accuracy_at_once():
    net = MultiLayerNet(5, [8], 3, seed=0)
    x, t = data(n=50)
    assert net.accuracy(x, t, batch_size=7) == net.accuracy(x, t)
    assert net.accuracy(x, np.eye(3)[t]) == net.accuracy(x, t)
    expected = np.mean(net.predict(x).argmax(axis=1) == t)
    assert net.accuracy(x, t) == pytest.approx(expected)


def test_save_and_load_round_trip(tmp_path):
    x, t = data()
    net = MultiLayerNetExtend(5, [4], 3, seed=0, use_batchnorm=True)
    for _ in range(3):
        SGD(0.1).update(net.params, net.gradient(x, t))
    path = tmp_path / "net.npz"
    save_params(net, path)
    assert os.listdir(tmp_path) == ["net.npz"]  # no temporary file left behind
    other = MultiLayerNetExtend(5, [4], 3, seed=99, use_batchnorm=True)
    arrays = {k: v for k, v in other.params.items()}
    load_params(other, path)
    assert all(other.params[k] is arrays[k] for k in arrays)  # loaded in place
    assert other.layers["Affine1"].W is other.params["W1"]
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    np.testing.assert_array_equal(other.buffers["running_mean1"], net.buffers["running_mean1"])


def test_loading_into_another_shape_names_the_parameter(tmp_path):
    path = tmp_path / "net.npz"
    save_params(MultiLayerNet(5, [4], 3, seed=0), path)
    with pytest.raises(ValueError, match=r"'W1'.*\(5, 4\).*\(5, 6\)"):
        load_params(MultiLayerNet(5, [6], 3), path)
    with pytest.raises(ValueError, match="'W3'"):
        load_params(MultiLayerNet(5, [4, 3], 3), path)
    with pytest.raises(ValueError, match="different architecture"):
        load_params(MultiLayerNet(5, [4], 3, activation="sigmoid"), path)
    (tmp_path / "junk.npz").write_bytes(b"not an npz file")
    with pytest.raises(ValueError, match="not a parameter file written by save_params"):
        load_params(MultiLayerNet(5, [4], 3), tmp_path / "junk.npz")


def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    net = MultiLayerNet(5, [4], 3, seed=0)
    save_params(net, path)
    original = path.read_bytes()

    def broken_savez(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        save_params(MultiLayerNet(5, [4], 3, seed=1), path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["net.npz"]


def test_gradient_check_repeats_the_dropout_masks_inside_a_residual_block():
    # numerical gradients rewind the generators of random layers nested in containers too,
    # so that every evaluation draws the masks backprop used
    from common.layers import Dropout, Residual, TimeAffine, TimeSoftmaxWithLoss

    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(0, 0.5, (4, 4)), rng.normal(0, 0.5, (4, 3))
    net = Network([Residual([TimeAffine(w1), Dropout(0.5, rng=1)]), TimeAffine(w2)],
                  TimeSoftmaxWithLoss())
    x, t = rng.normal(size=(2, 5, 4)), rng.integers(0, 3, (2, 5))
    numerical = net.numerical_gradient(x, t)
    backprop = net.gradient(x, t)
    assert set(numerical) == set(backprop) and len(backprop) == 2
    for key in backprop:
        np.testing.assert_allclose(backprop[key], numerical[key], rtol=1e-6, atol=1e-8)


def test_weight_decay_covers_every_weight_array_and_no_bias_or_gain():
    from common.layers import (
        CausalSelfAttention,
        LayerNorm,
        Residual,
        TimeAffine,
        TimeSoftmaxWithLoss,
    )

    rng = np.random.default_rng(0)
    attention = CausalSelfAttention(rng.normal(0, 0.1, (4, 12)), rng.normal(0, 0.1, (4, 4)), 2)
    net = Network([Residual([LayerNorm(np.ones(4)), attention]),
                   TimeAffine(rng.normal(0, 0.1, (4, 3)), np.zeros(3))],
                  TimeSoftmaxWithLoss(), weight_decay_lambda=0.1)
    decayed = sorted(key for key, p in net.params.items() if p.ndim >= 2)
    assert len(decayed) == 3 and not any(key.endswith(("gamma", "b1")) for key in decayed)
    expected = 0.05 * sum(float(np.sum(net.params[key] ** 2)) for key in decayed)
    assert net.weight_decay() == pytest.approx(expected)
