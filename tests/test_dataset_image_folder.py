"""load_image_folder on a few PNG files written by the test itself."""

from __future__ import annotations

import shutil
import struct
import zlib

import numpy as np
import pytest

from dataset import DatasetError, load_image_folder, load_mnist

pytestmark = pytest.mark.usefixtures("isolated_cache")

PNG_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, grey+A, RGB, RGBA)


def write_png(path, pixels: np.ndarray) -> None:
    """Write uint8 pixels of shape (H, W) or (H, W, C) as an 8-bit PNG (no filter)."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    rows = pixels.reshape(height, width * channels)
    scanlines = np.hstack([np.zeros((height, 1), np.uint8), rows]).tobytes()  # filter byte 0

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, PNG_COLOUR_TYPES[channels], 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def digits():
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)


@pytest.fixture
def tree(tmp_path, digits):
    """train/0/a.png, train/0/b.png, train/3/a.png, test/7/a.png, test/9/a.png (all grey)."""
    root = tmp_path / "export"
    layout = [("train", 0, "a"), ("train", 0, "b"), ("train", 3, "a"), ("test", 7, "a"),
              ("test", 9, "a")]
    for image, (split, label, name) in zip(digits, layout, strict=False):
        write_png(root / split / str(label) / f"{name}.png", image)
    return root


def test_grey_pngs_give_the_book_layout(tree, digits):
    (x_train, t_train), (x_test, t_test) = load_image_folder(tree)
    assert x_train.shape == (3, 784) and x_train.dtype == np.float32
    np.testing.assert_array_equal(t_train, [0, 0, 3])
    np.testing.assert_array_equal(t_test, [7, 9])
    assert t_train.dtype == np.int64
    np.testing.assert_array_equal(x_train, digits[:3].reshape(3, 784) / np.float32(255))
    np.testing.assert_array_equal(x_test * 255, np.rint(x_test * 255))  # whole grey levels


def test_same_arrays_as_load_mnist(tree, digits, tmp_path, small_mnist):
    idx = tmp_path / "idx"
    idx.mkdir()
    parts = {
        "train-images-idx3-ubyte": digits[:3], "train-labels-idx1-ubyte": [0, 0, 3],
        "t10k-images-idx3-ubyte": digits[3:5], "t10k-labels-idx1-ubyte": [7, 9],
    }
    for stem, array in parts.items():
        (idx / stem).write_bytes(small_mnist.idx_bytes(array))
    options = {"normalize": False, "flatten": False, "one_hot_label": True}
    from_pngs = load_image_folder(tree, **options)
    from_idx = load_mnist(data_dir=idx, **options)
    for got, expected in zip(
        (*from_pngs[0], *from_pngs[1]), (*from_idx[0], *from_idx[1]), strict=True
    ):
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


def test_colour_images_are_converted_to_grey(tmp_path):
    grey = np.full((28, 28), 200, np.uint8)
    colour = np.zeros((28, 28, 3), np.uint8)
    colour[..., 0] = 100  # luma 0.299 * 100 = 29.9 -> 30
    transparent = np.dstack([np.full((28, 28, 3), 255, np.uint8), np.zeros((28, 28), np.uint8)])
    half = np.dstack([np.full((28, 28, 3), 200, np.uint8), np.full((28, 28), 255, np.uint8)])
    grey_alpha = np.dstack([grey, np.full((28, 28), 255, np.uint8)])
    root = tmp_path / "colour"
    for i, image in enumerate([np.dstack([grey] * 3), colour, transparent, half, grey_alpha]):
        write_png(root / "train" / "1" / f"{i}.png", image)
    write_png(root / "test" / "1" / "x.png", grey)
    (x_train, _), _ = load_image_folder(root, normalize=False, dtype=np.uint8)
    np.testing.assert_array_equal(x_train.max(axis=1), [200, 30, 0, 200, 200])
    np.testing.assert_array_equal(x_train.min(axis=1), [200, 30, 0, 200, 200])


def test_hidden_and_non_image_files_are_ignored(tree):
    (tree / "train" / ".DS_Store").write_bytes(b"junk")
    (tree / "train" / "0" / "notes.txt").write_text("not an image")
    (x_train, _), _ = load_image_folder(tree)
    assert len(x_train) == 3


def test_non_numeric_label_folder(tree):
    write_png(tree / "train" / "seven" / "a.png", np.zeros((28, 28)))
    with pytest.raises(DatasetError) as excinfo:
        load_image_folder(tree)
    assert str(tree / "train" / "seven") in str(excinfo.value)
    assert "not a digit label" in str(excinfo.value)


def test_unreadable_png_names_the_file(tree):
    bad = tree / "test" / "7" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not a PNG body")
    with pytest.raises(DatasetError) as excinfo:
        load_image_folder(tree)
    assert str(bad) in str(excinfo.value) and "cannot be read as a PNG" in str(excinfo.value)


def test_wrong_size_names_the_file_and_the_size(tree):
    bad = tree / "train" / "3" / "big.png"
    write_png(bad, np.zeros((32, 30), np.uint8))
    with pytest.raises(DatasetError) as excinfo:
        load_image_folder(tree)
    assert str(bad) in str(excinfo.value) and "30x32" in str(excinfo.value)


def test_other_image_formats_are_refused(tree):
    jpeg = tree / "train" / "3" / "c.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff")
    with pytest.raises(DatasetError, match="only PNG"):
        load_image_folder(tree)


def test_missing_split_folder(tree):
    shutil.rmtree(tree / "test")
    with pytest.raises(DatasetError, match="test: folder not found"):
        load_image_folder(tree)
