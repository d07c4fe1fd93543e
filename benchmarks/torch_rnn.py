"""Our recurrent time layers against PyTorch's ``torch.nn.RNN``, ``LSTM`` and ``GRU``
(PyTorch is optional: import only after ``benchmarks.torch_mlp.torch_available()``).

``torch_twin`` builds the PyTorch module (``batch_first=True``) holding the same weights
as one of our layers, and ``compare_with_torch`` runs both on the same random data and
returns the largest differences of the outputs and of every gradient. What maps to what:

- PyTorch keeps weights as (out, in): ``weight_ih_l0`` is our Wxᵀ, ``weight_hh_l0`` Whᵀ;
- it has two biases, ``bias_ih_l0 + bias_hh_l0`` where the RNN and the LSTM have one b
  (the comparison splits b into two random parts; each has our db as its gradient); the
  GRU has the two biases as we do (bx, bh), because bh sits inside r ⊙ (h·Wh + bh);
- its LSTM gate blocks are i, f, g, o; ours are the book's f, g, i, o;
- the initial state is (layers·directions, N, H): h0[0] is our ``set_state(h, c)``.

    OPENBLAS_NUM_THREADS=1 python -m benchmarks.torch_rnn   # differences, then speed
"""

from __future__ import annotations

from typing import Any

import numpy as np

from common.layers.gru import TimeGRU
from common.layers.lstm import TimeBiLSTM, TimeLSTM
from common.layers.recurrent import TimeRNN

#: Our LSTM column blocks (f, g, i, o) in PyTorch's row order (i, f, g, o).
TORCH_LSTM_ORDER = (2, 0, 1, 3)

KINDS = ("rnn", "lstm", "gru", "bilstm")


def to_torch_lstm(a: np.ndarray) -> np.ndarray:
    """Our LSTM weight (·, 4H) or bias (4H,), blocks f, g, i, o, in PyTorch's layout:
    (4H, ·) or (4H,), blocks i, f, g, o."""
    blocks = np.split(a, 4, axis=-1)
    return np.concatenate([blocks[k] for k in TORCH_LSTM_ORDER], axis=-1).T


def from_torch_lstm(a: np.ndarray) -> np.ndarray:
    """The inverse of ``to_torch_lstm``: PyTorch's (4H, ·) or (4H,) to our (·, 4H)."""
    blocks = np.split(a.T, 4, axis=-1)
    ours = [None] * 4
    for position, k in enumerate(TORCH_LSTM_ORDER):
        ours[k] = blocks[position]
    return np.concatenate(ours, axis=-1)


def our_layer(kind: str, d: int, h: int, rng: np.random.Generator,
              dtype: np.dtype = np.float32) -> Any:
    """A TimeRNN / TimeLSTM / TimeGRU / TimeBiLSTM with random weights of ``dtype``."""
    def w(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(dtype)

    if kind == "rnn":
        return TimeRNN(w(d, h), w(h, h), w(h))
    if kind == "lstm":
        return TimeLSTM(w(d, 4 * h), w(h, 4 * h), w(4 * h))
    if kind == "gru":
        return TimeGRU(w(d, 3 * h), w(h, 3 * h), w(3 * h), w(3 * h))
    if kind == "bilstm":
        return TimeBiLSTM(w(d, 4 * h), w(h, 4 * h), w(4 * h), w(d, 4 * h), w(h, 4 * h),
                          w(4 * h))
    raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")


def torch_twin(layer: Any, rng: np.random.Generator | None = None) -> Any:
    """The ``torch.nn`` module (batch_first) computing what ``layer`` computes, with copies
    of its weights; where PyTorch has two biases for our one, ``bias_hh`` is drawn from
    ``rng`` (zeros without one) and ``bias_ih`` = b - bias_hh."""
    import torch

    cells = layer.layers.values() if isinstance(layer, TimeBiLSTM) else [layer]
    first = next(iter(cells))
    d, h = first.Wx.shape[0], first.hidden_size
    dtype = {np.float32: torch.float32, np.float64: torch.float64}[first.Wx.dtype.type]
    module = {TimeRNN: torch.nn.RNN, TimeLSTM: torch.nn.LSTM, TimeGRU: torch.nn.GRU,
              TimeBiLSTM: torch.nn.LSTM}[type(layer)](
        d, h, batch_first=True, bidirectional=isinstance(layer, TimeBiLSTM), dtype=dtype)
    lstm = isinstance(layer, (TimeLSTM, TimeBiLSTM))
    layout = to_torch_lstm if lstm else np.transpose
    for suffix, cell in zip(("_l0", "_l0_reverse"), cells, strict=False):
        if isinstance(cell, TimeGRU):
            b_ih, b_hh = cell.bx, cell.bh
        else:
            b_hh = (np.zeros_like(cell.b) if rng is None
                    else rng.standard_normal(cell.b.shape).astype(cell.b.dtype))
            b_ih = cell.b - b_hh
        values = {"weight_ih": cell.Wx, "weight_hh": cell.Wh, "bias_ih": b_ih, "bias_hh": b_hh}
        with torch.no_grad():
            for name, value in values.items():
                getattr(module, name + suffix).copy_(torch.from_numpy(np.array(layout(value))))
    return module


def compare_with_torch(kind: str = "lstm", n: int = 4, t: int = 9, d: int = 5, h: int = 7,
                       dtype: np.dtype = np.float32, seed: int = 0) -> dict[str, float]:
    """Run our layer and its PyTorch twin on the same random xs (N, T, D) and initial state,
    backpropagate the same random gradient of the outputs, and return, for the outputs
    ``hs``, the last state ``h_T`` (``c_T``), and the gradients of ``xs``, of every weight
    and bias and of the initial state (``h0``, ``c0``; the bidirectional layer starts from
    zeros), the largest difference relative to the array's size:
    max |ours - PyTorch| / max |PyTorch| (float32 rounding is about 1e-7)."""
    import torch

    rng = np.random.default_rng(seed)
    layer = our_layer(kind, d, h, rng, dtype)
    twin = torch_twin(layer, rng)
    xs = rng.standard_normal((n, t, d)).astype(dtype)
    lstm, bi = kind in ("lstm", "bilstm"), kind == "bilstm"
    states = [] if bi else [rng.standard_normal((n, h)).astype(dtype)
                            for _ in range(2 if lstm else 1)]
    if states:
        layer.set_state(*states)
    hs = layer.forward(xs)
    dhs = rng.standard_normal(hs.shape).astype(dtype)
    dxs = layer.backward(dhs)

    x_t = torch.tensor(xs, requires_grad=True)
    state_t = [torch.tensor(s[np.newaxis], requires_grad=True) for s in states]
    if lstm and state_t:
        out_t, last_t = twin(x_t, tuple(state_t))
    else:
        out_t, last_t = twin(x_t, state_t[0] if state_t else None)
    out_t.backward(torch.tensor(dhs))
    last_t = last_t if isinstance(last_t, tuple) else (last_t,)

    def diff(ours: np.ndarray, theirs: Any) -> float:
        theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
        assert np.shape(ours) == np.shape(theirs), (np.shape(ours), np.shape(theirs))
        return float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-30))

    diffs = {"hs": diff(hs, out_t), "dxs": diff(dxs, x_t.grad)}
    cells = dict(layer.layers) if bi else {"": layer}
    for (prefix, cell), suffix in zip(cells.items(), ("_l0", "_l0_reverse"), strict=False):
        grad = {name: getattr(twin, name + suffix).grad.numpy()
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        layout = from_torch_lstm if lstm else np.transpose
        tag = f"{prefix}." if prefix else ""
        diffs[tag + "dWx"] = diff(cell.dWx, layout(grad["weight_ih"]))
        diffs[tag + "dWh"] = diff(cell.dWh, layout(grad["weight_hh"]))
        if kind == "gru":
            diffs["dbx"] = diff(cell.dbx, grad["bias_ih"])
            diffs["dbh"] = diff(cell.dbh, grad["bias_hh"])
        else:  # one bias of ours is the sum of PyTorch's two: each gets our db
            diffs[tag + "db"] = max(diff(cell.db, layout(grad["bias_ih"])),
                                    diff(cell.db, layout(grad["bias_hh"])))
        if not bi:
            diffs["h_T"] = diff(cell.h, last_t[0][0])
            diffs["dh0"] = diff(cell.dh, state_t[0].grad[0])
            if lstm:
                diffs["c_T"] = diff(cell.c, last_t[1][0])
                diffs["dc0"] = diff(cell.dc, state_t[1].grad[0])
    return diffs


def layer_speed(kind: str = "lstm", n: int = 20, t: int = 35, d: int = 100, h: int = 100,
                runs: int = 5, repeats: int = 20, threads: int | None = 1,
                seed: int = 0) -> dict[str, float]:
    """Seconds of one forward and backward pass (float32) of our layer and of its PyTorch
    twin on the same data, measured interleaved: ``runs`` rounds, each timing ``repeats``
    passes of ours, then of PyTorch's (after an untimed warm-up pass each). ``threads``
    sets PyTorch's thread count (ours follow BLAS: run with OPENBLAS_NUM_THREADS=1 to
    compare one thread with one). Returns the medians over the rounds, ``ours`` and
    ``torch`` (wall clock) and ``ours_cpu``, ``torch_cpu`` (CPU time of the process, the
    steadier one on a busy machine), and ``ratio`` and ``cpu_ratio`` (ours / PyTorch)."""
    import time

    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    layer = our_layer(kind, d, h, rng)
    twin = torch_twin(layer)
    xs = rng.standard_normal((n, t, d)).astype(np.float32)
    dhs = rng.standard_normal((n, t, 2 * h if kind == "bilstm" else h)).astype(np.float32)
    x_t, dhs_t = torch.tensor(xs, requires_grad=True), torch.tensor(dhs)

    def ours() -> None:
        layer.forward(xs)
        layer.backward(dhs)

    def theirs() -> None:
        twin(x_t)[0].backward(dhs_t)

    wall: dict[str, list[float]] = {"ours": [], "torch": []}
    cpu: dict[str, list[float]] = {"ours": [], "torch": []}
    for _ in range(runs):
        for name, run in (("ours", ours), ("torch", theirs)):
            time.sleep(0.3)  # let the other side's worker threads go to sleep
            run()
            start, cpu_start = time.perf_counter(), time.process_time()
            for _ in range(repeats):
                run()
            wall[name].append((time.perf_counter() - start) / repeats)
            cpu[name].append((time.process_time() - cpu_start) / repeats)
    result = {name: float(np.median(values)) for name, values in wall.items()}
    result.update({f"{name}_cpu": float(np.median(values)) for name, values in cpu.items()})
    result["ratio"] = result["ours"] / result["torch"]
    result["cpu_ratio"] = result["ours_cpu"] / result["torch_cpu"]
    return result


def main() -> None:
    """Print the largest relative difference per layer and dtype, at the size of the
    benchmark's language model (N = 20, T = 35, D = H = 100)."""
    from benchmarks.torch_mlp import torch_available

    if not torch_available():
        print("PyTorch is not installed: nothing to compare")
        return
    for dtype in (np.float32, np.float64):
        for kind in KINDS:
            diffs = compare_with_torch(kind, n=20, t=35, d=100, h=100, dtype=dtype)
            worst = max(diffs, key=diffs.get)
            print(f"{kind:7s} {np.dtype(dtype).name}: largest relative difference "
                  f"{diffs[worst]:.1e} ({worst}); outputs {diffs['hs']:.1e}")
    print("forward + backward, float32, N = 20, T = 35, D = H = 100, PyTorch on one thread "
          "(medians of 5 interleaved rounds; CPU time in brackets):")
    for kind in KINDS:
        speed = layer_speed(kind)
        print(f"{kind:7s} ours {1e3 * speed['ours']:.2f} ms ({1e3 * speed['ours_cpu']:.2f}), "
              f"PyTorch {1e3 * speed['torch']:.2f} ms ({1e3 * speed['torch_cpu']:.2f}): "
              f"{speed['ratio']:.2f}x ({speed['cpu_ratio']:.2f}x)")


if __name__ == "__main__":
    main()
