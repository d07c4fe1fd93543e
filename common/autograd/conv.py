"""Convolution as autograd Functions (the third book's ``functions_conv``): ``conv2d``,
``deconv2d`` (the transposed convolution), ``conv2d_simple``, and ``im2col``/``col2im`` both
as Functions and as array helpers; pooling is in ``common.autograd.pooling``.

Every window comes from the project's one im2col, ``common.windows``: ``window_view`` (a
strided view of the windows, nothing copied until it is reshaped) and its adjoint
``window_sum`` (col2im). Kernel sizes, strides and paddings may be an int or a pair (h, w);
``common.windows`` takes one stride and one padding for both axes, so unequal pairs go
through a stride-1 view sliced with the strides (and, back, a zero-filled stride-1 window
stack). Each Function's backward is written with Functions, so convolutions have
higher-order derivatives too: conv2d's input gradient is a deconv2d, its weight gradient a
``Conv2DGradW``, whose own backward is a conv2d and a deconv2d.

Shapes: images x (N, C, H, W); conv2d's filters W (OC, C, KH, KW) and bias b (OC,);
deconv2d's filters W (C, OC, KH, KW) (the transpose of a conv2d's); OH = (H + 2 PH - KH) //
SH + 1 (likewise OW), the windows that fit, as in the book and PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.autograd import tensor
from common.autograd.array_utils import get_deconv_outsize, pair
from common.autograd.core import Function, Variable, as_variable
from common.validation import whole_number
from common.windows import window_positions, window_sum, window_view

Size = int | tuple[int, int]


def geometry(kernel_size: Size, stride: Size, pad: Size) -> tuple[tuple[int, int], ...]:
    """((KH, KW), (SH, SW), (PH, PW)) from ints or pairs, each checked (a clear ValueError)."""
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel_size), pair(stride), pair(pad)
    for value, name, low in ((kh, "kernel size", 1), (kw, "kernel size", 1), (sh, "stride", 1),
                             (sw, "stride", 1), (ph, "padding", 0), (pw, "padding", 0)):
        whole_number(value, f"the {name}", low=low)
    return (int(kh), int(kw)), (int(sh), int(sw)), (int(ph), int(pw))


def windows_of(x: np.ndarray, kernel_size: Size, stride: Size = 1, pad: Size = 0,
               pad_value: float = 0.0) -> np.ndarray:
    """Every KH × KW window of x (N, C, H, W), a read-only view (N, C, KH, KW, OH, OW)."""
    (kh, kw), (sh, sw), (ph, pw) = geometry(kernel_size, stride, pad)
    if sh == sw and ph == pw:
        return window_view(x, kh, kw, sh, ph, pad_value)
    if np.ndim(x) == 4 and (ph or pw):
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=pad_value)
    return window_view(x, kh, kw, 1, 0)[..., ::sh, ::sw]


def sum_windows(windows: np.ndarray, input_shape: tuple[int, ...], stride: Size = 1,
                pad: Size = 0) -> np.ndarray:
    """The adjoint of ``windows_of``: windows (N, C, KH, KW, OH, OW) added back onto an
    (N, C, H, W) image, overlaps summed."""
    n, c, kh, kw, oh, ow = windows.shape
    _, (sh, sw), (ph, pw) = geometry((kh, kw), stride, pad)
    if sh == sw and ph == pw:
        return window_sum(windows, input_shape, sh, ph)
    h, w = input_shape[2] + 2 * ph, input_shape[3] + 2 * pw
    full = np.zeros((n, c, kh, kw, h - kh + 1, w - kw + 1), dtype=windows.dtype)
    full[..., ::sh, ::sw] = windows  # the stride-1 windows, zero where no window was taken
    return window_sum(full, (n, c, h, w), 1, 0)[:, :, ph:h - ph, pw:w - pw]


def _output_size(input_shape: tuple[int, ...], kernel_size: Size, stride: Size,
                 pad: Size) -> tuple[int, int]:
    """(OH, OW): how many windows fit along each axis."""
    (kh, kw), (sh, sw), (ph, pw) = geometry(kernel_size, stride, pad)
    return (window_positions(input_shape[2], kh, sh, ph),
            window_positions(input_shape[3], kw, sw, pw))


def im2col_array(img: np.ndarray, kernel_size: Size, stride: Size = 1, pad: Size = 0,
                 to_matrix: bool = True) -> np.ndarray:
    """Images (N, C, H, W) -> windows (N·OH·OW, C·KH·KW) (one row per window, columns in
    (c, i, j) order), or (N, C, KH, KW, OH, OW) when not ``to_matrix``: a new array."""
    windows = windows_of(img, kernel_size, stride, pad)
    if not to_matrix:
        return windows.copy()
    n, c, kh, kw, oh, ow = windows.shape
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)


def col2im_array(col: np.ndarray, img_shape: tuple[int, ...], kernel_size: Size,
                 stride: Size = 1, pad: Size = 0, to_matrix: bool = True) -> np.ndarray:
    """The adjoint of ``im2col_array``: windows added back onto images ``img_shape``
    (N, C, H, W), overlapping windows summed (not an inverse)."""
    n, c, _, _ = img_shape
    kh, kw = pair(kernel_size)
    oh, ow = _output_size(img_shape, kernel_size, stride, pad)
    if to_matrix:
        if np.shape(col) != (n * oh * ow, c * kh * kw):
            raise ValueError(f"col2im: images {tuple(img_shape)} have {oh}x{ow} windows of "
                             f"{kh}x{kw}, so col must have shape ({n * oh * ow}, "
                             f"{c * kh * kw}); got {np.shape(col)}")
        col = col.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    return sum_windows(col, img_shape, stride, pad)


class Im2col(Function):
    """y = im2col(x): every window of x as a row (or a 6-d stack); backward is col2im."""

    def __init__(self, kernel_size: Size, stride: Size, pad: Size, to_matrix: bool) -> None:
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad
        self.to_matrix = to_matrix

    def forward(self, x):
        self.input_shape = x.shape
        return im2col_array(x, self.kernel_size, self.stride, self.pad, self.to_matrix)

    def backward(self, gy):
        return col2im(gy, self.input_shape, self.kernel_size, self.stride, self.pad,
                      self.to_matrix)


class Col2im(Function):
    """y = col2im(x): windows summed back onto images; backward is im2col."""

    def __init__(self, input_shape: tuple[int, ...], kernel_size: Size, stride: Size,
                 pad: Size, to_matrix: bool) -> None:
        self.input_shape = tuple(input_shape)
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad
        self.to_matrix = to_matrix

    def forward(self, x):
        return col2im_array(x, self.input_shape, self.kernel_size, self.stride, self.pad,
                            self.to_matrix)

    def backward(self, gy):
        return im2col(gy, self.kernel_size, self.stride, self.pad, self.to_matrix)


def im2col(x: Any, kernel_size: Size, stride: Size = 1, pad: Size = 0,
           to_matrix: bool = True) -> Variable:
    """(N, C, H, W) -> (N·OH·OW, C·KH·KW) windows, differentiable (the adjoint is col2im)."""
    return Im2col(kernel_size, stride, pad, to_matrix)(x)


def col2im(x: Any, input_shape: tuple[int, ...], kernel_size: Size, stride: Size = 1,
           pad: Size = 0, to_matrix: bool = True) -> Variable:
    """Windows (N·OH·OW, C·KH·KW) summed back onto images ``input_shape``, differentiable."""
    return Col2im(input_shape, kernel_size, stride, pad, to_matrix)(x)


def _check_conv(who: str, x: np.ndarray, W: np.ndarray, in_axis: int) -> None:  # noqa: N803
    """A ValueError naming ``who`` unless x is (N, C, H, W) and W 4-d with C channels."""
    if np.ndim(x) != 4 or np.ndim(W) != 4 or x.shape[1] != W.shape[in_axis]:
        raise ValueError(f"{who}: needs images x (N, C, H, W) and 4-d filters W with C on axis "
                         f"{in_axis}; got x of shape {np.shape(x)} and W of shape "
                         f"{np.shape(W)}")


def _as_rows(windows: np.ndarray) -> np.ndarray:
    """(N, C, KH, KW, OH, OW) windows -> (C·KH·KW, N·OH·OW): one column per window."""
    n, c, kh, kw, oh, ow = windows.shape
    return windows.transpose(1, 2, 3, 0, 4, 5).reshape(c * kh * kw, n * oh * ow)


class Conv2d(Function):
    """y[n, o] = Σ_{c,i,j} W[o, c, i, j] · xpad[n, c, y·SH + i, x·SW + j] + b[o]:
    x (N, C, H, W), W (OC, C, KH, KW), b (OC,) or none -> y (N, OC, OH, OW)."""

    def __init__(self, stride: Size = 1, pad: Size = 0) -> None:
        self.stride, self.pad = pair(stride), pair(pad)

    def forward(self, x, W, b=None):  # noqa: N803 - the book's names
        _check_conv("conv2d", x, W, 1)
        oc = W.shape[0]
        windows = windows_of(x, W.shape[2:], self.stride, self.pad)
        n, _, _, _, oh, ow = windows.shape
        y = W.reshape(oc, -1) @ _as_rows(windows)  # one product for the whole batch
        if b is not None:
            y += b.reshape(-1, 1)
        return np.ascontiguousarray(y.reshape(oc, n, oh, ow).transpose(1, 0, 2, 3))

    def backward(self, gy):
        x, W = self.inputs[:2]  # noqa: N806
        # an image batch passed as an array (a first layer's) needs no gradient: skip it
        gx = (deconv2d(gy, W, None, self.stride, self.pad, outsize=x.shape[2:])
              if self.needs_grad(0) else None)
        gW = Conv2DGradW(self)(x, gy) if self.needs_grad(1) else None  # noqa: N806
        if len(self.inputs) == 2 or self.inputs[2].data is None:
            return gx, gW
        return gx, gW, tensor.sum(gy, axis=(0, 2, 3))


def conv2d(x: Any, W: Any, b: Any = None, stride: Size = 1, pad: Size = 0) -> Variable:  # noqa: N803
    """2-d convolution (cross-correlation): (N, C, H, W), (OC, C, KH, KW) -> (N, OC, OH, OW)."""
    f = Conv2d(stride, pad)
    return f(x, W) if b is None else f(x, W, b)


class Deconv2d(Function):
    """The transposed convolution (conv2d's input gradient as a layer): x (N, C, H, W),
    W (C, OC, KH, KW) -> y (N, OC, OH, OW), OH = SH (H - 1) + KH - 2 PH unless ``outsize``."""

    def __init__(self, stride: Size = 1, pad: Size = 0, outsize: Size | None = None) -> None:
        self.stride, self.pad = pair(stride), pair(pad)
        self.outsize = None if outsize is None else pair(outsize)

    def forward(self, x, W, b=None):  # noqa: N803
        _check_conv("deconv2d", x, W, 0)
        c, oc, kh, kw = W.shape
        n, _, h, w = x.shape
        if self.outsize is None:
            out_h = get_deconv_outsize(h, kh, self.stride[0], self.pad[0])
            out_w = get_deconv_outsize(w, kw, self.stride[1], self.pad[1])
        else:
            out_h, out_w = self.outsize
        shape = (n, oc, out_h, out_w)
        if _output_size(shape, (kh, kw), self.stride, self.pad) != (h, w):
            raise ValueError(f"deconv2d: an output of {out_h}x{out_w} has not {h}x{w} windows "
                             f"of {kh}x{kw} at stride {self.stride}, pad {self.pad}")
        cols = W.reshape(c, -1).T @ x.transpose(1, 0, 2, 3).reshape(c, n * h * w)
        windows = cols.reshape(oc, kh, kw, n, h, w).transpose(3, 0, 1, 2, 4, 5)
        y = sum_windows(windows, shape, self.stride, self.pad)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return y

    def backward(self, gy):
        x, W = self.inputs[:2]  # noqa: N806
        gx = conv2d(gy, W, None, self.stride, self.pad) if self.needs_grad(0) else None
        gW = Conv2DGradW(self)(gy, x) if self.needs_grad(1) else None  # noqa: N806
        if len(self.inputs) == 2 or self.inputs[2].data is None:
            return gx, gW
        return gx, gW, tensor.sum(gy, axis=(0, 2, 3))


def deconv2d(x: Any, W: Any, b: Any = None, stride: Size = 1, pad: Size = 0,  # noqa: N803
             outsize: Size | None = None) -> Variable:
    """Transposed convolution: (N, C, H, W), (C, OC, KH, KW) -> (N, OC, OH, OW)."""
    f = Deconv2d(stride, pad, outsize)
    return f(x, W) if b is None else f(x, W, b)


class Conv2DGradW(Function):
    """gW[o, c, i, j] = Σ_{n,y,x} gy[n, o, y, x] · xpad[n, c, y·SH + i, x·SW + j]: the
    filter gradient of ``conv`` (a Conv2d or Deconv2d that has run), from (x, gy)."""

    def __init__(self, conv: Conv2d | Deconv2d) -> None:
        self.kernel_size = conv.inputs[1].shape[2:]
        self.stride, self.pad = conv.stride, conv.pad

    def forward(self, x, gy):
        windows = windows_of(x, self.kernel_size, self.stride, self.pad)
        n, c, kh, kw, oh, ow = windows.shape
        oc = gy.shape[1]
        gW = gy.transpose(1, 0, 2, 3).reshape(oc, -1) @ _as_rows(windows).T  # noqa: N806
        return gW.reshape(oc, c, kh, kw)

    def backward(self, ggw):
        x, gy = self.inputs
        gx = (deconv2d(gy, ggw, None, self.stride, self.pad, outsize=x.shape[2:])
              if self.needs_grad(0) else None)
        ggy = conv2d(x, ggw, None, self.stride, self.pad) if self.needs_grad(1) else None
        return gx, ggy


def conv2d_simple(x: Any, W: Any, b: Any = None, stride: Size = 1,  # noqa: N803
                  pad: Size = 0) -> Variable:
    """conv2d composed of im2col, linear and a transpose (slower; the book's first version)."""
    x, W = as_variable(x), as_variable(W)  # noqa: N806
    n = x.shape[0]
    oc, _, kh, kw = W.shape
    oh, ow = _output_size(x.shape, (kh, kw), stride, pad)
    col = im2col(x, (kh, kw), stride, pad, to_matrix=True)  # (N·OH·OW, C·KH·KW)
    y = tensor.linear(col, W.reshape(oc, -1).transpose(), b)
    return y.reshape(n, oh, ow, oc).transpose(0, 3, 1, 2)


__all__ = [
    "Col2im", "Conv2DGradW", "Conv2d", "Deconv2d", "Im2col", "col2im", "col2im_array",
    "conv2d", "conv2d_simple", "deconv2d", "geometry", "im2col", "im2col_array",
    "sum_windows", "windows_of",
]
