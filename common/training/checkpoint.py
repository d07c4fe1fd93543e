"""Checkpoints: everything a training run needs to continue exactly where it stopped.

    save_checkpoint("run.ckpt.npz", net, optimizer, rng, iteration, history, config)
    ...                                   # killed, even with SIGKILL
    iteration, history = load_checkpoint("run.ckpt.npz", net, optimizer, rng, config)

A checkpoint holds the network's parameters and buffers (batch-norm statistics),
the optimizer's state (``state_dict``: moment estimates, step counter, the
schedule's position), the state of the random generator that draws the batches
and of every random layer (dropout masks, shifts), the iteration, the history
(loss curves) and a ``config`` (the settings of the run). Restored, the run takes
bit for bit the steps it would have taken without the interruption.

The file is an ``.npz`` archive, written atomically (temp file, then rename): a run
killed while saving leaves the previous checkpoint whole. Loading checks
everything before it changes anything: a damaged file, or one written for another
network, optimizer or configuration, raises ValueError with a clear message and
leaves the network, optimizer and generator untouched.
"""

from __future__ import annotations

import copy
import json
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from common.fileio import atomic_write
from common.layers.naming import random_layers

FORMAT = "dlscratch-checkpoint"
VERSION = 1
_META = "__meta__"


class CheckpointError(ValueError):
    """A checkpoint cannot be resumed from: missing, damaged, or of another run."""


_PREFIXES = {"params": "param/", "buffers": "buffer/", "optimizer": "optimizer/",
             "arrays": "array/"}


def _jsonable(value: Any) -> Any:
    """NumPy scalars as Python numbers, for json.dumps."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} cannot be stored in a checkpoint's JSON")


def _canonical(config: Any) -> Any:
    """``config`` as it reads back from JSON (tuples become lists, NumPy numbers Python's)."""
    return json.loads(json.dumps(config, default=_jsonable))


def _flat(config: Any, prefix: str = "") -> dict[str, Any]:
    """A nested dict as {'a.b': value}, to name the settings that differ."""
    if not isinstance(config, dict):
        return {prefix or "config": config}
    flat: dict[str, Any] = {}
    for key, value in config.items():
        flat.update(_flat(value, f"{prefix}{key}.") if isinstance(value, dict)
                    else {f"{prefix}{key}": value})
    return flat


def check_checkpointable(optimizer: Any) -> None:
    """Raise ValueError unless ``optimizer`` can be saved in a checkpoint (has
    ``state_dict`` and ``load_state_dict``): better before training than at the first
    checkpoint."""
    if not all(callable(getattr(optimizer, name, None))
               for name in ("state_dict", "load_state_dict")):
        raise ValueError(f"the optimizer {type(optimizer).__name__} has no state_dict() and "
                         "load_state_dict(): its state cannot be checkpointed; use one of "
                         "common.optim's, or give it those two methods")


def _optimizer_state(optimizer: Any) -> dict[str, Any]:
    check_checkpointable(optimizer)
    return optimizer.state_dict()


def save_checkpoint(path: str | os.PathLike, network: Any, optimizer: Any,
                    rng: np.random.Generator, iteration: int, history: dict[str, list],
                    config: dict | None = None, *,
                    arrays: Mapping[str, np.ndarray] | None = None) -> None:
    """Write a checkpoint of a training run to ``path`` (an .npz archive), atomically.

    ``history`` is a dict of lists of numbers (the loss curves), ``config`` any
    JSON-able dict describing the run (checked again on loading). ``arrays``: more
    arrays the caller needs to continue (the Trainer's epoch order), given back by
    ``read_checkpoint``.
    """
    meta = {
        "format": FORMAT, "version": VERSION, "iteration": int(iteration),
        "history": history, "config": config,
        "architecture": network.architecture() if hasattr(network, "architecture") else None,
        "optimizer": type(optimizer).__name__,
        "rng": rng.bit_generator.state,
        "layer_rngs": {name: g.bit_generator.state for name, g in random_layers(network)},
    }
    entries: dict[str, np.ndarray] = {
        _META: np.array(json.dumps(meta, default=_jsonable)),
    }
    for group, values in (("params", network.params),
                          ("buffers", getattr(network, "buffers", {})),
                          ("optimizer", _optimizer_state(optimizer)),
                          ("arrays", arrays or {})):
        for key, value in values.items():
            entries[_PREFIXES[group] + key] = np.asarray(value)
    with atomic_write(path) as f:
        np.savez(f, **entries)


@dataclass
class Checkpoint:
    """The contents of a checkpoint file, read and checked for damage (``read_checkpoint``)."""

    path: Path
    iteration: int
    history: dict[str, list]
    config: Any
    architecture: Any
    optimizer_class: str
    rng_state: dict
    layer_rng_states: dict[str, dict]
    params: dict[str, np.ndarray] = field(default_factory=dict)
    buffers: dict[str, np.ndarray] = field(default_factory=dict)
    optimizer: dict[str, np.ndarray] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def _fail(self, problem: str) -> CheckpointError:
        return CheckpointError(f"cannot resume from {self.path}: {problem}")

    def _check_arrays(self, network: Any) -> None:
        for group, own in (("params", network.params),
                           ("buffers", getattr(network, "buffers", {}))):
            stored = getattr(self, group)
            missing = [key for key in own if key not in stored]
            extra = [key for key in stored if key not in own]
            if missing or extra:
                raise self._fail(f"it was saved from another network: {group} "
                                 f"{', '.join(missing)} missing, {', '.join(extra)} unexpected")
            for key, array in own.items():
                if stored[key].shape != array.shape or stored[key].dtype != array.dtype:
                    raise self._fail(f"{key!r} is {stored[key].dtype} {stored[key].shape} in "
                                     f"the file, but this network's is {array.dtype} "
                                     f"{array.shape}: it was saved from another network")

    def _check_optimizer(self, network: Any, optimizer: Any) -> None:
        """Raise unless the stored state loads into (a copy of) ``optimizer``."""
        if self.optimizer_class != type(optimizer).__name__:
            raise self._fail(f"it holds the state of a {self.optimizer_class}, but this run's "
                             f"optimizer is a {type(optimizer).__name__}")
        for key, value in self.optimizer.items():
            slot, sep, param = key.partition(":")
            if sep and (param not in network.params
                        or value.shape != network.params[param].shape):
                raise self._fail(f"the optimizer state {key!r} does not fit this network's "
                                 "parameters")
        try:
            copy.deepcopy(optimizer).load_state_dict(self.optimizer)
        except (ValueError, TypeError) as err:
            raise self._fail(f"the optimizer state does not fit: {err}") from None

    def _check_rngs(self, network: Any, rng: np.random.Generator) -> None:
        layers = dict(random_layers(network))
        if set(layers) != set(self.layer_rng_states):
            raise self._fail(f"its random layers ({', '.join(self.layer_rng_states) or 'none'}) "
                             f"are not this network's ({', '.join(layers) or 'none'})")
        for name, generator, state in [("the run's generator", rng, self.rng_state)] + [
                (f"layer {key!r}", layers[key], s) for key, s in self.layer_rng_states.items()]:
            trial = type(generator.bit_generator)()
            try:
                trial.state = state
            except (ValueError, TypeError, KeyError) as err:
                raise self._fail(f"the state of {name} does not fit a "
                                 f"{type(trial).__name__}: {err}") from None

    def restore(self, network: Any, optimizer: Any, rng: np.random.Generator,
                config: dict | None = None) -> None:
        """Check that this checkpoint belongs to ``network``, ``optimizer`` and ``config``,
        then write its state into them and ``rng``, in place. Raises ValueError (and
        changes nothing) when anything does not fit."""
        if config is not None and _canonical(config) != self.config:
            stored, wanted = _flat(self.config), _flat(_canonical(config))
            differ = sorted(key for key in set(stored) | set(wanted)
                            if stored.get(key) != wanted.get(key))
            detail = ", ".join(f"{key}: {stored.get(key)!r} in the file, {wanted.get(key)!r} "
                               "now" for key in differ) or f"{self.config!r}"
            raise self._fail(f"it was written by a run with other settings ({detail}); resume "
                             "with the settings of that run, or start a new one")
        architecture = network.architecture() if hasattr(network, "architecture") else None
        if _canonical(architecture) != self.architecture:
            raise self._fail(f"it was saved from another network:\n  saved: "
                             f"{self.architecture}\n  this:  {architecture}")
        self._check_arrays(network)
        self._check_optimizer(network, optimizer)
        self._check_rngs(network, rng)
        # everything fits: now change things
        for own, stored in ((network.params, self.params),
                            (getattr(network, "buffers", {}), self.buffers)):
            for key, array in own.items():
                np.copyto(array, stored[key])
        optimizer.load_state_dict(self.optimizer)
        rng.bit_generator.state = self.rng_state
        layers = dict(random_layers(network))
        for name, state in self.layer_rng_states.items():
            layers[name].bit_generator.state = state


def read_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read a checkpoint file written by ``save_checkpoint``; ValueError with a clear
    message when it is missing, damaged or not a checkpoint."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"cannot resume: there is no checkpoint file {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            entries = {name: archive[name] for name in archive.files}
        meta = json.loads(str(entries.pop(_META)))
    except KeyError:
        raise CheckpointError(f"{path} is not a checkpoint (an .npz file without the checkpoint's "
                         "description): give a file written by --checkpoint") from None
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as err:
        raise CheckpointError(f"{path} is damaged or not a checkpoint written by --checkpoint "
                         f"({type(err).__name__}: {err}); it cannot be resumed from: start "
                         "again, or use an older copy") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint: give a file written by --checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{path} is a checkpoint of format version {meta.get('version')}; "
                         f"this version of the library reads version {VERSION}")
    try:
        checkpoint = Checkpoint(
            path=path, iteration=int(meta["iteration"]), history=meta["history"],
            config=meta["config"], architecture=meta["architecture"],
            optimizer_class=meta["optimizer"], rng_state=meta["rng"],
            layer_rng_states=meta["layer_rngs"])
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path} is damaged: its description lacks {err}") from None
    groups = {prefix: group for group, prefix in _PREFIXES.items()}
    for name, value in entries.items():
        prefix, sep, key = name.partition("/")
        group = groups.get(prefix + sep)
        if group is None:
            raise CheckpointError(f"{path} is damaged: unexpected entry {name!r}")
        getattr(checkpoint, group)[key] = value
    return checkpoint


def load_checkpoint(path: str | os.PathLike, network: Any, optimizer: Any,
                    rng: np.random.Generator, config: dict | None = None
                    ) -> tuple[int, dict[str, list]]:
    """Restore a checkpoint of ``save_checkpoint`` into ``network`` (parameters and buffers),
    ``optimizer`` and ``rng`` (and the network's random layers), in place; return
    (iteration, history).

    Raises ValueError with a clear message, changing nothing, when the file is missing
    or damaged, or was written for another network, optimizer or ``config``.
    """
    checkpoint = read_checkpoint(path)
    checkpoint.restore(network, optimizer, rng, config)
    return checkpoint.iteration, checkpoint.history
