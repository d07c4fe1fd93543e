"""A network in one table: each layer's output shape and number of parameters, like Keras's
``model.summary()``: ``summary(net)``. It is the first thing to look at when a shape does
not fit. The shapes come from a pass on a copy of the network, which is left untouched (a
language model keeps the hidden state it carries).

It reads a ``common.nets.network.Network``: its layers have been through
``common.layers.base.as_layer``, so their traits (``param_names``, ``layers``,
``takes_ids``) are plain attributes."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from common.layers.base import layer_forward

if TYPE_CHECKING:  # only for the annotations
    from common.nets.network import Network


def _size_in_bytes(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _param_count(layer: Any) -> int:
    """The number of parameters of a layer, with those of its inner layers (a container's)."""
    if isinstance(layer.layers, Mapping):
        return sum(_param_count(sub) for sub in layer.layers.values())
    return sum(np.size(getattr(layer, name)) for name in layer.param_names)


def _shape(x: np.ndarray) -> str:
    """'(N, 64, 128)' for an output of shape (1, 64, 128)."""
    return "(N" + "".join(f", {d}" for d in x.shape[1:]) + ")"


def _inner_rows(layer: Any, x: np.ndarray, indent: str = "  ") -> list[tuple[str, ...]]:
    """Rows of a container layer's inner layers (``Residual``: its ``layers``), indented
    under it, each with its output shape for the container's input x; [] for a plain layer."""
    if not isinstance(layer.layers, Mapping):
        return []
    rows: list[tuple[str, ...]] = []
    for name, sub in layer.layers.items():
        x_in, x = x, layer_forward(sub, x)
        rows.append((indent + name, type(sub).__name__, _shape(x), f"{_param_count(sub):,}"))
        rows.extend(_inner_rows(sub, x_in, indent + "  "))
    return rows


def default_input_shape(network: Network) -> tuple[int, ...] | None:
    """The shape of one sample a library network takes: ``input_dim`` of a conv net,
    (``input_size``,) of a fully connected one; None when the network does not say."""
    if network.input_dim is not None:
        return tuple(network.input_dim)
    if network.input_size is not None:
        return (int(network.input_size),)
    return None


def summary(network: Network, input_shape: Sequence[int] | int | None = None,
            print_fn: Any = print) -> str:
    """Print (with ``print_fn``) and return a table of ``network``'s layers: name, type,
    output shape for a batch of N samples of ``input_shape`` (one sample's shape, e.g.
    (784,) or (1, 28, 28); by default the network's own), and parameter count; then
    the total number of parameters, their dtype and memory.

    The shapes come from a forward pass (inference mode) on one sample of zeros. If a
    layer rejects its input, the table so far is printed with the layer's error, and
    that ValueError is raised.
    """
    network = copy.deepcopy(network)  # a pass on the network would move a carried state
    shape = default_input_shape(network) if input_shape is None else input_shape
    if shape is None:
        raise ValueError("summary needs input_shape, the shape of one sample, e.g. (784,)")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    first = next(iter(network.layers.values()), None)
    dtype = np.int64 if first is not None and first.takes_ids else (
        network.dtype or np.float32)
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
    if failure is None:
        rows.append(("(loss)", type(network.last_layer).__name__, "a number", ""))
    params = list(network.params.values())
    buffers = list(network.buffers.values())
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
