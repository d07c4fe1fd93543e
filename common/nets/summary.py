"""A network in one table: each layer's output shape and number of parameters, like Keras's
``model.summary()``. It is the first thing to look at when a shape does not fit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from common.layers import layer_forward


def _size_in_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _arrays(layer: Any, names_attr: str) -> list[np.ndarray]:
    return [np.asarray(getattr(layer, name)) for name in getattr(layer, names_attr, ())]


def _param_count(layer: Any) -> int:
    """The number of parameters of a layer, with those of its inner layers (a container's)."""
    inner = getattr(layer, "layers", None)
    if hasattr(inner, "values"):
        return sum(_param_count(sub) for sub in inner.values())
    return sum(a.size for a in _arrays(layer, "param_names"))


def _shape(x: np.ndarray) -> str:
    """'(N, 64, 128)' for an output of shape (1, 64, 128)."""
    return "(N" + "".join(f", {d}" for d in x.shape[1:]) + ")"


def _inner_rows(layer: Any, x: np.ndarray, indent: str = "  ") -> list[tuple[str, ...]]:
    """Rows of a container layer's inner layers (``Residual``: its ``layers``), indented
    under it, each with its output shape for the container's input x; [] for a plain layer."""
    inner = getattr(layer, "layers", None)
    if not hasattr(inner, "items"):
        return []
    rows: list[tuple[str, ...]] = []
    for name, sub in inner.items():
        x_in, x = x, layer_forward(sub, x)
        rows.append((indent + name, type(sub).__name__, _shape(x), f"{_param_count(sub):,}"))
        rows.extend(_inner_rows(sub, x_in, indent + "  "))
    return rows


def default_input_shape(network: Any) -> tuple[int, ...] | None:
    """The shape of one sample a library network takes: ``input_dim`` of a conv net,
    (``input_size``,) of a fully connected one; None when the network does not say."""
    if getattr(network, "input_dim", None) is not None:
        return tuple(network.input_dim)
    if getattr(network, "input_size", None) is not None:
        return (int(network.input_size),)
    return None


def summary(network: Any, input_shape: Sequence[int] | int | None = None,
            print_fn: Any = print) -> str:
    """Print (with ``print_fn``) and return a table of ``network``'s layers: name, type,
    output shape for a batch of N samples of ``input_shape`` (one sample's shape, e.g.
    (784,) or (1, 28, 28); by default the network's own), and parameter count; then
    the total number of parameters, their dtype and memory.

    The shapes come from a forward pass (inference mode) on one sample of zeros. If a
    layer rejects its input, the table so far is printed with the layer's error, and
    that ValueError is raised.
    """
    shape = default_input_shape(network) if input_shape is None else input_shape
    if shape is None:
        raise ValueError("summary needs input_shape, the shape of one sample, e.g. (784,)")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    first = next(iter(network.layers.values()), None)
    dtype = np.int64 if getattr(first, "takes_ids", False) else (
        getattr(network, "dtype", None) or np.float32)
    x = np.zeros((1, *shape), dtype=dtype)
    rows = [("input", "", f"(N, {', '.join(map(str, shape))})", "")]
    failure = None
    for name, layer in network.layers.items():
        x_in = x
        try:
            x = layer_forward(layer, x)
        except ValueError as err:
            failure = err
            rows.append((name, type(layer).__name__, "error", ""))
            break
        rows.append((name, type(layer).__name__, _shape(x), f"{_param_count(layer):,}"))
        rows.extend(_inner_rows(layer, x_in))
    last = getattr(network, "last_layer", None)
    if failure is None and last is not None:
        rows.append(("(loss)", type(last).__name__, "a number", ""))
    params = list(getattr(network, "params", {}).values())
    buffers = list(getattr(network, "buffers", {}).values())
    total, nbytes = sum(p.size for p in params), sum(p.nbytes for p in params)
    header = ("Layer", "Type", "Output shape", "Params")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(row: Sequence[str]) -> str:
        return (f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  "
                f"{row[3]:>{widths[3]}}").rstrip()

    rule = "-" * len(line(header))
    dtype = params[0].dtype if params else "no parameters"
    lines = [type(network).__name__, rule, line(header), rule, *map(line, rows), rule,
             f"Total parameters: {total:,} ({dtype}, {_size_in_bytes(nbytes)})"]
    if buffers:
        lines.append(f"Running statistics (not trained): {sum(b.size for b in buffers):,} "
                     f"({_size_in_bytes(sum(b.nbytes for b in buffers))})")
    if failure is not None:
        lines.append(f"error: {failure}")
    text = "\n".join(lines)
    print_fn(text)
    if failure is not None:
        raise failure
    return text
