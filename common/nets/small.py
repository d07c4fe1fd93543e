"""The small networks of the first lessons, built from ``common`` layers, and how to read them.

- OneNet: logistic regression, ``Affine (D -> 1)`` + ``SigmoidWithLoss``: one
  straight line (a plane for more inputs) splits the inputs into two classes;
- TwoNet: ``Affine (D -> H)``, ``Relu``, ``Affine (H -> 2)`` + ``SoftmaxWithLoss``:
  the ReLU hidden layer bends the input space, so XOR becomes learnable;
- the 2-H-2 sigmoid network of P. Roelants' two circles: ``Affine``, ``Sigmoid``,
  ``Affine`` + ``SoftmaxWithLoss``, its parameters drawn in the original's order.

All are plain ``common.nets.network.Network`` objects. The logic-gate chapter (``ch_logic``),
the backpropagation chapter (``ch_backprop``) and the notebooks build them from here.
"""

from __future__ import annotations

import numpy as np

from common.functions import sigmoid, softmax
from common.layers.activations import Relu, Sigmoid
from common.layers.affine import Affine
from common.layers.losses import SigmoidWithLoss, SoftmaxWithLoss
from common.nets.network import Network

#: Parameters of OneNet and TwoNet are float32, like the data of ``dataset.logic``.
DTYPE = np.float32


def _weights(rng: np.random.Generator, shape: tuple[int, int], init_std: float) -> np.ndarray:
    """init_std · N(0, 1) weights of ``shape`` in DTYPE."""
    return (init_std * rng.standard_normal(shape)).astype(DTYPE)


def make_one_net(
    n_inputs: int, init_std: float = 0.01, weight_decay: float = 0.0, seed: int | None = None
) -> Network:
    """OneNet: ``Affine`` (W: (n_inputs, 1), b: (1,)) followed by ``SigmoidWithLoss``.

    predict(x) maps inputs (N, n_inputs) to one logit per row (N, 1); σ(logit) is
    the probability of class 1. W ~ init_std · N(0, 1) from ``default_rng(seed)``, b = 0.
    ``weight_decay`` is the L2 coefficient λ of ``Network`` (applied to W only).
    """
    rng = np.random.default_rng(seed)
    layers = [Affine(_weights(rng, (n_inputs, 1), init_std), np.zeros(1, dtype=DTYPE),
                     input_grad=False)]
    return Network(layers, SigmoidWithLoss(), weight_decay_lambda=weight_decay)


def make_two_net(
    n_inputs: int,
    hidden: int = 6,
    init_std: float = 0.01,
    weight_decay: float = 0.0,
    seed: int | None = None,
) -> Network:
    """TwoNet: ``Affine`` (n_inputs -> hidden), ``Relu``, ``Affine`` (hidden -> 2), softmax loss.

    predict(x) maps (N, n_inputs) to two logits per row (N, 2), one per class.
    Parameters (the book's names): W1 (n_inputs, hidden), b1 (hidden,), W2 (hidden, 2),
    b2 (2,); weights ~ init_std · N(0, 1) from ``default_rng(seed)``, biases 0.
    """
    rng = np.random.default_rng(seed)
    w1 = _weights(rng, (n_inputs, hidden), init_std)
    w2 = _weights(rng, (hidden, 2), init_std)
    layers = [
        # the input layer never needs the gradient with respect to the data
        Affine(w1, np.zeros(hidden, dtype=DTYPE), input_grad=False),
        Relu(),
        Affine(w2, np.zeros(2, dtype=DTYPE)),
    ]
    return Network(layers, SoftmaxWithLoss(), weight_decay_lambda=weight_decay)


def make_circles_net(rs: np.random.RandomState, hidden: int, std: float) -> Network:
    """The 2-hidden-2 network of the two circles: ``Affine`` (2 -> hidden), ``Sigmoid``,
    ``Affine`` (hidden -> 2) + ``SoftmaxWithLoss``, float64.

    Its parameters are std · N(0, 1), drawn from the legacy ``rs`` in the original
    tutorial's order (b_h (1, hidden), W_h (2, hidden), b_o (1, 2), W_o (hidden, 2)),
    so that a given seed reproduces the tutorial's numbers.
    """
    b_h = rs.standard_normal((1, hidden)) * std
    w_h = rs.standard_normal((2, hidden)) * std
    b_o = rs.standard_normal((1, 2)) * std
    w_o = rs.standard_normal((hidden, 2)) * std
    return Network([Affine(w_h, b_h.ravel()), Sigmoid(), Affine(w_o, b_o.ravel())],
                   SoftmaxWithLoss())


def probability_of_one(net: Network, x: np.ndarray) -> np.ndarray:
    """P(class 1 | x) for every row of x (N, D): shape (N,).

    Works for one output unit and for two: σ(logit) for a single output unit
    (OneNet), the second softmax probability for two (TwoNet, the circles' network).
    """
    scores = net.predict(x)
    if scores.shape[1] == 1:
        return sigmoid(scores[:, 0])
    return softmax(scores)[:, 1]


def predicted_class(net: Network, x: np.ndarray) -> np.ndarray:
    """The class (0 or 1) the network predicts for every row of x (N, D): int64 (N,).

    The same rule as ``Network.accuracy``: a positive logit for a single output
    unit, the larger logit for two. (Thresholding a rounded probability at 0.5
    could disagree with it when the logit is tiny.)
    """
    scores = net.predict(x)
    if scores.shape[1] == 1:
        return (scores[:, 0] > 0).astype(np.int64)
    return scores.argmax(axis=1)


def hidden_activations(net: Network, x: np.ndarray) -> np.ndarray:
    """The output of the network's first activation layer (``Relu`` or ``Sigmoid``) for
    inputs x (N, D): shape (N, hidden)."""
    out = np.asarray(x, dtype=net.dtype)
    for layer in net.layers.values():
        out = layer.forward(out)
        if isinstance(layer, Relu | Sigmoid):
            return out
    raise ValueError("this network has no Relu or Sigmoid hidden layer")
