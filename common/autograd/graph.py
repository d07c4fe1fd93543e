"""Pictures of a computational graph, and files fetched on request (the third book's
``dezero.utils`` helpers that are not array maths).

``get_dot_graph(y)`` is the Graphviz DOT text of the graph that made ``y``: every Variable
an orange ellipse (its name, and with ``verbose`` its shape and dtype), every Function a
blue box (its class name), arrows from inputs to functions to outputs.
``plot_dot_graph(y, to_file='graph.png')`` writes that text to ``graph.dot`` beside the
image and runs Graphviz's ``dot`` to draw it; without ``dot`` (``apt install graphviz``)
it keeps the ``.dot`` file and says how to render it.

``get_file(url)`` downloads a file into ``~/.dezero`` once and returns its path: only when
called, never at import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from common.autograd.core import Variable
from common.fileio import atomic_write

#: Where ``get_file`` keeps what it downloads (the book's cache folder).
cache_dir = os.path.join(os.path.expanduser("~"), ".dezero")


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_var(v: Any, verbose: bool = False) -> str:
    """The DOT node of Variable ``v``: its name, and its shape and dtype when ``verbose``."""
    label = "" if v.name is None else str(v.name)
    if verbose and v.data is not None:
        label += (": " if v.name is not None else "") + f"{v.shape} {v.dtype}"
    return f'{id(v)} [label="{_quote(label)}", color=orange, style=filled]\n'


def _dot_func(f: Any) -> str:
    """The DOT node of Function ``f`` and its edges: inputs -> f -> outputs (still alive)."""
    lines = [f'{id(f)} [label="{_quote(type(f).__name__)}", color=lightblue, style=filled, '
             'shape=box]\n']
    lines += [f"{id(x)} -> {id(f)}\n" for x in f.inputs]
    outputs = (ref() for ref in f.outputs)
    lines += [f"{id(f)} -> {id(y)}\n" for y in outputs if y is not None]
    return "".join(lines)


def get_dot_graph(output: Any, verbose: bool = True) -> str:
    """The DOT text ('digraph g {...}') of the graph behind Variable ``output``: each
    variable and function once, walking back from ``output`` through the creators."""
    if not isinstance(output, Variable):
        raise TypeError(f"get_dot_graph needs a Variable (the output of a computation), got "
                        f"{type(output).__name__}")
    parts = [_dot_var(output, verbose)]
    seen_vars, seen_funcs = {id(output)}, set()
    funcs = [] if output.creator is None else [output.creator]
    while funcs:
        f = funcs.pop()
        if id(f) in seen_funcs:
            continue
        seen_funcs.add(id(f))
        parts.append(_dot_func(f))
        for x in f.inputs:
            if id(x) not in seen_vars:
                seen_vars.add(id(x))
                parts.append(_dot_var(x, verbose))
            if x.creator is not None and id(x.creator) not in seen_funcs:
                funcs.append(x.creator)
    return "digraph g {\n" + "".join(parts) + "}"


def render_hint(dot_path: str | os.PathLike, to_file: str | os.PathLike) -> str:
    """What to do to draw ``dot_path`` without Graphviz installed."""
    fmt = Path(to_file).suffix.lstrip(".") or "png"
    return (f"Graphviz's dot was not found, so only the DOT text was written: {dot_path}. "
            f"To draw it, install graphviz (apt install graphviz, brew install graphviz or "
            f"conda install graphviz) or run: dot {dot_path} -T {fmt} -o {to_file}")


def write_dot(dot_text: str, to_file: str | os.PathLike) -> Any:
    """Write ``dot_text`` beside ``to_file`` (same name, .dot) and draw ``to_file`` with
    Graphviz. Returns the image path (an IPython Image in a notebook), or the .dot path with
    a printed message when Graphviz is missing."""
    to_file = Path(to_file)
    dot_path = to_file.with_suffix(".dot")
    with atomic_write(dot_path, "w") as f:
        f.write(dot_text)
    if to_file.suffix in ("", ".dot"):
        return str(dot_path)
    dot = shutil.which("dot")
    if dot is None:
        print(render_hint(dot_path, to_file), flush=True)
        return str(dot_path)
    fd, tmp = tempfile.mkstemp(dir=to_file.parent, prefix=f".{to_file.name}.",
                               suffix=to_file.suffix)
    os.close(fd)
    try:
        done = subprocess.run([dot, str(dot_path), "-T", to_file.suffix[1:], "-o", tmp],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz's dot could not draw {dot_path} as "
                               f"{to_file.suffix[1:]}: {done.stderr.strip()}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, to_file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return _shown(to_file)


def _shown(path: Path) -> Any:
    """An IPython Image of ``path`` inside a notebook (displayed inline), else the path."""
    try:
        from IPython import get_ipython
        from IPython.display import Image
    except ImportError:
        return str(path)
    shell = get_ipython()
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return str(path)
    return Image(filename=str(path))


def plot_dot_graph(output: Any, verbose: bool = True, to_file: str = "graph.png") -> Any:
    """Draw the graph behind ``output`` into ``to_file`` (its extension is the format: png,
    svg, pdf) with Graphviz, keeping the DOT text beside it (graph.dot)."""
    return write_dot(get_dot_graph(output, verbose), to_file)


def get_file(url: str, file_name: str | None = None) -> str:
    """The path of ``url``'s file in ``~/.dezero`` (``cache_dir``), downloaded the first time
    (atomically: an interrupted download leaves nothing)."""
    name = file_name or url[url.rfind("/") + 1:]
    if not name:
        raise ValueError(f"get_file: {url!r} does not end in a file name; give file_name=")
    path = os.path.join(cache_dir, name)
    if os.path.exists(path):
        return path
    print(f"Downloading: {name}", flush=True)
    try:
        with urllib.request.urlopen(url) as response, atomic_write(path) as f:
            shutil.copyfileobj(response, f)
    except OSError as err:
        raise OSError(f"get_file: could not download {url} into {path}: {err}; check the "
                      f"address and the network, or put the file there yourself") from None
    print(" Done", flush=True)
    return path
