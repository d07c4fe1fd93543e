"""Parameter files: a model's arrays saved to one file and loaded back, checked.

    save_params(net, "net.npz")          # atomically: a crash never leaves half a file
    load_params(net, "net.npz")          # into the net's own arrays, all or nothing

The file is an .npz archive of the parameters and running statistics by name, with the
architecture (JSON), read without pickle. Loading checks every array (present, of the
right shape, numbers, finite) and the architecture before it writes any, so a bad file
changes nothing. The books' own pickled weights (a dict of arrays, the first book's; a list
of arrays, the second's, taken in the order of the model's ``params``) load too, through
``common.safe_pickle``, which lets a file run nothing. The book's ``SimpleConvNet`` and
``DeepConvNet`` have them as methods (``ParameterFiles``), as in the book.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from common.fileio import atomic_write
from common.safe_pickle import DamagedPickle, is_pickle, load_pickle


def read_parameter_file(path: Path) -> dict[str, np.ndarray]:
    """Every array of a parameter file, by name: an .npz archive of ``save_params`` (read
    without pickle), or a pickle of arrays as the books' ``save_params`` write them (a dict
    name -> array, or a list of arrays, named 'param0', 'param1', ...), read by
    ``common.safe_pickle``, which lets the file run nothing. A ValueError that says what
    is wrong for a missing, damaged or foreign file."""
    if not path.is_file():
        raise ValueError(f"cannot load parameters: there is no file {path}")
    if is_pickle(path):
        return _pickled_arrays(path)
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a parameter file written by save_params: neither an .npz archive "
            "nor a pickle of arrays, so it is damaged or was not written by save_params"
        )
    arrays: dict[str, np.ndarray] = {}
    name = ""
    try:
        with np.load(path, allow_pickle=False) as archive:
            for name in archive.files:
                arrays[name] = archive[name]
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as err:
        if "allow_pickle" in str(err):
            # NumPy's message suggests allow_pickle=True: the one fix never to make
            raise ValueError(
                f"{path} holds an array of Python objects ({name!r}), stored as a pickle: "
                "refused for safety, since unpickling can run any code. Save the parameters "
                "as numeric arrays (save_params does)") from None
        raise ValueError(f"{path} is damaged or not a parameter file of save_params: "
                         f"{err}") from None
    return arrays


def _pickled_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a pickled parameter file (a list of arrays, or a dict name -> array),
    read by the restricted unpickler."""
    try:
        value = load_pickle(path)
    except DamagedPickle as err:
        raise ValueError(f"{path} is not a parameter file written by save_params: it begins "
                         "like a pickle but is damaged or was not written by save_params "
                         f"({err.reason})") from None
    if isinstance(value, (list, tuple)):
        named = {f"param{i}": array for i, array in enumerate(value)}
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        named = dict(value)
    else:
        raise ValueError(f"{path} holds a pickled {type(value).__name__}, not parameters: a "
                         "parameter pickle is a list of arrays (the second book's save_params) "
                         "or a dict name -> array (the first book's)")
    for name, array in named.items():
        if not isinstance(array, np.ndarray):
            raise ValueError(f"{path}: parameter {name!r} is a {type(array).__name__}, not an "
                             "array: the file was not written by a save_params")
    return named


def numeric_values(what: str, array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``array`` in ``dtype``, checked to be loadable into a parameter: numbers (not text
    nor objects), all finite once in ``dtype``. ``what`` names the array in the ValueError
    ("parameter 'W1' in net.npz"). Loaders check every array before writing any."""
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} holds {array.dtype} values, not numbers: the file is "
                         "damaged or was not written by save_params")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
        values = array.astype(dtype, copy=False)
    if not np.isfinite(values).all():
        raise ValueError(f"{what} holds NaN or infinite values (in {np.dtype(dtype)}): it was "
                         "saved from a diverged run, or is damaged")
    return values


def save_params(model: Any, file_name: str | Path = "params.npz") -> None:
    """Save ``model``'s parameters, running statistics and architecture (a ``LayeredModel``)
    to an .npz file, atomically."""
    arrays = {**model.params, **model.buffers}
    with atomic_write(file_name) as f:
        np.savez(f, __architecture__=np.array(json.dumps(model.architecture())), **arrays)


def _named_in_order(stored: dict[str, np.ndarray], model: Any,
                    path: Path) -> dict[str, np.ndarray]:
    """``stored`` as it is, or, when it is a list of arrays ('param0', 'param1', ...: the
    second book's pickled weights), each array named by ``model``'s parameter of the same
    position: the book's models list their weights in the order of ``params`` here
    (``Rnnlm``, ``AttentionSeq2seq``). ValueError when the count does not fit."""
    in_order = [f"param{i}" for i in range(len(stored))]
    if set(stored) != set(in_order) or set(stored) & set(model.params):
        return stored
    if len(stored) != len(model.params) or model.buffers:
        raise ValueError(f"{path} holds a list of {len(stored)} arrays (the second book's "
                         f"weights, in order) but {type(model).__name__} has "
                         f"{len(model.params)} parameters"
                         f"{' and running statistics' if model.buffers else ''}: it was "
                         "saved from another model")
    return {key: stored[name] for key, name in zip(model.params, in_order, strict=True)}


def load_params(model: Any, file_name: str | Path = "params.npz") -> None:
    """Load parameters saved by ``save_params`` (or the book's pickled ones) into
    ``model``'s arrays, in place. The second book's pickles, a list of (float16) arrays
    (its ``Rnnlm.pkl``, ``AttentionSeq2seq.pkl``), go into ``params`` in order, as its
    ``load_params`` writes them into its list: ``Rnnlm`` and ``AttentionSeq2seq`` here list
    their weights in the book's order.

    Raises ValueError naming the parameter when the file's shapes or names do not fit this
    model, and when it was saved from another architecture; nothing is written then.
    """
    path = Path(file_name)
    stored = _named_in_order(read_parameter_file(path), model, path)
    expected = {**model.params, **model.buffers}
    values = {}
    # every array is checked before any is written: a bad file changes nothing
    for key, target in expected.items():
        if key not in stored:
            raise ValueError(f"{path} has no parameter {key!r} that this network needs")
        if stored[key].shape != target.shape:
            raise ValueError(
                f"parameter {key!r} in {path} has shape {stored[key].shape}, but "
                f"this network's {key!r} has shape {target.shape}"
            )
        values[key] = numeric_values(f"parameter {key!r} in {path}", stored[key],
                                     target.dtype)
    extra = set(stored) - set(expected) - {"__architecture__"}
    if extra:
        raise ValueError(f"{path} has parameters this network lacks: "
                         f"{', '.join(sorted(extra))}")
    if "__architecture__" in stored:
        try:
            saved = json.loads(str(stored["__architecture__"]))
        except json.JSONDecodeError:
            raise ValueError(f"{path} is damaged: its architecture is not JSON") from None
        if saved != model.architecture():
            raise ValueError(
                f"{path} was saved from a different architecture:\n  saved: {saved}\n"
                f"  this:  {model.architecture()}"
            )
    for key, target in expected.items():
        target[...] = values[key]


class ParameterFiles:
    """The book's methods ``save_params(file_name)`` and ``load_params(file_name)`` on a
    network (its ``SimpleConvNet`` and ``DeepConvNet`` have them): ``save_params`` and
    ``load_params`` of this module."""

    def save_params(self, file_name: str | Path = "params.npz") -> None:
        """Save the parameters to ``file_name`` (see ``save_params``)."""
        save_params(self, file_name)

    def load_params(self, file_name: str | Path = "params.npz") -> None:
        """Load the parameters from ``file_name`` (see ``load_params``)."""
        load_params(self, file_name)
