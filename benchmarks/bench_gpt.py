"""Benchmark: a training iteration of the reference GPT, and where its time goes.

    python -m benchmarks.bench_gpt [--iterations 20] [--repeat 5] [--no-torch]

The reference configuration (nanoGPT's CPU run on tiny Shakespeare): 4 blocks, 4 heads,
width 128, context 64, batch 12, a vocabulary of 65, float32; an iteration is the
forward and backward pass (``net.gradient``), ``clip_grads`` at 1.0 and an AdamW step
(lr 1e-3, β 0.9/0.99, weight decay 0.1), on random ids (the speed does not depend on
the text). Prints the per-layer profile (median forward and backward time of every
layer, inner layers of the residual blocks included, summed by kind), then the median
iteration time of ours and, with PyTorch installed, of the same model in PyTorch on
the same batches from the same weights, run interleaved, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.timing import summary
from common.nets.gpt import GPT
from common.optim import AdamW, clip_grads

#: The model, batch and training settings of the reference run.
CONFIG = {"vocab_size": 65, "context": 64, "dim": 128, "num_layers": 4, "num_heads": 4}
BATCH_SIZE = 12
SETTINGS = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.1, "max_norm": 1.0}
#: The kinds of the profile, by layer class, in the order they are shown.
KINDS = {"Embedding": "embeddings", "PositionalEmbedding": "embeddings",
         "LayerNorm": "layer norm", "CausalSelfAttention": "attention",
         "TimeAffine": "MLP and head products", "GELU": "GELU", "Residual": "residual sums",
         "TimeSoftmaxWithLoss": "loss"}


def make_gpt(seed: int = 0, **sizes: int) -> GPT:
    """The benchmark GPT (the reference configuration unless ``sizes`` say otherwise)."""
    return GPT(**{**CONFIG, **sizes}, seed=seed)


def gpt_batches(count: int, batch_size: int = BATCH_SIZE, seed: int = 0,
                vocab_size: int = CONFIG["vocab_size"], context: int = CONFIG["context"]
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` random (ids, targets) batches, each (batch_size, context) int64."""
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, vocab_size, (batch_size, context)),
             rng.integers(0, vocab_size, (batch_size, context))) for _ in range(count)]


def make_optimizer() -> AdamW:
    """AdamW of the reference run (decay on the parameters of two or more dimensions)."""
    return AdamW(lr=SETTINGS["lr"], beta1=SETTINGS["beta1"], beta2=SETTINGS["beta2"],
                 weight_decay=SETTINGS["weight_decay"])


def gpt_runner(net: GPT) -> Callable[[Sequence[tuple[np.ndarray, np.ndarray]]], float]:
    """A function ``run(batches) -> seconds`` training ``net`` on the batches: gradient,
    clipping, AdamW step, as ``python -m ch_gpt`` does."""
    optimizer = make_optimizer()

    def run(batches: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
        start = time.perf_counter()
        for x, t in batches:
            grads = net.gradient(x, t)
            clip_grads(grads, SETTINGS["max_norm"])
            optimizer.update(net.params, grads)
        return time.perf_counter() - start

    return run


def _leaves(layers: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(name, layer) of every layer, the inner layers of containers after the container."""
    found = []
    for name, layer in layers.items():
        found.append((prefix + name, layer))
        if hasattr(getattr(layer, "layers", None), "items"):
            found.extend(_leaves(layer.layers, f"{prefix}{name}."))
    return found


def profile_gpt(net: GPT, batches: Sequence[tuple[np.ndarray, np.ndarray]],
                warmup: int = 2, clock: Callable[[], float] = time.perf_counter
                ) -> dict[str, Any]:
    """Per-layer times of training iterations of ``net`` on ``batches`` (the first
    ``warmup`` untimed): each layer's forward and backward (a container's own time is
    its sum x + f(x) and the identity path, its inner layers' times excluded), the
    loss, the clipping and the AdamW step. Returns medians in seconds: ``layers`` (one
    dict per layer), ``kinds`` (sums by kind of layer), ``median_s``/``min_s``/``max_s``
    of the whole iteration. ``clock`` is the wall clock; ``time.process_time`` (the CPU
    time of the process) is steadier on a busy machine when BLAS runs one thread."""
    timed = {"on": False}
    samples: dict[tuple[str, str], list[float]] = {}
    originals = []
    layers = [*_leaves(net.layers), ("loss", net.last_layer)]
    for name, layer in layers:
        for method in ("forward", "backward"):
            original = getattr(layer, method)
            key = (name, method)
            samples[key] = []

            def wrapper(*args: Any, _original: Any = original, _key: Any = key,
                        **kwargs: Any) -> Any:
                start = clock()
                result = _original(*args, **kwargs)
                if timed["on"]:
                    samples[_key].append(clock() - start)
                return result

            originals.append((layer, method))
            setattr(layer, method, wrapper)  # an instance attribute: the class is untouched
    optimizer = make_optimizer()
    clip, update, totals = [], [], []
    try:
        for i, (x, t) in enumerate(batches):
            timed["on"] = i >= warmup
            begin = clock()
            grads = net.gradient(x, t)
            lap = clock()
            clip_grads(grads, SETTINGS["max_norm"])
            lap2 = clock()
            optimizer.update(net.params, grads)
            end = clock()
            if timed["on"]:
                clip.append(lap2 - lap)
                update.append(end - lap2)
                totals.append(end - begin)
    finally:
        for layer, method in originals:
            delattr(layer, method)
    if not totals:
        raise ValueError(f"profile_gpt needs more than {warmup} batches (the warm-up)")
    rows = []
    for name, layer in layers:
        own = {method: statistics.median(samples[(name, method)])
               for method in ("forward", "backward")}  # one call per iteration each
        rows.append({"layer": name, "type": type(layer).__name__,
                     "forward_s": own["forward"], "backward_s": own["backward"]})
    # a container's time includes its inner layers': keep only its own share
    by_name = {r["layer"]: r for r in rows}
    for name, layer in layers:
        if hasattr(getattr(layer, "layers", None), "items"):
            for method in ("forward_s", "backward_s"):
                by_name[name][method] -= sum(by_name[f"{name}.{inner}"][method]
                                             for inner in layer.layers)
    kinds: dict[str, float] = {}
    for r in rows:
        kind = KINDS.get(r["type"], "other")
        kinds[kind] = kinds.get(kind, 0.0) + r["forward_s"] + r["backward_s"]
    kinds["clip_grads"] = statistics.median(clip)
    kinds["AdamW"] = statistics.median(update)
    return {"layers": rows, "kinds": kinds, "median_s": statistics.median(totals),
            "min_s": min(totals), "max_s": max(totals), "iterations": len(totals)}


def print_gpt_profile(title: str, profile: dict[str, Any]) -> None:
    """The profile as a table of layers, then the sums by kind."""
    print(title)
    print(f"{'layer':<22} {'type':<20} {'forward ms':>10} {'backward ms':>11}")
    for r in profile["layers"]:
        print(f"{r['layer']:<22} {r['type']:<20} {1e3 * r['forward_s']:10.3f} "
              f"{1e3 * r['backward_s']:11.3f}")
    total = sum(profile["kinds"].values())
    for kind, seconds in sorted(profile["kinds"].items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<24} {1e3 * seconds:8.2f} ms  {100 * seconds / total:5.1f}%")
    print(f"  {'sum of the parts':<24} {1e3 * total:8.2f} ms; iteration median "
          f"{1e3 * profile['median_s']:.2f} ms [{1e3 * profile['min_s']:.2f} .. "
          f"{1e3 * profile['max_s']:.2f}]", flush=True)


def gpt_case(repeat: int, iterations: int, use_torch: bool, seed: int = 0,
             **sizes: int) -> dict[str, Any]:
    """Seconds per training iteration of our GPT and, when ``use_torch``, of its PyTorch
    copy (same initial weights, same batches), interleaved: each of ``repeat`` rounds
    (after a warm-up round) trains each of them ``iterations`` iterations. Medians,
    min, max of the per-iteration time of the rounds; ``ratio_vs_torch`` of the medians;
    ``cpu_median_s`` and ``cpu_ratio_vs_torch``, the same in CPU time of the process (all
    its threads: with one BLAS and PyTorch thread it is the work done, whatever the
    machine's other load); ``torch_check``, the first loss and gradients of both compared."""
    net = make_gpt(seed, **sizes)
    context = sizes.get("context", CONFIG["context"])
    vocab = sizes.get("vocab_size", CONFIG["vocab_size"])
    batches = gpt_batches((repeat + 1) * iterations, seed=seed, context=context,
                          vocab_size=vocab)
    runners: dict[str, Callable[[Sequence[tuple[np.ndarray, np.ndarray]]], float]] = {}
    shape = {**CONFIG, **sizes}
    name = (f"gpt iteration ({shape['num_layers']}x{shape['dim']}, T={shape['context']}, "
            f"batch {BATCH_SIZE})")
    result: dict[str, Any] = {"case": name, "data": "random ids", "iterations": iterations}
    if use_torch:
        from benchmarks.torch_gpt import check_equivalence, torch_gpt_runner

        result["torch_check"] = check_equivalence(make_gpt(seed, **sizes), *batches[0])
        runners["torch"] = torch_gpt_runner(net, SETTINGS)  # copies the initial weights
    runners["ours"] = gpt_runner(net)
    times: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    for i in range(repeat + 1):  # round 0 warms up caches, allocations, optimizer state
        chunk = batches[i * iterations:(i + 1) * iterations]
        for name, run in runners.items():
            time.sleep(0.3)  # let the BLAS and PyTorch worker threads go to sleep
            cpu_start = time.process_time()
            seconds = run(chunk) / iterations
            if i:
                times[name].append(seconds)
                cpu[name].append((time.process_time() - cpu_start) / iterations)
    for name in runners:
        key = {"ours": "", "torch": "torch"}[name]
        entry = {**summary(times[name]), "cpu_median_s": statistics.median(cpu[name])}
        if key:
            result[key] = entry
        else:
            result.update(entry)
    result["target"] = {"ratio_vs_torch": 1.0}
    if use_torch:
        result["ratio_vs_torch"] = result["median_s"] / result["torch"]["median_s"]
        result["cpu_ratio_vs_torch"] = result["cpu_median_s"] / result["torch"]["cpu_median_s"]
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the profile and the side-by-side timing; returns 0."""
    from benchmarks.torch_mlp import torch_available

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_gpt",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20,
                        help="iterations per round and per profile (default 20)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile")
    parser.add_argument("--cpu-clock", action="store_true",
                        help="profile in CPU time (time.process_time): steadier on a busy "
                             "machine, meaningful with one BLAS thread (OPENBLAS_NUM_THREADS=1)")
    args = parser.parse_args(argv)
    if not args.no_profile:
        clock = time.process_time if args.cpu_clock else time.perf_counter
        profile = profile_gpt(make_gpt(0), gpt_batches(args.iterations + 2, seed=1),
                              clock=clock)
        print_gpt_profile(f"profile of a training iteration (float32, batch 12, "
                          f"{'CPU' if args.cpu_clock else 'wall'} time)", profile)
    use_torch = torch_available() and not args.no_torch
    r = gpt_case(args.repeat, args.iterations, use_torch)
    line = f"{r['case']}: ours median {1e3 * r['median_s']:.1f} ms " \
           f"[{1e3 * r['min_s']:.1f} .. {1e3 * r['max_s']:.1f}]"
    if use_torch:
        c = r["torch_check"]
        print(f"first iteration vs PyTorch: loss {c['loss']:.6f} vs {c['loss_torch']:.6f}, "
              f"gradients' max relative difference {c['grad_rel_diff']:.1e}")
        line += (f"  torch {1e3 * r['torch']['median_s']:.1f} ms "
                 f"[{1e3 * r['torch']['min_s']:.1f} .. {1e3 * r['torch']['max_s']:.1f}]"
                 f"  ours/torch {r['ratio_vs_torch']:.2f}; CPU time ours "
                 f"{1e3 * r['cpu_median_s']:.1f} ms, torch {1e3 * r['torch']['cpu_median_s']:.1f}"
                 f" ms, ours/torch {r['cpu_ratio_vs_torch']:.2f}")
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
