"""Convolution and max pooling on images (N, C, H, W).

Both are built on ``common.windows.window_view``: a strided view of every filter
window of the (padded) input, which costs nothing until it is reshaped. The
convolution copies the windows once into a matrix, one column per window, and
multiplies it by the filters (one matrix product per layer); its backward pass adds the
windows' gradients back with ``common.windows.window_sum``, the adjoint (col2im).
"""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.validation import check_dout, forward_cache, layer_name
from common.windows import window_sum, window_view


def _check_images(layer: str, x: np.ndarray, channels: int | None = None) -> None:
    """Raise a ValueError that names ``layer`` unless x is (N, C, H, W) with C == channels."""
    if x.ndim != 4:
        raise ValueError(f"{layer} takes images of shape (N, C, H, W); got an array of shape "
                         f"{x.shape} (reshape flat images with x.reshape(-1, 1, 28, 28))")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{layer}: the images have {x.shape[1]} channel(s), but the filters "
                         f"expect {channels} (W has shape (FN, C, FH, FW) with C = {channels})")


def _convolve(x: np.ndarray, W: np.ndarray, stride: int, pad: int,
              b: np.ndarray | float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """x (N, C, H, W) convolved with filters W (FN, C, FH, FW), plus the bias b (FN,) or
    scalar b if given.

    Returns the output (N, FN, OH, OW) and ``col``, every window as a column of
    a (C·FH·FW, N·OH·OW) matrix, which the weight gradient needs.
    """
    fn, c, fh, fw = W.shape
    # The book's float64 weights on float32 images compute in float64: convert the images
    # once here, so that the window matrix is made in float64 directly (a product of mixed
    # types would convert the larger window matrix instead, in forward and in backward).
    x = x.astype(np.result_type(x.dtype, W.dtype), copy=False)
    windows = window_view(x, fh, fw, stride, pad)
    n, _, _, _, oh, ow = windows.shape
    col = windows.transpose(1, 2, 3, 0, 4, 5).reshape(c * fh * fw, n * oh * ow)  # one copy
    # One matrix product for the whole batch: one call into BLAS, not one per image,
    # which keeps its threads busy (and fast on a loaded machine, where each call waits).
    out = W.reshape(fn, -1) @ col  # (FN, N·OH·OW)
    # the bias before the transpose: in this layout a row of the product is one filter,
    # one long pass (on the transposed output it took 1.1 ms on SimpleConvNet, here 0.4)
    if b is not None:
        out += np.asarray(b, dtype=out.dtype).reshape(-1, 1)  # (in x's dtype: no float64)
    return np.ascontiguousarray(out.reshape(fn, n, oh, ow).transpose(1, 0, 2, 3)), col


#: What adding an element back onto the image (``window_sum``: read it, read the pixel, add,
#: write) costs in copies of an element (the transposed route's window matrix), as measured
#: on the layers of SimpleConvNet and DeepConvNet: see
#: ``Convolution._transposed_route_is_cheaper``.
_ADD_BACK_COST = 1.5


class Convolution(Layer):
    """2-D convolution (cross-correlation, as in every framework):

        out[n, f, y, x] = Σ_{c,i,j} W[f, c, i, j] · xpad[n, c, y·stride + i, x·stride + j] + b[f]

    W: (FN, C, FH, FW), b: (FN,) or a scalar; x: (N, C, H, W) -> out: (N, FN, OH, OW)
    with OH = floor((H + 2·pad - FH) / stride) + 1 (likewise OW), as in the book and
    PyTorch. ``backward`` returns dx (N, C, H, W) and sets dW and db; with
    ``input_grad=False`` (a network's first layer) it skips dx and returns None.
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
        self.out_shape: tuple[int, ...] | None = None
        self.col: np.ndarray | None = None
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The convolution of x (N, C, H, W) with the filters, plus the bias: (N, FN, OH, OW)."""
        if np.ndim(self.W) != 4:
            raise ValueError(f"{layer_name(self)} needs filters W of shape (FN, C, FH, FW); "
                             f"got W of shape {np.shape(self.W)}")
        _check_images(layer_name(self), x, self.W.shape[1])
        try:
            out, self.col = _convolve(x, self.W, self.stride, self.pad, self.b)
        except ValueError as err:
            raise ValueError(f"{layer_name(self)} with {self.W.shape[2]}x{self.W.shape[3]} filters "
                             f"on {x.shape[2]}x{x.shape[3]} images: {err}") from None
        self.x_shape, self.out_shape = x.shape, out.shape
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """dW = dout col ᵀ, db = Σ dout over n, y, x; returns dx (N, C, H, W) or None, by
        the cheaper of two routes for these shapes (``_transposed_route_is_cheaper``)."""
        check_dout(self, dout, forward_cache(self, self.out_shape))
        fn, c, fh, fw = self.W.shape
        n, _, oh, ow = dout.shape
        d = dout.transpose(1, 0, 2, 3).reshape(fn, n * oh * ow)  # col's column order
        if self.dW is None:
            self.dW = (d @ self.col.T).reshape(self.W.shape)
        else:  # the same array at every pass (a reshape of it is a view)
            np.matmul(d, self.col.T, out=self.dW.reshape(fn, -1))
        self.db = np.sum(d, axis=1, out=self.db) if np.ndim(self.b) else d.sum()
        if not self.input_grad:
            return None
        if self._transposed_route_is_cheaper(oh, ow):
            return self._dx_by_transposed_convolution(dout)
        return self._dx_by_windows(d, (n, fn, oh, ow))

    def _dx_by_windows(self, d: np.ndarray, out_shape: tuple[int, ...]) -> np.ndarray:
        """dx from d = dout as (FN, N·OH·OW): every window's gradient Wᵀ·d, added back
        onto the image where the window came from (col2im)."""
        fn, c, fh, fw = self.W.shape
        n, _, oh, ow = out_shape
        dcol = self.W.reshape(fn, -1).T @ d  # (C·FH·FW, N·OH·OW)
        windows = dcol.reshape(c, fh, fw, n, oh, ow).transpose(3, 0, 1, 2, 4, 5)
        return window_sum(windows, self.x_shape, self.stride, self.pad)

    def _dx_by_transposed_convolution(self, dout: np.ndarray) -> np.ndarray:
        """dx (stride 1, square filters, pad < FH) as a convolution of dout padded by
        FH-1-pad with the filters turned by 180° and their input and output channels
        swapped."""
        fh = self.W.shape[2]
        turned = self.W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)
        return _convolve(dout, turned, 1, fh - 1 - self.pad)[0]

    def _transposed_route_is_cheaper(self, oh: int, ow: int) -> bool:
        """Which of the two routes to dx costs less, from the shapes alone.

        With K = FH·FW filter taps, images (N, C, H, W) and output (N, FN, OH, OW):

        - the window route, dcol = Wᵀ·dout, then each window added back (``window_sum``):
          a product of C·K·FN·N·OH·OW multiply-adds, a temporary of C·K·N·OH·OW
          elements, and K strided additions over them (read, add, write back);
        - the transposed route (stride 1, square filters, pad < FH): dx is the convolution
          of dout padded by FH-1-pad with the turned filters: a product of
          C·FN·K·N·H·W multiply-adds (as many as the other route, give or take the
          border), but a temporary window matrix of FN·K·N·H·W elements, one plain copy.

        The products cost about the same, so the temporaries decide: FN·H·W copied
        elements against C·OH·OW added ones, and an element added back costs about
        ``_ADD_BACK_COST`` copied ones. Measured (batch 100, one thread, float32): a
        network's first layer (C = 1, FN = 30, 5×5 in the book's SimpleConvNet, where the
        transposed route's temporary is 40 times larger) takes the window route, 8 ms
        against 111; as many filters as channels (DeepConvNet's inner layers) the
        transposed one, 1.5 to 2.6 times as fast; twice as many filters as channels is
        the edge, where either route was up to 1.3 times the other.
        """
        fn, c, fh, fw = self.W.shape
        h, w = self.x_shape[2:]
        if self.stride != 1 or fh != fw or self.pad >= fh:  # where dx is such a convolution
            return False
        return fn * h * w <= _ADD_BACK_COST * c * oh * ow


class Pooling(Layer):
    """Max pooling: out[n, c, y, x] = max of the pool_h × pool_w window at (y·stride, x·stride).

    x: (N, C, H, W) -> (N, C, OH, OW). Padding adds -inf, so it is never the
    maximum. ``backward`` sends each window's gradient to one maximal element
    (the first in row-major order when several are equal, as after a ReLU).
    OH = floor((H + 2·pad - pool_h) / stride) + 1 (likewise OW), as in the book and
    PyTorch: a 2×2 pooling of stride 2 makes 3×3 of 7×7, and the last row and column,
    in no window, get a zero gradient.
    The usual case, square k×k windows that tile the image (stride = k, no padding),
    takes a faster route: x reshaped to (N, C, OH, k, OW, k) shows the k² pixels of
    every window as k² strided views of x, and the maximum is taken view by view.
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0) -> None:
        if min(pool_h, pool_w, stride) < 1 or not 0 <= pad < min(pool_h, pool_w):
            raise ValueError(f"Pooling needs windows and a stride of at least 1 and a padding "
                             f"smaller than the window (else some windows hold only padding); "
                             f"got pool {pool_h}x{pool_w}, stride {stride}, pad {pad}")
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x_shape: tuple[int, ...] | None = None
        self.out: np.ndarray | None = None
        self.windows: np.ndarray | None = None  # the general route's windows of x
        self.arg: np.ndarray | None = None  # the tiled route's winner: i·k + j in each window

    def _tiles(self) -> bool:
        """Whether the windows tile the image: square, stride = size, no padding (and
        k² ≤ 128, so that the index of a window's winner fits the int8 it is kept in).
        An image whose size is not a multiple of k tiles too, but for its last rows or
        columns, which no window reaches."""
        k = self.pool_h
        return self.pool_w == k == self.stride and self.pad == 0 and k * k <= 128

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The maximum of every window: (N, C, OH, OW)."""
        _check_images(layer_name(self), x)
        try:
            self.windows = window_view(x, self.pool_h, self.pool_w, self.stride, self.pad,
                                       pad_value=-np.inf)
        except ValueError as err:
            raise ValueError(f"{layer_name(self)} {self.pool_h}x{self.pool_w} on {x.shape[2]}x"
                             f"{x.shape[3]} images: {err}") from None
        self.x_shape = x.shape
        if self._tiles():
            self.windows = None
            self.out = self._forward_tiles(x)
            return self.out
        # one element-wise maximum per window offset: no copy of the windows is made
        self.out = self.windows[:, :, 0, 0].copy()
        for i in range(self.pool_h):
            for j in range(self.pool_w):
                np.maximum(self.out, self.windows[:, :, i, j], out=self.out)
        return self.out.copy()  # backward compares with self.out: the caller may change this

    def _tile_views(self, x: np.ndarray) -> list[np.ndarray]:
        """The k² pixels of every window (N, C, OH, OW), in row-major order, as views of x
        (of its first OH·k rows and OW·k columns: the others are in no window)."""
        k = self.pool_h
        n, c, h, w = x.shape
        oh, ow = h // k, w // k
        tiles = x[:, :, :oh * k, :ow * k].reshape(n, c, oh, k, ow, k)  # a view still
        return [tiles[:, :, :, i, :, j] for i in range(k) for j in range(k)]

    def _forward_tiles(self, x: np.ndarray) -> np.ndarray:
        """Max over the k² views, remembering which one won (the first of equals)."""
        out, self.arg = _max_and_argmax(self._tile_views(x))
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout routed to the first maximal element of each window; returns dx (N, C, H, W)."""
        check_dout(self, dout, forward_cache(self, self.out).shape)
        if self.windows is None:
            return self._backward_tiles(dout)
        grads = np.empty(self.windows.shape, dtype=dout.dtype)
        routed = np.zeros(self.out.shape, dtype=bool)  # windows whose maximum is found
        for i in range(self.pool_h):
            for j in range(self.pool_w):
                first = (self.windows[:, :, i, j] == self.out) & ~routed
                routed |= first
                np.multiply(dout, first, out=grads[:, :, i, j])
        return window_sum(grads, self.x_shape, self.stride, self.pad)

    def _backward_tiles(self, dout: np.ndarray) -> np.ndarray:
        """dout to the winning pixel of each window, 0 to its other pixels."""
        k, (h, w) = self.pool_h, self.x_shape[2:]
        dx = np.empty(self.x_shape, dtype=dout.dtype)
        dx[:, :, h - h % k:] = 0  # the rows and columns in no window
        dx[:, :, :, w - w % k:] = 0
        for index, pixels in enumerate(self._tile_views(dx)):
            np.multiply(dout, self.arg == index, out=pixels)
        return dx


def _max_and_argmax(arrays) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise maximum of equally shaped arrays, and the index of the first array
    holding it (int8), without copying the inputs."""
    arrays = iter(arrays)
    best = next(arrays).copy()
    arg = np.zeros(best.shape, dtype=np.int8)
    for index, candidate in enumerate(arrays, start=1):
        better = candidate > best  # strictly: the first of equal maxima keeps the gradient
        np.maximum(best, candidate, out=best)
        # indices only grow, so the last array that was better is the largest index
        # (and this is branch-free, unlike arg[better] = index: several times faster)
        np.maximum(arg, better * np.int8(index), out=arg)
    return best, arg
