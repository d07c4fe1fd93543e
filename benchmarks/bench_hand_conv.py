"""Benchmark: conv networks assembled by hand from ``common.layers`` against the library's.

    python -m benchmarks.bench_hand_conv [--repeat 5] [--iterations 20] [--train-epochs N]

A reader who writes the book's networks from ``common.layers`` should get the library's
speed. Timed side by side, interleaved (each round runs every network for
``--iterations`` training iterations of batch 100: ``gradient`` and an Adam update),
medians of ``--repeat`` rounds, per iteration:

- ``common.nets.conv.SimpleConvNet`` (float32), the reference;
- the same network as a plain list of layers in the book's order, conv - relu - pool,
  every layer computing its input gradient (float32): target at most 1.3x the reference;
- that list with float64 weights on float32 images, as the book's programs make them;
- the book's chapter 7 ``SimpleConvNet`` class (``benchmarks.book_convnet``: a params dict
  of float64 arrays, an OrderedDict of layers, its own predict/loss/gradient), on float32
  images;
- ``common.nets.conv.DeepConvNet`` (float32) and the book's DeepConvNet as a plain list
  (book order, every input gradient): target at most 1.3x.

``--train-epochs N`` (N > 0, needs MNIST_DIR) also runs the book's chapter 7 training
program (``train_convnet``: the book's class, the Trainer with the book's settings) for N
epochs and reports seconds per epoch; its 20 epochs take about 33 minutes on the book's
own library on this kind of machine (99 s per epoch).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.bench_conv import BATCH_SIZE, LR, conv_data
from benchmarks.book_convnet import BookSimpleConvNet
from common.layers import Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss
from common.nets.conv import DeepConvNet, SimpleConvNet
from common.nets.network import Network
from common.optim import Adam

#: Target of the hand-assembled networks' time per iteration over the library's (issue 17).
HAND_TARGET = 1.3
#: The book's chapter 7 program on the book's own library: seconds per epoch, 20 epochs.
BOOK_CH07_EPOCH_S, BOOK_CH07_EPOCHS = 99.0, 20


def hand_simple(lib: SimpleConvNet, dtype: Any = np.float32) -> Network:
    """The library's SimpleConvNet as a plain list of layers in the book's order, conv -
    relu - pool, every layer computing its input gradient, weights copied in ``dtype``."""
    p = {key: value.astype(dtype) for key, value in lib.params.items()}
    return Network([Convolution(p["W1"], p["b1"]), Relu(), Pooling(2, 2, stride=2),
                    Affine(p["W2"], p["b2"]), Relu(), Affine(p["W3"], p["b3"])],
                   SoftmaxWithLoss())


def hand_deep(lib: DeepConvNet) -> Network:
    """The library's DeepConvNet as a plain list in the book's order (each ReLU before its
    pooling, Dropout after the hidden Affine's ReLU), weights and dropout rng copied."""
    p = {key: value.copy() for key, value in lib.params.items()}
    layers: list[Any] = []
    for i in range(1, 7):
        conv = lib.layers[f"Conv{i}"]
        layers += [Convolution(p[f"W{i}"], p[f"b{i}"], conv.stride, conv.pad), Relu()]
        if i % 2 == 0:
            layers.append(Pooling(2, 2, stride=2))
    rng = copy.deepcopy(lib.layers["Dropout1"].rng)
    layers += [Affine(p["W7"], p["b7"]), Relu(), Dropout(0.5, rng=rng),
               Affine(p["W8"], p["b8"])]
    return Network(layers, SoftmaxWithLoss())


def iteration_runner(network: Any, x: np.ndarray, t: np.ndarray, batch_size: int = BATCH_SIZE,
                     lr: float = LR) -> Callable[[np.ndarray], float]:
    """``run(order) -> seconds per iteration``: trains ``network`` with Adam(lr) on the
    batches of ``order`` (``gradient`` and the update, nothing else)."""
    optimizer = Adam(lr=lr)

    def run(order: np.ndarray) -> float:
        start = time.perf_counter()
        batches = range(0, len(order), batch_size)
        for i in batches:
            idx = order[i:i + batch_size]
            optimizer.update(network.params, network.gradient(x[idx], t[idx]))
        return (time.perf_counter() - start) / len(batches)

    return run


#: The cases, in the order they are shown: name -> (which network, reference name or None).
SIMPLE_CASES = ("SimpleConvNet (library, float32)", "SimpleConvNet by hand (float32)",
                "SimpleConvNet by hand (float64 weights)", "the book's SimpleConvNet class")
DEEP_CASES = ("DeepConvNet (library, float32)", "DeepConvNet by hand (float32)")


def hand_conv_cases(repeat: int = 5, iterations: int = 20, deep_iterations: int = 5,
                    deep: bool = True) -> list[dict[str, Any]]:
    """Seconds per training iteration (batch 100) of each case, interleaved: each of
    ``repeat`` rounds (after a warm-up round) runs every case once, on the same batches,
    SimpleConvNet's cases ``iterations`` iterations and DeepConvNet's ``deep_iterations``.
    Returns one result per case: median, min, max, and the ratio to its library network."""
    n = max(iterations, deep_iterations) * BATCH_SIZE
    x, t, source = conv_data(max(n, 1000))
    simple = SimpleConvNet(seed=0)
    book = BookSimpleConvNet(seed=0)  # its own float64 weights, std 0.01
    networks: dict[str, Any] = {
        SIMPLE_CASES[0]: simple,
        SIMPLE_CASES[1]: hand_simple(simple),
        SIMPLE_CASES[2]: hand_simple(simple, np.float64),
        SIMPLE_CASES[3]: book,
    }
    if deep:
        library_deep = DeepConvNet(seed=0)
        networks[DEEP_CASES[0]] = library_deep
        networks[DEEP_CASES[1]] = hand_deep(library_deep)
    runners = {name: iteration_runner(net, x, t) for name, net in networks.items()}
    times: dict[str, list[float]] = {name: [] for name in runners}
    rng = np.random.default_rng(1)
    for i in range(repeat + 1):  # the first round warms up caches and Adam's state
        order = rng.permutation(len(x))
        for name, run in runners.items():
            time.sleep(0.3)  # let BLAS's worker threads go to sleep between cases
            count = deep_iterations if name in DEEP_CASES else iterations
            seconds = run(order[:count * BATCH_SIZE])
            if i:
                times[name].append(seconds)
    results = []
    for name, samples in times.items():
        reference = DEEP_CASES[0] if name in DEEP_CASES else SIMPLE_CASES[0]
        median = statistics.median(samples)
        result: dict[str, Any] = {
            "case": f"{name} iteration", "data": source, "median_s": median,
            "min_s": min(samples), "max_s": max(samples),
            "iterations": deep_iterations if name in DEEP_CASES else iterations}
        if name != reference:
            result["ratio_vs_library"] = median / statistics.median(times[reference])
            if name in (SIMPLE_CASES[1], DEEP_CASES[1]):
                result["target"] = {"ratio_vs_library": HAND_TARGET}
        results.append(result)
    return results


def train_convnet(epochs: int = BOOK_CH07_EPOCHS, verbose: bool = True,
                  train_size: int | None = None, test_size: int | None = None
                  ) -> dict[str, Any]:
    """The book's chapter 7 training program on this library: MNIST images (1, 28, 28),
    the book's SimpleConvNet class, the Trainer with the book's settings (batch 100, Adam
    lr 0.001, ``epochs`` epochs, accuracies on 1000 samples after each epoch), then the
    test accuracy of all 10000 test images. Returns the seconds, per epoch and in all.
    ``train_size`` and ``test_size`` take the first images only (for a quick check). The
    batches are drawn with seed 0, so that runs compare."""
    from common.training.trainer import Trainer
    from dataset.mnist import load_mnist

    start = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
    x_train, t_train = x_train[:train_size], t_train[:train_size]
    x_test, t_test = x_test[:test_size], t_test[:test_size]
    network = BookSimpleConvNet(input_dim=(1, 28, 28),
                                conv_param={"filter_num": 30, "filter_size": 5, "pad": 0,
                                            "stride": 1},
                                hidden_size=100, output_size=10, weight_init_std=0.01)
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs,
                      mini_batch_size=100, optimizer="Adam", optimizer_param={"lr": 0.001},
                      evaluate_sample_num_per_epoch=1000, verbose=verbose, seed=0)
    trainer.train()
    accuracy = network.accuracy(x_test, t_test)
    seconds = time.perf_counter() - start
    return {"case": f"the book's ch07 train_convnet ({epochs} epochs)", "epochs": epochs,
            "median_s": seconds, "min_s": seconds, "max_s": seconds,
            "train_s_per_epoch": trainer.seconds / epochs, "accuracy": accuracy,
            "book_s": BOOK_CH07_EPOCH_S * epochs,
            "ratio_vs_book": seconds / (BOOK_CH07_EPOCH_S * epochs)}


def print_hand_row(r: dict[str, Any]) -> None:
    """One line of results."""
    line = (f"{r['case']:<52} {1e3 * r['median_s']:8.1f} ms  "
            f"[{1e3 * r['min_s']:.1f} .. {1e3 * r['max_s']:.1f}]")
    if "ratio_vs_library" in r:
        line += f"  {r['ratio_vs_library']:.2f}x library"
    for key, target in r.get("target", {}).items():
        line += f"  [target <= {target:g}: {'met' if r[key] <= target else 'NOT met'}]"
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the interleaved cases (and the book's program with --train-epochs); print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=20,
                        help="SimpleConvNet iterations per case and round (default 20)")
    parser.add_argument("--deep-iterations", type=int, default=5,
                        help="DeepConvNet iterations per case and round (default 5)")
    parser.add_argument("--no-deep", action="store_true", help="SimpleConvNet's cases only")
    parser.add_argument("--train-epochs", type=int, default=0, metavar="N",
                        help="also run the book's ch07 program for N epochs (needs MNIST_DIR)")
    args = parser.parse_args(argv)
    for r in hand_conv_cases(args.repeat, args.iterations, args.deep_iterations,
                             deep=not args.no_deep):
        print_hand_row(r)
    if args.train_epochs:
        if not os.environ.get("MNIST_DIR"):
            parser.error("--train-epochs needs the MNIST files: set MNIST_DIR")
        r = train_convnet(args.train_epochs)
        print(f"{r['case']}: {r['median_s']:.0f} s in all, {r['train_s_per_epoch']:.1f} s per "
              f"epoch of training; test accuracy {r['accuracy']:.4f}; the book's library: "
              f"about {r['book_s']:.0f} s ({r['ratio_vs_book']:.2f} of it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
