"""The layer protocol, declared once (``common.layers.base``): every layer is a ``Layer``,
other objects enter a network through ``as_layer``; gradient slots start empty, so a
forgotten backward is a clear error and not a silent step on zeros; the recurrent gates
are the formulas their docstrings show."""

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import common.layers
from common.functions import sigmoid
from common.layers import GRU, LSTM, Affine, Relu, SoftmaxWithLoss, TimeGRU, TimeLSTM
from common.layers.base import Layer
from common.nets.network import Network
from common.optim import SGD, Adam

ROOT = Path(__file__).resolve().parents[1]


def layer_classes():
    """Every class of ``common.layers`` with forward and backward."""
    return [cls for _, cls in inspect.getmembers(common.layers, inspect.isclass)
            if cls.__module__.startswith("common.layers") and callable(getattr(cls, "backward",
                                                                               None))]


def test_every_layer_of_the_library_is_a_layer():
    classes = layer_classes()
    assert len(classes) > 30
    assert [cls.__name__ for cls in classes if not issubclass(cls, Layer)] == []


def test_the_protocol_is_read_as_plain_attributes_outside_its_one_door():
    # hasattr and getattr with a default are the protocol by convention; the layers, the
    # network and its summary read declared attributes, and only as_layer (for objects
    # that are not Layers) and random_layers (for any model, the book's too) probe
    files = [*sorted((ROOT / "common" / "layers").glob("*.py")),
             *(ROOT / "common" / "nets" / name for name in ("network.py", "summary.py"))]
    probes = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                    node.func.id == "hasattr" or (node.func.id == "getattr"
                                                  and len(node.args) == 3)):
                probes[path.name] = probes.get(path.name, 0) + 1
    assert probes == {"base.py": 4}


def test_gradient_slots_are_empty_until_the_first_backward():
    rng = np.random.default_rng(0)
    layer = Affine(rng.standard_normal((3, 2)).astype(np.float32), np.zeros(2, np.float32))
    assert layer.dW is None and layer.db is None
    layer.backward(np.ones((4, 2), np.float32) + 0 * layer.forward(np.ones((4, 3), np.float32)))
    first = layer.dW
    assert first.dtype == np.float32
    layer.backward(np.ones((4, 2), np.float32))
    assert layer.dW is first  # written in place from then on


def f32(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


#: (layer, its input) for the layers test_param_lists.py does not cover
MORE_LAYERS = {
    "Convolution": lambda r: (common.layers.Convolution(f32(r, 2, 1, 3, 3), f32(r, 2)),
                              f32(r, 2, 1, 5, 5)),
    "CausalSelfAttention": lambda r: (common.layers.CausalSelfAttention(f32(r, 4, 12),
                                                                        f32(r, 4, 4), 2),
                                      f32(r, 2, 3, 4)),
    "LayerNorm": lambda r: (common.layers.LayerNorm(f32(r, 4), f32(r, 4)), f32(r, 2, 3, 4)),
    "PositionalEmbedding": lambda r: (common.layers.PositionalEmbedding(f32(r, 5, 4)),
                                      f32(r, 2, 3, 4)),
}


@pytest.mark.parametrize("name", MORE_LAYERS)
def test_every_layer_gives_the_second_books_lists_of_its_own_arrays(name):
    rng = np.random.default_rng(7)
    layer, x = MORE_LAYERS[name](rng)
    params, grads = layer.params, layer.grads  # taken once, before any backward
    assert [p.shape for p in params] == [g.shape for g in grads] and params
    for _ in range(2):
        out = layer.forward(x)
        layer.backward(f32(rng, *out.shape))
        assert all(a is b for a, b in zip(grads, layer.grads, strict=True))
    assert all(np.any(g != 0) for g in grads)


def by_hand(rng):
    affine = Affine(rng.standard_normal((3, 2)).astype(np.float32), np.zeros(2, np.float32))
    loss = SoftmaxWithLoss()
    loss.forward(affine.forward(rng.standard_normal((4, 3)).astype(np.float32)),
                 np.array([0, 1, 1, 0]))
    return affine


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_an_update_before_any_backward_says_to_call_backward(optimizer):
    affine = by_hand(np.random.default_rng(1))  # forward only: backward was forgotten
    before = affine.W.copy()
    with pytest.raises(ValueError, match=r"gradient of 'W' is None.*call backward first"):
        optimizer().update({"W": affine.W, "b": affine.b}, {"W": affine.dW, "b": affine.db})
    np.testing.assert_array_equal(affine.W, before)


def test_the_networks_gradients_before_any_backward_say_to_call_backward():
    rng = np.random.default_rng(2)
    net = Network([Affine(rng.standard_normal((3, 2)).astype(np.float32),
                          np.zeros(2, np.float32))], SoftmaxWithLoss())
    net.loss(rng.standard_normal((4, 3)).astype(np.float32), np.array([0, 1, 1, 0]))
    with pytest.raises(ValueError, match=r"'W1' has no gradient yet.*'Affine1'.*call "
                                         r"backward first"):
        net.layer_gradients()


def test_the_float64_twin_swaps_the_gradient_slot_and_gives_it_back():
    rng = np.random.default_rng(3)
    net = Network([Affine(rng.standard_normal((3, 2)).astype(np.float32),
                          np.zeros(2, np.float32))], SoftmaxWithLoss())
    x, t = rng.standard_normal((4, 3)).astype(np.float32), np.array([0, 1, 1, 0])
    layer = net.layers["Affine1"]
    own = net.gradient(x, t)["W1"]
    with net.in_float64():
        assert layer.dW is None
        assert net.gradient(x, t)["W1"].dtype == np.float64
    assert layer.dW is own and own.dtype == np.float32


class BookRelu:
    """The first book's layer: forward and backward, none of the protocol's traits."""

    def forward(self, x):
        self.mask = x <= 0
        return np.where(self.mask, 0, x)

    def backward(self, dout):
        return np.where(self.mask, 0, dout)


class ForwardOnly:
    def forward(self, x):
        return x


def test_an_object_without_backward_is_refused_when_the_network_is_built():
    with pytest.raises(TypeError, match=r"layer 'half' \(ForwardOnly\) has no backward method"):
        Network({"half": ForwardOnly()}, SoftmaxWithLoss())
    with pytest.raises(TypeError, match=r"Residual: 'half' \(ForwardOnly\) has no backward"):
        common.layers.Residual({"half": ForwardOnly()})


def test_a_book_layer_is_given_the_protocols_defaults_once():
    rng = np.random.default_rng(4)
    book = BookRelu()
    net = Network([Affine(rng.standard_normal((3, 2)).astype(np.float32),
                          np.zeros(2, np.float32)), book, Relu()], SoftmaxWithLoss())
    assert book.param_names == () and book.uses_train_flg is False and book.layers is None
    assert book.params == [] and book.grads == []
    assert list(net.layers) == ["Affine1", "BookRelu1", "Relu1"]


def reference_lstm_step(x, h, c, Wx, Wh, b):
    """The LSTM docstring's formulas, gate blocks f, g, i, o."""
    f, g, i, o = np.split(x @ Wx + h @ Wh + b, 4, axis=1)
    f, g, i, o = sigmoid(f), np.tanh(g), sigmoid(i), sigmoid(o)
    c_next = f * c + g * i
    return o * np.tanh(c_next), c_next


def reference_gru_step(x, h, Wx, Wh, bx, bh):
    """The GRU module's formulas (PyTorch's), blocks r, z, n."""
    ax, ah = x @ Wx + bx, h @ Wh + bh
    size = h.shape[1]
    rz = sigmoid(ax[:, :2 * size] + ah[:, :2 * size])
    r, z = rz[:, :size], rz[:, size:]
    n = np.tanh(ax[:, 2 * size:] + r * ah[:, 2 * size:])
    return n + z * (h - n)


def weights(rng, d, h, blocks, scale=3.0):
    return [(scale * rng.standard_normal(shape)).astype(np.float32)
            for shape in ((d, blocks * h), (h, blocks * h), (blocks * h,))]


def test_the_lstm_gates_are_the_plain_stable_sigmoid_of_its_docstring():
    rng = np.random.default_rng(5)
    n, d, h = 6, 5, 7
    Wx, Wh, b = weights(rng, d, h, 4)  # large pre-activations: many gates near 0 and 1
    x = rng.standard_normal((n, d)).astype(np.float32)
    h0, c0 = (rng.standard_normal((n, h)).astype(np.float32) for _ in range(2))
    with np.errstate(all="raise"):
        got = LSTM(Wx, Wh, b).forward(x, h0, c0)
    for actual, expected in zip(got, reference_lstm_step(x, h0, c0, Wx, Wh, b), strict=True):
        np.testing.assert_array_equal(actual, expected)
    # the time layer, step by step from zeros: the same to float32 rounding
    xs = rng.standard_normal((n, 4, d)).astype(np.float32)
    hs = TimeLSTM(Wx, Wh, b).forward(xs)
    state = np.zeros((n, h), np.float32), np.zeros((n, h), np.float32)
    for t in range(4):
        state = reference_lstm_step(xs[:, t], *state, Wx, Wh, b)
        np.testing.assert_allclose(hs[:, t], state[0], rtol=0, atol=2e-6)


def test_the_gru_gates_are_the_plain_stable_sigmoid_of_its_formulas():
    rng = np.random.default_rng(6)
    n, d, h = 6, 5, 7
    Wx, Wh, bx = weights(rng, d, h, 3)
    bh = (3 * rng.standard_normal(3 * h)).astype(np.float32)
    x = rng.standard_normal((n, d)).astype(np.float32)
    h0 = rng.standard_normal((n, h)).astype(np.float32)
    np.testing.assert_array_equal(GRU(Wx, Wh, bx, bh).forward(x, h0),
                                  reference_gru_step(x, h0, Wx, Wh, bx, bh))
    xs = rng.standard_normal((n, 4, d)).astype(np.float32)
    hs = TimeGRU(Wx, Wh, bx, bh).forward(xs)
    state = np.zeros((n, h), np.float32)
    for t in range(4):
        state = reference_gru_step(xs[:, t], state, Wx, Wh, bx, bh)
        np.testing.assert_allclose(hs[:, t], state, rtol=0, atol=2e-6)
