"""Shared fixtures: an isolated per-user cache, and small MNIST-format files made on the spot."""

from __future__ import annotations

import os

# The suite runs many small problems, and the chapters it starts, on CI's 2 cores: one BLAS
# thread per process (with both cores busy, OpenBLAS's second thread only waits for its
# turn, and a conv-net test then took 4x as long). Set before NumPy is first imported; the
# programs the tests start inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gzip  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

MNIST_STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_bytes(array: np.ndarray) -> bytes:
    """An unsigned-byte IDX file holding ``array``: 00 00 08 ndim, big-endian sizes, data."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    return header + array.tobytes()


class SmallMnist:
    """Writes tiny, valid MNIST folders; ``arrays`` keeps what was written."""

    idx_bytes = staticmethod(idx_bytes)
    stems = MNIST_STEMS

    def write(
        self, folder: Path, n_train: int = 12, n_test: int = 5, gz: bool = True, seed: int = 0
    ) -> dict[str, np.ndarray]:
        """Write the four files into ``folder``; return {stem: array written}."""
        rng = np.random.default_rng(seed)
        arrays = {
            MNIST_STEMS[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
            MNIST_STEMS[1]: rng.integers(0, 10, n_train, dtype=np.uint8),
            MNIST_STEMS[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
            MNIST_STEMS[3]: rng.integers(0, 10, n_test, dtype=np.uint8),
        }
        folder.mkdir(parents=True, exist_ok=True)
        for stem, array in arrays.items():
            data = idx_bytes(array)
            if gz:
                (folder / f"{stem}.gz").write_bytes(gzip.compress(data, mtime=0))
            else:
                (folder / stem).write_bytes(data)
        return arrays


@pytest.fixture
def small_mnist() -> SmallMnist:
    """Factory for small MNIST folders (see SmallMnist.write)."""
    return SmallMnist()


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point XDG_CACHE_HOME at an empty temporary folder and unset MNIST_DIR.

    Returns the project's cache folder inside it (``<tmp>/xdg/dlscratch``), so that a
    test never reads or writes the real per-user cache.
    """
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.delenv("MNIST_DIR", raising=False)
    return xdg / "dlscratch"
