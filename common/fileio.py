"""Writing files so that nothing is ever half-written (temp file, then rename), and a tree
of state dicts in one such file: ``write_tree`` / ``read_tree``, the format of checkpoints.

A tree is nested dicts and lists of arrays, numbers, strings and None (the state dicts of
a model, an optimizer, a batch stream, a training loop). In the file, an ``.npz`` archive,
every array is an entry of its own and everything else one JSON description
(``__tree__``), so that reading it back needs no pickle: a file can run nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

_TREE = "__tree__"


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; rename it onto ``path`` on success.

    If the block raises, the temporary file is removed and ``path`` is untouched,
    so readers only ever see the old file or the complete new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a saved file should be readable
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def split_tree(tree: Any, name: str, arrays: dict[str, np.ndarray]) -> Any:
    """``tree`` with every array moved into ``arrays`` under its path ('model/params/W1'):
    what remains is JSON-able (NumPy numbers become Python's, tuples lists)."""
    if isinstance(tree, np.ndarray):
        arrays[name] = tree
        return {"__array__": name}
    if isinstance(tree, Mapping):
        return {str(key): split_tree(value, f"{name}/{key}", arrays)
                for key, value in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [split_tree(value, f"{name}/{i}", arrays) for i, value in enumerate(tree)]
    return tree.item() if isinstance(tree, np.generic) else tree


def _join(tree: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """The tree ``split_tree`` described, its arrays read back from ``arrays``."""
    if isinstance(tree, dict):
        if set(tree) == {"__array__"}:
            return arrays[tree["__array__"]]
        return {key: _join(value, arrays) for key, value in tree.items()}
    if isinstance(tree, list):
        return [_join(value, arrays) for value in tree]
    return tree


def write_tree(path: str | os.PathLike, tree: Mapping[str, Any]) -> None:
    """Write ``tree`` (a dict) to ``path`` as an .npz archive, atomically."""
    arrays: dict[str, np.ndarray] = {}
    with atomic_write(path) as f:
        description = json.dumps(split_tree(tree, "tree", arrays))
        np.savez(f, **{_TREE: np.array(description)}, **arrays)


def read_tree(path: str | os.PathLike) -> dict[str, Any]:
    """The tree ``write_tree`` wrote to ``path``. Raises FileNotFoundError when there is no
    such file, and ValueError saying what is wrong when it is not such an archive or is
    damaged (an array of Python objects inside is refused for safety: it would need pickle)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"there is no file {path}")
    if not zipfile.is_zipfile(path):
        raise ValueError("not an .npz archive")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        description = json.loads(str(arrays.pop(_TREE)))
        return _join(description, arrays)
    except KeyError:
        raise ValueError("an .npz archive without a tree's description") from None
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise ValueError("it holds an array of Python objects, which would need pickle "
                             "to read: refused for safety") from None
        raise ValueError(f"damaged ({err})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"damaged ({type(err).__name__}: {err})") from None
