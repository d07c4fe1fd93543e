"""Transforms of the autograd's data sets (the third book's ``dezero.transforms``).

A transform is a callable applied to one sample (``Dataset.__getitem__``):

    MNIST(transform=Compose([Flatten(), ToFloat(), Normalize(0., 255.)]))

The array transforms (``Compose`` of ``Flatten``, ``Normalize``, ``AsType``/``ToFloat``,
``ToInt``) also have ``batch(xs)``, the same transform applied to a stack of samples at
once (leading axis N): the data loaders use it to build a batch without a Python loop,
giving the very arrays the loop would give. The image transforms (``Convert``, ``Resize``,
``CenterCrop``, ``ToArray``, ``ToPIL``) work on Pillow images and need Pillow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class BatchTransform:
    """A transform with a vectorised twin: ``batch(xs)`` is the transform of each sample of
    xs (N, ...), computed on the stack at once."""

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} defines no __call__")

    def batch(self, xs: Any) -> Any:
        """The transform of every sample of xs (N, ...), stacked."""
        raise NotImplementedError(f"{type(self).__name__} defines no batch")


def batchable(transform: Any) -> bool:
    """True when ``transform`` is None, a ``BatchTransform``, or a ``Compose`` of them."""
    if isinstance(transform, Compose):
        return all(batchable(t) for t in transform.transforms)
    return transform is None or isinstance(transform, BatchTransform)


class Identity(BatchTransform):
    """x ↦ x (a data set's transform when none is given)."""

    def __call__(self, x: Any) -> Any:
        return x

    def batch(self, xs: Any) -> Any:
        """xs (N, ...) ↦ xs."""
        return xs


class Compose:
    """Apply ``transforms`` one after another: x ↦ tₖ(…t₂(t₁(x)))."""

    def __init__(self, transforms: Sequence[Callable] = ()) -> None:
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose takes callables (transforms), got {type(t).__name__}")

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def batch(self, xs: Any) -> Any:
        """The transforms' ``batch`` one after another (when ``batchable``: all have one)."""
        if not batchable(self):
            raise TypeError("Compose.batch needs transforms that all have batch(xs); apply "
                            "the Compose to each sample instead")
        for t in self.transforms:
            xs = t.batch(xs)
        return xs


class Flatten(BatchTransform):
    """x (d₁, d₂, ...) ↦ a copy of shape (d₁·d₂·…,)."""

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return array.flatten()

    def batch(self, arrays: np.ndarray) -> np.ndarray:
        """(N, d₁, d₂, ...) ↦ (N, d₁·d₂·…)."""
        return arrays.reshape(len(arrays), -1)


class Normalize(BatchTransform):
    """x ↦ (x − mean) / std; mean and std a number or one value per channel (axis 0 of a
    sample, e.g. 3 values for a (3, H, W) image)."""

    def __init__(self, mean: Any = 0, std: Any = 1) -> None:
        self.mean = mean
        self.std = std

    @staticmethod
    def _shaped(value: Any, array: np.ndarray, lead: int) -> Any:
        """``value`` broadcast along the channel axis (``lead`` batch axes before it)."""
        if np.isscalar(value):
            return value
        # the array's float dtype (integer pixels: the values' own, never wrapped around)
        value = np.asarray(value, dtype=array.dtype if array.dtype.kind == "f" else None)
        value = value.reshape(-1)
        shape = [1] * array.ndim
        shape[lead] = len(value)
        return value.reshape(shape)

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return (array - self._shaped(self.mean, array, 0)) / self._shaped(self.std, array, 0)

    def batch(self, arrays: np.ndarray) -> np.ndarray:
        """The same on (N, C, ...) samples."""
        return (arrays - self._shaped(self.mean, arrays, 1)) / self._shaped(self.std, arrays, 1)


class AsType(BatchTransform):
    """x ↦ x as ``dtype`` (float32 by default)."""

    def __init__(self, dtype: Any = np.float32) -> None:
        self.dtype = dtype

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return array.astype(self.dtype)

    def batch(self, arrays: np.ndarray) -> np.ndarray:
        """The same on a stack of samples."""
        return arrays.astype(self.dtype)


ToFloat = AsType


class ToInt(AsType):
    """x ↦ x as integers (int64 by default)."""

    def __init__(self, dtype: Any = np.int64) -> None:
        super().__init__(dtype)


# Image transforms: Pillow images in, Pillow images (or arrays) out.

def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("the image transforms (Convert, Resize, CenterCrop, ToArray, ToPIL) "
                          "need Pillow: pip install pillow") from None
    return Image


def _pair(size: Any) -> tuple[int, int]:
    if isinstance(size, int):
        return size, size
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"size must be an int or a pair (width, height), got {size!r}")


class Convert:
    """A Pillow image ↦ the same in ``mode`` ('RGB', 'L', ...; 'BGR' swaps the channels)."""

    def __init__(self, mode: str = "RGB") -> None:
        _pil()
        self.mode = mode

    def __call__(self, img: Any) -> Any:
        image = _pil()
        if self.mode != "BGR":
            return img.convert(self.mode)
        r, g, b = img.convert("RGB").split()
        return image.merge("RGB", (b, g, r))


class Resize:
    """A Pillow image ↦ the image resized to ``size`` (an int or (width, height))."""

    def __init__(self, size: Any, mode: Any = None) -> None:
        image = _pil()
        self.size = _pair(size)
        self.mode = image.BILINEAR if mode is None else mode

    def __call__(self, img: Any) -> Any:
        return img.resize(self.size, self.mode)


class CenterCrop:
    """A Pillow image ↦ its central ``size`` (an int or (width, height)) region."""

    def __init__(self, size: Any) -> None:
        _pil()
        self.size = _pair(size)

    def __call__(self, img: Any) -> Any:
        width, height = img.size
        out_w, out_h = self.size
        left, top = (width - out_w) // 2, (height - out_h) // 2
        return img.crop((left, top, left + out_w, top + out_h))


class ToArray:
    """A Pillow image (H, W, C) ↦ an array (C, H, W) of ``dtype``; an array passes as it is."""

    def __init__(self, dtype: Any = np.float32) -> None:
        _pil()
        self.dtype = dtype

    def __call__(self, img: Any) -> np.ndarray:
        if isinstance(img, np.ndarray):
            return img
        array = np.asarray(img)
        if array.ndim == 2:
            array = array[:, :, np.newaxis]
        return array.transpose(2, 0, 1).astype(self.dtype)


class ToPIL:
    """An array (C, H, W) of 0..255 values ↦ a Pillow image (H, W, C)."""

    def __init__(self) -> None:
        _pil()

    def __call__(self, array: np.ndarray) -> Any:
        image = _pil()
        data = np.asarray(array).transpose(1, 2, 0)
        if data.shape[2] == 1:
            data = data[:, :, 0]
        return image.fromarray(data.astype(np.uint8))
