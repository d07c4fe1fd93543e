"""SimpleConvNet and DeepConvNet, and a convolutional network assembled the book's way.

Gradient checks in float64 on small inputs, the book's parameter names, parameters
shared with the layers, save/load, dtypes, seeds, flat input rows, batched
evaluation, errors naming the network's layer, a short run on real MNIST (skipped
unless MNIST_DIR is set) and the book's SimpleConvNet trained with the Trainer.
"""

import os
from collections import OrderedDict

import numpy as np
import pytest
from helpers import needs_mnist

from benchmarks.book_convnet import BookSimpleConvNet
from common.checks.gradients import (
    frozen_randomness,
    gradient_check,
    relative_error,
)
from common.layers import (
    Convolution,
    Dropout,
    Pooling,
    RandomShift,
    Relu,
)
from common.nets.conv import DeepConvNet, SimpleConvNet
from common.optim import SGD
from common.training.trainer import Trainer
from common.util import im2col, random_shift

TOL = 1e-6

#: DeepConvNet's six 3×3 convolutions and pads (1, 1, 1, 2, 1, 1), with few filters so
#: that numerical gradients stay fast. Image heights and widths that survive its three
#: 2×2 poolings are 4, 12, 20, 28, ... (≡ 4 mod 8): 12 -> 6 -> (6 + 2) / 2 = 4 -> 2.
SMALL_DEEP = [{"filter_num": n, "filter_size": 3, "pad": p, "stride": 1}
              for n, p in [(2, 1), (2, 1), (3, 1), (3, 2), (4, 1), (4, 1)]]


def simple(**kwargs):
    """A small SimpleConvNet: 2×6×8 images, 3 filters 3×3 pad 1 (-> 3×6×8 -> 3×3×4)."""
    args = {"input_dim": (2, 6, 8), "conv_param": {"filter_num": 3, "filter_size": 3, "pad": 1},
            "hidden_size": 5, "output_size": 4, **kwargs}
    return SimpleConvNet(**args)


def deep(**kwargs):
    """A small DeepConvNet on 1×12×4 images (last pooling: 4×2×1)."""
    args = {"input_dim": (1, 12, 4), "conv_params": SMALL_DEEP, "hidden_size": 6,
            "output_size": 3, **kwargs}
    return DeepConvNet(**args)


def images(net, n=4, seed=0):
    """n random images of the network's input size and random labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, *net.input_dim)), rng.integers(0, net.output_size, n)


def clear_of_kinks(layers, x, margin=3e-4):
    """Whether x's forward pass through ``layers`` keeps every ReLU input and every pooling
    window's runner-up at least ``margin`` from a kink (0, resp. the window's maximum), so
    that probes of h = 1e-4 see a smooth function and central differences are exact."""
    for layer in layers:
        if isinstance(layer, Relu) and np.min(np.abs(x)) < margin:
            return False
        if isinstance(layer, Pooling):
            col = im2col(x, layer.pool_h, layer.pool_w, layer.stride, layer.pad)
            top2 = np.sort(col.reshape(len(col), x.shape[1], -1), axis=2)[:, :, -2:]
            # windows of zeros from dead ReLUs tie harmlessly: no gradient flows there
            if np.any((top2[:, :, 1] > 0) & (top2[:, :, 1] - top2[:, :, 0] < margin)):
                return False
        x = layer.forward(x, True) if getattr(layer, "uses_train_flg", False) else \
            layer.forward(x)
    return True


def smooth_point(make, n):
    """A float64 network (random biases) and data whose forward pass is clear of kinks: the
    first of a few seeds that gives one (they rarely fail to, but initialisation may
    change)."""
    for seed in range(10):
        net = make(dtype=np.float64, seed=seed)
        randomize_biases(net, seed)
        x, t = images(net, n, seed=seed)
        if clear_of_kinks(net.layers.values(), x):
            return net, x, t
    raise AssertionError("no seed gives a forward pass clear of kinks")


def randomize_biases(net, seed):
    """Give the biases random values, in place. With the initial zero biases, an output whose
    window holds only zeros (padding, dead ReLUs) sits exactly on the next ReLU's kink,
    where the central difference is half the one-sided derivative backprop uses."""
    rng = np.random.default_rng(seed)
    for key, p in net.params.items():
        if key.startswith("b"):
            p[...] = rng.normal(0, 0.1, p.shape)


# --- gradients ---------------------------------------------------------------------------
# Weights of std 0.01 (the book's) make activations so small that some ReLU input or some
# pooling runner-up nearly always lies within h = 1e-4 of its kink, where central
# differences are wrong: larger weights, and a point clear of kinks, make 1e-6 meaningful.
@pytest.mark.parametrize("kwargs", [
    {"weight_init_std": "he"},
    {"weight_init_std": "he", "weight_decay_lambda": 0.1},
    {"input_dim": (1, 8, 8), "weight_init_std": 0.3,
     "conv_param": {"filter_num": 3, "filter_size": 4, "pad": 1, "stride": 2}},
    # the sizes of the book's ch07 gradient check: 10×10 images, 10 filters 3×3
    {"input_dim": (1, 10, 10), "conv_param": {"filter_num": 10, "filter_size": 3},
     "hidden_size": 10, "output_size": 10, "weight_init_std": 0.3},
], ids=["he", "weight-decay", "stride-2", "book-ch07-sizes"])
def test_simple_conv_net_backprop_matches_numerical_gradient(kwargs):
    net, x, t = smooth_point(lambda **kw: simple(**kw, **kwargs), n=4)
    errors = gradient_check(net, x, t)
    assert set(errors) == set(net.params)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("kwargs", [
    {},
    {"use_dropout": False},
    {"output_dropout": True, "dropout_ratio": 0.3},
    {"input_dim": (2, 4, 4), "weight_decay_lambda": 0.1},
], ids=["dropout", "no-dropout", "output-dropout", "2-channels-weight-decay"])
def test_deep_conv_net_backprop_matches_numerical_gradient(kwargs):
    net, x, t = smooth_point(lambda **kw: deep(**kw, **kwargs), n=3)
    if net.use_dropout:
        # the masks are random: gradient_check must freeze them for the check to mean anything
        assert net.loss(x, t, train_flg=True) != net.loss(x, t, train_flg=False)
    errors = gradient_check(net, x, t)
    assert set(errors) == {f"{p}{i}" for i in range(1, 9) for p in "Wb"}
    assert max(errors.values()) < TOL, errors


def test_deep_conv_net_dropout_layers():
    names = list(deep().layers)
    assert names[-3:] == ["Relu7", "Dropout1", "Affine8"]  # the book's dropout, on by default
    assert "Dropout2" not in names
    assert not any(n.startswith("Dropout") for n in deep(use_dropout=False).layers)
    net = deep(output_dropout=True, dropout_ratio=0.3, seed=0)
    assert list(net.layers)[-2:] == ["Affine8", "Dropout2"]
    # the book's ch08 network recognises them with isinstance(layer, Dropout)
    assert all(isinstance(net.layers[n], Dropout) for n in ("Dropout1", "Dropout2"))
    assert net.layers["Dropout2"].dropout_ratio == 0.3
    x, _ = images(net)
    # the output dropout randomises the scores in training, never at inference
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))


# --- structure ---------------------------------------------------------------------------
def book_order(net):
    """The same layer objects in the book's order, each ReLU before the pooling it feeds."""
    names = list(net.layers)
    for i in [i for i, name in enumerate(names) if name.startswith("Pool")]:
        names[i], names[i + 1] = names[i + 1], names[i]  # Pool, Relu -> Relu, Pool
    return OrderedDict((name, net.layers[name]) for name in names)


@pytest.mark.parametrize("make", [simple, lambda **kw: deep(use_dropout=False, **kw)],
                         ids=["simple", "deep"])
def test_pooling_before_relu_is_the_books_network(make):
    # conv - pool - relu computes exactly what the book's conv - relu - pool does, and has
    # exactly its gradients; blank images and biases of both signs make windows of equal
    # values (ties) and windows whose maximum is negative
    net = make(weight_init_std="he", seed=0)
    names = list(net.layers)
    assert all(names[i + 1].startswith("Relu") for i, name in enumerate(names)
               if name.startswith("Pool"))
    for key, b in net.params.items():
        if key.startswith("b"):
            b[...] = np.random.default_rng(1).standard_normal(b.shape)
    x, t = images(net, n=6)
    x[:2] = 0.0
    scores, grads = net.predict(x), {k: g.copy() for k, g in net.gradient(x, t).items()}
    net.layers = book_order(net)
    assert "Relu1, Pool1" in ", ".join(net.layers) or "Relu2, Pool1" in ", ".join(net.layers)
    np.testing.assert_array_equal(net.predict(x), scores)
    for key, g in net.gradient(x, t).items():
        np.testing.assert_array_equal(g, grads[key], err_msg=key)


def test_random_shift_moves_each_image_by_at_most_max_shift_pixels():
    rng = np.random.default_rng(0)
    x = rng.random((40, 2, 6, 7)).astype(np.float32) + 1  # no zeros: the fill shows
    out = random_shift(x, 2, rng=1)
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, random_shift(x, 2, rng=1))  # seeded
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    seen = set()
    for n in range(len(x)):
        matches = [(dy, dx) for dy in range(5) for dx in range(5)
                   if np.array_equal(out[n], padded[n, :, dy:dy + 6, dx:dx + 7])]
        assert len(matches) == 1, n  # one shift of the whole image, both channels alike
        seen.add(matches[0])
    assert len(seen) > 10  # shifts drawn per image
    np.testing.assert_array_equal(random_shift(x, 0), x)


def test_train_shift_moves_the_training_images_only():
    net = simple(train_shift=1, seed=0)
    plain = simple(seed=0)
    x, t = images(net, n=8)
    np.testing.assert_array_equal(net.predict(x), plain.predict(x))  # inference: no shift
    assert not np.array_equal(net.predict(x, train_flg=True), plain.predict(x, train_flg=True))
    grads = net.gradient(x, t)
    assert not np.array_equal(grads["W1"], plain.gradient(x, t)["W1"])
    # the same seed draws the same shifts; the weights are those of train_shift=0
    first, again = simple(train_shift=1, seed=0), simple(train_shift=1, seed=0)
    np.testing.assert_array_equal(again.gradient(x, t)["W1"], first.gradient(x, t)["W1"])
    np.testing.assert_array_equal(again.params["W1"], plain.params["W1"])
    assert list(net.layers)[:2] == ["Shift", "Conv1"] and list(plain.layers)[0] == "Conv1"
    with pytest.raises(ValueError, match=r"max_shift \(pixels\) must be a whole number >= 0"):
        simple(train_shift=-1)


def test_random_shift_backward_is_the_adjoint_and_inference_is_the_identity():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 2, 6, 7))
    layer = RandomShift(2, rng=0)
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)
    assert layer.backward(x) is x  # after an inference pass: nothing to undo
    out = layer.forward(x, train_flg=True)
    y = rng.standard_normal(out.shape)
    dx = layer.backward(y)
    # <shift(x), y> = <x, backward(y)>: backward is the transpose of the (linear) shift
    assert np.vdot(out, y) == pytest.approx(np.vdot(x, dx), rel=1e-12)
    assert layer.backward(None) is None  # the first convolution skips its input gradient
    with pytest.raises(ValueError, match=r"RandomShift\.backward got dout of shape"):
        layer.backward(y[:3])


def test_a_shifting_network_passes_the_gradient_check():
    # the shifts are drawn again on every loss evaluation of the numerical gradient,
    # from the same state (frozen_randomness rewinds the layer's rng): it stays exact
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 3, "filter_size": 3},
                        hidden_size=6, output_size=3, weight_init_std="he",
                        dtype=np.float64, seed=2, train_shift=1)
    for key in ("b1", "b2", "b3"):
        net.params[key] = np.random.default_rng(1).uniform(0.05, 0.2, net.params[key].shape)
    x = np.random.default_rng(0).random((3, 1, 8, 8))
    errors = gradient_check(net, x, np.array([0, 1, 2]), h=1e-6)
    assert max(errors.values()) < 1e-6, errors


def test_parameter_names_and_shapes_follow_the_book():
    net = SimpleConvNet(seed=0)
    shapes = {key: p.shape for key, p in net.params.items()}
    assert shapes == {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.1)  # the book's 0.01
    assert isinstance(net.layers["Conv1"], Convolution)
    assert isinstance(net.layers["Pool1"], Pooling)

    deep_net = DeepConvNet(seed=0)
    expected = {"W1": (16, 1, 3, 3), "b1": (16,), "W2": (16, 16, 3, 3), "b2": (16,),
                "W3": (32, 16, 3, 3), "b3": (32,), "W4": (32, 32, 3, 3), "b4": (32,),
                "W5": (64, 32, 3, 3), "b5": (64,), "W6": (64, 64, 3, 3), "b6": (64,),
                "W7": (1024, 50), "b7": (50,), "W8": (50, 10), "b8": (10,)}
    assert {key: p.shape for key, p in deep_net.params.items()} == expected
    # He initialisation: std sqrt(2 / fan-in)
    assert deep_net.params["W6"].std() == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.05)
    pads = [deep_net.layers[f"Conv{i}"].pad for i in range(1, 7)]
    assert pads == [1, 1, 1, 2, 1, 1]


@pytest.mark.parametrize("make, layer", [(simple, "Conv1"), (deep, "Conv4")])
def test_params_are_the_layers_arrays_and_in_place_updates_reach_them(make, layer):
    net = make(seed=0)
    number = layer[-1]
    assert net.params["W" + number] is net.layers[layer].W
    assert net.params["b" + number] is net.layers[layer].b
    for name, owner in net.layers.items():
        for attr in getattr(owner, "param_names", ()):
            assert net.params[attr + name[-1]] is getattr(owner, attr)
    x, t = images(net)
    before = net.predict(x).copy()
    SGD(lr=0.5).update(net.params, net.gradient(x, t))
    assert not np.allclose(net.predict(x), before)
    # zero filters and biases: the convolution's output, hence the scores, ignore the input
    net.params["W" + number][...] = 0
    net.params["b" + number][...] = 0
    x2, _ = images(net, seed=1)
    np.testing.assert_array_equal(net.predict(x), net.predict(x2))


@pytest.mark.parametrize("make", [simple, deep])
def test_save_and_load_round_trip(make, tmp_path):
    net = make(seed=0)
    x, t = images(net, n=6)
    for _ in range(3):
        SGD(0.1).update(net.params, net.gradient(x, t))
    path = tmp_path / "net.npz"
    net.save_params(path)
    other = make(seed=1)
    arrays = dict(other.params)
    assert not np.array_equal(other.predict(x), net.predict(x))
    other.load_params(path)
    assert all(other.params[k] is arrays[k] for k in arrays)  # loaded in place
    np.testing.assert_array_equal(other.predict(x), net.predict(x))
    assert other.loss(x, t) == net.loss(x, t)


def test_load_refuses_parameters_of_another_architecture(tmp_path):
    path = tmp_path / "simple.npz"
    simple(seed=0).save_params(path)
    # 2×4×6 images padded by 2 give the same 3×6×8 convolution output: every parameter
    # has the same shape, only the architecture tells them apart
    same_shapes = simple(input_dim=(2, 4, 6),
                         conv_param={"filter_num": 3, "filter_size": 3, "pad": 2})
    assert {k: p.shape for k, p in same_shapes.params.items()} == {
        k: p.shape for k, p in simple().params.items()}
    with pytest.raises(ValueError, match="different architecture"):
        same_shapes.load_params(path)
    with pytest.raises(ValueError):
        deep().load_params(path)
    deep_path = tmp_path / "deep.npz"
    deep(seed=0).save_params(deep_path)
    with pytest.raises(ValueError):
        simple().load_params(deep_path)
    # pads 2 and 1 on the third and fourth convolutions instead of 1 and 2: same shapes
    swapped = [dict(p) for p in SMALL_DEEP]
    swapped[2]["pad"], swapped[3]["pad"] = 2, 1
    with pytest.raises(ValueError, match="different architecture"):
        deep(conv_params=swapped).load_params(deep_path)


@pytest.mark.parametrize("make", [simple, deep])
def test_float32_by_default_and_float64_when_asked(make):
    net = make(seed=0)
    x, t = images(net)  # float64 data
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert net.predict(x).dtype == np.float32
    assert net.predict(x, train_flg=True).dtype == np.float32
    grads = net.gradient(x, t)
    assert all(g.dtype == np.float32 for g in grads.values()), {
        k: g.dtype for k, g in grads.items()}
    assert np.isfinite(net.last_loss)

    net64 = make(seed=0, dtype=np.float64)
    assert net64.dtype == np.float64
    assert all(p.dtype == np.float64 for p in net64.params.values())
    assert net64.predict(x.astype(np.float32)).dtype == np.float64
    assert all(g.dtype == np.float64 for g in net64.gradient(x, t).values())
    # the same initial weights, in another precision
    np.testing.assert_allclose(net64.params["W1"], net.params["W1"], rtol=1e-6)


@pytest.mark.parametrize("make", [simple, deep])
def test_same_seed_same_weights(make):
    a, b, c = make(seed=5), make(seed=5), make(seed=6)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    x, t = images(a)
    np.testing.assert_array_equal(a.predict(x, train_flg=True), b.predict(x, train_flg=True))


@pytest.mark.parametrize("make", [simple, deep])
def test_flat_rows_are_accepted(make):
    net = make(seed=0, dtype=np.float64)
    x, t = images(net, n=5)
    flat = x.reshape(len(x), -1)
    np.testing.assert_array_equal(net.predict(flat), net.predict(x))
    assert net.loss(flat, t) == net.loss(x, t)
    assert net.accuracy(flat, t) == net.accuracy(x, t)
    with frozen_randomness(net) as rewind:  # the same dropout masks
        g_flat = {k: g.copy() for k, g in net.gradient(flat, t).items()}
        rewind()
        for key, g in net.gradient(x, t).items():
            np.testing.assert_array_equal(g_flat[key], g)


def test_flat_rows_of_the_wrong_length_are_refused():
    # 25 rows of 144 values hold 3600 = 36 images of 1×10×10: not 25 images
    net = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 2, "filter_size": 3},
                        hidden_size=4, output_size=3, seed=0)
    with pytest.raises(ValueError):
        net.predict(np.zeros((25, 144)))


@pytest.mark.parametrize("make, x_shape, message", [
    (simple, (2, 3, 6, 8), r"Conv1.*3 channel.*expect 2"),
    (simple, (2, 6, 8), r"Conv1.*\(N, C, H, W\)"),
    (deep, (2, 2, 12, 4), r"Conv1.*channel"),
    # 4×4 -> Pool1 2×2 -> Conv4 (pad 2) 4×4 -> Pool2 2×2 -> Pool3 1×1: 4 features for
    # Affine7, which takes the 4×2×1 = 8 of 12×4 images
    (deep, (2, 1, 4, 4), r"Affine7 expects 8 features per sample, got 4"),
    # 1×4 -> Conv1, Conv2 (pad 1) 1×4: no 2×2 window fits in Pool1
    (deep, (2, 1, 1, 4), r"Pool1 2x2 on 1x4 images: a filter of size 2 does not fit"),
], ids=["simple-channels", "simple-3d", "deep-channels", "deep-affine-size",
        "deep-pool-size"])
def test_errors_inside_a_network_name_its_layer(make, x_shape, message):
    net = make(seed=0)
    with pytest.raises(ValueError, match=message):
        net.predict(np.zeros(x_shape))


@pytest.mark.parametrize("make", [simple, deep])
def test_evaluation_goes_in_batches_of_eval_batch_size(make):
    net = make(seed=0)
    x, t = images(net, n=11, seed=2)
    expected = net.predict(x)
    sizes = []
    predict = net.predict

    def counting_predict(xb, train_flg=False):
        sizes.append(len(xb))
        return predict(xb, train_flg)

    net.predict = counting_predict
    net.eval_batch_size = 4
    np.testing.assert_allclose(net.predict_batched(x), expected, rtol=1e-5, atol=1e-6)
    assert sizes == [4, 4, 3]
    assert net.accuracy(x, t) == np.mean(expected.argmax(axis=1) == t)
    assert net.accuracy(x, t, batch_size=5) == net.accuracy(x, np.eye(net.output_size)[t])


# --- real MNIST --------------------------------------------------------------------------
@pytest.mark.slow
@needs_mnist
def test_simple_conv_net_learns_a_few_hundred_mnist_digits():
    from dataset.mnist import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=True, flatten=False, data_dir=os.environ["MNIST_DIR"])
    net = SimpleConvNet(conv_param={"filter_num": 8, "filter_size": 5}, weight_init_std="he",
                        seed=0)
    trainer = Trainer(net, x_train[:500], t_train[:500], x_test[:500], t_test[:500], epochs=4,
                      mini_batch_size=50, optimizer="Adam", optimizer_param={"lr": 0.003},
                      seed=0, verbose=False)
    trainer.train()
    losses = trainer.train_loss_list
    assert len(losses) == 40
    # measured: test accuracy about 0.83 (chance: 0.1), loss from about 1.8 to 0.14
    assert np.mean(losses[-5:]) < 0.3 * np.mean(losses[:5])
    assert trainer.test_acc_list[-1] > 0.7
    assert net.accuracy(x_test[:500], t_test[:500]) > 0.7


# --- the book's way ----------------------------------------------------------------------
#: The sizes of the book's ch07 gradient check, with weights large enough to keep every
#: activation clear of the ReLU and max kinks (see above; the book uses 0.01).
BOOK_CH07_CHECK = {"input_dim": (1, 10, 10),
                   "conv_param": {"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1},
                   "hidden_size": 10, "output_size": 10, "weight_init_std": 0.3}


def bar_images(n, seed):
    """1×10×10 noisy images of a horizontal bar (0), a vertical bar (1) or a diagonal (2)."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, n)
    x = 0.3 * rng.standard_normal((n, 1, 10, 10))
    where = rng.integers(1, 9, n)
    for i in range(n):
        if t[i] == 0:
            x[i, 0, where[i], :] += 1
        elif t[i] == 1:
            x[i, 0, :, where[i]] += 1
        else:
            x[i, 0] += np.eye(10, k=where[i] - 5)
    return x.astype(np.float32), t


def test_book_style_conv_net_gradient_check():
    network = BookSimpleConvNet(**BOOK_CH07_CHECK)
    rng = np.random.default_rng(0)
    x, t = rng.random((3, 1, 10, 10)), np.array([1, 4, 7])
    assert clear_of_kinks(network.layers.values(), x)
    grad_num = network.numerical_gradient(x, t)
    grad = network.gradient(x, t)
    for key in grad_num:
        assert relative_error(grad[key], grad_num[key]) < TOL, key


def test_book_ch07_gradient_check_with_its_label_shape():
    # the book's ch07 gradient_check.py: one 10×10 image and t = np.array([1]).reshape((1, 1)),
    # a label (the book's loss tells one-hot rows by t.size == y.size), not a one-hot row
    network = BookSimpleConvNet(**BOOK_CH07_CHECK)
    x = np.random.default_rng(1).random(100).reshape((1, 1, 10, 10))
    t = np.array([1]).reshape((1, 1))
    assert network.loss(x, t) == pytest.approx(network.loss(x, np.array([1])))
    expected = {k: g.copy() for k, g in network.gradient(x, np.array([1])).items()}
    grad = network.gradient(x, t)
    for key in expected:
        np.testing.assert_allclose(grad[key], expected[key], rtol=1e-12, atol=1e-15,
                                   err_msg=key)


def test_book_style_load_replaces_the_layers_arrays():
    a, b = BookSimpleConvNet(**BOOK_CH07_CHECK, seed=0), BookSimpleConvNet(**BOOK_CH07_CHECK,
                                                                             seed=1)
    x, _ = bar_images(4, seed=0)
    assert not np.allclose(a.predict(x), b.predict(x))
    b.load_params(a.params)
    np.testing.assert_array_equal(b.predict(x), a.predict(x))


def test_book_style_conv_net_trains_with_the_trainer():
    x_train, t_train = bar_images(300, seed=0)
    x_test, t_test = bar_images(100, seed=1)
    network = BookSimpleConvNet(input_dim=(1, 10, 10),
                                conv_param={"filter_num": 6, "filter_size": 3, "pad": 0,
                                            "stride": 1},
                                hidden_size=20, output_size=3, weight_init_std=0.01)
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=15, mini_batch_size=30,
                      optimizer="Adam", optimizer_param={"lr": 0.01},
                      evaluate_sample_num_per_epoch=100, verbose=False, seed=0)
    trainer.train()
    assert all(p.dtype == np.float64 for p in network.params.values())
    assert network.params["W1"] is network.layers["Conv1"].W  # updated in place
    losses = trainer.train_loss_list
    assert len(losses) == 150 and len(trainer.test_acc_list) == 15
    # measured: the loss falls from ln 3 ≈ 1.1 to about 0.03, test accuracy 0.98
    assert np.mean(losses[:5]) > 1.0 and np.mean(losses[-5:]) < 0.3
    assert network.accuracy(x_test, t_test) > 0.9
