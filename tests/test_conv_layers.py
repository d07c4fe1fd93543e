"""Convolution, Pooling and the sliding-window helpers of common.util.

Backward passes against central differences in float64 (stride 1 and 2, pad 0 to 2,
non-square inputs and filters, several channels, N >= 2), forward passes against
direct loops written here, im2col's shape and the book's ordering, col2im as its
adjoint, max-pooling's routing on ties, dtypes, weights read afresh, clear errors.
Pooling is exercised both on windows that tile the image (2×2 stride 2, the usual
case, which may take a faster route) and on overlapping or padded windows.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from common.checks.gradients import numerical_gradient, relative_error
from common.layers import Convolution, Pooling, Relu
from common.util import col2im, conv_output_size, im2col, window_positions

TOL = 1e-6

# (N, C, H, W), (FN, FH, FW), stride, pad: every size fits its stride exactly. Square
# filters with stride 1, non-square ones and larger strides, as the input gradient may
# be computed differently for them.
CONV_CASES = [
    ((2, 1, 5, 5), (2, 3, 3), 1, 0),
    ((2, 3, 5, 6), (2, 3, 3), 1, 1),
    ((2, 2, 4, 4), (3, 5, 5), 1, 2),
    ((2, 2, 4, 5), (3, 2, 2), 1, 2),
    ((2, 3, 6, 5), (4, 3, 2), 1, 1),
    ((3, 2, 7, 5), (3, 3, 3), 2, 0),
    ((2, 2, 5, 8), (2, 3, 2), 2, 1),
    ((2, 3, 4, 6), (2, 1, 3), 1, 2),
    ((2, 2, 6, 7), (3, 4, 5), 2, 2),
    ((2, 2, 7, 4), (2, 1, 1), 3, 0),
]

# (N, C, H, W), (pool_h, pool_w), stride, pad
POOL_CASES = [
    ((2, 3, 4, 6), (2, 2), 2, 0),  # windows tile the image: the usual case
    ((2, 2, 6, 9), (3, 3), 3, 0),  # tiles too, 3×3
    ((2, 2, 5, 6), (2, 3), 1, 0),  # overlapping, non-square
    ((2, 1, 5, 5), (3, 3), 2, 1),
    ((3, 2, 4, 7), (2, 3), 2, 1),
    ((2, 2, 6, 5), (3, 3), 1, 2),
    ((2, 1, 8, 5), (2, 2), 3, 0),  # stride > window: some pixels are in no window
]

CONV_IDS = [f"x{c[0]}-w{c[1]}-s{c[2]}-p{c[3]}" for c in CONV_CASES]
POOL_IDS = [f"x{c[0]}-k{c[1]}-s{c[2]}-p{c[3]}" for c in POOL_CASES]


# --- independent references: direct loops over output positions ------------------------
def padded(x, pad, value=0.0):
    """x (N, C, H, W) with a border of ``pad`` pixels of ``value``."""
    n, c, h, w = x.shape
    out = np.full((n, c, h + 2 * pad, w + 2 * pad), value, dtype=np.float64)
    out[:, :, pad:pad + h, pad:pad + w] = x
    return out


def conv_loop(x, W, b, stride, pad):
    """out[n, f, y, x] = Σ W[f] · (window of the zero-padded input) + b[f], position by position."""
    fn, _, fh, fw = W.shape
    xp = padded(x, pad)
    oh = (xp.shape[2] - fh) // stride + 1
    ow = (xp.shape[3] - fw) // stride + 1
    b = np.broadcast_to(np.asarray(b, dtype=np.float64), (fn,))
    out = np.zeros((x.shape[0], fn, oh, ow))
    for n in range(x.shape[0]):
        for f in range(fn):
            for y in range(oh):
                for q in range(ow):
                    window = xp[n, :, y * stride:y * stride + fh, q * stride:q * stride + fw]
                    out[n, f, y, q] = np.sum(window * W[f]) + b[f]
    return out


def pool_loop(x, pool_h, pool_w, stride, pad):
    """The maximum of each window; padding is never a candidate."""
    xp = padded(x, pad, value=-np.inf)
    oh = (xp.shape[2] - pool_h) // stride + 1
    ow = (xp.shape[3] - pool_w) // stride + 1
    out = np.zeros(x.shape[:2] + (oh, ow))
    for y in range(oh):
        for q in range(ow):
            window = xp[:, :, y * stride:y * stride + pool_h, q * stride:q * stride + pool_w]
            out[:, :, y, q] = window.max(axis=(2, 3))
    return out


def window_of(y, q, pool_h, pool_w, stride, pad):
    """The rows and columns of the unpadded image that pooling window (y, q) covers."""
    top, left = y * stride - pad, q * stride - pad
    return range(max(top, 0), top + pool_h), range(max(left, 0), left + pool_w)


# --- gradient checking -----------------------------------------------------------------
def check_gradients(layer, x, params, rng):
    """backward(G) against the numerical gradient of sum(forward(x) · G) for x and params;
    also that backward leaves G untouched."""
    out = layer.forward(x)
    G = rng.standard_normal(out.shape)
    G_before = G.copy()
    dx = layer.backward(G)
    np.testing.assert_array_equal(G, G_before, err_msg="backward must not modify dout")
    grads = {name: np.array(getattr(layer, "d" + name), copy=True) for name in params}

    def f(_):
        return float(np.sum(layer.forward(x) * G))

    assert dx.shape == x.shape
    assert relative_error(dx, numerical_gradient(f, x)) < TOL
    for name in params:
        numerical = numerical_gradient(f, getattr(layer, name))
        assert grads[name].shape == numerical.shape, name
        assert relative_error(grads[name], numerical) < TOL, name


def distinct(rng, shape):
    """Random values at least 0.1 apart: no two within h = 1e-4 of each other, so that a
    probe never changes which element of a pooling window is the maximum."""
    size = int(np.prod(shape))
    return (rng.permutation(size) - size / 2).reshape(shape) * 0.1


def random_conv(rng, x_shape, w_shape, dtype=np.float64):
    fn, fh, fw = w_shape
    x = rng.standard_normal(x_shape).astype(dtype)
    W = rng.standard_normal((fn, x_shape[1], fh, fw)).astype(dtype)
    b = rng.standard_normal(fn).astype(dtype)
    return x, W, b


# --- Convolution -----------------------------------------------------------------------
@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES, ids=CONV_IDS)
def test_convolution_forward_matches_direct_loop(x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(0)
    x, W, b = random_conv(rng, x_shape, w_shape)
    out = Convolution(W, b, stride, pad).forward(x)
    expected = conv_loop(x, W, b, stride, pad)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES, ids=CONV_IDS)
def test_convolution_gradients(x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(1)
    x, W, b = random_conv(rng, x_shape, w_shape)
    check_gradients(Convolution(W, b, stride, pad), x, ("W", "b"), rng)


@st.composite
def conv_setups(draw):
    """Small random convolutions whose sizes fit: drawn from the output size backwards."""
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    oh, ow = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = (oh - 1) * stride + fh - 2 * pad, (ow - 1) * stride + fw - 2 * pad
    assume(h >= 1 and w >= 1)
    n, c, fn = draw(st.integers(2, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (n, c, h, w), (fn, fh, fw), stride, pad, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=40, deadline=None)
@given(conv_setups())
def test_convolution_property_forward_and_gradients(setup):
    x_shape, w_shape, stride, pad, seed = setup
    rng = np.random.default_rng(seed)
    x, W, b = random_conv(rng, x_shape, w_shape)
    layer = Convolution(W, b, stride, pad)
    np.testing.assert_allclose(layer.forward(x), conv_loop(x, W, b, stride, pad),
                               rtol=1e-12, atol=1e-12)
    check_gradients(layer, x, ("W", "b"), rng)


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES[1::2], ids=CONV_IDS[1::2])
def test_convolution_without_input_gradient_gives_the_same_parameter_gradients(
        x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(2)
    x, W, b = random_conv(rng, x_shape, w_shape)
    full, skip = Convolution(W, b, stride, pad), Convolution(W, b, stride, pad, input_grad=False)
    out = full.forward(x)
    np.testing.assert_array_equal(skip.forward(x), out)
    G = rng.standard_normal(out.shape)
    assert full.backward(G).shape == x.shape
    assert skip.backward(G) is None
    np.testing.assert_array_equal(skip.dW, full.dW)
    np.testing.assert_array_equal(skip.db, full.db)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_grad", [True, False])
def test_convolution_computes_in_the_dtype_of_its_input(dtype, input_grad):
    rng = np.random.default_rng(3)
    x, W, b = random_conv(rng, (2, 3, 6, 5), (4, 3, 2), dtype)
    layer = Convolution(W, b, stride=1, pad=1, input_grad=input_grad)
    out = layer.forward(x)
    assert out.dtype == dtype
    dx = layer.backward(np.ones_like(out))
    if input_grad:
        assert dx.dtype == dtype
    assert layer.dW.dtype == dtype and layer.db.dtype == dtype
    assert layer.dW.shape == W.shape and layer.db.shape == b.shape


def test_book_filter_demo_with_a_scalar_bias_on_one_float32_image():
    # the book's ch07 apply_filter: Convolution(w, 0) on a single grey image
    rng = np.random.default_rng(4)
    img = rng.random((1, 1, 16, 16), dtype=np.float32)
    w = rng.standard_normal((1, 1, 5, 5)).astype(np.float32)
    layer = Convolution(w, 0)
    out = layer.forward(img)
    assert out.shape == (1, 1, 12, 12) and out.dtype == np.float32
    np.testing.assert_allclose(out, conv_loop(img, w, 0, 1, 0), rtol=1e-5, atol=1e-5)
    G = rng.standard_normal(out.shape).astype(np.float32)
    dx = layer.backward(G)
    assert dx.dtype == np.float32 and dx.shape == img.shape
    assert np.ndim(layer.db) == 0 and layer.db == pytest.approx(G.sum(), rel=1e-5)


def test_convolution_with_a_scalar_bias_has_its_gradient():
    rng = np.random.default_rng(5)
    x, W, _ = random_conv(rng, (2, 2, 5, 4), (3, 2, 3))
    b = np.array(0.7)  # 0-d array, so that it can be probed in place
    layer = Convolution(W, b, stride=1, pad=1)
    np.testing.assert_allclose(layer.forward(x), conv_loop(x, W, 0.7, 1, 1), rtol=1e-12)
    check_gradients(layer, x, ("W", "b"), rng)


def test_convolution_reads_its_weights_afresh_on_every_call():
    rng = np.random.default_rng(6)
    x, W, b = random_conv(rng, (2, 2, 5, 5), (3, 3, 3))
    layer = Convolution(W, b, stride=1, pad=1)
    layer.forward(x)
    # the book's networks reload weights by replacing the arrays: layer.W = params['W1']
    W2, b2 = rng.standard_normal(W.shape), rng.standard_normal(b.shape)
    layer.W, layer.b = W2, b2
    np.testing.assert_allclose(layer.forward(x), conv_loop(x, W2, b2, 1, 1), rtol=1e-12)
    # optimizers and numerical_gradient change them in place
    W2 *= -2
    b2 += 1
    np.testing.assert_allclose(layer.forward(x), conv_loop(x, W2, b2, 1, 1), rtol=1e-12)
    # even the number and size of the filters may change
    W3, b3 = rng.standard_normal((5, 2, 2, 2)), rng.standard_normal(5)
    layer.W, layer.b = W3, b3
    out = layer.forward(x)
    np.testing.assert_allclose(out, conv_loop(x, W3, b3, 1, 1), rtol=1e-12)
    assert layer.backward(np.ones_like(out)).shape == x.shape
    assert layer.dW.shape == W3.shape and layer.db.shape == b3.shape


# --- Pooling ---------------------------------------------------------------------------
@pytest.mark.parametrize("x_shape, pool, stride, pad", POOL_CASES, ids=POOL_IDS)
def test_pooling_forward_matches_direct_loop(x_shape, pool, stride, pad):
    x = np.random.default_rng(0).standard_normal(x_shape)
    out = Pooling(*pool, stride=stride, pad=pad).forward(x)
    np.testing.assert_array_equal(out, pool_loop(x, *pool, stride, pad))


@pytest.mark.parametrize("x_shape, pool, stride, pad", POOL_CASES, ids=POOL_IDS)
def test_pooling_gradient(x_shape, pool, stride, pad):
    rng = np.random.default_rng(1)
    check_gradients(Pooling(*pool, stride=stride, pad=pad), distinct(rng, x_shape), (), rng)


@st.composite
def pool_setups(draw):
    """Small random poolings whose sizes fit, with less padding than the window."""
    ph, pw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, min(ph, pw) - 1))
    oh, ow = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = (oh - 1) * stride + ph - 2 * pad, (ow - 1) * stride + pw - 2 * pad
    assume(h >= 1 and w >= 1)
    n, c = draw(st.integers(2, 3)), draw(st.integers(1, 3))
    return (n, c, h, w), (ph, pw), stride, pad, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=40, deadline=None)
@given(pool_setups())
def test_pooling_property_forward_and_gradient(setup):
    x_shape, pool, stride, pad, seed = setup
    rng = np.random.default_rng(seed)
    x = distinct(rng, x_shape)
    layer = Pooling(*pool, stride=stride, pad=pad)
    np.testing.assert_array_equal(layer.forward(x), pool_loop(x, *pool, stride, pad))
    check_gradients(layer, x, (), rng)


def assert_routes_to_one_maximum(x, pool, stride, pad):
    """Each window's gradient reaches exactly one of its maximal elements, unscaled, and the
    gradients of overlapping windows add up."""
    layer = Pooling(*pool, stride=stride, pad=pad)
    out = layer.forward(x)
    total = np.zeros_like(x)
    dout_all = np.random.default_rng(0).standard_normal(out.shape)
    for n, c, y, q in np.ndindex(out.shape):
        dout = np.zeros_like(out)
        dout[n, c, y, q] = 1
        layer.forward(x)
        dx = layer.backward(dout)
        hits = np.argwhere(dx)
        assert len(hits) == 1, f"window {(n, c, y, q)} sends its gradient to {len(hits)} elements"
        n2, c2, r, s = hits[0]
        rows, cols = window_of(y, q, *pool, stride, pad)
        assert (n2, c2) == (n, c) and r in rows and s in cols, "outside its window"
        assert dx[n2, c2, r, s] == 1
        assert x[n, c, r, s] == x[n, c, rows.start:rows.stop, cols.start:cols.stop].max()
        total += dout_all[n, c, y, q] * dx
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(dout_all), total, rtol=1e-12, atol=1e-12)


TIE_CASES = [((2, 2), 2, 0), ((3, 3), 3, 0), ((2, 2), 1, 0), ((2, 3), 2, 0), ((3, 2), 1, 1),
             ((3, 3), 2, 2)]


@pytest.mark.parametrize("pool, stride, pad", TIE_CASES)
@pytest.mark.parametrize("data", ["zeros after relu", "half zeros", "few values"])
def test_pooling_routes_each_windows_gradient_to_one_maximal_element(data, pool, stride, pad):
    rng = np.random.default_rng(2)
    # the image size that gives 3×4 windows
    shape = (2, 2, 2 * stride + pool[0] - 2 * pad, 3 * stride + pool[1] - 2 * pad)
    z = rng.standard_normal(shape)
    x = {"zeros after relu": Relu().forward(-np.abs(z)),
         "half zeros": Relu().forward(z),
         "few values": rng.integers(0, 3, shape).astype(np.float64)}[data]
    assert_routes_to_one_maximum(x, pool, stride, pad)


@pytest.mark.parametrize("pool", [2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pooling_an_all_zero_image_sends_each_window_its_gradient_once(pool, dtype):
    # a ReLU before the pooling makes whole windows of zeros: every element is a maximum
    x = Relu().forward(np.full((2, 3, 6, 12), -1.0, dtype=dtype))
    layer = Pooling(pool, pool, stride=pool)
    out = layer.forward(x)
    dout = np.random.default_rng(3).uniform(1, 2, out.shape).astype(dtype)
    dx = layer.backward(dout)
    assert dx.dtype == dtype
    assert np.count_nonzero(dx) == out.size  # one element per window
    per_window = dx.reshape(2, 3, 6 // pool, pool, 12 // pool, pool).sum(axis=(3, 5))
    np.testing.assert_array_equal(per_window, dout)


def test_overlapping_windows_add_their_gradients():
    # stride 1: the centre pixel is the maximum of all four 2×2 windows of a 3×3 image
    x = np.array([[[[0.1, 0.2, 0.3], [0.4, 9.0, 0.5], [0.6, 0.7, 0.8]]]])
    layer = Pooling(2, 2, stride=1)
    np.testing.assert_array_equal(layer.forward(x), np.full((1, 1, 2, 2), 9.0))
    dx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros_like(x)
    expected[0, 0, 1, 1] = 10.0
    np.testing.assert_array_equal(dx, expected)


@pytest.mark.parametrize("pool, stride", [((2, 2), 2), ((3, 3), 1), ((2, 3), 2)])
def test_padding_never_wins_the_maximum(pool, stride):
    rng = np.random.default_rng(4)
    x = -rng.uniform(1, 2, (2, 2, 6, 7 if pool[1] == 3 else 6))  # all negative
    layer = Pooling(*pool, stride=stride, pad=1)
    out = layer.forward(x)
    assert np.all(out < 0)
    np.testing.assert_array_equal(out, pool_loop(x, *pool, stride, 1))
    dout = rng.uniform(1, 2, out.shape)
    # no gradient is lost to the border: all of it lands in the image
    assert layer.backward(dout).sum() == pytest.approx(dout.sum())
    assert_routes_to_one_maximum(x, pool, stride, 1)


def test_pooling_with_padding_as_wide_as_the_window_is_refused():
    # pad >= pool size would make windows of padding only, whose maximum is -inf
    for pool, pad in (((2, 2), 2), ((3, 2), 2), ((0, 2), 0)):
        with pytest.raises(ValueError, match="Pooling"):
            Pooling(*pool, stride=2, pad=pad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pool, stride, pad", [((2, 2), 2, 0), ((3, 2), 1, 1)])
def test_pooling_keeps_the_dtype(dtype, pool, stride, pad):
    x = np.random.default_rng(6).standard_normal((2, 3, 6, 8)).astype(dtype)
    layer = Pooling(*pool, stride=stride, pad=pad)
    out = layer.forward(x)
    assert out.dtype == dtype
    assert layer.backward(np.ones_like(out)).dtype == dtype


@pytest.mark.parametrize("make", [
    lambda rng: Convolution(rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2), 1, 1),
    lambda rng: Convolution(rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2), 1, 1,
                            input_grad=False),
    lambda rng: Pooling(2, 2, stride=2),
    lambda rng: Pooling(3, 3, stride=1, pad=1),
], ids=["conv", "conv-no-dx", "pool-tiles", "pool-overlap"])
def test_backward_leaves_dout_untouched(make):
    rng = np.random.default_rng(7)
    layer = make(rng)
    out = layer.forward(rng.standard_normal((2, 3, 6, 8)))
    dout = rng.standard_normal(out.shape)
    before = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(dout, before)


# --- errors ----------------------------------------------------------------------------
def conv(fn=2, c=3, f=3, stride=1, pad=0):
    return Convolution(np.ones((fn, c, f, f)), np.zeros(fn), stride, pad)


@pytest.mark.parametrize("layer, x_shape, message", [
    (conv(c=3), (2, 1, 6, 6), r"Convolution.*1 channel.*expect 3"),
    (conv(f=5), (2, 3, 3, 4), r"Convolution.*5x5.*3x4.*does not fit"),
    (conv(f=5, pad=0), (2, 3, 4, 6), r"Convolution.*does not fit"),
    (conv(f=3, stride=0), (2, 3, 6, 6), r"Convolution.*stride must be a whole number"),
    (conv(), (3, 6, 6), r"Convolution.*\(N, C, H, W\).*\(3, 6, 6\)"),
    (conv(), (2, 1, 3, 6, 6), r"Convolution.*\(N, C, H, W\)"),
    (Pooling(3, 3), (2, 1, 2, 6), r"Pooling.*does not fit"),
    (Pooling(2, 2, stride=2), (2, 1, 5, 1), r"Pooling.*does not fit"),
    (Pooling(2, 2), (4, 6), r"Pooling.*\(N, C, H, W\)"),
], ids=["channels", "filter-too-big", "filter-too-big-one-axis", "conv-stride-0", "conv-3d",
        "conv-5d", "pool-too-big", "pool-too-big-one-axis", "pool-2d"])
def test_bad_input_gets_a_clear_error_naming_the_layer(layer, x_shape, message):
    with pytest.raises(ValueError, match=message):
        layer.forward(np.zeros(x_shape))


def test_padding_makes_a_large_filter_fit():
    # 3×3 images padded by 1 are 5×5: a 5×5 filter fits exactly once
    x = np.random.default_rng(8).standard_normal((2, 3, 3, 3))
    W = np.random.default_rng(9).standard_normal((2, 3, 5, 5))
    out = Convolution(W, np.zeros(2), pad=1).forward(x)
    np.testing.assert_allclose(out, conv_loop(x, W, np.zeros(2), 1, 1), rtol=1e-12)


# --- common.util: window_positions, im2col, col2im ---------------------------------------
# (conv_output_size, the book's float, and strides that do not divide: test_conv_shapes.py)
@pytest.mark.parametrize("args, expected", [
    ((28, 5), 24), ((28, 3, 1, 1), 28), ((7, 3, 2), 3), ((5, 3, 2, 1), 3), ((4, 4), 1),
    ((3, 5, 1, 1), 1), ((16, 3, 1, 2), 18), ((24, 2, 2), 12), ((8, 2, 3), 3),
])
def test_window_positions(args, expected):
    size = window_positions(*args)
    assert size == expected and isinstance(size, int)
    assert conv_output_size(*args) == expected  # the book's, where the stride divides


@pytest.mark.parametrize("x_shape, filt, stride, pad", [
    ((2, 2, 3, 4), (2, 2), 1, 0),
    ((1, 3, 5, 4), (3, 2), 2, 1),
    ((2, 1, 4, 4), (1, 3), 1, 2),
])
def test_im2col_shape_and_book_order(x_shape, filt, stride, pad):
    x = np.arange(np.prod(x_shape), dtype=np.float64).reshape(x_shape) + 1
    n, c, h, w = x_shape
    fh, fw = filt
    col = im2col(x, fh, fw, stride, pad)
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    assert col.shape == (n * oh * ow, c * fh * fw)
    xp = padded(x, pad)
    expected = np.zeros(col.shape)
    for i_n, y, q, i_c, i, j in np.ndindex(n, oh, ow, c, fh, fw):
        # row (n, y, x), column (c, i, j), each in C order
        expected[(i_n * oh + y) * ow + q, (i_c * fh + i) * fw + j] = \
            xp[i_n, i_c, y * stride + i, q * stride + j]
    np.testing.assert_array_equal(col, expected)


@pytest.mark.parametrize("x_shape, filt, stride, pad", [
    ((2, 3, 5, 6), (3, 2), 1, 0),
    ((3, 2, 7, 5), (3, 3), 2, 1),
    ((2, 1, 4, 6), (2, 4), 2, 2),
    ((1, 2, 6, 6), (1, 1), 1, 0),
    ((2, 2, 8, 5), (2, 2), 3, 0),
])
def test_col2im_is_the_adjoint_of_im2col(x_shape, filt, stride, pad):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(x_shape)
    col = im2col(x, *filt, stride, pad)
    y = rng.standard_normal(col.shape)
    back = col2im(y, x_shape, *filt, stride, pad)
    assert back.shape == x_shape
    assert np.vdot(col, y) == pytest.approx(np.vdot(x, back), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(conv_setups())
def test_col2im_adjoint_property(setup):
    x_shape, (_, fh, fw), stride, pad, seed = setup
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    col = im2col(x, fh, fw, stride, pad)
    y = rng.standard_normal(col.shape)
    assert np.vdot(col, y) == pytest.approx(np.vdot(x, col2im(y, x_shape, fh, fw, stride, pad)),
                                            rel=1e-10, abs=1e-10)


def test_col2im_sums_overlapping_patches():
    # col2im(im2col(ones)) counts the windows that cover each pixel
    shape, fh, fw, stride, pad = (1, 1, 5, 6), 3, 2, 1, 1
    counts = col2im(im2col(np.ones(shape), fh, fw, stride, pad), shape, fh, fw, stride, pad)
    expected = np.zeros((5 + 2 * pad, 6 + 2 * pad))
    for y in range(window_positions(5, fh, stride, pad)):
        for q in range(window_positions(6, fw, stride, pad)):
            expected[y * stride:y * stride + fh, q * stride:q * stride + fw] += 1
    np.testing.assert_array_equal(counts[0, 0], expected[pad:-pad, pad:-pad])
    assert counts.max() == 6  # not an inverse


def test_im2col_keeps_float32():
    x = np.ones((2, 3, 5, 5), dtype=np.float32)
    col = im2col(x, 3, 3, 1, 1)
    assert col.dtype == np.float32
    assert col2im(col, x.shape, 3, 3, 1, 1).dtype == np.float32
