"""Helpers shared by the test modules (pytest puts this folder on the import path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Marks a test that reads the real MNIST from $MNIST_DIR (CI sets it).
needs_mnist = pytest.mark.skipif(not os.environ.get("MNIST_DIR"),
                                 reason="set MNIST_DIR to the folder of the MNIST files")


def assert_png(path: Path, min_side: int = 100) -> None:
    """``path`` is a PNG image that matplotlib reads back, of a sensible size, not blank."""
    assert Path(path).read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    assert image.shape[0] >= min_side and image.shape[1] >= min_side
    assert image.std() > 0


def headless_env() -> dict[str, str]:
    """The environment without a display, as on a server or in CI."""
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}


def assert_usage_error(main: Callable[[list[str]], int], args: list[str], capsys) -> None:
    """``main(args)`` stops with exit status 2 and exactly one 'error:' line (argparse's)."""
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1, errors


def numerical(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f() / d array by central differences (an independent reference for gradient
    tests: f() is a number computed from ``array``, perturbed in place and restored)."""
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        kept = flat[i]
        flat[i] = kept + eps
        up = f()
        flat[i] = kept - eps
        down = f()
        flat[i] = kept
        gflat[i] = (up - down) / (2 * eps)
    return grad
