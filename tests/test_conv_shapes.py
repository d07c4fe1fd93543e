"""Convolution and pooling on every shape the book and PyTorch accept.

The output size is floor((H + 2·pad - FH) / stride) + 1 for any stride and padding (the
book's im2col, PyTorch): rows and columns that no window reaches are left out of the
output, and their gradient is 0. Forward and backward passes (dx, dW, db) are checked
against direct loops written here, in float64: strides that do not divide the input,
strides larger than the window, the ResNet stem (7×7, stride 2, pad 3 on 32×32), 2×2
pooling of stride 2 on 7×7 maps. Then the two routes of Convolution.backward to dx, and
which one it takes; im2col, col2im and conv_output_size against the book's definitions.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.layers import Convolution, Pooling
from common.util import col2im, conv_output_size, im2col, window_positions


# --- independent references: direct loops over output positions ------------------------
def padded(x, pad, value=0.0):
    """x (N, C, H, W) in float64 with a border of ``pad`` pixels of ``value``."""
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)),
                  constant_values=value)


def out_size(size, window, stride, pad):
    """floor((size + 2·pad - window) / stride) + 1: the book's im2col and PyTorch."""
    return (size + 2 * pad - window) // stride + 1


def conv_loops(x, W, b, dout_seed, stride, pad):
    """out, and dx, dW, db for dout = a random array (drawn from ``dout_seed``), by loops:
    every output is a window times a filter; its gradient goes back to that window."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    xp = padded(x, pad)
    out = np.zeros((n, fn, oh, ow))
    dout = np.random.default_rng(dout_seed).standard_normal(out.shape)
    dxp, dW, db = np.zeros_like(xp), np.zeros(W.shape), np.zeros(fn)
    for i_n, f, y, q in np.ndindex(out.shape):
        rows = slice(y * stride, y * stride + fh)
        cols = slice(q * stride, q * stride + fw)
        out[i_n, f, y, q] = np.sum(xp[i_n, :, rows, cols] * W[f]) + b[f]
        g = dout[i_n, f, y, q]
        dxp[i_n, :, rows, cols] += g * W[f]
        dW[f] += g * xp[i_n, :, rows, cols]
        db[f] += g
    return out, dout, dxp[:, :, pad:pad + h, pad:pad + w], dW, db


def pool_loops(x, pool_h, pool_w, stride, pad, dout_seed):
    """out, dout and dx of max pooling by loops: each window's gradient goes to its first
    maximal element in row-major order (np.argmax); padding (-inf) never wins."""
    n, c, h, w = x.shape
    oh, ow = out_size(h, pool_h, stride, pad), out_size(w, pool_w, stride, pad)
    xp = padded(x, pad, value=-np.inf)
    out = np.zeros((n, c, oh, ow))
    dout = np.random.default_rng(dout_seed).standard_normal(out.shape)
    dxp = np.zeros_like(xp)
    for i_n, i_c, y, q in np.ndindex(out.shape):
        window = xp[i_n, i_c, y * stride:y * stride + pool_h, q * stride:q * stride + pool_w]
        i, j = np.unravel_index(np.argmax(window), window.shape)
        out[i_n, i_c, y, q] = window[i, j]
        dxp[i_n, i_c, y * stride + i, q * stride + j] += dout[i_n, i_c, y, q]
    return out, dout, dxp[:, :, pad:pad + h, pad:pad + w]


def distinct(rng, shape):
    """Values at least 0.1 apart (no ties), in random places."""
    size = int(np.prod(shape))
    return (rng.permutation(size) - size / 2).reshape(shape) * 0.1


# --- convolution -----------------------------------------------------------------------
# (N, C, H, W), (FN, FH, FW), stride, pad, output (OH, OW)
CONV_SHAPES = [
    ((2, 3, 10, 9), (4, 3, 3), 2, 1, (5, 5)),    # the issue's: (10 + 2 - 3) / 2 = 4.5
    ((2, 3, 32, 32), (4, 7, 7), 2, 3, (16, 16)),  # ResNet stem on 32×32 (PyTorch: 16×16)
    ((2, 3, 33, 31), (2, 7, 7), 2, 3, (17, 16)),  # the stem on odd sizes
    ((2, 2, 8, 7), (3, 3, 3), 3, 0, (2, 2)),      # rows 6, 7 and column 6 in no window
    ((2, 1, 9, 11), (2, 4, 2), 2, 2, (5, 7)),     # non-square filter
    ((3, 2, 6, 6), (2, 2, 2), 4, 1, (2, 2)),      # stride larger than the filter: gaps
    ((2, 3, 7, 7), (5, 5, 5), 2, 0, (2, 2)),
    ((2, 2, 5, 6), (3, 3, 3), 1, 2, (7, 8)),      # stride 1 always divides: as before
]
CONV_IDS = [f"x{s[0]}-w{s[1]}-s{s[2]}-p{s[3]}" for s in CONV_SHAPES]


def random_conv(seed, x_shape, w_shape, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    W = rng.standard_normal((w_shape[0], x_shape[1], *w_shape[1:])).astype(dtype)
    return x, W, rng.standard_normal(w_shape[0]).astype(dtype)


@pytest.mark.parametrize("x_shape, w_shape, stride, pad, out_hw", CONV_SHAPES, ids=CONV_IDS)
def test_convolution_forward_and_backward_match_direct_loops(x_shape, w_shape, stride, pad,
                                                              out_hw):
    x, W, b = random_conv(0, x_shape, w_shape)
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    expected, dout, dx, dW, db = conv_loops(x, W, b, 1, stride, pad)
    assert out.shape == (x_shape[0], w_shape[0], *out_hw) == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    got_dx = layer.backward(dout)
    assert got_dx.shape == x.shape
    np.testing.assert_allclose(got_dx, dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.dW, dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.db, db, rtol=1e-12, atol=1e-12)


def test_pixels_no_window_reaches_get_a_zero_gradient():
    # 8×7 images, 3×3 filters, stride 3: windows start at rows 0, 3 and columns 0, 3, so
    # rows 6, 7 and column 6 are in none of them
    x, W, b = random_conv(2, (2, 2, 8, 7), (3, 3, 3))
    layer = Convolution(W, b, stride=3)
    dx = layer.backward(np.ones_like(layer.forward(x)))
    assert np.all(dx[:, :, 6:, :] == 0) and np.all(dx[:, :, :, 6:] == 0)
    assert np.all(dx[:, :, :6, :6] != 0)
    # and they do not change the output
    x2 = x.copy()
    x2[:, :, 6:, :] = 99.0
    x2[:, :, :, 6:] = -99.0
    np.testing.assert_array_equal(layer.forward(x2), layer.forward(x))


@st.composite
def conv_setups(draw):
    """Random small convolutions of any stride and padding, sizes that fit or not."""
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad = draw(st.integers(1, 4)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, fh - 2 * pad), 9))
    w = draw(st.integers(max(1, fw - 2 * pad), 9))
    n, c, fn = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (n, c, h, w), (fn, fh, fw), stride, pad, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=60, deadline=None)
@given(conv_setups())
def test_convolution_property_every_stride_and_padding(setup):
    x_shape, w_shape, stride, pad, seed = setup
    x, W, b = random_conv(seed, x_shape, w_shape)
    layer = Convolution(W, b, stride, pad)
    expected, dout, dx, dW, db = conv_loops(x, W, b, seed + 1, stride, pad)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(dout), dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.dW, dW, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.db, db, rtol=1e-12, atol=1e-12)


# --- the two routes to dx --------------------------------------------------------------
ROUTE_CASES = [  # (N, C, H, W), (FN, F, F), pad: stride 1 and square filters
    ((2, 1, 9, 8), (6, 5, 5), 0),   # fewer channels than filters (a first layer)
    ((2, 4, 6, 7), (4, 3, 3), 1),   # as many (DeepConvNet's inner layers)
    ((2, 6, 5, 5), (2, 3, 3), 2),   # more channels than filters
    ((3, 2, 4, 6), (3, 2, 2), 1),
]


@pytest.mark.parametrize("x_shape, w_shape, pad", ROUTE_CASES,
                         ids=[f"x{c[0]}-w{c[1]}-p{c[2]}" for c in ROUTE_CASES])
def test_both_routes_to_dx_give_the_same_dx(x_shape, w_shape, pad):
    x, W, b = random_conv(3, x_shape, w_shape)
    layer = Convolution(W, b, stride=1, pad=pad)
    out = layer.forward(x)
    _, dout, dx, _, _ = conv_loops(x, W, b, 4, 1, pad)
    d = dout.transpose(1, 0, 2, 3).reshape(w_shape[0], -1)
    by_windows = layer._dx_by_windows(d, out.shape)
    by_transposed = layer._dx_by_transposed_convolution(dout)
    np.testing.assert_allclose(by_windows, by_transposed, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(by_windows, dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(dout), dx, rtol=1e-12, atol=1e-12)


def route_taken(x_shape, w_shape, stride=1, pad=0):
    """Which route Convolution.backward takes to dx for these shapes: 'windows' or
    'transposed' (recorded by wrapping the layer's two methods)."""
    x, W, b = random_conv(5, x_shape, w_shape, np.float32)
    layer = Convolution(W, b, stride, pad)
    taken = []
    for route in ("windows", "transposed"):
        method = getattr(layer, "_dx_by_" + ("windows" if route == "windows"
                                             else "transposed_convolution"))

        def spy(*args, method=method, route=route):
            taken.append(route)
            return method(*args)

        setattr(layer, method.__name__, spy)
    layer.backward(np.ones_like(layer.forward(x)))
    assert len(taken) == 1
    return taken[0]


@pytest.mark.parametrize("x_shape, w_shape, stride, pad, route", [
    ((4, 1, 28, 28), (30, 5, 5), 1, 0, "windows"),     # the book's SimpleConvNet: C=1, FN=30
    ((4, 1, 28, 28), (16, 3, 3), 1, 1, "windows"),     # DeepConvNet's Conv1
    ((4, 16, 28, 28), (16, 3, 3), 1, 1, "transposed"),  # DeepConvNet's Conv2
    ((4, 16, 14, 14), (32, 3, 3), 1, 1, "windows"),    # Conv3: twice as many filters
    ((4, 32, 14, 14), (32, 3, 3), 1, 2, "transposed"),  # Conv4
    ((4, 64, 8, 8), (64, 3, 3), 1, 1, "transposed"),   # Conv6
    ((4, 8, 9, 9), (4, 3, 3), 1, 1, "transposed"),     # fewer filters than channels
    ((4, 16, 9, 9), (16, 3, 3), 2, 1, "windows"),      # stride 2: dx is no convolution
    ((4, 16, 9, 9), (16, 3, 2), 1, 1, "windows"),      # non-square filters
    ((4, 16, 9, 9), (16, 3, 3), 1, 3, "windows"),      # pad >= filter
], ids=["simple-conv1", "deep-conv1", "deep-conv2", "deep-conv3", "deep-conv4", "deep-conv6",
        "more-channels", "stride-2", "non-square", "wide-pad"])
def test_backward_takes_the_cheaper_route_for_the_shapes(x_shape, w_shape, stride, pad, route):
    assert route_taken(x_shape, w_shape, stride, pad) == route


# --- pooling ---------------------------------------------------------------------------
# (N, C, H, W), (pool_h, pool_w), stride, pad, output (OH, OW)
POOL_SHAPES = [
    ((2, 3, 7, 7), (2, 2), 2, 0, (3, 3)),   # PyTorch's 3×3; the tiled route
    ((2, 2, 9, 8), (3, 3), 3, 0, (3, 2)),   # tiled, columns 6, 7 in no window
    ((2, 2, 7, 6), (3, 3), 2, 1, (4, 3)),
    ((2, 1, 8, 9), (2, 3), 3, 0, (3, 3)),
    ((2, 2, 16, 16), (3, 3), 2, 1, (8, 8)),  # the ResNet stem's pooling
    ((2, 2, 5, 5), (2, 2), 1, 0, (4, 4)),
]
POOL_IDS = [f"x{s[0]}-k{s[1]}-s{s[2]}-p{s[3]}" for s in POOL_SHAPES]


@pytest.mark.parametrize("x_shape, pool, stride, pad, out_hw", POOL_SHAPES, ids=POOL_IDS)
@pytest.mark.parametrize("data", ["distinct", "relu ties"])
def test_pooling_forward_and_backward_match_direct_loops(x_shape, pool, stride, pad, out_hw,
                                                          data):
    rng = np.random.default_rng(6)
    x = distinct(rng, x_shape)
    if data == "relu ties":  # after a ReLU: whole windows of equal zeros
        x = np.maximum(x, 0)
    layer = Pooling(*pool, stride=stride, pad=pad)
    out = layer.forward(x)
    expected, dout, dx = pool_loops(x, *pool, stride, pad, 7)
    assert out.shape == (*x_shape[:2], *out_hw)
    np.testing.assert_array_equal(out, expected)
    # (overlapping windows add up their gradients in another order: allclose)
    np.testing.assert_allclose(layer.backward(dout), dx, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_two_by_two_pooling_of_a_seven_by_seven_map(dtype):
    # PyTorch: max_pool2d(kernel 2, stride 2) on 7×7 gives 3×3, from the first 6 rows and
    # columns; the 7th row and column are in no window
    x = np.arange(2 * 49, dtype=dtype).reshape(1, 2, 7, 7)
    layer = Pooling(2, 2, stride=2)
    out = layer.forward(x)
    assert out.shape == (1, 2, 3, 3) and out.dtype == dtype
    np.testing.assert_array_equal(out[0, 0], [[8, 10, 12], [22, 24, 26], [36, 38, 40]])
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == dtype and dx.sum() == 18
    assert np.all(dx[:, :, 6, :] == 0) and np.all(dx[:, :, :, 6] == 0)


@st.composite
def pool_setups(draw):
    ph, pw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, pad = draw(st.integers(1, 4)), draw(st.integers(0, min(ph, pw) - 1))
    h = draw(st.integers(max(1, ph - 2 * pad), 9))
    w = draw(st.integers(max(1, pw - 2 * pad), 9))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), h, w), (ph, pw), stride, pad, \
        draw(st.integers(0, 2**32 - 1))


@settings(max_examples=60, deadline=None)
@given(pool_setups())
def test_pooling_property_every_stride_and_padding(setup):
    x_shape, pool, stride, pad, seed = setup
    x = distinct(np.random.default_rng(seed), x_shape)
    layer = Pooling(*pool, stride=stride, pad=pad)
    expected, dout, dx = pool_loops(x, *pool, stride, pad, seed + 1)
    np.testing.assert_array_equal(layer.forward(x), expected)
    np.testing.assert_allclose(layer.backward(dout), dx, rtol=1e-12, atol=1e-15)


# --- clear errors only where no window fits or the input is malformed ------------------
@pytest.mark.parametrize("layer, x_shape, message", [
    (Convolution(np.ones((2, 3, 5, 5)), np.zeros(2), stride=2), (2, 3, 4, 9),
     r"Convolution with 5x5 filters on 4x9 images: a filter of size 5 does not fit an input "
     r"of size 4 padded by 0"),
    (Convolution(np.ones((2, 3, 3, 3)), np.zeros(2), stride=0), (2, 3, 6, 6),
     r"Convolution.*stride must be a whole number >= 1, got 0"),
    (Convolution(np.ones((2, 3, 3, 3)), np.zeros(2)), (2, 2, 6, 6),
     r"Convolution: the images have 2 channel\(s\), but the filters expect 3"),
    (Convolution(np.ones((2, 3, 3, 3)), np.zeros(2)), (6, 6), r"Convolution takes images"),
    (Pooling(3, 3, stride=2), (2, 1, 7, 2), r"Pooling 3x3 on 7x2 images: a filter of size 3 "
                                            r"does not fit an input of size 2"),
    (Pooling(2, 2), (2, 7, 7), r"Pooling takes images of shape \(N, C, H, W\)"),
], ids=["conv-too-big", "conv-stride-0", "conv-channels", "conv-flat", "pool-too-big",
        "pool-3d"])
def test_only_shapes_without_a_window_or_malformed_input_are_refused(layer, x_shape, message):
    with pytest.raises(ValueError, match=message):
        layer.forward(np.zeros(x_shape))


# --- the book's helpers ----------------------------------------------------------------
@pytest.mark.parametrize("args, book", [
    ((28, 5), 24.0), ((10, 3, 2, 1), 5.5), ((7, 2, 2), 3.5), ((32, 7, 2, 3), 16.5),
    ((28, 3, 1, 1), 28.0),
])
def test_conv_output_size_is_the_books_float(args, book):
    # the book divides with /: a fraction when the stride does not divide
    assert conv_output_size(*args) == book and isinstance(conv_output_size(*args), float)
    assert window_positions(*args) == int(book)  # what the layers use: the floor


@pytest.mark.parametrize("args, message", [
    ((3, 5), "does not fit an input of size 3"), ((3, 6, 1, 1), "does not fit"),
    ((6, 3, 0), "stride must be a whole number >= 1, got 0"),
    ((6, 3, 1.5), "stride must be a whole number"), ((6, 3, 1, -1), "padding must be"),
    ((6, 0), "size >= 1"),
])
def test_window_positions_refuses_only_what_has_no_window(args, message):
    with pytest.raises(ValueError, match=message):
        window_positions(*args)


@pytest.mark.parametrize("x_shape, filt, stride, pad", [
    ((2, 2, 10, 9), (3, 3), 2, 1),
    ((1, 3, 8, 7), (3, 3), 3, 0),
    ((2, 1, 9, 11), (4, 2), 2, 2),
    ((1, 2, 13, 13), (7, 7), 2, 3),
])
def test_im2col_and_col2im_on_strides_that_do_not_divide(x_shape, filt, stride, pad):
    rng = np.random.default_rng(8)
    x = rng.standard_normal(x_shape)
    n, c, h, w = x_shape
    fh, fw = filt
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = im2col(x, fh, fw, stride, pad)
    # the book's layout: one row per window (n, y, x), columns (c, i, j)
    xp = padded(x, pad)
    expected = np.array([xp[i_n, :, y * stride:y * stride + fh, q * stride:q * stride + fw]
                         .ravel() for i_n, y, q in np.ndindex(n, oh, ow)])
    np.testing.assert_array_equal(col, expected)
    # col2im adds every row back onto its window: the adjoint, 0 where no window reaches
    y = rng.standard_normal(col.shape)
    back = col2im(y, x_shape, fh, fw, stride, pad)
    assert np.vdot(col, y) == pytest.approx(np.vdot(x, back), rel=1e-12)
    reached = col2im(np.ones_like(col), x_shape, fh, fw, stride, pad) > 0
    np.testing.assert_array_equal(back[~reached], 0)
    with pytest.raises(ValueError, match=r"col2im: .* col must have shape"):
        col2im(y[1:], x_shape, fh, fw, stride, pad)
