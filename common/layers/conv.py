"""Convolution and max pooling on images (N, C, H, W).

Both are built on ``common.util.window_view``: a strided view of every filter
window of the (padded) input, which costs nothing until it is reshaped. The
convolution turns each image's windows into a matrix (one copy) and multiplies it
by the filters (one matrix product per layer); its backward pass adds the
windows' gradients back with ``common.util.window_sum``, the adjoint (col2im).
"""

from __future__ import annotations

import numpy as np

from common.util import window_sum, window_view


def _check_images(layer: str, x: np.ndarray, channels: int | None = None) -> None:
    """Raise a ValueError that names ``layer`` unless x is (N, C, H, W) with C == channels."""
    if x.ndim != 4:
        raise ValueError(f"{layer} takes images of shape (N, C, H, W); got an array of shape "
                         f"{x.shape} (reshape flat images with x.reshape(-1, 1, 28, 28))")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{layer}: the images have {x.shape[1]} channel(s), but the filters "
                         f"expect {channels} (W has shape (FN, C, FH, FW) with C = {channels})")


class Convolution:
    """2-D convolution (cross-correlation, as in every framework):

        out[n, f, y, x] = Σ_{c,i,j} W[f, c, i, j] · xpad[n, c, y·stride + i, x·stride + j] + b[f]

    W: (FN, C, FH, FW), b: (FN,) or a scalar; x: (N, C, H, W) -> out: (N, FN, OH, OW)
    with OH = (H + 2·pad - FH) / stride + 1 (likewise OW). ``backward`` returns
    dx (N, C, H, W) and sets dW and db; with ``input_grad=False`` (a network's
    first layer) it skips dx, the most expensive part, and returns None.
    W and b are read afresh on every call, so they may be changed or replaced freely.
    """

    param_names = ("W", "b")

    def __init__(self, W: np.ndarray, b: np.ndarray | float, stride: int = 1, pad: int = 0,
                 input_grad: bool = True) -> None:
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.input_grad = input_grad
        self.x_shape: tuple[int, ...] | None = None
        self.col: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The convolution of x (N, C, H, W) with the filters, plus the bias: (N, FN, OH, OW)."""
        fn, c, fh, fw = self.W.shape
        _check_images("Convolution", x, c)
        try:
            windows = window_view(x, fh, fw, self.stride, self.pad)
        except ValueError as err:
            raise ValueError(f"Convolution with {fh}x{fw} filters on {x.shape[2]}x{x.shape[3]} "
                             f"images: {err}") from None
        n, _, _, _, oh, ow = windows.shape
        self.x_shape = x.shape
        # each image's windows as a (C·FH·FW, OH·OW) matrix: the one copy of the input
        self.col = windows.reshape(n, c * fh * fw, oh * ow)
        out = np.matmul(self.W.reshape(fn, -1), self.col)  # (N, FN, OH·OW), already NCHW
        out += np.reshape(self.b, (-1, 1))
        return out.reshape(n, fn, oh, ow)

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """dW = Σ_n dout_n colₙᵀ, db = Σ dout over n, y, x; returns dx (N, C, H, W) or None."""
        fn, c, fh, fw = self.W.shape
        n, _, oh, ow = dout.shape
        dout = dout.reshape(n, fn, oh * ow)
        self.dW = np.matmul(dout, self.col.transpose(0, 2, 1)).sum(axis=0).reshape(self.W.shape)
        self.db = dout.sum(axis=(0, 2)) if np.ndim(self.b) else dout.sum()
        if not self.input_grad:
            return None
        dcol = np.matmul(self.W.reshape(fn, -1).T, dout)  # (N, C·FH·FW, OH·OW)
        return window_sum(dcol.reshape(n, c, fh, fw, oh, ow), self.x_shape, self.stride,
                          self.pad)


class Pooling:
    """Max pooling: out[n, c, y, x] = max of the pool_h × pool_w window at (y·stride, x·stride).

    x: (N, C, H, W) -> (N, C, OH, OW). Padding adds -inf, so it is never the
    maximum. ``backward`` sends each window's gradient to one maximal element
    (the first in row-major order when several are equal, as after a ReLU).
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0) -> None:
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.windows: np.ndarray | None = None
        self.x_shape: tuple[int, ...] | None = None
        self.out: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The maximum of every window: (N, C, OH, OW)."""
        _check_images("Pooling", x)
        try:
            self.windows = window_view(x, self.pool_h, self.pool_w, self.stride, self.pad,
                                       pad_value=-np.inf)
        except ValueError as err:
            raise ValueError(f"Pooling {self.pool_h}x{self.pool_w} on {x.shape[2]}x"
                             f"{x.shape[3]} images: {err}") from None
        self.x_shape = x.shape
        # one element-wise maximum per window offset: no copy of the windows is made
        self.out = self.windows[:, :, 0, 0].copy()
        for i in range(self.pool_h):
            for j in range(self.pool_w):
                np.maximum(self.out, self.windows[:, :, i, j], out=self.out)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout routed to the first maximal element of each window; returns dx (N, C, H, W)."""
        grads = np.empty(self.windows.shape, dtype=dout.dtype)
        routed = np.zeros(self.out.shape, dtype=bool)  # windows whose maximum is found
        for i in range(self.pool_h):
            for j in range(self.pool_w):
                first = (self.windows[:, :, i, j] == self.out) & ~routed
                routed |= first
                np.multiply(dout, first, out=grads[:, :, i, j])
        return window_sum(grads, self.x_shape, self.stride, self.pad)
