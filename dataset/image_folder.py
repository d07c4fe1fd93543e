"""MNIST exported as PNG files in label folders: ``root/{train,test}/<digit>/*.png``.

Many tutorials export MNIST this way. ``load_image_folder`` reads such a tree with
matplotlib's PNG reader and returns the same arrays as ``load_mnist``.

Grey images are used as they are. Colour images are turned grey with the
ITU-R BT.601 luma weights (0.299 R + 0.587 G + 0.114 B); an alpha channel is
composited onto black (grey * alpha), which keeps MNIST's white-on-black look for
digits drawn on a transparent canvas. Images must be 28x28: they are not resized.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from ._convert import check_dtype, images_to_x, labels_to_t
from .errors import DatasetError

SPLITS = ("train", "test")
IMAGE_SHAPE = (28, 28)
N_CLASSES = 10
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])
# Other image formats are refused rather than skipped: skipping would return fewer images.
_OTHER_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}

_LAYOUT = "expected layout: <root>/train/<digit 0-9>/*.png and <root>/test/<digit 0-9>/*.png"


def png_to_grey_uint8(path: Path) -> np.ndarray:
    """Read one PNG and return it as uint8 grey levels 0..255, shape (height, width)."""
    # Imported here, not at the top: matplotlib takes a while to import, and the
    # other loaders of the package should not pay for it.
    import matplotlib.image

    try:
        image = matplotlib.image.imread(path, format="png")
    except Exception as exc:  # Pillow raises several unrelated types for a bad file.
        raise DatasetError(
            f"{path}: cannot be read as a PNG image ({type(exc).__name__}: {exc}). "
            "Replace or delete the file."
        ) from exc
    if np.issubdtype(image.dtype, np.integer):
        image = image / np.iinfo(image.dtype).max
    if image.ndim == 3:
        channels = image.shape[2]
        if channels in (3, 4):
            grey = image[..., :3] @ LUMA_WEIGHTS
        elif channels == 2:
            grey = image[..., 0]
        else:
            raise DatasetError(f"{path}: has {channels} colour channels; expected 1, 2, 3 or 4.")
        if channels in (2, 4):
            grey = grey * image[..., -1]
        image = grey
    if image.shape != IMAGE_SHAPE:
        raise DatasetError(
            f"{path}: image is {image.shape[1]}x{image.shape[0]} pixels, but MNIST images are "
            "28x28. Resize it to 28x28 or remove it."
        )
    return np.rint(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)


def _label_of(folder: Path) -> int:
    name = folder.name
    if not (name.isascii() and name.isdigit()) or int(name) >= N_CLASSES:
        raise DatasetError(
            f"{folder}: folder name {name!r} is not a digit label 0-9 ({_LAYOUT}). "
            "Rename or move the folder."
        )
    return int(name)


def _png_files(folder: Path) -> list[Path]:
    files = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue  # .DS_Store and other hidden files
        suffix = entry.suffix.lower()
        if suffix == ".png" and entry.is_file():
            files.append(entry)
        elif suffix in _OTHER_IMAGE_SUFFIXES:
            raise DatasetError(f"{entry}: only PNG images are read; convert it to PNG or remove it")
    return files


def read_split_folder(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read ``folder/<digit>/*.png``: images uint8 (N, 28, 28) and labels int64 (N,).

    Label folders in numeric order, files in name order within each.
    """
    if not folder.is_dir():
        raise DatasetError(f"{folder}: folder not found ({_LAYOUT}).")
    label_folders: list[tuple[int, Path]] = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            label_folders.append((_label_of(entry), entry))
        elif entry.suffix.lower() == ".png":
            raise DatasetError(
                f"{entry}: image outside a label folder ({_LAYOUT}). "
                "Move it into its digit's folder."
            )
    images: list[np.ndarray] = []
    labels: list[int] = []
    for label, label_folder in sorted(label_folders):
        for path in _png_files(label_folder):
            images.append(png_to_grey_uint8(path))
            labels.append(label)
    if not images:
        raise DatasetError(f"{folder}: no PNG images found ({_LAYOUT}).")
    return np.stack(images), np.asarray(labels, dtype=np.int64)


def load_image_folder(
    root: str | os.PathLike[str],
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    dtype: DTypeLike = np.float32,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load ``root/train/<digit>/*.png`` and ``root/test/<digit>/*.png`` like ``load_mnist``.

    Returns ``((x_train, t_train), (x_test, t_test))``: x of shape (N, 784) when
    ``flatten`` else (N, 1, 28, 28), in ``dtype``, values 0..255 or [0, 1] when
    ``normalize``; t int64 (N,) or one-hot (N, 10) in ``dtype``. Raises DatasetError
    naming the file for an unreadable or wrongly sized image or a non-digit folder.
    """
    dt = check_dtype(dtype, normalize)
    base = Path(root).expanduser()
    result = []
    for split in SPLITS:
        images, labels = read_split_folder(base / split)
        x = images_to_x(images, normalize=normalize, flatten=flatten, dtype=dt)
        t = labels_to_t(labels, one_hot=one_hot_label, n_classes=N_CLASSES, dtype=dt)
        result.append((x, t))
    return result[0], result[1]
