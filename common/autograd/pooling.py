"""Pooling as autograd Functions (the rest of the third book's ``functions_conv``): max
pooling (``pooling``; its gradient ``Pooling2DGrad`` and that one's ``Pooling2DWithIndexes``,
so it has every higher derivative), ``pooling_simple`` and ``average_pooling``.

The windows are ``common.autograd.conv.windows_of``'s (the project's one im2col). Max
pooling pads with -inf, so padding is never a maximum (as PyTorch; the book pads with 0),
and a window's gradient goes to its first maximal element. Average pooling divides by
KH·KW, padding included (as the book). x (N, C, H, W) -> (N, C, OH, OW).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.autograd import tensor
from common.autograd.array_utils import pair
from common.autograd.conv import Size, col2im, geometry, im2col, sum_windows, windows_of
from common.autograd.core import Function, Variable, as_variable


def _check_pool(x: np.ndarray, kernel_size: Size, pad: Size) -> None:
    """A ValueError unless x is (N, C, H, W) and every window holds a pixel of x."""
    (kh, kw), _, (ph, pw) = geometry(kernel_size, 1, pad)
    if np.ndim(x) != 4:
        raise ValueError(f"pooling takes images of shape (N, C, H, W); got {np.shape(x)}")
    if ph >= kh or pw >= kw:
        raise ValueError(f"pooling: the padding {pad} must be smaller than the window "
                         f"{kernel_size}, else some windows hold only padding")


class Pooling(Function):
    """y[n, c, y, x] = max of the KH × KW window at (y·SH, x·SW) of x padded with -inf;
    keeps the winners' indexes (first maximum) for the backward pass."""

    def __init__(self, kernel_size: Size, stride: Size = 1, pad: Size = 0) -> None:
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad

    def forward(self, x):
        _check_pool(x, self.kernel_size, self.pad)
        windows = windows_of(x, self.kernel_size, self.stride, self.pad, pad_value=-np.inf)
        n, c, kh, kw, oh, ow = windows.shape
        cols = windows.reshape(n, c, kh * kw, oh, ow)
        self.input_shape = x.shape
        self.indexes = cols.argmax(axis=2)
        return np.take_along_axis(cols, self.indexes[:, :, np.newaxis], axis=2)[:, :, 0]

    def backward(self, gy):
        return Pooling2DGrad(self)(gy)


class Pooling2DGrad(Function):
    """gx = gy sent to each window's winner (zero elsewhere), windows summed back:
    (N, C, OH, OW) -> (N, C, H, W); made by a Pooling that has run."""

    def __init__(self, mpool2d: Pooling | Pooling2DWithIndexes) -> None:
        self.kernel_size, self.stride, self.pad = (mpool2d.kernel_size, mpool2d.stride,
                                                   mpool2d.pad)
        self.input_shape, self.indexes = mpool2d.input_shape, mpool2d.indexes

    def forward(self, gy):
        n, c, oh, ow = gy.shape
        kh, kw = pair(self.kernel_size)
        gcol = np.zeros((n, c, kh * kw, oh, ow), dtype=gy.dtype)
        np.put_along_axis(gcol, self.indexes[:, :, np.newaxis], gy[:, :, np.newaxis], axis=2)
        return sum_windows(gcol.reshape(n, c, kh, kw, oh, ow), self.input_shape, self.stride,
                           self.pad)

    def backward(self, ggx):
        return Pooling2DWithIndexes(self)(ggx)


class Pooling2DWithIndexes(Function):
    """y = the element of each window of x at the recorded winner's place (max pooling
    with its choices fixed): (N, C, H, W) -> (N, C, OH, OW); a linear map."""

    def __init__(self, mpool2d: Pooling | Pooling2DGrad) -> None:
        self.kernel_size, self.stride, self.pad = (mpool2d.kernel_size, mpool2d.stride,
                                                   mpool2d.pad)
        self.input_shape, self.indexes = mpool2d.input_shape, mpool2d.indexes

    def forward(self, x):
        windows = windows_of(x, self.kernel_size, self.stride, self.pad)
        n, c, kh, kw, oh, ow = windows.shape
        cols = windows.reshape(n, c, kh * kw, oh, ow)
        return np.take_along_axis(cols, self.indexes[:, :, np.newaxis], axis=2)[:, :, 0]

    def backward(self, gy):
        return Pooling2DGrad(self)(gy)


def pooling(x: Any, kernel_size: Size, stride: Size = 1, pad: Size = 0) -> Variable:
    """Max pooling: (N, C, H, W) -> (N, C, OH, OW), OH = (H + 2 PH - KH) // SH + 1."""
    return Pooling(kernel_size, stride, pad)(x)


def pooling_simple(x: Any, kernel_size: Size, stride: Size = 1, pad: Size = 0) -> Variable:
    """Max pooling composed of im2col and max (the book's first version; pads with 0)."""
    x = as_variable(x)
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = geometry(kernel_size, stride, pad)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    col = im2col(x, (kh, kw), stride, pad, to_matrix=True).reshape(-1, kh * kw)
    y = tensor.max(col, axis=1)  # rows (n, y, x, c): im2col's row order, then the channels
    return y.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)


class AveragePooling(Function):
    """y = mean of each KH × KW window (padding counted as 0): (N, C, H, W) -> (N, C, OH, OW)."""

    def __init__(self, kernel_size: Size, stride: Size = 1, pad: Size = 0) -> None:
        self.kernel_size, self.stride, self.pad = kernel_size, stride, pad

    def forward(self, x):
        _check_pool(x, self.kernel_size, self.pad)
        self.input_shape = x.shape
        return windows_of(x, self.kernel_size, self.stride, self.pad).mean(axis=(2, 3))

    def backward(self, gy):
        n, c, oh, ow = gy.shape
        kh, kw = pair(self.kernel_size)
        g = tensor.reshape(gy / (kh * kw), (n, c, 1, 1, oh, ow))
        gcol = tensor.broadcast_to(g, (n, c, kh, kw, oh, ow))
        return col2im(gcol, self.input_shape, self.kernel_size, self.stride, self.pad,
                      to_matrix=False)


def average_pooling(x: Any, kernel_size: Size, stride: Size = 1, pad: Size = 0) -> Variable:
    """Average pooling: the mean of every window, (N, C, H, W) -> (N, C, OH, OW)."""
    return AveragePooling(kernel_size, stride, pad)(x)


__all__ = [
    "AveragePooling", "Pooling", "Pooling2DGrad", "Pooling2DWithIndexes", "average_pooling",
    "pooling", "pooling_simple",
]
