"""The book's chapter 7 ``SimpleConvNet``, written the way the book writes it.

Used where the project checks that a book-style program runs on this library, and how
fast: ``benchmarks.bench_hand_conv`` times it, the tests check its gradients and its
weight reloading. A params dict of float64 arrays shared with an OrderedDict of layers,
conv - relu - pool - affine - relu - affine - softmax, its own predict / loss / accuracy /
gradient (running backward through every layer, the first convolution's input gradient
too), and the book's ``load_params``, which hands new arrays to the layers by assignment.
"""

from collections import OrderedDict

import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss


class BookSimpleConvNet:
    """The book's chapter 7 SimpleConvNet (weights of std ``weight_init_std``, drawn from a
    generator seeded with ``seed`` where the book calls np.random.randn)."""

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},  # noqa: B006
                 hidden_size=100, output_size=10, weight_init_std=0.01, seed=0):
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        conv_size = (input_dim[1] - filter_size + 2 * conv_param["pad"]) / \
            conv_param["stride"] + 1
        pool_size = int(filter_num * (conv_size / 2) * (conv_size / 2))
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": weight_init_std * rng.standard_normal((filter_num, input_dim[0], filter_size,
                                                         filter_size)),
            "b1": np.zeros(filter_num),
            "W2": weight_init_std * rng.standard_normal((pool_size, hidden_size)),
            "b2": np.zeros(hidden_size),
            "W3": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b3": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"],
                                           conv_param["stride"], conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        acc = 0.0
        for i in range(int(x.shape[0] / batch_size)):
            tx = x[i * batch_size:(i + 1) * batch_size]
            tt = t[i * batch_size:(i + 1) * batch_size]
            acc += np.sum(np.argmax(self.predict(tx), axis=1) == tt)
        return acc / x.shape[0]

    def numerical_gradient(self, x, t):
        loss_w = lambda w: self.loss(x, t)  # noqa: E731 - the book's idiom
        grads = {}
        for idx in (1, 2, 3):
            grads["W" + str(idx)] = numerical_gradient(loss_w, self.params["W" + str(idx)])
            grads["b" + str(idx)] = numerical_gradient(loss_w, self.params["b" + str(idx)])
        return grads

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W3"], grads["b3"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads

    def load_params(self, params):
        """The book's load_params: new arrays, handed to the layers by assignment."""
        self.params = {key: np.array(val) for key, val in params.items()}
        for i, key in enumerate(["Conv1", "Affine1", "Affine2"]):
            self.layers[key].W = self.params["W" + str(i + 1)]
            self.layers[key].b = self.params["b" + str(i + 1)]
