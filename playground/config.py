"""What a client may ask for: the settings of a session and of a step, checked one by one.

``check_config(raw)`` turns the JSON object a page sends into a complete ``Config``
(defaults for what it leaves out) or raises ``BadRequest`` with a message that names
the setting, what was wrong and what is allowed: the page shows that message as it is.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from common.optim import OPTIMIZERS

#: Data sets: name -> (title, number of classes). The gates are truth tables of 4 rows.
DATASETS: dict[str, tuple[str, int]] = {
    "circles": ("Two circles", 2),
    "xor": ("XOR (quadrants)", 2),
    "blobs": ("Two Gaussian blobs", 2),
    "spiral": ("Spiral", 2),
    "moons": ("Moons", 2),
    "iris": ("Iris, petal length and width", 3),
    "and": ("AND gate (truth table)", 2),
    "or": ("OR gate (truth table)", 2),
    "xor_gate": ("XOR gate (truth table)", 2),
}
ACTIVATIONS = ("relu", "sigmoid", "tanh")
OUTPUTS = ("sigmoid", "softmax")
MAX_LAYERS, MAX_WIDTH, MAX_POINTS, MAX_LANES = 6, 32, 2000, 4
MAX_ITERATIONS, GRID_RANGE = 500, (10, 100)


class BadRequest(ValueError):
    """A request the server refuses; its message is shown to the user (HTTP 400)."""


@dataclass(frozen=True)
class Config:
    """Everything that defines a training run: data, network, optimizer, seed.

    ``lanes``: up to four overrides (of optimizer, lr, hidden, activation, label) that
    train side by side on the same data from the same seed, e.g. an optimizer race.
    """

    dataset: str = "circles"
    noise: float = 0.1
    points: int = 300
    train_ratio: float = 0.5
    hidden: tuple[int, ...] = (6, 4)
    activation: str = "tanh"
    output: str = "sigmoid"
    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int = 10
    l2: float = 0.0
    seed: int = 0
    lanes: tuple[dict[str, Any], ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-able dict (what the page fills its controls with)."""
        data = asdict(self)
        data["hidden"] = list(self.hidden)
        data["lanes"] = [dict(lane) for lane in self.lanes]
        return data

    def lane_configs(self) -> list[Config]:
        """One Config per lane (just this one without lanes), each with its overrides."""
        if not self.lanes:
            return [self]
        return [replace(self, lanes=(), **{k: v for k, v in lane.items() if k != "label"})
                for lane in self.lanes]


def shown(raw: Any) -> str:
    """raw as the page wrote it (JSON), shortened: the value a message quotes."""
    text = json.dumps(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def number(raw: Any, name: str, low: float, high: float, *, whole: bool = False,
           low_open: bool = False) -> float | int:
    """raw as a finite number in [low, high] ((low, high] with ``low_open``), an int with
    ``whole``; else BadRequest naming ``name``."""
    kind = "a whole number" if whole else "a number"
    left = "(" if low_open else "["
    bad = BadRequest(f"{name} must be {kind} in {left}{low:g}, {high:g}], got {shown(raw)}")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise bad
    if not math.isfinite(raw) or raw < low or raw > high or (low_open and raw == low):
        raise bad
    if whole:
        if raw != int(raw):
            raise bad
        return int(raw)
    return float(raw)


def choice(raw: Any, name: str, options: Any) -> str:
    """raw if it is one of ``options``, else BadRequest listing them."""
    if not isinstance(raw, str) or raw not in options:
        raise BadRequest(f"{name} must be one of {', '.join(options)}; got {shown(raw)}")
    return raw


def hidden_sizes(raw: Any, name: str = "hidden") -> tuple[int, ...]:
    """A list of at most MAX_LAYERS widths, each a whole number in 1..MAX_WIDTH."""
    if not isinstance(raw, list) or len(raw) > MAX_LAYERS:
        raise BadRequest(f"{name} must be a list of at most {MAX_LAYERS} layer widths, "
                         f"got {shown(raw)}")
    return tuple(number(w, f"{name}[{i}] (units in hidden layer {i + 1})", 1, MAX_WIDTH,
                        whole=True) for i, w in enumerate(raw))


#: setting -> function(raw, name) giving its checked value
CHECKS = {
    "dataset": lambda v, n: choice(v, n, DATASETS),
    "noise": lambda v, n: number(v, n, 0, 0.5),
    "points": lambda v, n: number(v, n, 10, MAX_POINTS, whole=True),
    "train_ratio": lambda v, n: number(v, n, 0.1, 0.9),
    "hidden": hidden_sizes,
    "activation": lambda v, n: choice(v, n, ACTIVATIONS),
    "output": lambda v, n: choice(v, n, OUTPUTS),
    "optimizer": lambda v, n: choice(v, n, OPTIMIZERS),
    "lr": lambda v, n: number(v, n, 0, 10, low_open=True),
    "batch_size": lambda v, n: number(v, n, 1, MAX_POINTS, whole=True),
    "l2": lambda v, n: number(v, n, 0, 1),
    "seed": lambda v, n: number(v, n, 0, 2**31 - 1, whole=True),
}
LANE_KEYS = ("optimizer", "lr", "hidden", "activation")


def check_lanes(raw: Any) -> tuple[dict[str, Any], ...]:
    """Up to MAX_LANES objects, each with some of LANE_KEYS and an optional label."""
    if not isinstance(raw, list) or len(raw) > MAX_LANES:
        raise BadRequest(f"lanes must be a list of at most {MAX_LANES} objects, "
                         f"got {shown(raw)}")
    lanes = []
    for i, lane in enumerate(raw):
        if not isinstance(lane, dict):
            raise BadRequest(f"lanes[{i}] must be an object, got {shown(lane)}")
        checked: dict[str, Any] = {}
        for key, value in lane.items():
            if key == "label":
                if not isinstance(value, str) or len(value) > 40:
                    raise BadRequest(f"lanes[{i}].label must be a text of at most 40 "
                                     "characters")
                checked[key] = value
            elif key in LANE_KEYS:
                checked[key] = CHECKS[key](value, f"lanes[{i}].{key}")
            else:
                raise BadRequest(f"lanes[{i}] has an unknown setting {key!r}; a lane may "
                                 f"set: {', '.join(LANE_KEYS)}, label")
        lanes.append(checked)
    return tuple(lanes)


def check_object(raw: Any, what: str) -> dict[str, Any]:
    """raw if it is a JSON object, else BadRequest."""
    if not isinstance(raw, dict):
        raise BadRequest(f"{what} must be a JSON object, got {type(raw).__name__}")
    return raw


def check_config(raw: Any) -> Config:
    """A complete Config from the settings in ``raw`` (a dict; missing ones: defaults)."""
    raw = check_object(raw, "the settings")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "lanes":
            values[key] = check_lanes(value)
        elif key in CHECKS:
            values[key] = CHECKS[key](value, key)
        else:
            raise BadRequest(f"unknown setting {key!r}; the settings are: "
                             f"{', '.join([*CHECKS, 'lanes'])}")
    config = Config(**values)
    if DATASETS[config.dataset][1] > 2 and config.output == "sigmoid":
        raise BadRequest(f"{DATASETS[config.dataset][0]} has {DATASETS[config.dataset][1]} "
                         "classes, and a sigmoid output tells only two apart: choose the "
                         "softmax output")
    return config


def check_step(raw: Any) -> tuple[int, int]:
    """(iterations, grid) of a step request: {"iterations": 1..500, "grid": 10..100}."""
    raw = check_object(raw, "a step request")
    unknown = set(raw) - {"iterations", "grid"}
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(sorted(unknown))} in a step request; "
                         "it takes iterations and grid")
    iterations = number(raw.get("iterations", 10), "iterations", 0, MAX_ITERATIONS, whole=True)
    grid = number(raw.get("grid", 60), "grid", *GRID_RANGE, whole=True)
    return iterations, grid
