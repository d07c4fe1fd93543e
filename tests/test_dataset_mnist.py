"""load_mnist on small MNIST-format folders: formats, where files are found, the parsed cache."""

from __future__ import annotations

import gzip
import os
import stat

import numpy as np
import pytest

import dataset.mnist as mnist
from dataset import DatasetError, load_mnist

pytestmark = pytest.mark.usefixtures("isolated_cache")

TRAIN_X, TRAIN_T, TEST_X, TEST_T = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any download attempted by these tests goes to a port nothing listens on."""
    monkeypatch.setattr(mnist, "MIRRORS", ["http://127.0.0.1:9/"])


@pytest.fixture
def folder(tmp_path, small_mnist):
    data = tmp_path / "mnist"
    return data, small_mnist.write(data)


def test_book_layout_flattened_and_normalized(folder):
    data, arrays = folder
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=data)
    assert x_train.shape == (12, 784) and x_test.shape == (5, 784)
    assert x_train.dtype == np.float32 and t_train.dtype == np.int64
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    expected = arrays[TRAIN_X].reshape(12, 784) / np.float32(255)
    np.testing.assert_array_equal(x_train, expected)
    np.testing.assert_array_equal(t_train, arrays[TRAIN_T])
    np.testing.assert_array_equal(t_test, arrays[TEST_T])


def test_unflattened_unnormalized_one_hot(folder):
    data, arrays = folder
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=False, flatten=False, one_hot_label=True, dtype=np.float64, data_dir=data
    )
    assert x_train.shape == (12, 1, 28, 28) and x_test.shape == (5, 1, 28, 28)
    assert x_train.dtype == np.float64
    np.testing.assert_array_equal(x_train[:, 0], arrays[TRAIN_X])
    assert t_train.shape == (12, 10) and t_test.shape == (5, 10)
    np.testing.assert_array_equal(t_train.sum(axis=1), 1.0)
    np.testing.assert_array_equal(t_train.argmax(axis=1), arrays[TRAIN_T])


def test_white_pixel_normalizes_to_exactly_one(tmp_path, small_mnist):
    data = tmp_path / "white"
    small_mnist.write(data)
    (data / f"{TRAIN_X}.gz").unlink()
    (data / TRAIN_X).write_bytes(small_mnist.idx_bytes(np.full((12, 28, 28), 255)))
    (x_train, _), _ = load_mnist(data_dir=data)
    assert np.all(x_train == 1.0)


def test_uint8_without_normalize_and_int_dtype_with_normalize(folder):
    data, arrays = folder
    (x_train, _), _ = load_mnist(normalize=False, dtype=np.uint8, data_dir=data)
    np.testing.assert_array_equal(x_train, arrays[TRAIN_X].reshape(12, 784))
    with pytest.raises(ValueError, match="floating dtype"):
        load_mnist(normalize=True, dtype=np.uint8, data_dir=data)


@pytest.mark.parametrize("naming", ["gz", "raw", "dotted"])
def test_file_namings_accepted(tmp_path, small_mnist, naming):
    data = tmp_path / naming
    arrays = small_mnist.write(data, gz=naming == "gz")
    if naming == "dotted":  # Kaggle's spelling, e.g. train-images.idx3-ubyte
        for stem in small_mnist.stems:
            (data / stem).rename(data / stem.replace("-idx", ".idx"))
    (_, t_train), _ = load_mnist(data_dir=data)
    np.testing.assert_array_equal(t_train, arrays[TRAIN_T])


def test_location_order_data_dir_then_env_then_cache(tmp_path, small_mnist, isolated_cache,
                                                     monkeypatch):
    small_mnist.write(tmp_path / "arg", n_train=3)
    small_mnist.write(tmp_path / "env", n_train=4)
    small_mnist.write(isolated_cache / "mnist", n_train=5)
    assert len(load_mnist(data_dir=tmp_path / "arg")[0][0]) == 3
    assert len(load_mnist()[0][0]) == 5
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "env"))
    assert len(load_mnist()[0][0]) == 4
    assert len(load_mnist(data_dir=tmp_path / "arg")[0][0]) == 3


def test_xdg_cache_home_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    assert mnist.mnist_dir() == tmp_path / "elsewhere" / "dlscratch" / "mnist"


def test_missing_mnist_dir_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "typo"))
    with pytest.raises(DatasetError, match="MNIST_DIR is set to .*typo.*not a folder"):
        load_mnist()


def test_damaged_file_is_reported_by_load_mnist(folder):
    data, _ = folder
    path = data / f"{TEST_T}.gz"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(DatasetError) as excinfo:
        load_mnist(data_dir=data)
    assert str(path) in str(excinfo.value)


def test_split_with_mismatched_counts(tmp_path, small_mnist):
    data = tmp_path / "mixed"
    small_mnist.write(data, n_train=12)
    other = small_mnist.write(tmp_path / "other", n_train=11)
    (data / f"{TRAIN_T}.gz").write_bytes((tmp_path / "other" / f"{TRAIN_T}.gz").read_bytes())
    assert len(other[TRAIN_T]) == 11
    with pytest.raises(DatasetError, match="12 images .* 11 labels"):
        load_mnist(data_dir=data)


# --- the parsed cache ---------------------------------------------------------------


def forbid_parsing(monkeypatch):
    def fail(*_args):
        raise AssertionError("the IDX files were parsed although a valid cache exists")

    monkeypatch.setattr(mnist, "read_split", fail)


def test_second_load_comes_from_the_cache_beside_the_files(folder, monkeypatch):
    data, arrays = folder
    first = load_mnist(data_dir=data)
    assert (data / mnist.CACHE_NAME).is_file()
    forbid_parsing(monkeypatch)
    second = load_mnist(data_dir=data)
    np.testing.assert_array_equal(second[0][0], first[0][0])
    np.testing.assert_array_equal(second[1][1], arrays[TEST_T])


def test_cache_rebuilt_when_a_source_file_is_rewritten(folder, small_mnist):
    data, arrays = folder
    load_mnist(data_dir=data)
    path = data / f"{TRAIN_T}.gz"
    before = path.stat()
    new_labels = (arrays[TRAIN_T] + 1) % 10
    path.write_bytes(gzip.compress(small_mnist.idx_bytes(new_labels), mtime=0))
    assert path.stat().st_size == before.st_size  # same size: only the mtime tells
    # Push the mtime past the file system's timestamp granularity, as a later edit would be.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
    (_, t_train), _ = load_mnist(data_dir=data)
    np.testing.assert_array_equal(t_train, new_labels)


def test_cache_rebuilt_when_a_source_file_is_replaced_with_same_size_and_mtime(folder,
                                                                             small_mnist):
    data, arrays = folder
    load_mnist(data_dir=data)
    path = data / f"{TEST_T}.gz"
    before = path.stat()
    new_labels = 9 - arrays[TEST_T]
    temp = data / "new.tmp"
    temp.write_bytes(gzip.compress(small_mnist.idx_bytes(new_labels), mtime=0))
    os.utime(temp, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(temp, path)  # a new inode, as a download or `cp` over the file gives
    _, (_, t_test) = load_mnist(data_dir=data)
    np.testing.assert_array_equal(t_test, new_labels)


def test_damaged_cache_is_rebuilt(folder):
    data, arrays = folder
    load_mnist(data_dir=data)
    (data / mnist.CACHE_NAME).write_bytes(b"PK\x03\x04 not really a zip")
    (_, t_train), _ = load_mnist(data_dir=data)
    np.testing.assert_array_equal(t_train, arrays[TRAIN_T])
    assert (data / mnist.CACHE_NAME).stat().st_size > 1000


def test_read_only_folder_gets_its_cache_in_the_user_cache(folder, isolated_cache, monkeypatch):
    data, arrays = folder
    data.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        load_mnist(data_dir=data)
        assert not (data / mnist.CACHE_NAME).exists()
        caches = list((isolated_cache / "mnist" / "parsed").glob(f"*/{mnist.CACHE_NAME}"))
        assert len(caches) == 1
        forbid_parsing(monkeypatch)
        (_, t_train), _ = load_mnist(data_dir=data)
        np.testing.assert_array_equal(t_train, arrays[TRAIN_T])
    finally:
        data.chmod(stat.S_IRWXU)


def test_present_files_are_not_checksummed(folder, monkeypatch):
    # The files written here have their own gzip wrapper, so their SHA-256 differs from
    # the published one; they must load all the same, without any download.
    data, arrays = folder
    monkeypatch.setenv("MNIST_DIR", str(data))
    (_, t_train), _ = load_mnist()
    np.testing.assert_array_equal(t_train, arrays[TRAIN_T])
