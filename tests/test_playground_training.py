"""The playground's training and pictures, without the server: the framework's networks,
what the page is shown, the presets' claims, settings checks and sessions."""

import base64

import numpy as np
import pytest

from common.functions import sigmoid, softmax
from common.layers import Affine, Relu, SigmoidWithLoss, SoftmaxWithLoss, Tanh
from playground.config import BadRequest, Config, check_config, check_step
from playground.presets import PRESETS
from playground.session import Session, Sessions, TooManySessions
from playground.training import Lane, grid_points, make_data, make_network


def decode(text, shape):
    return np.frombuffer(base64.b64decode(text), np.uint8).reshape(shape) / 255


def test_the_network_is_affine_and_activation_layers_of_the_asked_widths():
    net = make_network(Config(hidden=(5, 3), activation="relu"), classes=2)
    kinds = [type(layer) for layer in net.layers.values()]
    assert kinds == [Affine, Relu, Affine, Relu, Affine]
    assert [net.params[f"W{i}"].shape for i in (1, 2, 3)] == [(2, 5), (5, 3), (3, 1)]
    assert isinstance(net.last_layer, SigmoidWithLoss)
    assert net.dtype == np.float32
    # He initialisation before ReLU: the standard deviation of W2 is about sqrt(2/5)
    big = make_network(Config(hidden=(32, 32), activation="relu"), 2)
    assert big.params["W2"].std() == pytest.approx(np.sqrt(2 / 32), rel=0.15)
    softmax_net = make_network(Config(hidden=(4,), activation="tanh", output="softmax"), 3)
    assert isinstance(softmax_net.layers["Tanh1"], Tanh)
    assert softmax_net.params["W2"].shape == (4, 3)
    assert isinstance(softmax_net.last_layer, SoftmaxWithLoss)
    assert make_network(Config(hidden=()), 2).params["W1"].shape == (2, 1)


def test_data_are_split_by_the_training_share_and_drawn_from_the_seed():
    data = make_data(Config(points=200, train_ratio=0.7, dataset="moons"))
    assert data.x_train.shape == (140, 2) and data.x_test.shape == (60, 2)
    assert data.x_train.dtype == np.float32 and data.classes == 2
    again = make_data(Config(points=200, train_ratio=0.7, dataset="moons"))
    np.testing.assert_array_equal(data.x_train, again.x_train)
    gate = make_data(Config(dataset="xor_gate"))
    assert gate.x_train.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert gate.t_test.tolist() == [0, 1, 1, 0] and gate.extent == (-0.5, 1.5, -0.5, 1.5)
    assert make_data(Config(dataset="iris", output="softmax")).classes == 3


def test_each_epoch_visits_every_training_sample_once():
    lane = Lane(Config(points=50, train_ratio=0.5, batch_size=10), make_data(Config(points=50)),
                "x")
    train = sorted(lane.data.x_train[:, 0].tolist())
    for _ in range(2):  # the samples of an epoch (by their first coordinate): all, once each
        epoch = np.concatenate([x[:, 0] for x, _ in lane.batches])
        assert sorted(epoch.tolist()) == train
    # a batch larger than the training set is the whole set: full-batch training
    full = Lane(Config(points=20, batch_size=500), make_data(Config(points=20)), "x")
    assert full.batch_size == 10


def test_the_pictures_are_the_networks_own_outputs():
    config = Config(hidden=(3,), activation="tanh")
    session = Session(config)
    session.step(50)
    lane = session.lanes[0]
    picture = session.state(30)["lanes"][0]
    points = grid_points(session.data.extent, 30)
    expected = sigmoid(lane.network.predict(points))[:, 0].reshape(30, 30)
    np.testing.assert_allclose(decode(picture["boundary"], (30, 30)), expected, atol=0.5 / 255)
    # the first hidden layer's units: tanh(x W1 + b1) at every 3rd grid point
    net = lane.network
    hidden = np.tanh(points @ net.params["W1"] + net.params["b1"]).T.reshape(3, 30, 30)
    units = decode(picture["units"][0], (3, 10, 10)) * 2 - 1
    np.testing.assert_allclose(units, hidden[:, 1::3, 1::3], atol=1 / 255)
    assert picture["unit_grid"] == 10 and picture["sizes"] == [2, 3, 1]
    np.testing.assert_allclose(picture["weights"][0], net.params["W1"], atol=1e-4)
    assert picture["train_loss"] == pytest.approx(net.loss(session.data.x_train,
                                                           session.data.t_train))
    assert picture["test_accuracy"] == net.accuracy(session.data.x_test, session.data.t_test)
    assert picture["iteration"] == 50


def test_three_classes_get_one_probability_map_each():
    session = Session(check_config({"dataset": "iris", "output": "softmax", "hidden": [4]}))
    session.step(100)
    picture = session.state(20)["lanes"][0]
    maps = decode(picture["boundary"], (3, 20, 20))
    np.testing.assert_allclose(maps.sum(axis=0), 1, atol=2 / 255)
    net = session.lanes[0].network
    expected = softmax(net.predict(grid_points(session.data.extent, 20))).T.reshape(3, 20, 20)
    np.testing.assert_allclose(maps, expected, atol=0.5 / 255)


def test_a_diverging_run_stops_keeps_finite_weights_and_says_what_to_do():
    session = Session(check_config({"optimizer": "sgd", "lr": 10, "l2": 1}))
    session.step(200)
    lane = session.lanes[0]
    assert lane.diverged and "lower the learning rate (now 10; try 1)" in lane.diverged.lower()
    assert lane.iteration < 200
    assert all(np.isfinite(p).all() for p in lane.network.params.values())
    stopped_at = lane.iteration
    session.step(10)  # nothing more happens
    picture = session.state(20)["lanes"][0]
    assert picture["iteration"] == stopped_at and picture["diverged"] == lane.diverged


def test_the_same_seed_gives_the_same_run():
    a, b = Session(Config(seed=3)), Session(Config(seed=3))
    a.step(30)
    b.step(30)
    assert a.state(20) == b.state(20)
    c = Session(Config(seed=4))
    c.step(30)
    assert c.state(20)["lanes"][0]["train_loss"] != a.state(20)["lanes"][0]["train_loss"]


def run_preset(name, iterations):
    session = Session(check_config(PRESETS[name]["config"]))
    session.step(iterations)
    return session.state(20)["lanes"]


def test_onenet_learns_and_and_or_but_not_xor():
    for gate in ("onenet_and", "onenet_or"):
        (lane,) = run_preset(gate, 1000)
        assert lane["train_accuracy"] == 1.0 and lane["sizes"] == [2, 1]
    (lane,) = run_preset("onenet_xor", 1000)
    assert lane["train_loss"] == pytest.approx(np.log(2), abs=1e-3)  # P = 0.5 everywhere
    assert lane["train_accuracy"] < 1.0
    (lane,) = run_preset("twonet_xor", 1000)
    assert lane["train_accuracy"] == 1.0 and lane["sizes"] == [2, 6, 2]


def test_circles_need_three_sigmoid_units():
    two, three = run_preset("circles_2", 600)
    assert (two["sizes"], three["sizes"]) == ([2, 2, 2], [2, 3, 2])
    assert two["test_accuracy"] < 0.9 < 0.97 < three["test_accuracy"]


def test_the_race_starts_all_optimizers_from_the_same_weights_and_momentum_and_adam_win():
    session = Session(check_config(PRESETS["race"]["config"]))
    first = [lane.network.params["W1"].copy() for lane in session.lanes]
    assert all(np.array_equal(first[0], w) for w in first[1:])
    assert [type(lane.optimizer).__name__ for lane in session.lanes] == [
        "SGD", "Momentum", "AdaGrad", "Adam"]
    session.step(1000)
    losses = {lane["label"]: lane["train_loss"] for lane in session.state(20)["lanes"]}
    assert losses["Momentum 0.1"] < 0.05 and losses["Adam 0.01"] < 0.05
    assert losses["SGD 0.1"] > 0.15 and losses["AdaGrad 0.1"] > 0.15  # about 0.2


@pytest.mark.parametrize("settings, message", [
    ({"dataset": "mnist"}, "dataset must be one of circles, xor"),
    ({"noise": 0.9}, r"noise must be a number in \[0, 0.5\], got 0.9"),
    ({"points": 5000}, r"points must be a whole number in \[10, 2000\]"),
    ({"points": 20.5}, "points must be a whole number"),
    ({"train_ratio": "half"}, 'train_ratio must be a number in .*got "half"'),
    ({"hidden": [4] * 7}, "at most 6 layer widths"),
    ({"hidden": [4, 33]}, r"hidden\[1\] \(units in hidden layer 2\) must be a whole number "
                          r"in \[1, 32\], got 33"),
    ({"hidden": "4,4"}, "hidden must be a list"),
    ({"activation": "gelu"}, "activation must be one of relu, sigmoid, tanh"),
    ({"optimizer": "lion"}, "optimizer must be one of sgd, momentum, nesterov, adagrad, "
                            "rmsprop, adam"),
    ({"lr": 0}, r"lr must be a number in \(0, 10\], got 0"),
    ({"lr": float("nan")}, "lr must be a number"),
    ({"lr": True}, "lr must be a number"),
    ({"batch_size": 0}, "batch_size must be a whole number"),
    ({"l2": -1}, "l2 must be a number in"),
    ({"seed": -1}, "seed must be a whole number"),
    ({"dataset": "iris", "output": "sigmoid"}, "3 classes.*choose the softmax output"),
    ({"colour": "red"}, "unknown setting 'colour'"),
    ({"lanes": [{}] * 5}, "at most 4"),
    ({"lanes": [{"seed": 1}]}, r"lanes\[0\] has an unknown setting 'seed'"),
    ({"lanes": [{"lr": -1}]}, r"lanes\[0\]\.lr must be a number"),
    ({"lanes": ["sgd"]}, r"lanes\[0\] must be an object"),
])
def test_every_bad_setting_is_refused_with_what_is_allowed(settings, message):
    with pytest.raises(BadRequest, match=message):
        check_config(settings)


def test_step_requests_are_checked():
    assert check_step({}) == (10, 60)
    assert check_step({"iterations": 0, "grid": 10}) == (0, 10)
    for bad, message in (({"iterations": 501}, "iterations"), ({"grid": 101}, "grid"),
                         ({"grid": 9}, "grid"), ({"speed": 1}, "unknown field"),
                         ([], "JSON object")):
        with pytest.raises(BadRequest, match=message):
            check_step(bad)


def test_sessions_expire_when_idle_and_are_capped():
    now = [0.0]
    sessions = Sessions(cap=2, ttl=60, clock=lambda: now[0])
    a, _ = sessions.create(Config(points=20))
    now[0] = 50
    b, _ = sessions.create(Config(points=20))
    with pytest.raises(TooManySessions, match="2 sessions are live"):
        sessions.create(Config(points=20))
    now[0] = 100
    assert sessions.get(b) is not None  # used at 100: alive until 160
    assert sessions.get(a) is None and len(sessions) == 1  # idle since 0: gone
    sessions.create(Config(points=20))
    now[0] = 170
    assert len(sessions) == 0
    assert not sessions.delete(b)
