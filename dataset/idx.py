"""Reading and validating the IDX files of MNIST (gzip-compressed or not).

An IDX file is a header followed by raw data: two zero bytes, a type code
(0x08 = unsigned byte, the only type MNIST uses), the number of dimensions ``d``,
then ``d`` big-endian uint32 sizes, then ``prod(sizes)`` bytes. MNIST images are
``(N, 28, 28)`` (magic number 0x00000803), labels ``(N,)`` (magic 0x00000801).

Every defect (truncated, corrupt gzip stream, wrong magic number, wrong image
size, extra bytes, label out of 0..9, label count differing from image count)
raises DatasetError naming the file, what is wrong and how to fix it.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from .errors import DatasetError

IMAGE_MAGIC = 0x00000803
LABEL_MAGIC = 0x00000801
IMAGE_SIDE = 28
N_CLASSES = 10
GZIP_MAGIC = b"\x1f\x8b"

FIX_HINT = (
    "Delete the file and load again to download a fresh copy, or set MNIST_DIR "
    "(or pass data_dir=) to a folder with intact MNIST files."
)


def _fail(path: Path, problem: str) -> DatasetError:
    return DatasetError(f"{path}: {problem}. {FIX_HINT}")


def read_idx_bytes(path: Path) -> bytes:
    """Return the IDX content of ``path``, gunzipped when the file starts with the gzip magic.

    The compression is detected from the content, not the name, so that a renamed
    or already decompressed file is read all the same.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        # BadGzipFile is an OSError; EOFError means the stream stops early (truncated).
        reason = "ends before the end of its gzip stream" if isinstance(exc, EOFError) else exc
        raise _fail(path, f"is a damaged gzip file ({reason})") from exc


def parse_idx(data: bytes, path: Path) -> np.ndarray:
    """Parse the bytes of an unsigned-byte IDX file into a read-only uint8 array of its shape.

    ``path`` is only used in error messages. The length must be exactly the header
    plus the product of the dimensions: a short file is an error, never a short array.
    """
    if len(data) < 4:
        raise _fail(path, f"is only {len(data)} bytes long, too short for an IDX header")
    if data[0] != 0 or data[1] != 0:
        raise _fail(
            path,
            f"is not an IDX file (starts with bytes {data[:4].hex(' ')}, expected 00 00 08 0N)",
        )
    if data[2] != 0x08:
        raise _fail(path, f"has IDX type code 0x{data[2]:02x}, but MNIST files hold unsigned bytes")
    ndim = data[3]
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise _fail(
            path, f"is truncated: {len(data)} bytes, shorter than its {header_size}-byte header"
        )
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = header_size + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected:
        state = "truncated" if len(data) < expected else "longer than its header says"
        raise _fail(
            path,
            f"is {state}: the header announces shape {dims} ({expected} bytes in all) "
            f"but its (decompressed) content has {len(data)} bytes",
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(dims)


def _magic(data: bytes) -> int:
    return int.from_bytes(data[:4], "big") if len(data) >= 4 else -1


def read_images(path: Path) -> np.ndarray:
    """Read an MNIST image file: returns uint8 of shape (N, 28, 28), read-only."""
    data = read_idx_bytes(path)
    magic = _magic(data)
    if magic == LABEL_MAGIC:
        raise _fail(path, "holds labels (magic number 0x00000801), not images: files swapped?")
    if magic != IMAGE_MAGIC and len(data) >= 4 and data[:3] == b"\0\0\x08":
        raise _fail(path, f"has magic number 0x{magic:08x}, expected 0x00000803 for images")
    images = parse_idx(data, path)
    if images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise _fail(path, f"holds images of shape {images.shape[1:]}, expected (28, 28)")
    if images.shape[0] == 0:
        raise _fail(path, "holds no images")
    return images


def read_labels(path: Path) -> np.ndarray:
    """Read an MNIST label file: returns uint8 of shape (N,) with values in 0..9, read-only."""
    data = read_idx_bytes(path)
    magic = _magic(data)
    if magic == IMAGE_MAGIC:
        raise _fail(path, "holds images (magic number 0x00000803), not labels: files swapped?")
    if magic != LABEL_MAGIC and len(data) >= 4 and data[:3] == b"\0\0\x08":
        raise _fail(path, f"has magic number 0x{magic:08x}, expected 0x00000801 for labels")
    labels = parse_idx(data, path)
    if labels.size and labels.max() >= N_CLASSES:
        bad = int(np.flatnonzero(labels >= N_CLASSES)[0])
        raise _fail(path, f"has label {labels[bad]} at record {bad}, but digits are 0..9")
    return labels


def read_split(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one split: images (N, 28, 28) uint8 and labels (N,) uint8, checked to match in N."""
    images = read_images(images_path)
    labels = read_labels(labels_path)
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} "
            f"labels: the two files do not belong together. {FIX_HINT}"
        )
    return images, labels
