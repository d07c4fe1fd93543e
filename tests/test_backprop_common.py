"""common.plots.surface, common.plots.boundary, common.optim.descent and
common.checks.check_gradients."""

from collections import OrderedDict

import numpy as np
import pytest
from helpers import assert_png

from common.checks.gradients import GradientMismatch, check_gradients
from common.functions import softmax
from common.layers import Affine, MatMul, Sigmoid, SoftmaxWithLoss, SquaredErrorLoss
from common.nets.network import Network
from common.optim import SGD
from common.optim.descent import descend, parabola, parabola_gradient
from common.plots.boundary import draw_decision_boundary, probability_grid
from common.plots.figures import pyplot, save_figure
from common.plots.surface import loss_surface, training_path


def line_net(w=0.0, b=0.0):
    return Network([Affine(np.array([[w]]), np.array([b]))], SquaredErrorLoss())


def test_loss_surface_matches_the_formula_and_leaves_the_network_as_it_was():
    x = np.arange(1.0, 6.0).reshape(-1, 1)
    y = 3 * x + 5
    net = line_net(0.5, -1.0)
    ws, bs = np.linspace(0, 6, 7), np.linspace(3, 7, 5)
    surface = loss_surface(net, x, y, "W1", ("b1", (0,)), ws, bs, scale=2 * len(x))
    assert surface.shape == (5, 7)
    W, B = np.meshgrid(ws, bs)
    expected = np.sum((W[..., None] * x[:, 0] + B[..., None] - y[:, 0]) ** 2, axis=-1)
    np.testing.assert_allclose(surface, expected, rtol=1e-12)
    assert np.unravel_index(surface.argmin(), surface.shape) == (2, 3) and surface.min() == 0
    assert net.params["W1"][0, 0] == 0.5 and net.params["b1"][0] == -1.0


def test_loss_surface_names_a_bad_parameter():
    net = Network([MatMul(np.zeros((2, 1)))], SquaredErrorLoss())
    x, t = np.ones((3, 2)), np.ones((3, 1))
    with pytest.raises(ValueError, match="has 2 elements: name one"):
        loss_surface(net, x, t, "W1", ("W1", (1, 0)), [0], [0])
    with pytest.raises(KeyError, match="no parameter 'W9'"):
        loss_surface(net, x, t, "W9", ("W1", (1, 0)), [0], [0])
    with pytest.raises(IndexError, match="outside 'W1'"):
        loss_surface(net, x, t, ("W1", (0, 0)), ("W1", (2, 0)), [0], [0])
    with pytest.raises(ValueError, match="same element"):
        loss_surface(net, x, t, ("W1", (0, 0)), ("W1", (0, 0)), [0], [0])


def test_probability_grid_layout_and_decision_boundary_figure(tmp_path):
    g1, g2, p = probability_grid(lambda pts: (pts[:, 0] > pts[:, 1]).astype(float), (0, 1),
                                 (0, 2), 5)
    assert g1.shape == g2.shape == p.shape == (5, 5)
    assert g1[0, -1] == 1 and g2[-1, 0] == 2  # columns run along x, rows along y
    np.testing.assert_array_equal(p, g1 > g2)
    plt = pyplot()
    fig, ax = plt.subplots()
    filled = draw_decision_boundary(ax, lambda pts: 1 / (1 + np.exp(-3 * pts[:, 0])), (-2, 2),
                                    (-1, 1), resolution=50)
    assert filled is not None and ax.get_xlim() == (-2, 2)
    assert_png(save_figure(fig, tmp_path / "boundary.png"))


def test_descend_records_every_point():
    points = descend(SGD(0.1), parabola_gradient, {"x": 10.0}, 3)
    np.testing.assert_allclose(points[:, 0], [10, 3.6, 1.04, 0.016])
    assert parabola(points[0, 0]) == 345


def small_circle_net(rng, sigmoid=Sigmoid):
    layers = OrderedDict(Affine1=Affine(rng.standard_normal((2, 3)), rng.standard_normal(3)),
                         Sigmoid1=sigmoid(),
                         Affine2=Affine(rng.standard_normal((3, 2)), rng.standard_normal(2)))
    return Network(layers, SoftmaxWithLoss())


def test_check_gradients_passes_a_correct_network_and_returns_the_largest_difference():
    rng = np.random.default_rng(0)
    net = small_circle_net(rng)
    x, t = rng.standard_normal((6, 2)), np.eye(2)[rng.integers(0, 2, 6)]
    largest = check_gradients(net, x, t, scale=6)
    assert 0 < largest < 1e-7
    before = {k: v.copy() for k, v in net.params.items()}
    check_gradients(net, x, t)
    for key, value in net.params.items():
        np.testing.assert_array_equal(value, before[key])


class WrongSigmoid(Sigmoid):
    """A deliberately wrong backward pass: forgets the (1 - σ) factor."""

    def backward(self, dout):
        return dout * self.out


def test_check_gradients_raises_naming_the_parameter_and_element():
    rng = np.random.default_rng(0)
    net = small_circle_net(rng, WrongSigmoid)
    x, t = rng.standard_normal((6, 2)), np.eye(2)[rng.integers(0, 2, 6)]
    with pytest.raises(GradientMismatch, match=r"gradient of W1\[0, 0\]: backpropagation gives"):
        check_gradients(net, x, t)
    assert issubclass(GradientMismatch, ValueError)
    # the probabilities are still right: only the backward pass is wrong
    np.testing.assert_allclose(softmax(net.predict(x)).sum(axis=1), 1)


def test_training_path_records_costs_and_points_and_keeps_untrained_parameters():
    x = np.arange(1.0, 6.0).reshape(-1, 1)
    net = line_net(0.0, 1.0)
    costs, points = training_path(net, x, 3 * x, SGD(0.01), 5, track=["W1", "b1"],
                                  scale=2, trainable=["W1"], lr_schedule=[0.01] * 5)
    assert costs.shape == (6,) and points.shape == (6, 2)
    assert points[0].tolist() == [0.0, 1.0] and np.all(points[:, 1] == 1.0)  # b1 is fixed
    assert np.all(np.diff(costs) < 0)
    assert costs[-1] == pytest.approx(2 * net.loss(x, 3 * x))
    with pytest.raises(ValueError, match="2 rates for 5 updates"):
        training_path(net, x, 3 * x, SGD(0.01), 5, lr_schedule=[0.1, 0.1])
