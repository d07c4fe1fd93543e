"""Turning uint8 images and integer labels into the arrays the book's networks expect.

Shared by the MNIST loaders (IDX files and image folders) so both return exactly
the same layout. Everything is vectorised: one NumPy call per array.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike


def check_dtype(dtype: DTypeLike, normalize: bool) -> np.dtype:
    """Return ``np.dtype(dtype)``; ValueError when ``normalize`` asks for a non-float dtype."""
    dt = np.dtype(dtype)
    if normalize and dt.kind != "f":
        raise ValueError(
            f"normalize=True scales pixels to [0, 1], which needs a floating dtype, got {dt}; "
            "pass dtype=np.float32 (or float64), or normalize=False"
        )
    if dt.kind not in "fiu":
        raise ValueError(f"dtype must be a numeric type, got {dt}")
    return dt


def images_to_x(
    images: np.ndarray, *, normalize: bool, flatten: bool, dtype: np.dtype
) -> np.ndarray:
    """Images uint8 (N, H, W) -> (N, H*W) if ``flatten`` else (N, 1, H, W), in ``dtype``.

    ``normalize`` maps 0..255 to [0, 1] by dividing by 255 (a division, not a
    multiplication by 1/255, so that 255 becomes exactly 1.0).
    """
    n, height, width = images.shape
    shaped = images.reshape(n, height * width) if flatten else images.reshape(n, 1, height, width)
    if normalize:
        return np.divide(shaped, dtype.type(255), dtype=dtype)
    return shaped.astype(dtype)


def labels_to_t(
    labels: np.ndarray, *, one_hot: bool, n_classes: int, dtype: np.dtype
) -> np.ndarray:
    """Labels (N,) -> int64 (N,), or one-hot (N, n_classes) in ``dtype`` when ``one_hot``."""
    t = labels.astype(np.int64)
    if one_hot:
        return np.eye(n_classes, dtype=dtype)[t]
    return t
