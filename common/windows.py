"""Sliding windows over images, behind convolution and pooling: how many windows fit, a
strided view of every window and its adjoint (``window_view``, ``window_sum``), the book's
``im2col``/``col2im`` on top of them, and images shifted by whole pixels (RandomShift)."""

from __future__ import annotations

import numpy as np

from common.validation import whole_number


def conv_output_size(input_size: int, filter_size: int, stride: int = 1,
                     pad: int = 0) -> float:
    """The book's ``conv_output_size``: (input + 2·pad - filter) / stride + 1, with ``/``.

    Kept as the book has it, so it returns a float, and one with a fraction when the
    stride does not divide (input + 2·pad - filter): 10 pixels, a 3-pixel filter, pad 1,
    stride 2 give 5.5. The layers themselves (and ``im2col``, ``col2im``) use the whole
    number of windows that fit, ``window_positions``: 5 there, as in the book's im2col
    (``//``) and in PyTorch.
    """
    return (input_size + 2 * pad - filter_size) / stride + 1


def window_positions(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """How many windows fit along one axis: floor((in + 2·pad - filter) / stride) + 1.

    This is the output length of a convolution or pooling, as in the book's im2col and in
    PyTorch: when the stride does not divide (in + 2·pad - filter), the last rows or
    columns that no window reaches are not used (and get a zero gradient). Raises
    ValueError when the stride is not a whole number >= 1 or when not even one window
    fits (a filter larger than the padded input).
    """
    whole_number(stride, "the stride")
    whole_number(pad, "the padding", low=0)
    if filter_size < 1:
        raise ValueError(f"a filter (or pooling window) needs a size >= 1, got {filter_size}")
    span = input_size + 2 * pad - filter_size
    if span < 0:
        raise ValueError(f"a filter of size {filter_size} does not fit an input of size "
                         f"{input_size} padded by {pad}; use a smaller filter or more padding")
    return span // stride + 1


def window_view(x: np.ndarray, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0,
                pad_value: float = 0.0) -> np.ndarray:
    """Every filter_h × filter_w window of x (N, C, H, W), as a read-only strided view.

    Returns shape (N, C, FH, FW, OH, OW): element [n, c, i, j, y, x] is the padded
    input at row y·stride + i, column x·stride + j, for the OH × OW windows that fit
    (``window_positions``: rows and columns past the last window are left out). No data
    is copied except the padding (border of ``pad_value``); reshaping the view copies it
    exactly once.
    """
    if np.ndim(x) != 4:
        raise ValueError(f"expected images of shape (N, C, H, W); got an array of shape "
                         f"{np.shape(x)}")
    n, c, h, w = x.shape
    oh = window_positions(h, filter_h, stride, pad)
    ow = window_positions(w, filter_w, stride, pad)
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=pad_value)
    sn, sc, sh, sw = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, c, filter_h, filter_w, oh, ow), (sn, sc, sh, sw, sh * stride, sw * stride),
        writeable=False)


def shift_images(images: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                 max_shift: int) -> np.ndarray:
    """Image n of (N, C, H, W) moved by rows[n] - max_shift pixels up and cols[n] - max_shift
    to the left (rows, cols in 0..2·max_shift, so the move is -max_shift..max_shift each
    way), the border it uncovers filled with 0: a new array.

    The (2·max_shift + 1)² shifted copies of an image are the H × W windows of the
    image padded by max_shift (``window_view``); each image takes one of its own.
    Moving by (2·max_shift - rows, 2·max_shift - cols) is the adjoint: it takes a
    gradient back to the unshifted pixels.
    """
    n, _, h, w = images.shape
    windows = window_view(images, h, w, 1, max_shift)  # (N, C, H, W, 2k+1, 2k+1)
    return windows[np.arange(n), :, :, :, rows, cols]


def random_shift(images: np.ndarray, max_shift: int,
                 rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Every image of (N, C, H, W) moved by its own random whole number of pixels, from
    -max_shift to max_shift down and across (drawn independently), the border it
    uncovers filled with 0: a new array, for data augmentation (``shift_images``)."""
    rows, cols = np.random.default_rng(rng).integers(0, 2 * max_shift + 1,
                                                     size=(2, images.shape[0]))
    return shift_images(images, rows, cols, max_shift)


def window_sum(windows: np.ndarray, input_shape: tuple[int, ...], stride: int = 1,
               pad: int = 0) -> np.ndarray:
    """The adjoint of ``window_view``: add every window (N, C, FH, FW, OH, OW) back onto
    its place in an (N, C, H, W) image, summing where windows overlap.

    One vectorised addition per kernel offset (i, j), FH·FW in all (``np.add.at``
    would be far slower); the padding border is cut off at the end. Pixels that no
    window covers (past the last window, when the stride does not divide) get 0.
    """
    n, c, fh, fw, oh, ow = windows.shape
    h, w = input_shape[2] + 2 * pad, input_shape[3] + 2 * pad
    image = np.zeros((n, c, h, w), dtype=windows.dtype)
    for i in range(fh):
        for j in range(fw):
            image[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += windows[:, :, i, j]
    return image[:, :, pad:h - pad, pad:w - pad] if pad else image


def im2col(input_data: np.ndarray, filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> np.ndarray:
    """The book's im2col: images (N, C, H, W) -> (N·OH·OW, C·FH·FW).

    One row per output position (n, y, x), holding the window under the filter
    there, columns ordered (c, i, j): a convolution becomes one matrix product
    ``im2col(x) @ W.reshape(FN, -1).T``.
    """
    windows = window_view(input_data, filter_h, filter_w, stride, pad)
    n, c, fh, fw, oh, ow = windows.shape
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * fh * fw)


def col2im(col: np.ndarray, input_shape: tuple[int, ...], filter_h: int, filter_w: int,
           stride: int = 1, pad: int = 0) -> np.ndarray:
    """The book's col2im, the adjoint of ``im2col``: (N·OH·OW, C·FH·FW) -> (N, C, H, W).

    Each row's window is added back where it came from, overlapping windows
    summed (so ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩); it is not an inverse. Pixels that no
    window covers get 0, as in the book's.
    """
    n, c, h, w = input_shape
    oh = window_positions(h, filter_h, stride, pad)
    ow = window_positions(w, filter_w, stride, pad)
    if np.shape(col) != (n * oh * ow, c * filter_h * filter_w):
        raise ValueError(f"col2im: images {tuple(input_shape)} with {filter_h}x{filter_w} "
                         f"filters, stride {stride}, pad {pad} have {oh}x{ow} windows, so col "
                         f"must have shape ({n * oh * ow}, {c * filter_h * filter_w}) (one row "
                         f"per window); got {np.shape(col)}")
    windows = col.reshape(n, oh, ow, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    return window_sum(windows, input_shape, stride, pad)
