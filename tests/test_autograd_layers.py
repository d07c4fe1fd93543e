"""The autograd's convolution functions, layers, models, architectures and the adapter that
puts a hand-written layer of ``common.layers`` into an autograd graph."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import numerical

import common.autograd  # noqa: F401 - installs the operators
import common.layers as H
from common.autograd import architectures as A
from common.autograd import tensor
from common.autograd.adapter import AdaptedLayer
from common.autograd.conv import (
    col2im,
    conv2d,
    conv2d_simple,
    deconv2d,
    im2col,
    im2col_array,
)
from common.autograd.core import Parameter, Variable, no_grad, test_mode
from common.autograd.elementwise import relu, sigmoid
from common.autograd.layers import BatchNorm, Conv2d, Deconv2d, EmbedID, Layer, Linear
from common.autograd.layers_recurrent import LSTM, RNN
from common.autograd.losses import softmax_cross_entropy
from common.autograd.models import MLP, Model, Sequential
from common.autograd.optimizers import SGD
from common.autograd.pooling import average_pooling, pooling, pooling_simple


def value(y) -> float:
    """Σ of a Variable's array, as a float."""
    return float(np.sum(y.data))


@pytest.fixture
def rng():
    return np.random.default_rng(1)


# --- convolution and pooling functions -------------------------------------------------
CONFIGS = [(1, 0), (2, 1), ((2, 1), (1, 0)), ((1, 3), (0, 2))]


@pytest.mark.parametrize("stride,pad", CONFIGS)
def test_conv2d_and_deconv2d_gradients_with_pairs(rng, stride, pad):
    x, W, b = rng.standard_normal((2, 3, 7, 8)), rng.standard_normal((4, 3, 3, 2)), \
        rng.standard_normal(4)
    y = conv2d(x, W, b, stride, pad)
    np.testing.assert_allclose(y.data, conv2d_simple(x, W, b, stride, pad).data, atol=1e-12)
    dout = rng.standard_normal(y.shape)
    xv, Wv, bv = Variable(x), Variable(W), Variable(b)
    tensor.sum(conv2d(xv, Wv, bv, stride, pad) * dout).backward()
    for var, array in ((xv, x), (Wv, W), (bv, b)):
        expected = numerical(lambda: float(np.sum(conv2d(x, W, b, stride, pad).data * dout)),
                             array)
        np.testing.assert_allclose(var.grad.data, expected, rtol=1e-6, atol=1e-8)
    # deconv2d is conv2d's adjoint: <conv2d(x, W), g> = <x, deconv2d(g, W)>
    back = deconv2d(dout, W, None, stride, pad, outsize=x.shape[2:]).data
    assert np.isclose(np.sum(conv2d(x, W, None, stride, pad).data * dout), np.sum(x * back))
    # and has gradients of its own
    g, Wt = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((3, 5, 3, 2))
    gv, Wtv = Variable(g), Variable(Wt)
    out = deconv2d(gv, Wtv, None, stride, pad)
    weights = rng.standard_normal(out.shape)
    tensor.sum(out * weights).backward()
    for var, array in ((gv, g), (Wtv, Wt)):
        expected = numerical(lambda: float(np.sum(deconv2d(g, Wt, None, stride, pad).data *
                                                  weights)), array)
        np.testing.assert_allclose(var.grad.data, expected, rtol=1e-6, atol=1e-8)


def test_conv2d_second_derivatives_through_conv2dgradw(rng):
    x, W = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    u = rng.standard_normal(W.shape)

    def weight_grad_dot_u(x_array):  # <dL/dW, u> for L = Σ conv2d(x, W)² / 2
        Wv = Variable(W.copy())
        y = conv2d(x_array, Wv, None, 2, 1)
        tensor.sum(y * y / 2).backward()
        return float(np.sum(Wv.grad.data * u))

    xv, Wv = Variable(x.copy()), Variable(W.copy())
    y = conv2d(xv, Wv, None, 2, 1)
    tensor.sum(y * y / 2).backward(create_graph=True)
    z = tensor.sum(Wv.grad * u)
    xv.cleargrad()
    z.backward()
    np.testing.assert_allclose(xv.grad.data, numerical(lambda: weight_grad_dot_u(x), x),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kernel,stride,pad", [(2, 2, 0), (3, (2, 1), (1, 0))])
def test_pooling_gradients_and_second_derivatives(rng, kernel, stride, pad):
    x = rng.standard_normal((2, 3, 6, 7))
    y = pooling(x, kernel, stride, pad)
    if pad == 0:
        np.testing.assert_array_equal(y.data, pooling_simple(x, kernel, stride, pad).data)
    v = rng.standard_normal(x.shape)

    def input_grad_dot_v(x_array):  # <dL/dx, v> for L = Σ pooling(x)² / 2
        xv = Variable(x_array.copy())
        p = pooling(xv, kernel, stride, pad)
        tensor.sum(p * p / 2).backward()
        return float(np.sum(xv.grad.data * v))

    xv = Variable(x.copy())
    p = pooling(xv, kernel, stride, pad)
    tensor.sum(p * p / 2).backward(create_graph=True)
    np.testing.assert_allclose(xv.grad.data, numerical(
        lambda: value(pooling(x, kernel, stride, pad) ** 2) / 2, x), rtol=1e-6, atol=1e-8)
    z = tensor.sum(xv.grad * v)
    xv.cleargrad()
    z.backward()
    np.testing.assert_allclose(xv.grad.data, numerical(lambda: input_grad_dot_v(x), x),
                               rtol=1e-6, atol=1e-8)


def test_average_pooling_im2col_and_col2im(rng):
    x = rng.standard_normal((2, 3, 5, 6))
    y = average_pooling(x, 2, 2)
    np.testing.assert_allclose(y.data, x[:, :, :4, :6].reshape(2, 3, 2, 2, 3, 2).mean((3, 5)))
    for f in (lambda a: average_pooling(a, (3, 2), (1, 2), 1),
              lambda a: im2col(a, (3, 2), (2, 1), (1, 0)) ** 2,
              lambda a: im2col(a, 3, 2, 1, to_matrix=False) ** 2):
        xv = Variable(x.copy())
        tensor.sum(f(xv)).backward()
        np.testing.assert_allclose(xv.grad.data, numerical(lambda f=f: value(f(x)), x),
                                   rtol=1e-6, atol=1e-8)
    col = im2col_array(x, (3, 2), (2, 1), (1, 0))
    assert col.shape == (2 * 3 * 5, 3 * 3 * 2)  # 3 x 5 windows per image
    g = rng.standard_normal(col.shape)  # col2im is im2col's adjoint
    assert np.isclose(np.sum(col * g), np.sum(x * col2im(g, x.shape, (3, 2), (2, 1),
                                                         (1, 0)).data))


def test_convolution_errors_are_clear():
    x = np.zeros((1, 3, 4, 4))
    with pytest.raises(ValueError, match="C on axis 1"):
        conv2d(x, np.zeros((2, 4, 3, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        conv2d(x, np.zeros((2, 3, 5, 5)))
    with pytest.raises(ValueError, match="stride"):
        pooling(x, 2, 0)
    with pytest.raises(ValueError, match="smaller than the window"):
        pooling(x, 2, 1, 2)


# --- layers ----------------------------------------------------------------------------
class Two(Layer):
    def __init__(self):
        super().__init__()
        self.fc = Linear(3, in_size=2)
        self.inner = MLP((4, 2))
        self.p = Parameter(np.ones(2, dtype=np.float32))
        self.shared = self.fc  # the same layer twice: its Parameters once in params()

    def forward(self, x):
        return self.inner(self.fc(x) + self.shared(x)) * self.p


def test_layer_registers_parameters_and_layers_recursively():
    model = Two()
    params = {}
    model._flatten_params(params)
    assert list(params) == ["fc/W", "fc/b", "inner/l0/W", "inner/l0/b", "inner/l1/W",
                            "inner/l1/b", "p", "shared/W", "shared/b"]
    assert len(list(model.params())) == 7
    x = Variable(np.ones((5, 2), dtype=np.float32))
    y = model(x)
    assert model.inputs[0]() is x and model.outputs[0]() is y
    tensor.sum(y).backward()
    assert all(p.grad is not None for p in model.params())
    model.cleargrads()
    assert all(p.grad is None for p in model.params())
    model.p = None  # no longer a parameter
    assert len(list(model.params())) == 6


def test_linear_draws_the_books_weights_from_np_random():
    np.random.seed(0)
    layer = Linear(3, in_size=4)
    np.random.seed(0)
    expected = np.random.randn(4, 3).astype(np.float32) * np.float32(np.sqrt(1 / 4))
    np.testing.assert_array_equal(layer.W.data, expected)
    assert layer.W.dtype == layer.b.dtype == np.float32
    lazy = Linear(3, nobias=True)
    assert lazy.W.data is None and lazy.b is None
    assert lazy(np.ones((2, 5), dtype=np.float32)).shape == (2, 3)
    assert lazy.W.shape == (5, 3) and len(list(lazy.params())) == 1


def test_save_and_load_weights_round_trip_in_place(tmp_path):
    np.random.seed(0)
    x = np.random.rand(4, 2).astype(np.float32)
    model = MLP((5, 3))
    y = model(x).data
    model.save_weights(tmp_path / "mlp")  # '.npz' added, as NumPy does
    assert (tmp_path / "mlp.npz").is_file()
    fresh = MLP((5, 3))  # lazy: its W are made by the load
    fresh.load_weights(tmp_path / "mlp.npz")
    np.testing.assert_array_equal(fresh(x).data, y)
    arrays = [p.data for p in fresh.params()]
    for p in fresh.params():
        p.data += 1
    fresh.load_weights(tmp_path / "mlp")
    assert all(a is p.data for a, p in zip(arrays, fresh.params(), strict=True))
    np.testing.assert_array_equal(fresh(x).data, y)
    state = model.state_dict()
    assert list(state) == ["l0/W", "l0/b", "l1/W", "l1/b"] and state["l0/W"] is model.l0.W.data


def test_loading_another_models_file_raises_and_loads_nothing(tmp_path):
    np.random.seed(1)
    other = MLP((5, 4, 3))
    other(np.ones((1, 2), dtype=np.float32))
    other.save_weights(tmp_path / "other.npz")
    model = MLP((6, 3))
    model(np.ones((1, 2), dtype=np.float32))
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError) as err:
        model.load_weights(tmp_path / "other.npz")
    message = str(err.value)
    assert "nothing was loaded" in message and "other.npz" in message
    assert "not in this model: l2/W, l2/b" in message
    assert "l0/W has shape (2, 5), this model's is (2x6)" in message
    for key, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[key])
    lazy = MLP((6, 3))
    with pytest.raises(ValueError, match=r"l0/W has shape \(2, 5\), this model's is \(\?x6\)"):
        lazy.load_weights(tmp_path / "other.npz")
    assert lazy.l0.W.data is None
    with pytest.raises(ValueError, match="missing l1/b"):
        model.load_state_dict({k: v for k, v in before.items() if k != "l1/b"})
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a weights file"):
        model.load_weights(tmp_path / "bad.npz")
    np.savez(tmp_path / "objects.npz", **{"l0/W": np.array([None], dtype=object)})
    with pytest.raises(ValueError, match="not a weights file"):  # it would need pickle
        model.load_weights(tmp_path / "objects.npz")
    with pytest.raises(FileNotFoundError):
        model.load_weights(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="no array yet"):
        MLP((3,)).save_weights(tmp_path / "lazy.npz")


def test_mlp_learns_spiral_data():
    rng = np.random.default_rng(0)
    n, classes = 60, 3
    radius = np.tile(np.linspace(0.05, 1, n), classes)
    label = np.repeat(np.arange(classes), n)
    angle = label * 2 * np.pi / classes + radius * 4 + rng.normal(0, 0.1, n * classes)
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], 1).astype(np.float32)
    np.random.seed(0)
    model = MLP((20, classes), activation=sigmoid)
    losses = []
    for _ in range(300):
        loss = softmax_cross_entropy(model(x), label)
        model.cleargrads()
        loss.backward()
        with no_grad():
            for p in model.params():
                p.data -= 1.0 * p.grad.data
        losses.append(float(loss.data))
    assert losses[-1] < 0.6 * losses[0]
    assert model.l0.W.dtype == np.float32


def test_conv_layers_embedding_and_batch_norm():
    np.random.seed(0)
    x = np.random.rand(2, 3, 8, 8).astype(np.float32)
    conv = Conv2d(4, kernel_size=3, stride=1, pad=1)
    assert conv(x).shape == (2, 4, 8, 8) and conv.W.shape == (4, 3, 3, 3)
    deconv = Deconv2d(5, kernel_size=4, stride=2, pad=1)
    assert deconv(x).shape == (2, 5, 16, 16) and deconv.W.shape == (3, 5, 4, 4)
    emb = EmbedID(7, 3)
    assert emb(np.array([[1, 6]])).shape == (1, 2, 3)
    bn = BatchNorm()
    h = np.random.randn(16, 3).astype(np.float32) * 2 + 5
    y = bn(h)
    np.testing.assert_allclose(y.data.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(bn.avg_mean.data, 0.1 * h.mean(0), rtol=1e-5)
    with test_mode():
        y_test = bn(h)
    assert not np.allclose(y_test.data, y.data)
    assert set(BatchNorm.__dict__) >= {"forward"}
    assert [k for k in bn.state_dict()] == ["avg_mean", "avg_var", "gamma", "beta"]
    assert bn.avg_mean.grad is None  # running averages are never trained


def test_recurrent_layers_keep_and_reset_state_and_truncate():
    np.random.seed(0)
    rnn = RNN(4, in_size=3)  # an input size unlike the hidden one works
    lstm = LSTM(4)
    xs = np.random.rand(6, 2, 3).astype(np.float32)
    for layer in (rnn, lstm):
        loss = 0
        for x in xs:
            loss = loss + tensor.sum(layer(x))
        layer.cleargrads()
        loss.backward()
        assert all(p.grad is not None for p in layer.params())
        loss.unchain_backward()
        assert layer.h.creator is None
        layer.reset_state()
        assert layer.h is None
    assert lstm.c is None


def test_sequential_and_model_plot(tmp_path):
    model = Sequential(Linear(4), relu, Linear(2))
    x = np.ones((3, 5), dtype=np.float32)
    assert model(x).shape == (3, 2) and len(list(model.params())) == 4
    result = model.plot(x, to_file=str(tmp_path / "model.png"))
    del result
    assert (tmp_path / "model.png").is_file() or (tmp_path / "model.dot").is_file()
    assert isinstance(model, Model)


# --- the adapter -----------------------------------------------------------------------
def test_an_adapted_affine_gets_the_gradient_of_autograd_linear(rng):
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x = rng.standard_normal((5, 4))
    t = np.array([0, 2, 1, 1, 0])
    affine = H.Affine(W.copy(), b.copy())
    adapted = AdaptedLayer(affine)
    assert adapted.W.data is affine.W and adapted.b.data is affine.b
    xv = Variable(x.copy())
    # used twice in one graph: each call keeps its own cache, the gradients add up
    loss = softmax_cross_entropy(adapted(sigmoid(xv)) + adapted(xv), t)
    loss.backward()
    Wv, bv, xw = Variable(W.copy()), Variable(b.copy()), Variable(x.copy())
    twin = softmax_cross_entropy(tensor.linear(sigmoid(xw), Wv, bv) + tensor.linear(xw, Wv, bv),
                                 t)
    twin.backward()
    assert np.isclose(float(loss.data), float(twin.data), rtol=1e-12)
    for got, want in ((adapted.W, Wv), (adapted.b, bv), (xv, xw)):
        np.testing.assert_allclose(got.grad.data, want.grad.data, rtol=1e-10, atol=1e-12)
    SGD(lr=0.1).setup(adapted).update()  # the optimizer's in-place step trains the layer
    np.testing.assert_allclose(affine.W, W - 0.1 * Wv.grad.data)
    assert adapted.W.data is affine.W
    with pytest.raises(RuntimeError, match="first derivatives only"):
        y = tensor.sum(adapted(Variable(x)) ** 2)
        y.backward(create_graph=True)


def test_adapted_loss_batch_norm_and_container_layers(rng):
    x, t = rng.standard_normal((6, 4)), np.array([0, 1, 2, 3, 0, 1])
    xv, xw = Variable(x.copy()), Variable(x.copy())
    AdaptedLayer(H.SoftmaxWithLoss())(xv, t).backward()
    softmax_cross_entropy(xw, t).backward()
    np.testing.assert_allclose(xv.grad.data, xw.grad.data, rtol=1e-10)
    bn = H.BatchNormalization(np.ones(4), np.zeros(4))
    adapted = AdaptedLayer(bn)
    assert list(adapted.state_dict()) == ["gamma", "beta", "running_mean", "running_var"]
    adapted(x)
    assert not np.allclose(bn.running_mean, 0)
    with test_mode():  # Config.train reaches the layer's train_flg
        kept = bn.running_mean.copy()
        adapted(x)
        np.testing.assert_array_equal(bn.running_mean, kept)
    block = AdaptedLayer(H.Residual([H.Affine(rng.standard_normal((4, 4)), np.zeros(4))]))
    assert list(block.state_dict()) == ["Affine1.W", "Affine1.b"]
    xv = Variable(x.copy())
    tensor.sum(block(xv) ** 2).backward()
    assert block.params().__next__().grad is not None
    y = block(xv) + block(xv)
    with pytest.raises(RuntimeError, match="called again"):
        tensor.sum(y).backward()


# --- architectures ---------------------------------------------------------------------
def trained_count(model: Layer) -> int:
    """Elements of the trained parameters (running averages left out)."""
    return sum(p.size for key, p in model.state_dict().items()
               if not key.endswith(("avg_mean", "avg_var")))


def test_architectures_have_the_published_shapes():
    np.random.seed(0)
    with test_mode(), no_grad():
        vgg = A.VGG16()
        assert vgg(np.random.rand(1, 3, 32, 32).astype(np.float32)).shape == (1, 1000)
        convs = sum(p.size for k, p in vgg.state_dict().items() if k.startswith("conv"))
        assert convs == 14_714_688 and vgg.fc6.W.shape == (512, 4096)
        resnet = A.ResNet50()
        assert resnet(np.random.rand(1, 3, 64, 64).astype(np.float32)).shape == (1, 1000)
        assert trained_count(resnet) == 25_557_032 + 64  # torchvision's, and conv1's bias
        assert len(resnet.res4._forward) == 6 and resnet.fc6.W.shape == (2048, 1000)
        for version, count in (("1.0", 1_248_424), ("1.1", 1_235_496)):
            squeeze = A.SqueezeNet(version=version)
            out = squeeze(np.random.rand(2, 3, 96, 96).astype(np.float32))
            assert out.shape == (2, 1000) and trained_count(squeeze) == count
    assert [len(A.ResNet(n).res4._forward) for n in (101, 152)] == [23, 36]
    with pytest.raises(ValueError, match="50, 101 or 152"):
        A.ResNet(34)


def test_pretrained_weights_come_from_the_users_folder_only(tmp_path, monkeypatch):
    monkeypatch.setattr(A, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"vgg16\.npz at .*download https://"):
        A.VGG16(pretrained=True)
    with pytest.raises(FileNotFoundError, match="resnet50.npz"):
        A.ResNet50(pretrained=True)
    np.random.seed(0)
    x = np.random.rand(1, 3, 48, 48).astype(np.float32)
    squeeze = A.SqueezeNet(version="1.1")
    with test_mode():
        y = squeeze(x).data
    squeeze.save_weights(tmp_path / "squeezenet1_1.npz")
    loaded = A.SqueezeNet(pretrained=True, version="1.1")
    with test_mode():
        np.testing.assert_array_equal(loaded(x).data, y)


def test_an_adapted_lstm_step_unrolled_matches_the_autograd_lstm(rng):
    n, d, h, steps = 2, 3, 4, 3
    Wx, Wh, b = (rng.standard_normal((d, 4 * h)) / 2, rng.standard_normal((h, 4 * h)) / 2,
                 rng.standard_normal(4 * h))
    xs = rng.standard_normal((steps, n, d))
    step = AdaptedLayer(H.LSTM(Wx.copy(), Wh.copy(), b.copy()))
    state = (np.zeros((n, h)), np.zeros((n, h)))
    loss = 0
    for x in xs:  # the same hand-written layer at every step, one graph
        state = step(x, *state)
        loss = loss + tensor.sum(state[0] ** 2)  # c of the last step gets no gradient
    loss.backward()
    twin = LSTM(h, in_size=d)
    for k, gate in enumerate("fuio"):  # hand-written blocks f, g, i, o
        block = slice(k * h, (k + 1) * h)
        getattr(twin, f"x2{gate}").W.data = Wx[:, block].copy()
        getattr(twin, f"x2{gate}").b.data = b[block].copy()
        getattr(twin, f"h2{gate}").W.data = Wh[:, block].copy()
    twin_loss = 0
    for x in xs:
        twin_loss = twin_loss + tensor.sum(twin(x) ** 2)
    twin_loss.backward()
    assert np.isclose(float(loss.data), float(twin_loss.data), rtol=1e-12)
    got = np.concatenate([getattr(twin, f"h2{g}").W.grad.data for g in "fuio"], axis=1)
    np.testing.assert_allclose(step.Wh.grad.data, got, rtol=1e-9, atol=1e-12)
    got = np.concatenate([getattr(twin, f"x2{g}").b.grad.data for g in "fuio"])
    np.testing.assert_allclose(step.b.grad.data, got, rtol=1e-9, atol=1e-12)
