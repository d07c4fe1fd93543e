"""IDX parsing and validation on small files made here: valid, truncated, corrupt, mismatched."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from dataset import DatasetError
from dataset.idx import read_images, read_labels, read_split

IMAGES = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
LABELS = np.array([7, 0, 9], dtype=np.uint8)


def write(path, data: bytes, gz: bool):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [True, False])
def test_valid_files_round_trip(tmp_path, small_mnist, gz):
    images = write(tmp_path / "img", small_mnist.idx_bytes(IMAGES), gz)
    labels = write(tmp_path / "lab", small_mnist.idx_bytes(LABELS), gz)
    x, t = read_split(images, labels)
    assert x.dtype == np.uint8 and x.shape == (3, 28, 28)
    np.testing.assert_array_equal(x, IMAGES)
    np.testing.assert_array_equal(t, LABELS)


def test_compression_is_detected_by_content_not_name(tmp_path, small_mnist):
    raw_named_gz = write(tmp_path / "labels.gz", small_mnist.idx_bytes(LABELS), gz=False)
    gz_named_raw = write(tmp_path / "labels", small_mnist.idx_bytes(LABELS), gz=True)
    np.testing.assert_array_equal(read_labels(raw_named_gz), LABELS)
    np.testing.assert_array_equal(read_labels(gz_named_raw), LABELS)


def assert_clear_error(excinfo, path, *words):
    message = str(excinfo.value)
    assert str(path) in message
    assert "MNIST_DIR" in message and "Delete the file" in message  # says how to fix it
    for word in words:
        assert word in message


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("cut", [1, 28 * 28, 3 * 28 * 28 + 10])
def test_truncated_images_are_an_error_not_a_short_array(tmp_path, small_mnist, gz, cut):
    data = small_mnist.idx_bytes(IMAGES)[:-cut]
    path = write(tmp_path / "images", data, gz)
    with pytest.raises(DatasetError) as excinfo:
        read_images(path)
    assert_clear_error(excinfo, path, "truncated")


def test_header_cut_short(tmp_path):
    path = write(tmp_path / "images", b"\x00\x00", gz=False)
    with pytest.raises(DatasetError) as excinfo:
        read_images(path)
    assert_clear_error(excinfo, path, "too short")


def test_extra_bytes_are_an_error(tmp_path, small_mnist):
    path = write(tmp_path / "labels", small_mnist.idx_bytes(LABELS) + b"\x00", gz=False)
    with pytest.raises(DatasetError) as excinfo:
        read_labels(path)
    assert_clear_error(excinfo, path, "longer than its header says")


def test_truncated_gzip_stream(tmp_path, small_mnist):
    packed = gzip.compress(small_mnist.idx_bytes(IMAGES))
    path = tmp_path / "images.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DatasetError) as excinfo:  # not EOFError
        read_images(path)
    assert_clear_error(excinfo, path, "damaged gzip")


def test_corrupt_gzip_stream(tmp_path, small_mnist):
    packed = bytearray(gzip.compress(small_mnist.idx_bytes(IMAGES)))
    packed[-6] ^= 0xFF  # inside the CRC-32 / length trailer
    path = tmp_path / "images.gz"
    path.write_bytes(bytes(packed))
    with pytest.raises(DatasetError) as excinfo:  # not zlib.error / BadGzipFile
        read_images(path)
    assert_clear_error(excinfo, path, "damaged gzip")


def test_not_an_idx_file(tmp_path):
    path = write(tmp_path / "images", b"<html>Not found</html>", gz=False)
    with pytest.raises(DatasetError) as excinfo:
        read_images(path)
    assert_clear_error(excinfo, path, "not an IDX file")


def test_wrong_magic_number(tmp_path, small_mnist):
    data = small_mnist.idx_bytes(IMAGES.reshape(3, 28, 28, 1))  # 4 dims: magic 0x00000804
    path = write(tmp_path / "images", data, gz=True)
    with pytest.raises(DatasetError) as excinfo:
        read_images(path)
    assert_clear_error(excinfo, path, "magic number 0x00000804")


def test_swapped_files_are_named_as_such(tmp_path, small_mnist):
    images = write(tmp_path / "images", small_mnist.idx_bytes(IMAGES), gz=False)
    labels = write(tmp_path / "labels", small_mnist.idx_bytes(LABELS), gz=False)
    with pytest.raises(DatasetError, match="swapped"):
        read_images(labels)
    with pytest.raises(DatasetError, match="swapped"):
        read_labels(images)


def test_wrong_image_size(tmp_path, small_mnist):
    path = write(tmp_path / "images", small_mnist.idx_bytes(np.zeros((2, 27, 28))), gz=False)
    with pytest.raises(DatasetError) as excinfo:
        read_images(path)
    assert_clear_error(excinfo, path, "(27, 28)")


def test_label_out_of_range(tmp_path, small_mnist):
    path = write(tmp_path / "labels", small_mnist.idx_bytes([1, 2, 10]), gz=False)
    with pytest.raises(DatasetError) as excinfo:
        read_labels(path)
    assert_clear_error(excinfo, path, "label 10 at record 2")


def test_image_and_label_counts_must_match(tmp_path, small_mnist):
    images = write(tmp_path / "images", small_mnist.idx_bytes(IMAGES), gz=True)
    labels = write(tmp_path / "labels", small_mnist.idx_bytes(LABELS[:2]), gz=True)
    with pytest.raises(DatasetError) as excinfo:
        read_split(images, labels)
    message = str(excinfo.value)
    assert str(images) in message and str(labels) in message
    assert "3 images" in message and "2 labels" in message


def test_unreadable_path_is_a_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="cannot be read"):
        read_images(tmp_path)  # a folder, not a file
