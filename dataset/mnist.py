"""MNIST handwritten digits, in the array layout of "Deep Learning from Scratch".

``load_mnist()`` returns ``((x_train, t_train), (x_test, t_test))``: 60000 training
and 10000 test images of 28x28 grey pixels, with their digit labels 0..9.

Where the files come from, first match wins:

1. the ``data_dir`` argument (the folder is created when files must be downloaded);
2. the ``MNIST_DIR`` environment variable (the folder must exist: a typo is an error);
3. the per-user cache ``$XDG_CACHE_HOME/dlscratch/mnist`` (default ``~/.cache/dlscratch/mnist``).

The four IDX files may be gzip-compressed (``train-images-idx3-ubyte.gz``) or not
(``train-images-idx3-ubyte`` or ``train-images.idx3-ubyte``). Files missing from
the chosen folder are downloaded into it from ``MIRRORS`` (next mirror when one
fails), and kept only when their SHA-256 equals the published checksum; a
read-only folder with missing files is an error saying so. Files
that are already there, e.g. in a folder you pointed to, are not checksummed:
the same data under another gzip wrapper is common. They are validated by
structure instead (see ``dataset.idx``).

The parsed images are cached as uncompressed uint8 in ``mnist-uint8.npz`` beside
the IDX files, or under ``$XDG_CACHE_HOME/dlscratch/mnist/parsed/`` when that
folder is read-only, so that a second load takes a fraction of a second. The
cache records the size, mtime and inode of the source files and is rebuilt when
any of them changes.

MNIST is by Y. LeCun, C. Cortes and C. J. C. Burges, CC BY-SA 3.0.
"""

from __future__ import annotations

import hashlib
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from ._convert import check_dtype, images_to_x, labels_to_t
from ._fileio import atomic_write, download_verified, is_writable_dir, user_cache_dir
from .errors import DatasetError
from .idx import IMAGE_SIDE, N_CLASSES, read_split
from .image_folder import load_image_folder

__all__ = [
    "MIRRORS",
    "SHA256",
    "FILE_STEMS",
    "mnist_dir",
    "find_mnist_files",
    "download_mnist",
    "load_mnist_uint8",
    "load_mnist",
    "load_image_folder",
]

#: Base URLs tried in order; each serves the four ``.gz`` files by their usual names.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]

#: Published SHA-256 of the canonical ``.gz`` downloads (byte sizes 9912422, 28881,
#: 1648877, 4542), from TensorFlow Datasets' tensorflow_datasets/url_checksums/mnist.txt.
SHA256: dict[str, str] = {
    "train-images-idx3-ubyte.gz": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
    ),
    "train-labels-idx1-ubyte.gz": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
    ),
}

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
#: The four file names without ``.gz``.
FILE_STEMS: tuple[str, ...] = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

CACHE_NAME = "mnist-uint8.npz"
# Bump when the cache layout changes, so that old caches are rebuilt rather than misread.
CACHE_VERSION = 1

Split = tuple[np.ndarray, np.ndarray]


def _resolve(data_dir: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """The MNIST folder and where that choice came from ("data_dir", "MNIST_DIR" or "cache")."""
    if data_dir is not None:
        return Path(data_dir).expanduser(), "data_dir"
    env = os.environ.get("MNIST_DIR", "")
    if env:
        return Path(env).expanduser(), "MNIST_DIR"
    return user_cache_dir() / "mnist", "cache"


def mnist_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder MNIST is read from: ``data_dir``, else ``$MNIST_DIR``, else the cache."""
    return _resolve(data_dir)[0]


def _candidates(stem: str) -> tuple[str, ...]:
    # Some archives (e.g. Kaggle's) spell "train-images.idx3-ubyte" with a dot.
    dotted = stem.replace("-idx", ".idx")
    return (f"{stem}.gz", stem, dotted, f"{dotted}.gz")


def find_mnist_files(directory: str | os.PathLike[str]) -> dict[str, Path | None]:
    """Map each of the four ``FILE_STEMS`` to the file present in ``directory``, or None."""
    folder = Path(directory)
    found: dict[str, Path | None] = {}
    for stem in FILE_STEMS:
        found[stem] = next(
            (folder / name for name in _candidates(stem) if (folder / name).is_file()), None
        )
    return found


def _download_hint(directory: Path, names: list[str]) -> str:
    return (
        "To fix: check the internet connection (proxies are read from HTTPS_PROXY / "
        "HTTP_PROXY) and run again, e.g. `python -m dataset`; or download "
        f"{', '.join(names)} yourself from one of the URLs above into {directory}; "
        "or set MNIST_DIR (or pass data_dir=) to a folder that already holds the four files."
    )


def _prepare_target(directory: Path, origin: str, missing: list[str]) -> None:
    """Make sure missing files can be downloaded into ``directory``, else raise DatasetError."""
    listing = ", ".join(missing)
    if origin == "MNIST_DIR" and not directory.is_dir():
        raise DatasetError(
            f"MNIST_DIR is set to {directory}, which is not a folder. Set MNIST_DIR to the "
            "folder holding the MNIST files, or unset it to download them into the per-user cache."
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatasetError(
            f"cannot create the MNIST folder {directory} ({exc.strerror or exc}). "
            "Set MNIST_DIR (or pass data_dir=) to a writable folder or one that holds the files."
        ) from exc
    if not is_writable_dir(directory):
        raise DatasetError(
            f"{directory} lacks the MNIST files {listing}, and is read-only, so they cannot be "
            "downloaded into it. Copy them there, or set MNIST_DIR (or pass data_dir=) to a "
            "writable folder or to one that holds all four files."
        )


def _ensure_files(
    directory: Path, origin: str, mirrors: list[str] | None, progress: bool
) -> dict[str, Path]:
    """Download the files missing from ``directory``; return the path of each of the four."""
    found = find_mnist_files(directory)
    missing = [stem for stem, path in found.items() if path is None]
    if missing:
        names = [f"{stem}.gz" for stem in missing]
        _prepare_target(directory, origin, names)
        # Read MIRRORS/SHA256 at call time, so that changing the module lists takes effect.
        bases = MIRRORS if mirrors is None else mirrors
        for stem, name in zip(missing, names, strict=True):
            urls = [base.rstrip("/") + "/" + name for base in bases]
            download_verified(
                urls, directory / name, SHA256[name],
                fix_hint=_download_hint(directory, names), progress=progress,
            )
            found[stem] = directory / name
    return {stem: path for stem, path in found.items() if path is not None}


def download_mnist(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    mirrors: list[str] | None = None,
    progress: bool = True,
) -> Path:
    """Download the MNIST files missing from the MNIST folder; return that folder.

    The folder is chosen as in ``load_mnist``. Each file is tried from ``mirrors``
    (default ``MIRRORS``) in order and kept only if its SHA-256 matches ``SHA256``;
    ``progress`` prints bytes done / total on stderr. Raises DatasetError, listing
    every URL tried and why it failed, when a file cannot be had.
    """
    directory, origin = _resolve(data_dir)
    _ensure_files(directory, origin, mirrors, progress)
    return directory


def _fingerprint(sources: dict[str, Path]) -> str:
    # size + mtime + inode: cheap (no read of the files) and changed by any rewrite,
    # including an atomic replace by a file of the same size.
    parts = [f"v{CACHE_VERSION}"]
    for stem in FILE_STEMS:
        info = sources[stem].stat()
        parts.append(f"{sources[stem].name}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}")
    return ";".join(parts)


def _cache_paths(directory: Path) -> tuple[Path, Path]:
    """The cache beside the files, and the per-user one used when that folder is read-only."""
    key = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return directory / CACHE_NAME, user_cache_dir() / "mnist" / "parsed" / key / CACHE_NAME


_KEYS = ("x_train", "t_train", "x_test", "t_test")


def _read_cache(path: Path, fingerprint: str) -> tuple[Split, Split] | None:
    """The cached arrays when ``path`` holds a cache of exactly these sources, else None."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if str(archive["fingerprint"]) != fingerprint:
                return None
            x_train, t_train, x_test, t_test = (archive[key] for key in _KEYS)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        # A damaged cache is only a lost shortcut: it is rebuilt from the IDX files.
        return None
    side = (IMAGE_SIDE, IMAGE_SIDE)
    if not (
        x_train.dtype == x_test.dtype == np.uint8
        and x_train.shape[1:] == x_test.shape[1:] == side
        and t_train.shape == x_train.shape[:1]
        and t_test.shape == x_test.shape[:1]
    ):
        return None
    return (x_train, t_train), (x_test, t_test)


def _write_cache(paths: tuple[Path, Path], fingerprint: str, train: Split, test: Split) -> None:
    beside, private = paths
    target = beside if is_writable_dir(beside.parent) else private
    arrays = dict(zip(_KEYS, (*train, *test), strict=True))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Uncompressed on purpose: np.load of stored members is what makes reloading fast.
        atomic_write(target, lambda f: np.savez(f, fingerprint=np.array(fingerprint), **arrays))
    except OSError as exc:
        warnings.warn(
            f"could not write the MNIST cache {target} ({exc}); loading will stay slow",
            stacklevel=3,
        )


def load_mnist_uint8(data_dir: str | os.PathLike[str] | None = None) -> tuple[Split, Split]:
    """Return MNIST as stored: ``((x_train, t_train), (x_test, t_test))``, all uint8.

    Images have shape (N, 28, 28), labels (N,) with values 0..9. Missing files are
    downloaded and the parsed arrays cached, as described in the module docstring.
    """
    directory, origin = _resolve(data_dir)
    sources = _ensure_files(directory, origin, None, True)
    fingerprint = _fingerprint(sources)
    paths = _cache_paths(directory)
    for path in paths:
        cached = _read_cache(path, fingerprint)
        if cached is not None:
            return cached
    train = read_split(sources[TRAIN_IMAGES], sources[TRAIN_LABELS])
    test = read_split(sources[TEST_IMAGES], sources[TEST_LABELS])
    _write_cache(paths, fingerprint, train, test)
    return train, test


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    dtype: DTypeLike = np.float32,
    data_dir: str | os.PathLike[str] | None = None,
) -> tuple[Split, Split]:
    """Load MNIST as ``((x_train, t_train), (x_test, t_test))``.

    x: (N, 784) when ``flatten``, else (N, 1, 28, 28), in ``dtype``; pixel values
    0..255, or [0, 1] when ``normalize`` (which needs a float dtype).
    t: int64 digits of shape (N,), or one-hot (N, 10) in ``dtype`` when ``one_hot_label``.
    N is 60000 for training and 10000 for test with the standard files.
    Raises DatasetError when the files are missing and cannot be downloaded, or are
    damaged; the message says which file and what to do.
    """
    dt = check_dtype(dtype, normalize)
    result = []
    for images, labels in load_mnist_uint8(data_dir):
        x = images_to_x(images, normalize=normalize, flatten=flatten, dtype=dt)
        t = labels_to_t(labels, one_hot=one_hot_label, n_classes=N_CLASSES, dtype=dt)
        result.append((x, t))
    return result[0], result[1]
