"""The defaults the book's chapter programs rely on (../shared/reference/book-api.md), and the
batch-norm figure of its chapter 6 at the smallest weight scale, which depends on one of them."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from helpers import needs_mnist

from common import optimizer
from common.checks.gradients import numerical_gradient
from common.layers import BatchNormalization, Convolution, Dropout, Pooling
from common.nets.conv import SimpleConvNet
from common.nets.multi_layer import MultiLayerNet, TwoLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.training.trainer import Trainer
from dataset.mnist import load_mnist

BOOK_DEFAULTS = [
    (BatchNormalization, {"momentum": 0.9, "running_mean": None, "running_var": None,
                          "eps": 1e-6}),  # the book writes 10e-7
    (Dropout, {"dropout_ratio": 0.5}),
    (Convolution, {"stride": 1, "pad": 0}),
    (Pooling, {"stride": 2, "pad": 0}),
    (optimizer.SGD, {"lr": 0.01}),
    (optimizer.Momentum, {"lr": 0.01, "momentum": 0.9}),
    (optimizer.Nesterov, {"lr": 0.01, "momentum": 0.9}),
    (optimizer.AdaGrad, {"lr": 0.01}),
    (optimizer.RMSprop, {"lr": 0.01, "decay_rate": 0.99}),
    (optimizer.Adam, {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}),
    (Trainer, {"epochs": 20, "mini_batch_size": 100, "optimizer": "SGD",
               "evaluate_sample_num_per_epoch": None, "verbose": True}),
    (MultiLayerNet, {"activation": "relu", "weight_init_std": "relu",
                     "weight_decay_lambda": 0}),
    (MultiLayerNetExtend, {"activation": "relu", "weight_init_std": "relu",
                           "weight_decay_lambda": 0, "use_dropout": False,
                           "dropout_ratio": 0.5, "use_batchnorm": False}),
    (TwoLayerNet, {"weight_init_std": 0.01}),
    (SimpleConvNet, {"input_dim": (1, 28, 28), "hidden_size": 100, "output_size": 10,
                     "weight_init_std": 0.01}),
    (load_mnist, {"normalize": True, "flatten": True, "one_hot_label": False}),
    (numerical_gradient, {"h": 1e-4}),
]


@pytest.mark.parametrize("function, defaults", BOOK_DEFAULTS,
                         ids=[f.__name__ for f, _ in BOOK_DEFAULTS])
def test_the_book_defaults(function, defaults):
    parameters = inspect.signature(function).parameters
    for name, value in defaults.items():
        assert parameters[name].default == value, name


def test_the_adaptive_optimizers_use_the_books_epsilon():
    for cls in (optimizer.AdaGrad, optimizer.RMSprop, optimizer.Adam):
        assert cls().eps == 1e-7


def test_simple_conv_net_conv_param_and_trainer_lr_are_the_books():
    net = SimpleConvNet(seed=0)
    assert net.params["W1"].shape == (30, 1, 5, 5)  # filter_num 30, filter_size 5
    assert net.layers["Conv1"].stride == 1 and net.layers["Conv1"].pad == 0
    x, t = np.zeros((2, 784), np.float32), np.array([0, 1])
    assert Trainer(MultiLayerNet(784, [5], 10), x, t, x, t).optimizer.lr == 0.01


def final_training_accuracy(weight_scale: float, seed: int, x: np.ndarray, t: np.ndarray) -> float:
    """The book's batch_norm_test for one weight scale, with the batch-norm network: five
    hidden layers of 100, SGD lr 0.01, batches of 100 drawn from 1000 images, 20 "epochs"
    of 10 iterations; the training accuracy recorded last."""
    net = MultiLayerNetExtend(784, [100] * 5, 10, weight_init_std=weight_scale,
                              use_batchnorm=True, seed=seed)
    sgd, rng = optimizer.SGD(lr=0.01), np.random.default_rng(seed)
    for _ in range(191):  # the book records its 20th accuracy after update 191
        batch = rng.choice(len(x), 100)
        sgd.update(net.params, net.gradient(x[batch], t[batch]))
    return net.accuracy(x, t)


@pytest.mark.slow
@needs_mnist
def test_batch_norm_learns_at_weight_scale_1e_4_as_in_the_books_figure():
    (x, t), _ = load_mnist(normalize=True)
    x, t = x[:1000], t[:1000]
    accuracies = [final_training_accuracy(1e-4, seed, x, t) for seed in range(3)]
    # the book's figure: about 0.5 (0.53 measured on its own code); ours with eps 1e-6:
    # 0.446, 0.433, 0.424 for seeds 0-2. With eps 1e-5 it stays near chance (0.12-0.21).
    assert np.mean(accuracies) > 0.38, accuracies
