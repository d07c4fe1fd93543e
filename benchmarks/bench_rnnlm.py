"""Benchmark: a training iteration of the book's ``Rnnlm``, where its time goes, and the
perplexity it reaches, against the same model in PyTorch.

    python -m benchmarks.bench_rnnlm [--iterations 20] [--repeat 5] [--no-torch]
    python -m benchmarks.bench_rnnlm --quality [--seeds 0,1,2] [--epochs 4] [--side ours]

Speed: the book's chapter 6 setting (word vectors and hidden state of 100, batch 20,
35 time steps, SGD lr 20, gradients clipped at 0.25) over the vocabulary of word-level
tiny Shakespeare (12,385 words), float32, on sequential batches of its training text.
An iteration is ``forward`` + ``backward``, ``clip_grads`` and the SGD update, the hidden
state carried from batch to batch. Prints the per-layer profile, then the median
iteration time of ours and of the PyTorch copy (``benchmarks.torch_rnnlm``: nn.LSTM, the
same embedding and output layer, cross-entropy, ``clip_grad_norm_``, SGD; the same
initial weights and batches), run interleaved, and their ratio (target <= 1.0).

Quality (``--quality``): for each seed, ours (``ch_rnnlm.training.train_rnnlm``: the
book's ``RnnlmTrainer`` loop with the chapter's validation hooks) and the PyTorch copy
(``TorchRnnlmTrainer``) train from the same initial weights with the recipe of
``python -m ch_rnnlm`` (the validation perplexity after each epoch keeps the best epoch and
divides the learning rate by 4 when an epoch does not improve); then the test perplexity
of each. Medians over the seeds (target: ours <= PyTorch's).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.timing import summary
from ch_rnnlm.training import train_rnnlm
from common.batches import SequentialWindows
from common.cli import write_json
from common.memory import keep_freed_memory
from common.nets.perplexity import eval_perplexity
from common.nets.rnnlm import Rnnlm
from common.optim import SGD, clip_grads

#: The book's chapter 6 Rnnlm setting.
SIZES = {"wordvec_size": 100, "hidden_size": 100}
BATCH_SIZE, TIME_SIZE = 20, 35
SETTINGS = {"lr": 20.0, "max_grad": 0.25}


def word_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Word-level tiny Shakespeare: (train, val, test) id streams and the vocabulary size."""
    from dataset.text import load_words

    train, word_to_id, _ = load_words("train")
    return train, load_words("val")[0], load_words("test")[0], len(word_to_id)


def make_rnnlm(vocab_size: int, seed: int = 0) -> Rnnlm:
    """The benchmark model: the book's Rnnlm sizes over ``vocab_size`` words."""
    return Rnnlm(vocab_size, **SIZES, seed=seed)


def rnnlm_batches(corpus: np.ndarray, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The first ``count`` sequential (ids, targets) batches of ``corpus``, as training
    reads them."""
    xs, ts = corpus[:-1], corpus[1:]
    return [SequentialWindows(xs, ts, BATCH_SIZE, TIME_SIZE).window(i * TIME_SIZE)
            for i in range(count)]


def rnnlm_runner(net: Rnnlm) -> Callable[[Sequence[tuple[np.ndarray, np.ndarray]]], float]:
    """A function ``run(batches) -> seconds`` training ``net`` on the batches as
    ``RnnlmTrainer`` does: forward, backward, clip_grads, SGD (with freed memory kept for
    reuse, as the trainer asks glibc to)."""
    optimizer = SGD(lr=SETTINGS["lr"])
    keep_freed_memory()

    def run(batches: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
        start = time.perf_counter()
        for x, t in batches:
            net.forward(x, t)
            grads = net.backward()
            clip_grads(grads, SETTINGS["max_grad"])
            optimizer.update(net.params, grads)
        return time.perf_counter() - start

    return run


def profile_rnnlm(net: Rnnlm, batches: Sequence[tuple[np.ndarray, np.ndarray]],
                  warmup: int = 2) -> dict[str, Any]:
    """Median seconds of every layer's forward and backward, the loss's, clip_grads' and
    the SGD update's over training iterations on ``batches`` (the first ``warmup`` untimed),
    and of the whole iteration (``median_s``)."""
    parts = [*net.layers.items(), ("loss", net.last_layer)]
    samples: dict[str, list[float]] = {f"{n}.{m}": [] for n, _ in parts
                                       for m in ("forward", "backward")}
    timed = {"on": False}
    for name, layer in parts:
        for method in ("forward", "backward"):
            original = getattr(layer, method)

            def wrapper(*args: Any, _original: Any = original, _key: str = f"{name}.{method}",
                        **kwargs: Any) -> Any:
                start = time.perf_counter()
                result = _original(*args, **kwargs)
                if timed["on"]:
                    samples[_key].append(time.perf_counter() - start)
                return result

            setattr(layer, method, wrapper)  # an instance attribute: the class is untouched
    optimizer = SGD(lr=SETTINGS["lr"])
    clip, update, totals = [], [], []
    try:
        for i, (x, t) in enumerate(batches):
            timed["on"] = i >= warmup
            begin = time.perf_counter()
            net.forward(x, t)
            grads = net.backward()
            lap = time.perf_counter()
            clip_grads(grads, SETTINGS["max_grad"])
            lap2 = time.perf_counter()
            optimizer.update(net.params, grads)
            end = time.perf_counter()
            if timed["on"]:
                clip.append(lap2 - lap)
                update.append(end - lap2)
                totals.append(end - begin)
    finally:
        for _, layer in parts:
            for method in ("forward", "backward"):
                delattr(layer, method)
    if not totals:
        raise ValueError(f"profile_rnnlm needs more than {warmup} batches (the warm-up)")
    rows = {key: statistics.median(values) for key, values in samples.items()}
    rows["clip_grads"] = statistics.median(clip)
    rows["SGD update"] = statistics.median(update)
    return {"parts": rows, "median_s": statistics.median(totals)}


def print_profile(profile: dict[str, Any]) -> None:
    """The profile as one line per part, largest first, with its share."""
    total = sum(profile["parts"].values())
    for part, seconds in sorted(profile["parts"].items(), key=lambda kv: -kv[1]):
        print(f"  {part:<20} {1e3 * seconds:8.2f} ms  {100 * seconds / total:5.1f}%")
    print(f"  {'sum of the parts':<20} {1e3 * total:8.2f} ms; iteration median "
          f"{1e3 * profile['median_s']:.2f} ms", flush=True)


def rnnlm_case(repeat: int, iterations: int, use_torch: bool, seed: int = 0
               ) -> dict[str, Any]:
    """Seconds per training iteration of our Rnnlm and, when ``use_torch``, of its PyTorch
    copy (same initial weights, same batches), interleaved: each of ``repeat`` rounds (after
    a warm-up round) trains each of them ``iterations`` iterations. Medians, min and max of
    the rounds, ``ratio_vs_torch`` of the medians, ``cpu_ratio_vs_torch`` of the medians of
    CPU time, and ``torch_check`` (first loss and gradients compared)."""
    train, _, _, vocab = word_data()
    net = make_rnnlm(vocab, seed)
    batches = rnnlm_batches(train, (repeat + 1) * iterations)
    name = (f"rnnlm iteration (LSTM {SIZES['hidden_size']}, V={vocab}, batch {BATCH_SIZE}x"
            f"{TIME_SIZE})")
    result: dict[str, Any] = {"case": name, "data": "word-level tiny Shakespeare",
                              "iterations": iterations}
    runners: dict[str, Callable[[Sequence[tuple[np.ndarray, np.ndarray]]], float]] = {}
    if use_torch:
        from benchmarks.torch_rnnlm import check_equivalence, torch_rnnlm_runner

        result["torch_check"] = check_equivalence(make_rnnlm(vocab, seed), *batches[0])
        runners["torch"] = torch_rnnlm_runner(net, SETTINGS["lr"], SETTINGS["max_grad"])
    runners["ours"] = rnnlm_runner(net)
    times: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    for i in range(repeat + 1):  # round 0 warms up caches and allocations
        chunk = batches[i * iterations:(i + 1) * iterations]
        for key, run in runners.items():
            time.sleep(0.3)  # let the BLAS and PyTorch worker threads go to sleep
            cpu_start = time.process_time()
            seconds = run(chunk) / iterations
            if i:
                times[key].append(seconds)
                cpu[key].append((time.process_time() - cpu_start) / iterations)
    for key in runners:
        entry = {**summary(times[key]), "cpu_median_s": statistics.median(cpu[key])}
        if key == "torch":
            result["torch"] = entry
        else:
            result.update(entry)
    result["target"] = {"ratio_vs_torch": 1.0}
    if use_torch:
        result["ratio_vs_torch"] = result["median_s"] / result["torch"]["median_s"]
        result["cpu_ratio_vs_torch"] = result["cpu_median_s"] / result["torch"]["cpu_median_s"]
    return result


def quality_case(seeds: Sequence[int], epochs: int, lr: float = SETTINGS["lr"],
                 max_grad: float = SETTINGS["max_grad"],
                 sides: Sequence[str] = ("ours", "torch")) -> dict[str, Any]:
    """Test perplexity of ours and of the PyTorch copy, trained alike from the same initial
    weights for each seed (see the module docstring); medians over the seeds. ``sides``:
    which of the two to train (each can run in its own process, at the same time)."""
    if "torch" in sides:
        from benchmarks.torch_rnnlm import TorchRnnlmTrainer, torch_eval_perplexity, torch_rnnlm
    train, val, test, vocab = word_data()
    runs = []
    for seed in seeds:
        run: dict[str, Any] = {"seed": seed}
        net = make_rnnlm(vocab, seed)
        # PyTorch's copy takes the initial weights before ours trains
        model = torch_rnnlm(net) if "torch" in sides else None
        if "ours" in sides:
            start = time.perf_counter()
            ours = train_rnnlm(net, SGD(lr=lr), train, val, epochs=epochs,
                               batch_size=BATCH_SIZE, time_size=TIME_SIZE, max_grad=max_grad,
                               eval_interval=None, verbose=False)  # ends with the best epoch
            run["ours"] = {"test_ppl": eval_perplexity(net, test),
                           "val_ppl": ours.curves()["val_ppl"],
                           "best_epoch": ours.validation.best_at,
                           "seconds": time.perf_counter() - start}
        if "torch" in sides:
            start = time.perf_counter()
            theirs = TorchRnnlmTrainer(model, lr)
            theirs.fit(train[:-1], train[1:], epochs, BATCH_SIZE, TIME_SIZE, max_grad, val)
            theirs.use_best()
            run["torch"] = {"test_ppl": torch_eval_perplexity(model, test),
                            "val_ppl": theirs.val_ppl_list, "best_epoch": theirs.best_epoch,
                            "seconds": time.perf_counter() - start}
        print(f"seed {seed}: " + "; ".join(
            f"{side} test perplexity {r['test_ppl']:.2f} (validation "
            f"{', '.join(f'{p:.1f}' for p in r['val_ppl'])}, best "
            f"epoch {r['best_epoch']}, {r['seconds']:.0f} s)"
            for side, r in run.items() if side != "seed"), flush=True)
        runs.append(run)
    result: dict[str, Any] = {"case": f"rnnlm test perplexity ({epochs} epochs, seeds "
                                      f"{list(seeds)})", "runs": runs}
    for side in sides:
        result[f"{side}_median_test_ppl"] = statistics.median(r[side]["test_ppl"] for r in runs)
    if len(sides) == 2:
        result["met"] = result["ours_median_test_ppl"] <= result["torch_median_test_ppl"]
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the profile and the side-by-side timing (or, with --quality, the perplexities);
    returns 0."""
    from benchmarks.torch_mlp import torch_available

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_rnnlm",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20,
                        help="iterations per round and per profile (default 20)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--no-profile", action="store_true", help="skip the profile")
    parser.add_argument("--quality", action="store_true",
                        help="train ours and PyTorch's to compare test perplexities instead")
    parser.add_argument("--seeds", default="0,1,2", help="seeds of --quality (default 0,1,2)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of --quality (default 4)")
    parser.add_argument("--side", choices=("ours", "torch", "both"), default="both",
                        help="--quality trains ours, PyTorch's or both (default both)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.quality:
        sides = ("ours", "torch") if args.side == "both" else (args.side,)
        r = quality_case([int(s) for s in args.seeds.split(",")], args.epochs, sides=sides)
        medians = ", ".join(f"{side} {r[f'{side}_median_test_ppl']:.2f}" for side in sides)
        verdict = ("" if "met" not in r else
                   f" [target ours <= PyTorch: {'met' if r['met'] else 'NOT met'}]")
        print(f"{r['case']}: median test perplexity {medians}{verdict}")
        if args.json:
            write_json(args.json, r)
        return 0
    if not args.no_profile:
        train, _, _, vocab = word_data()
        profile = profile_rnnlm(make_rnnlm(vocab), rnnlm_batches(train, args.iterations + 2))
        print("profile of a training iteration (float32, wall time):")
        print_profile(profile)
    use_torch = torch_available() and not args.no_torch
    r = rnnlm_case(args.repeat, args.iterations, use_torch)
    line = (f"{r['case']}: ours median {1e3 * r['median_s']:.1f} ms "
            f"[{1e3 * r['min_s']:.1f} .. {1e3 * r['max_s']:.1f}]")
    if use_torch:
        c = r["torch_check"]
        print(f"first iteration vs PyTorch: loss {c['loss']:.6f} vs {c['loss_torch']:.6f}, "
              f"gradients' max relative difference {c['grad_rel_diff']:.1e}")
        line += (f"  torch {1e3 * r['torch']['median_s']:.1f} ms "
                 f"[{1e3 * r['torch']['min_s']:.1f} .. {1e3 * r['torch']['max_s']:.1f}]"
                 f"  ours/torch {r['ratio_vs_torch']:.2f}; CPU time ours/torch "
                 f"{r['cpu_ratio_vs_torch']:.2f}")
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
