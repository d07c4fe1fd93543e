"""Checkpoints: a training run as one file, a plain dict of state dicts, and back.

    loop = Loop(net, optimizer, batches, epochs=10, hooks=[..., SaveCheckpoints("run.npz")])
    loop.run()                                     # killed, even with SIGKILL
    read_checkpoint("run.npz").restore(loop)       # a new process: the same loop, rebuilt
    loop.run()                                     # finishes the run bit for bit

Every part of a run gives its state as ``state_dict()`` and takes it back with
``load_state_dict()``: the model (parameters, running statistics, random layers'
generators, carried hidden states), the optimizer (moments, step, schedule), the batch
stream (its generator and the position in the epoch) and the loop (counters, curves, and
its hooks' states: the best parameters so far, ...). A checkpoint is those four state dicts
under 'model', 'optimizer', 'batches' and 'loop', with the run's ``config`` (its settings).

The file is ``common.fileio``'s tree archive, read without pickle: an ``.npz`` of the arrays
and one JSON description of everything else. It is written atomically (temp file, then
rename): a run killed while saving keeps its previous checkpoint whole. Restoring is all
or nothing: a damaged file, or one of another run (other settings, model or optimizer),
raises ``CheckpointError`` and leaves every part as it was.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.fileio import read_tree, split_tree, write_tree
from common.training.loop import Hook, Loop
from common.validation import whole_number

FORMAT = "dlscratch-checkpoint"
VERSION = 2


class CheckpointError(ValueError):
    """A checkpoint cannot be resumed from: missing, damaged, or of another run."""


def _canonical(config: Any) -> Any:
    """``config`` as it reads back from JSON (tuples become lists, NumPy numbers Python's)."""
    return json.loads(json.dumps(split_tree(config, "config", {})))


def _flat(config: Any, prefix: str = "") -> dict[str, Any]:
    """A nested dict as {'a.b': value}, to name the settings that differ."""
    if not isinstance(config, dict):
        return {prefix.rstrip(".") or "config": config}
    flat: dict[str, Any] = {}
    for key, value in config.items():
        flat.update(_flat(value, f"{prefix}{key}."))
    return flat


def run_parts(loop: Loop) -> dict[str, Any]:
    """The parts of a run that a checkpoint holds, by name."""
    return {"model": loop.model, "optimizer": loop.optimizer, "batches": loop.batches,
            "loop": loop}


def check_checkpointable(loop: Loop) -> None:
    """Raise ValueError unless every part of the run gives its state (``state_dict`` and
    ``load_state_dict``): better before training than at the first checkpoint."""
    for name, part in run_parts(loop).items():
        try:
            part.state_dict()
            _ = part.load_state_dict
        except AttributeError:
            raise ValueError(f"the {name} {type(part).__name__} has no state_dict() and "
                             "load_state_dict(): the run cannot be checkpointed; use the "
                             "library's, or give it those two methods") from None


def save_checkpoint(path: str | os.PathLike, loop: Loop, config: Any = None) -> None:
    """Write the state of ``loop``'s run (and ``config``, its settings) to ``path``,
    atomically."""
    parts = run_parts(loop)
    write_tree(path, {"format": FORMAT, "version": VERSION, "config": config,
                      "classes": {name: type(part).__name__ for name, part in parts.items()},
                      "state": {name: part.state_dict() for name, part in parts.items()}})


@dataclass
class CheckpointFile:
    """A checkpoint read from ``path`` and checked for damage (``read_checkpoint``)."""

    path: Path
    config: Any
    classes: dict[str, str]
    state: dict[str, Any]

    def _fail(self, problem: str) -> CheckpointError:
        return CheckpointError(f"cannot resume from {self.path}: {problem}")

    @property
    def iteration(self) -> int:
        """The updates the checkpointed run had made."""
        return int(self.state["loop"]["iteration"])

    def restore(self, loop: Loop, config: Any = None) -> None:
        """Put every part of ``loop``'s run in the checkpointed state, after checking that
        the file belongs to a run with this ``config`` and these kinds of parts. All or
        nothing: CheckpointError, with every part as it was, when anything does not fit."""
        if _canonical(config) != self.config:
            stored, wanted = _flat(self.config), _flat(_canonical(config))
            differ = sorted(key for key in set(stored) | set(wanted)
                            if stored.get(key) != wanted.get(key))
            detail = ", ".join(f"{key}: {stored.get(key)!r} in the file, {wanted.get(key)!r} "
                               "now" for key in differ)
            raise self._fail(f"it was written by a run with other settings ({detail}); resume "
                             "with the settings of that run, or start a new one")
        parts = run_parts(loop)
        for name, part in parts.items():
            if self.classes.get(name) != type(part).__name__:
                raise self._fail(f"its {name} is a {self.classes.get(name)}, this run's a "
                                 f"{type(part).__name__}")
        before = {name: copy.deepcopy(part.state_dict()) for name, part in parts.items()}
        done = []
        try:
            for name, part in parts.items():
                done.append(name)
                part.load_state_dict(self.state[name])
        except (ValueError, KeyError, TypeError, IndexError) as err:
            for name in done:
                parts[name].load_state_dict(before[name])
            raise self._fail(f"its {name} does not fit this run's: {err}") from None


def read_checkpoint(path: str | os.PathLike) -> CheckpointFile:
    """Read a checkpoint written by ``save_checkpoint``; CheckpointError with a clear
    message when it is missing, damaged or not a checkpoint."""
    path = Path(path)
    try:
        meta = read_tree(path)
    except FileNotFoundError:
        raise CheckpointError(f"cannot resume: there is no checkpoint file {path}") from None
    except ValueError as err:
        raise CheckpointError(f"{path} is damaged or not a checkpoint written by --checkpoint "
                              f"({err}); it cannot be resumed from: start again, or use an "
                              "older copy") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a checkpoint: give a file written by "
                              "--checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{path} is a checkpoint of format version "
                              f"{meta.get('version')}; this version of the library reads "
                              f"version {VERSION}")
    try:
        return CheckpointFile(path, meta["config"], dict(meta["classes"]), meta["state"])
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path} is damaged: its description lacks {err}") from None


class SaveCheckpoints(Hook):
    """Write the run to ``path`` every ``every`` steps, and when it ends (on Ctrl-C, early
    stopping and at the end; not when it diverged). ``config``: the run's settings, which a
    resumed run must share. Put it last in the hooks, so that it saves what the others
    recorded for the step."""

    def __init__(self, path: str | os.PathLike, every: int = 250, config: Any = None) -> None:
        self.path, self.config = path, config
        self.every = whole_number(every, "checkpoint_every", who="SaveCheckpoints")

    def start(self, loop: Loop) -> None:
        check_checkpointable(loop)

    def after_step(self, loop: Loop) -> None:
        if loop.iteration % self.every == 0:
            save_checkpoint(self.path, loop, self.config)

    def end(self, loop: Loop) -> None:
        if not loop.diverged:
            save_checkpoint(self.path, loop, self.config)
