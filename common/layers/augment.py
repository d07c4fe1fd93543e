"""Data augmentation as a layer: ``RandomShift`` moves every training image by a few
pixels (the shifted copies are windows of the padded image, ``common.windows``)."""

from __future__ import annotations

import numpy as np

from common.layers.base import Layer
from common.validation import check_dout, layer_name, whole_number
from common.windows import shift_images


class RandomShift(Layer):
    """Data augmentation as a layer: in training, every image of x (N, C, H, W) moves by
    its own random -k..k pixels down and across (k = ``max_shift``; zeros fill the
    border it uncovers); at inference it is the identity.

    The network then sees a slightly different copy of each training image in every
    epoch, and learns that a digit one pixel to the left is the same digit. ``rng`` (a
    ``np.random.Generator`` or a seed) makes the shifts reproducible. ``backward``
    moves the gradient back by the opposite shift; given None (the next layer skipped
    its input gradient, as a network's first convolution does) it returns None.
    """

    uses_train_flg = True

    def __init__(self, max_shift: int = 1,
                 rng: np.random.Generator | int | None = None) -> None:
        self.max_shift = whole_number(max_shift, "max_shift (pixels)", low=0, who="RandomShift")
        self.rng = np.random.default_rng(rng)
        self.shifts: np.ndarray | None = None  # (2, N): each image's window row and column

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        """Every image shifted at random while training (new shifts each call); x itself
        at inference."""
        self.shifts = None
        if not train_flg or not self.max_shift:
            return x
        if x.ndim != 4:
            raise ValueError(f"{layer_name(self)} takes images of shape (N, C, H, W); got "
                             f"an array of shape {x.shape}")
        self.shifts = self.rng.integers(0, 2 * self.max_shift + 1, size=(2, x.shape[0]))
        return shift_images(x, self.shifts[0], self.shifts[1], self.max_shift)

    def backward(self, dout: np.ndarray | None) -> np.ndarray | None:
        """dout moved back by the opposite shifts (dout itself after an inference pass)."""
        if dout is None or self.shifts is None:
            return dout
        check_dout(self, dout, (self.shifts.shape[1], *dout.shape[1:]))
        back = 2 * self.max_shift - self.shifts
        return shift_images(dout, back[0], back[1], self.max_shift)
