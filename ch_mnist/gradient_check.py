"""``python -m ch_mnist.gradient_check``: backpropagation against numerical gradients on MNIST.

The book's gradient check (chapter 5; chapter 7's for ``--net conv``, a small
SimpleConvNet): on a few training images, compute the gradient of the loss
twice, by backpropagation and by central differences
(two forward passes per parameter element), and print their relative error per
parameter. In float64 a correct backward pass agrees to about 1e-9; the exit
status is 1 when any error exceeds the tolerance (1e-6 by default), so the check
can run in a test suite.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from ch_mnist.options import add_data_dir, report_dataset_error
from common.checks.gradients import gradient_check
from common.cli import (
    exit_130_on_ctrl_c,
    hidden_sizes,
    nonnegative_float,
    positive_float,
    positive_int,
    ratio,
)
from common.nets.conv import SimpleConvNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.nets.network import Network
from dataset import DatasetError, load_mnist

PROGRAM = "ch_mnist.gradient_check"

#: The small SimpleConvNet of ``--net conv``: 10 filters of 5×5 on the 28×28 digit
#: (-> 10×24×24, pooled to 10×12×12 = 1440), 20 hidden units. Small enough that the
#: ~2 forward passes per weight of the numerical gradient take seconds, not hours.
SMALL_CONV = {"conv_param": {"filter_num": 10, "filter_size": 5, "pad": 0, "stride": 1},
              "hidden_size": 20}


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m ch_mnist.gradient_check``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Compare the gradients of backpropagation with numerical gradients "
                    "(central differences) for a float64 network on a few MNIST training "
                    "images; print the relative error ||a - b|| / (||a|| + ||b||) of every "
                    "parameter and exit with status 1 if one exceeds --tolerance.",
    )
    parser.add_argument("--samples", type=positive_int, default=3, metavar="N",
                        help="number of training images (the first N; default 3, the book's)")
    parser.add_argument("--net", choices=("mlp", "conv"), default="mlp",
                        help="mlp: a fully connected network (default); conv: a small "
                             "SimpleConvNet (10 filters 5x5, 20 hidden units)")
    parser.add_argument("--hidden", type=hidden_sizes, default=[50], metavar="W1,W2,...",
                        help="hidden-layer widths (default 50: the book's TwoLayerNet "
                             "784-50-10); the time grows with the number of weights")
    parser.add_argument("--batchnorm", action="store_true",
                        help="batch normalisation before every hidden activation")
    parser.add_argument("--dropout", type=ratio, default=0.0, metavar="RATIO",
                        help="dropout after every hidden layer (the same masks are used for "
                             "both gradients; default 0: none)")
    parser.add_argument("--weight-decay", type=nonnegative_float, default=0.0, metavar="LAMBDA",
                        help="L2 weight decay, checked as part of the loss (default 0)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the initial weights and dropout masks (default 0)")
    parser.add_argument("--tolerance", type=positive_float, default=1e-6, metavar="TOL",
                        help="largest acceptable relative error (default 1e-6)")
    add_data_dir(parser)
    return parser


def build_network(args: argparse.Namespace) -> tuple[Network, str]:
    """The float64 network to check, and its name."""
    if args.net == "conv":
        net = SimpleConvNet(**SMALL_CONV, weight_init_std="he",
                            weight_decay_lambda=args.weight_decay, dtype=np.float64,
                            seed=args.seed)
        # A filter over MNIST's blank border outputs exactly its bias: with the usual zero
        # biases that is ReLU's kink, where a central difference is meaningless.
        rng = np.random.default_rng(args.seed)
        for key in ("b1", "b2", "b3"):
            net.params[key] = 0.1 * rng.standard_normal(net.params[key].shape)
        return net, "SimpleConvNet conv 10x5x5 - pool - 20 - 10"
    net = MultiLayerNetExtend(784, args.hidden, 10, weight_decay_lambda=args.weight_decay,
                        use_dropout=args.dropout > 0, dropout_ratio=args.dropout,
                        use_batchnorm=args.batchnorm, dtype=np.float64, seed=args.seed)
    return net, "MultiLayerNet " + "-".join(str(n) for n in (784, *args.hidden, 10))


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the check; return 0 if every relative error is within the tolerance, else 1."""
    args = build_parser().parse_args(argv)
    try:
        (x_train, t_train), _ = load_mnist(normalize=True, flatten=True, dtype=np.float32,
                                           data_dir=args.data_dir)
    except DatasetError as err:
        return report_dataset_error(err)
    # Float64 for the check only: in float32 the rounding error of a central
    # difference (~1e-7 / h) would swamp the agreement we want to see.
    x, t = x_train[:args.samples].astype(np.float64), t_train[:args.samples]
    net, name = build_network(args)
    n_params = sum(p.size for p in net.params.values())
    print(f"gradient check of {name} (float64, {n_params} parameters) on "
          f"{len(x)} MNIST training image{'s' if len(x) > 1 else ''}", flush=True)

    start = time.perf_counter()
    # 17280 ReLU inputs in the conv net: with the book's h = 1e-4 a few of them land
    # within a step of the kink, where central differences are wrong; h = 1e-6 avoids it
    errors = gradient_check(net, x, t, h=1e-6 if args.net == "conv" else 1e-4)
    seconds = time.perf_counter() - start
    print("parameter  shape        relative error")
    for key, error in errors.items():
        verdict = "ok" if error <= args.tolerance else "TOO LARGE"
        shape = "x".join(str(n) for n in net.params[key].shape)
        print(f"{key:10s} {shape:12s} {error:.3e}  {verdict}")
    worst = max(errors.values())
    if worst > args.tolerance:
        print(f"FAILED: the largest relative error {worst:.3e} exceeds {args.tolerance:g} "
              f"({seconds:.1f}s)")
        return 1
    print(f"passed: backpropagation matches the numerical gradients (largest relative error "
          f"{worst:.3e} <= {args.tolerance:g}; {seconds:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
