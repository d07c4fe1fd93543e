"""Reading pickles of NumPy arrays, such as the trained weights the second book ships
(``Rnnlm.pkl``, ``cbow_params.pkl``), without letting the file run any code.

    weights = load_pickle("Rnnlm.pkl")        # a list of arrays
    params = load_pickle("cbow_params.pkl")   # {'word_vecs': array, 'word_to_id': {...}, ...}

``pickle.load`` calls whatever function a file names, so a crafted ``.pkl`` can run any
command. This reader lets a file name only what rebuilding NumPy arrays needs (and
Python's own containers, numbers and strings, which pickle builds without naming
anything); any other name is refused with a ValueError before anything is called.
"""

from __future__ import annotations

import codecs
import importlib
import io
import os
import pickle
import struct
from pathlib import Path
from typing import Any

import numpy as np

#: The first bytes of a pickle of protocol 2 to 5 (every Python 3 default): PROTO n.
_PROTO = 0x80


def _numpy_function(module: str, name: str) -> Any:
    """``numpy._core.<module>.<name>`` (NumPy 2) or ``numpy.core.<module>.<name>`` (NumPy 1),
    whichever this NumPy has: a pickle names the one of the NumPy that wrote it."""
    for package in ("numpy._core", "numpy.core"):
        try:
            return getattr(importlib.import_module(f"{package}.{module}"), name)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"this NumPy has no {module}.{name}")  # pragma: no cover


def _allowed() -> dict[tuple[str, str], Any]:
    """Every global a pickle of arrays may name, and the object it stands for."""
    reconstruct = _numpy_function("multiarray", "_reconstruct")
    scalar = _numpy_function("multiarray", "scalar")
    frombuffer = _numpy_function("numeric", "_frombuffer")  # protocol 5 arrays
    allowed: dict[tuple[str, str], Any] = {("numpy", "ndarray"): np.ndarray,
                                           ("numpy", "dtype"): np.dtype}
    for package in ("numpy._core", "numpy.core"):
        allowed[(f"{package}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{package}.multiarray", "scalar")] = scalar
        allowed[(f"{package}.numeric", "_frombuffer")] = frombuffer
    # protocols 2 and 3 name these for bytes, sets and complex numbers (Python 2 spells
    # builtins '__builtin__'); none of them can do more than build a value
    allowed[("_codecs", "encode")] = codecs.encode
    for module in ("builtins", "__builtin__"):
        for value in (set, frozenset, complex, bytearray):
            allowed[(module, value.__name__)] = value
    return allowed


class RefusedPickle(ValueError):
    """A pickle named a global that ``load_pickle`` does not allow (nothing was called)."""


class DamagedPickle(ValueError):
    """A file that begins like a pickle but cannot be unpickled; ``reason`` says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} is damaged or not a pickle ({reason})")
        self.reason = reason


class _ArraysOnlyUnpickler(pickle.Unpickler):
    """An unpickler whose ``find_class`` hands out only the globals of ``_allowed()``."""

    def __init__(self, file: io.BufferedIOBase, source: str) -> None:
        super().__init__(file)
        self._source = source
        self._globals = _allowed()

    def find_class(self, module: str, name: str) -> Any:
        """The allowed global ``module.name``; a ValueError naming it for any other."""
        try:
            return self._globals[(module, name)]
        except KeyError:
            raise RefusedPickle(
                f"{self._source} asks to call {module}.{name} while unpickling: refused for "
                "safety (a pickle can run any code). Only NumPy arrays, numbers, strings, "
                "lists, tuples and dicts are read from .pkl files; save the weights as "
                "arrays (save_params writes .npz archives) or, if you wrote this file "
                "yourself and trust it, convert it to .npz outside this library"
            ) from None


def is_pickle(path: str | os.PathLike) -> bool:
    """Whether the file starts as a pickle of protocol 2 or later does (False if unreadable)."""
    try:
        with open(path, "rb") as f:
            head = f.read(2)
    except OSError:
        return False
    return len(head) == 2 and head[0] == _PROTO and 2 <= head[1] <= pickle.HIGHEST_PROTOCOL


def load_pickle(path: str | os.PathLike) -> Any:
    """The value pickled in ``path`` when it is made of NumPy arrays and scalars, lists,
    tuples, dicts, sets, numbers, strings and bytes; ``RefusedPickle`` (a ValueError)
    naming the global for anything else, ``DamagedPickle`` (a ValueError) for a file that
    cannot be unpickled, and a ValueError for a missing or unreadable one."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            return _ArraysOnlyUnpickler(f, str(path)).load()
    except RefusedPickle:
        raise
    except FileNotFoundError:
        raise ValueError(f"cannot read {path}: there is no such file") from None
    except IsADirectoryError:
        raise ValueError(f"cannot read {path}: it is a folder, not a file") from None
    except OSError as err:
        raise ValueError(f"cannot read {path}: {err.strerror or err}") from None
    # what a truncated or foreign file makes the unpickler raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, struct.error, UnicodeDecodeError) as err:
        raise DamagedPickle(path, f"{type(err).__name__}: {err}") from None
