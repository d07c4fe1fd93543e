"""Programs written the book's way run against this library unchanged.

The network below is written exactly in the style of the book's chapter 5
(``from common.layers import *``, a params dict of float64 arrays, an OrderedDict
of layers, ``lastLayer``), and the loops in the style of its chapters 5 and 6.
"""

from collections import OrderedDict

import numpy as np

from common.gradient import numerical_gradient
from common.layers import *  # noqa: F403 - the book's own import style
from common.multi_layer_net import MultiLayerNet
from common.optimizer import *  # noqa: F403
from common.trainer import Trainer
from common.util import smooth_curve


class BookStyleTwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params["W1"] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params["b1"] = np.zeros(hidden_size)
        self.params["W2"] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params["b2"] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])  # noqa: F405
        self.layers["Relu1"] = Relu()  # noqa: F405
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])  # noqa: F405
        self.lastLayer = SoftmaxWithLoss()  # noqa: F405

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)  # noqa: E731
        return {key: numerical_gradient(loss_W, self.params[key]) for key in self.params}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}


def toy_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, n)
    x = (rng.standard_normal((n, 8)) + 4 * np.eye(3, 8)[t]).astype(np.float32)
    return x, np.eye(3, dtype=np.float32)[t]  # one-hot labels, as in the book's chapter 5


def test_book_style_network_gradient_check_and_training():
    np.random.seed(0)
    x, t = toy_data()
    network = BookStyleTwoLayerNet(input_size=8, hidden_size=10, output_size=3,
                                   weight_init_std=0.5)
    grad_numerical = network.numerical_gradient(x[:3].astype(np.float64), t[:3])
    grad_backprop = network.gradient(x[:3].astype(np.float64), t[:3])
    for key in grad_numerical:
        assert np.mean(np.abs(grad_backprop[key] - grad_numerical[key])) < 1e-7, key
    optimizer = SGD(lr=0.1)  # noqa: F405
    for _ in range(300):
        batch = np.random.choice(len(x), 50)
        optimizer.update(network.params, network.gradient(x[batch], t[batch]))
    assert network.accuracy(x, t) > 0.9


def test_book_style_optimizer_comparison_and_trainer():
    np.random.seed(0)
    x, t = toy_data()
    optimizers = {"SGD": SGD(), "Momentum": Momentum(), "AdaGrad": AdaGrad(),  # noqa: F405
                  "Adam": Adam()}  # noqa: F405
    networks, train_loss = {}, {}
    for key in optimizers:
        networks[key] = MultiLayerNet(input_size=8, hidden_size_list=[20, 20], output_size=3,
                                      seed=1)
        train_loss[key] = []
    for _ in range(100):
        batch_mask = np.random.choice(len(x), 32)
        for key in optimizers:
            grads = networks[key].gradient(x[batch_mask], t[batch_mask])
            optimizers[key].update(networks[key].params, grads)
            train_loss[key].append(networks[key].loss(x[batch_mask], t[batch_mask]))
    for key in optimizers:
        assert len(smooth_curve(train_loss[key])) == 100
        assert np.mean(train_loss[key][-10:]) < np.mean(train_loss[key][:10])
    trainer = Trainer(MultiLayerNet(8, [20], 3, seed=1), x, t, x, t, epochs=10,
                      mini_batch_size=100, optimizer="Adam", optimizer_param={"lr": 0.01},
                      verbose=False)
    trainer.train()
    assert len(trainer.test_acc_list) == 10 and max(trainer.test_acc_list) > 0.9


def test_the_trainer_reads_a_book_networks_loss_without_a_second_forward_pass():
    # the book's networks keep no last_loss; their loss layer holds the loss of the forward
    # pass of gradient(), which the Trainer records instead of running predict once more
    np.random.seed(0)
    net = BookStyleTwoLayerNet(4, 5, 3, weight_init_std=0.5)
    calls = []
    predict = net.predict
    net.predict = lambda x: calls.append(len(x)) or predict(x)
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(20, 4)), rng.integers(0, 3, 20)
    trainer = Trainer(net, x, t, x, t, epochs=1, mini_batch_size=10, optimizer="sgd",
                      optimizer_param={"lr": 0.1}, verbose=False)
    before = net.loss(x[:10], t[:10])
    calls.clear()
    loss = trainer.train_step(np.arange(10))
    assert calls == [10]  # one forward pass for the step
    assert loss == before  # the loss before the update, as a second pass would give
