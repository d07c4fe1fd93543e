"""Benchmark: training steps of the book's convolutional networks, and where their time goes.

    python -m benchmarks.bench_conv [--net simple|deep] [--iterations 20] [--batch-size 100]

Prints a per-layer profile of our training iteration (gradient and Adam update,
float32): the median forward and backward time of every named layer over
``--iterations`` iterations after a warm-up, grouped as convolution forward,
convolution backward, pooling, ReLU, Affine, loss + optimizer. Each layer is timed
around its own ``forward``/``backward`` call in a forward and backward pass written
out as ``Network.gradient`` does it, so nothing in the library is patched.

The suite (``python -m benchmarks``, see benchmarks/suite.py) uses ``conv_data``,
``make_conv_net`` and ``conv_epoch_runner`` for the epoch timings compared with
PyTorch, and ``profile_iterations`` for the ``profile`` case.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.bench_mlp import mlp_data
from common.layers import Affine, Convolution, Dropout, Pooling, Relu
from common.nets.conv import DeepConvNet, SimpleConvNet
from common.nets.network import Network
from common.optim import Adam

#: The networks benchmarked, by the name the suite and the command line use.
NETS = {"simple": SimpleConvNet, "deep": DeepConvNet}
#: Mini-batch size and Adam's learning rate of the benchmark (the book's chapter 7/8 values).
BATCH_SIZE, LR = 100, 0.001
#: The groups of the profile, in the order they are shown.
GROUPS = ("conv forward", "conv backward", "pooling", "relu", "affine", "dropout",
          "loss+optimizer", "other")


def conv_data(n: int = 60000, dtype: Any = np.float32, seed: int = 0
              ) -> tuple[np.ndarray, np.ndarray, str]:
    """Training images (n, 1, 28, 28) in ``dtype`` and labels (n,): MNIST if MNIST_DIR
    is set, random data of the same shape otherwise (the MLP benchmark's data, reshaped)."""
    x, t, source = mlp_data(dtype, n, seed)
    return x.reshape(-1, 1, 28, 28), t, source


def make_conv_net(kind: str, dtype: Any = np.float32, seed: int = 0,
                  use_dropout: bool = True) -> Network:
    """Our SimpleConvNet (``kind='simple'``) or DeepConvNet (``'deep'``) for MNIST, with
    their defaults (DeepConvNet: Dropout 0.5 after the hidden Affine unless
    ``use_dropout=False``)."""
    if kind == "simple":
        return SimpleConvNet(dtype=dtype, seed=seed)
    if kind == "deep":
        return DeepConvNet(use_dropout=use_dropout, dtype=dtype, seed=seed)
    raise ValueError(f"unknown network {kind!r}; choose from {', '.join(NETS)}")


def conv_epoch_runner(network: Network, x: np.ndarray, t: np.ndarray,
                      batch_size: int = BATCH_SIZE, lr: float = LR
                      ) -> Callable[[np.ndarray], float]:
    """A function ``run(order) -> seconds`` that trains ``network`` with Adam(lr) on the
    samples of ``order``, batch by batch: ``network.gradient`` and the update, nothing
    else (no evaluation, no loss bookkeeping), as PyTorch's runner does."""
    optimizer = Adam(lr=lr)

    def run(order: np.ndarray) -> float:
        """Train on the batches of ``order``; returns the seconds it took."""
        start = time.perf_counter()
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            grads = network.gradient(x[idx], t[idx])
            optimizer.update(network.params, grads)
        return time.perf_counter() - start

    return run


def layer_group(layer: Any) -> str:
    """The profile group of a layer: 'conv' (split into forward and backward by the caller),
    'pooling', 'relu', 'affine', 'dropout' or 'other'."""
    for cls, group in ((Convolution, "conv"), (Pooling, "pooling"), (Relu, "relu"),
                       (Affine, "affine"), (Dropout, "dropout")):
        if isinstance(layer, cls):
            return group
    return "other"


def _grad_keys(network: Network) -> list[tuple[str, Any, str]]:
    """(params key, layer, attribute) for every parameter: the layer holding the very array."""
    owners = []
    for key, param in network.params.items():
        for layer in network.layers.values():
            attr = next((a for a in getattr(layer, "param_names", ())
                         if getattr(layer, a) is param), None)
            if attr is not None:
                owners.append((key, layer, attr))
                break
        else:
            raise ValueError(f"no layer of the network holds parameter {key!r}")
    return owners


def profile_iterations(network: Network, x: np.ndarray, t: np.ndarray, iterations: int = 20,
                       warmup: int = 2, batch_size: int = BATCH_SIZE, lr: float = LR,
                       seed: int = 0) -> dict[str, Any]:
    """Per-layer times of training iterations of ``network`` (Adam(lr), random batches).

    Each iteration is the forward pass in training mode, the loss, the backward pass
    through the loss and the layers in reverse, and the update, as ``Network.gradient``
    and the Trainer run them (without weight decay), with every layer's ``forward`` and
    ``backward`` timed on its own. Returns the medians over ``iterations`` iterations
    after ``warmup`` untimed ones, in seconds:

    - ``layers``: one dict per layer, ``{"layer", "type", "forward_s", "backward_s"}``,
      then the loss layer (``"loss"``) and the optimizer (``"update"``, as forward_s);
    - ``groups``: seconds per group of ``GROUPS`` (sums of the layers' medians);
    - ``median_s``, ``min_s``, ``max_s``: of the whole iteration, timed around it.
    """
    if iterations < 1:
        raise ValueError(f"profile_iterations needs at least one iteration; got {iterations}")
    rng = np.random.default_rng(seed)
    optimizer = Adam(lr=lr)
    owners = _grad_keys(network)
    names = list(network.layers)
    forward: dict[str, list[float]] = {name: [] for name in [*names, "loss", "update"]}
    backward: dict[str, list[float]] = {name: [] for name in [*names, "loss"]}
    totals = []
    clock = time.perf_counter
    for it in range(warmup + iterations):
        idx = rng.choice(len(x), batch_size, replace=False)
        x_batch, t_batch = x[idx], t[idx]
        timed = it >= warmup
        begin = clock()
        out = np.asarray(x_batch, dtype=network.dtype)
        for name, layer in network.layers.items():
            start = clock()
            if getattr(layer, "uses_train_flg", False):
                out = layer.forward(out, True)
            else:
                out = layer.forward(out)
            if timed:
                forward[name].append(clock() - start)
        start = clock()
        network.last_layer.forward(out, t_batch)
        lap = clock()
        dout = network.last_layer.backward(1)
        if timed:
            forward["loss"].append(lap - start)
            backward["loss"].append(clock() - lap)
        for name in reversed(names):
            start = clock()
            dout = network.layers[name].backward(dout)
            if timed:
                backward[name].append(clock() - start)
        grads = {key: getattr(layer, "d" + attr) for key, layer, attr in owners}
        start = clock()
        optimizer.update(network.params, grads)
        if timed:
            end = clock()
            forward["update"].append(end - start)
            totals.append(end - begin)

    def median(samples: list[float]) -> float:
        return statistics.median(samples) if samples else 0.0

    layers = []
    groups = dict.fromkeys(GROUPS, 0.0)
    for name, layer in network.layers.items():
        f, b = median(forward[name]), median(backward[name])
        layers.append({"layer": name, "type": type(layer).__name__, "forward_s": f,
                       "backward_s": b})
        group = layer_group(layer)
        if group == "conv":
            groups["conv forward"] += f
            groups["conv backward"] += b
        else:
            groups[group] += f + b
    loss_f, loss_b = median(forward["loss"]), median(backward["loss"])
    update = median(forward["update"])
    layers.append({"layer": "loss", "type": type(network.last_layer).__name__,
                   "forward_s": loss_f, "backward_s": loss_b})
    layers.append({"layer": "update", "type": type(optimizer).__name__, "forward_s": update,
                   "backward_s": 0.0})
    groups["loss+optimizer"] += loss_f + loss_b + update
    return {"median_s": median(totals), "min_s": min(totals), "max_s": max(totals),
            "iterations": iterations, "batch_size": batch_size, "layers": layers,
            "groups": groups}


def print_profile(title: str, profile: dict[str, Any]) -> None:
    """The per-layer table of ``profile_iterations`` (ms), then the groups' times and shares."""
    total = sum(profile["groups"].values())
    print(f"{title}: medians of {profile['iterations']} iterations of batch "
          f"{profile['batch_size']}, ms (iteration {1e3 * profile['median_s']:.1f})")
    print(f"  {'layer':<10} {'type':<18} {'forward':>9} {'backward':>9}")
    for r in profile["layers"]:
        backward = "" if r["layer"] == "update" else f"{1e3 * r['backward_s']:9.2f}"
        print(f"  {r['layer']:<10} {r['type']:<18} {1e3 * r['forward_s']:9.2f} {backward:>9}")
    print(f"  {'group':<29} {'ms':>9} {'share':>9}")
    for group, seconds in profile["groups"].items():
        if seconds > 0:
            print(f"  {group:<29} {1e3 * seconds:9.2f} {100 * seconds / total:8.0f}%")
    print(end="", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Profile the chosen network's training iteration and print the table; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--net", choices=list(NETS), default="simple")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    args = parser.parse_args(argv)
    x, t, source = conv_data(max(args.batch_size, 10000))
    network = make_conv_net(args.net)
    profile = profile_iterations(network, x, t, args.iterations, batch_size=args.batch_size)
    print_profile(f"{type(network).__name__} ({source} data)", profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
