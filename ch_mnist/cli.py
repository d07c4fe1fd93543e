"""``python -m ch_mnist``: train a network on MNIST and show what it gets wrong.

The chapter in one screen: load MNIST, build a network from ``common`` (a
``MultiLayerNet``, or the book's SimpleConvNet or DeepConvNet), train it with the loop of
``common.training`` (``ch_mnist.training``: one line per epoch), then evaluate the final
parameters on the 10000 test images and draw the learning curves, the confusion
matrix and the misclassified digits, and for a conv net its first layer's filters
before and after training and the feature maps they make of a test digit.
``--load`` skips training and evaluates saved parameters.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ch_mnist.lr_decay import decay_last_epochs
from ch_mnist.networks import (
    NETS,
    build_network,
    net_help,
    net_of_saved_file,
    network_name,
    resolve_defaults,
)
from ch_mnist.options import add_data_dir, report_dataset_error
from ch_mnist.report import conv_figures, evaluate
from ch_mnist.training import Run, train_network
from common.cli import (
    INTERRUPTED,
    add_checkpoint_options,
    add_output_options,
    check_checkpoint_options,
    check_output_paths,
    exit_130_on_ctrl_c,
    hidden_sizes,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    ratio,
    unit_interval,
    write_json,
)
from common.nets.files import load_params, save_params
from common.nets.network import Network
from common.optim import OPTIMIZERS, make_optimizer
from common.plots.figures import plot_learning_curves, short_run_note, show_figures
from common.samples import split_validation
from common.training.checkpoint import CheckpointError
from dataset import DatasetError, load_mnist

PROGRAM = "ch_mnist"

#: Learning rate per optimizer when --lr is not given: the defaults of the
#: ``common.optim`` classes (the book's), except where they do not suit
#: mini-batches of 256 MNIST images: plain SGD at 0.01 barely moves in 10 epochs,
#: so it gets 0.1 (the book's chapter 5 value), and RMSprop at 0.01 with decay 0.99
#: takes steps that are too large for a 784-input layer, so it gets Adam's 0.001.
DEFAULT_LR = {
    "sgd": 0.1,
    "momentum": 0.01,
    "nesterov": 0.01,
    "adagrad": 0.01,
    "rmsprop": 0.001,
    "adam": 0.001,
    "adamw": 0.001,
}

def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m ch_mnist``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Train a network on MNIST with mini-batch gradient descent and evaluate "
                    "it on the 10000 test images: per-epoch progress, the test accuracy after "
                    "the last epoch, learning curves, a confusion matrix and the misclassified "
                    "digits (PNG files in --out); for a conv net also its first layer's "
                    "filters and feature maps.",
        epilog="Examples: python -m ch_mnist --net conv; "
               "python -m ch_mnist --hidden 800,800 --dropout 0.2 --epochs 30",
    )
    net = parser.add_argument_group("network")
    net.add_argument("--net", choices=list(NETS),
                     help="three: ThreeNet 784-200-80-10; two: the book's TwoLayerNet "
                          "784-50-10; conv: the book's SimpleConvNet; deep: the book's "
                          "DeepConvNet (with --load: the network the file was saved from). "
                          "Defaults per network: " + net_help())
    net.add_argument("--hidden", type=hidden_sizes, metavar="W1,W2,...",
                     help="hidden-layer widths of a fully connected network, e.g. 800,800 "
                          "(replaces three or two)")
    net.add_argument("--dropout", type=ratio, metavar="RATIO",
                     help="dropout after every hidden layer (DeepConvNet: after its hidden "
                          "Affine), dropping this fraction of the units while training "
                          "(default: the network's)")
    net.add_argument("--batchnorm", action="store_true",
                     help="batch normalisation before every hidden activation (fully "
                          "connected networks)")
    net.add_argument("--train-shift", type=nonnegative_int, metavar="PIXELS",
                     help="--net conv: move every training image by a random -PIXELS..PIXELS "
                          "pixels each way (data augmentation; default 1, 0 turns it off)")
    net.add_argument("--weight-decay", type=nonnegative_float, metavar="LAMBDA",
                     help="L2 penalty LAMBDA/2 * sum of squared weights added to the loss "
                          "(default: the network's; 0 turns it off)")

    train = parser.add_argument_group("training")
    train.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam",
                       help="update rule (default adam)")
    train.add_argument("--lr", type=positive_float, metavar="RATE",
                       help="learning rate (default: " + ", ".join(
                           f"{name} {lr:g}" for name, lr in DEFAULT_LR.items()) + ")")
    train.add_argument("--lr-decay-epochs", type=nonnegative_int, metavar="N",
                       help="train the last N epochs with the learning rate times --lr-decay "
                            "(default: a fifth of --epochs, rounded down; 0 turns it off)")
    train.add_argument("--lr-decay", type=unit_interval, default=0.1, metavar="FACTOR",
                       help="factor applied to the learning rate for the last epochs "
                            "(default 0.1)")
    train.add_argument("--batch-size", type=positive_int, metavar="N",
                       help="mini-batch size (default: the network's)")
    train.add_argument("--epochs", type=positive_int, metavar="N",
                       help="passes over the training set (default: the network's)")
    train.add_argument("--seed", type=int, default=0,
                       help="seed of the initial weights, the mini-batch order and the dropout "
                            "masks: the same seed gives the same run (default 0)")
    train.add_argument("--train-size", type=positive_int, metavar="N",
                       help="train on the first N training images only, for quick runs and "
                            "tests (default: all 60000)")
    train.add_argument("--validation", type=nonnegative_int, default=0, metavar="N",
                       help="hold out N training images (stratified by digit, drawn with "
                            "--seed) and keep the parameters of the epoch with the best "
                            "accuracy on them (default 0: keep the final parameters; the test "
                            "set never chooses)")
    train.add_argument("--patience", type=positive_int, metavar="N",
                       help="with --validation: stop when N epochs in a row bring no better "
                            "validation accuracy")

    files = parser.add_argument_group("files")
    add_data_dir(files)
    saving = files.add_mutually_exclusive_group()
    saving.add_argument("--save", metavar="PATH.npz",
                        help="save the trained parameters (with the architecture) to this file "
                             "(replaced, atomically, if it exists)")
    saving.add_argument("--load", metavar="PATH.npz",
                        help="do not train: load parameters saved with --save into the network "
                             "they were saved from (the file names it; --net and --hidden, "
                             "when given, must agree), and evaluate them")
    add_checkpoint_options(files)
    add_output_options(files, PROGRAM)
    return parser


def train(net: Network, name: str, args: argparse.Namespace,
          train_set: tuple[np.ndarray, np.ndarray], test_set: tuple[np.ndarray, np.ndarray],
          report: dict[str, Any]) -> Run:
    """Train ``net`` (holding out --validation images), draw the learning curves and fill
    ``report``; returns the finished run."""
    (x_train, t_train), val_set = train_set, None
    if args.validation:
        (x_train, t_train), val_set = split_validation(x_train, t_train, args.validation,
                                                       args.seed)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    decay_epochs = args.epochs // 5 if args.lr_decay_epochs is None else args.lr_decay_epochs
    decay_epochs = min(decay_epochs, args.epochs)
    optimizer = decay_last_epochs(make_optimizer(args.optimizer, lr=lr), args.epochs,
                                  decay_epochs, len(x_train), args.batch_size, args.lr_decay)
    plural = "s" if decay_epochs > 1 else ""
    schedule = (f", x{args.lr_decay:g} for the last {decay_epochs} epoch{plural}"
                if decay_epochs and args.lr_decay != 1 else "")
    held_out = f", {args.validation} held out for validation" if args.validation else ""
    print(f"{name}, {args.optimizer} lr {lr:g}{schedule}, batch {args.batch_size}, "
          f"weight decay {args.weight_decay:g}, {args.epochs} epochs on {len(x_train)} "
          f"training images{held_out}, float32, seed {args.seed}", flush=True)

    start = time.perf_counter()
    run = train_network(net, optimizer, args, (x_train, t_train), val_set, test_set, PROGRAM)
    seconds = time.perf_counter() - start

    loop, epochs = run.loop, run.curve("eval_epoch")
    curves = plot_learning_curves(
        loop.losses, run.curve("train_acc"), run.curve("test_acc"),
        Path(args.out) / "learning_curves.png", title=name, show=args.show,
        acc_x=epochs, val_acc_list=run.curve("val_acc"),
        kept_x=run.evaluation.best_at if run.kept == "best_validation" else None)
    note = short_run_note(len(epochs))
    if note:
        print(note)
    report.update(
        optimizer=args.optimizer, lr=lr, lr_decay=args.lr_decay, lr_decay_epochs=decay_epochs,
        batch_size=args.batch_size, epochs=args.epochs, seed=args.seed,
        train_size=len(x_train), validation_size=args.validation, patience=args.patience,
        # a diverged run has a NaN loss, which write_json turns into null
        epoch_loss=loop.epoch_losses(),
        epochs_evaluated=epochs,
        train_accuracy=run.curve("train_acc"),
        validation_accuracy_per_epoch=run.curve("val_acc"),
        test_accuracy_per_epoch=run.curve("test_acc"),
        parameters=run.parameters(),
        diverged=loop.diverged, interrupted=loop.interrupted,
        stopped_early=(loop.stop_reason or "").startswith("stopped early"),
        resumed_from=str(args.resume) if args.resume else None,
        seconds=round(seconds, 2),
        figures={"learning_curves": str(curves)},
    )
    return run


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the program; return the exit status (0 success, 1 data problem or failed run,
    130 interrupted with Ctrl-C: the report, figures and --save are written all the same)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.load:
        net_of_saved_file(parser, args)
    resolve_defaults(parser, args)
    if args.load and (args.checkpoint or args.resume):
        parser.error("--load evaluates saved parameters without training: it takes neither "
                     "--checkpoint nor --resume")
    check_output_paths(parser, args, files=("json", "save", "checkpoint"))
    check_checkpoint_options(parser, args)
    if args.patience is not None and not args.validation:
        parser.error("--patience needs --validation N: early stopping watches the validation "
                     "accuracy, never the test set's")
    try:
        (x_train, t_train), (x_test, t_test) = load_mnist(
            normalize=True, flatten=True, dtype=np.float32, data_dir=args.data_dir)
    except DatasetError as err:
        return report_dataset_error(err)
    if args.train_size is not None:
        x_train, t_train = x_train[:args.train_size], t_train[:args.train_size]
    if args.validation and args.validation >= len(x_train):
        parser.error(f"--validation {args.validation} leaves no training images of the "
                     f"{len(x_train)}")

    net = build_network(args)
    layers, name = network_name(args, net)
    out = Path(args.out)
    report: dict[str, Any] = {
        "program": PROGRAM,
        "network": {"name": name, "net": args.net, "layers": layers,
                    "dropout": args.dropout, "batchnorm": args.batchnorm,
                    "weight_decay": args.weight_decay, "dtype": "float32"},
    }
    initial_filters = None if args.load else net.params["W1"].copy()  # to draw beside the trained

    status = 0
    if args.load:
        try:
            load_params(net, args.load)
        except ValueError as err:
            print(f"error: {err}\nGive the network options (--net, --hidden, --batchnorm) "
                  "that the parameters were trained with.", file=sys.stderr)
            return 1
        print(f"{name}: parameters loaded from {args.load}")
        report.update(mode="evaluate", load=args.load)
        report.update(evaluate(net, x_test, t_test, out, name, args.show))
        which = "loaded"
    else:
        report["mode"] = "train"
        try:
            run = train(net, name, args, (x_train, t_train), (x_test, t_test), report)
        except CheckpointError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        status = INTERRUPTED if run.loop.interrupted else 1 if run.loop.diverged else 0
        results = evaluate(net, x_test, t_test, out, name, args.show)
        results["figures"] = {**report["figures"], **results["figures"]}
        report.update(results)
        which = run.parameters()["description"]
        if args.save:
            save_params(net, args.save)
            print(f"parameters saved to {args.save}")

    if NETS[args.net].convolutional:
        report["figures"].update(conv_figures(net, initial_filters, x_test[0], out, name,
                                              args.show))
    errors = report["test_errors"]
    print(f"test accuracy {report['test_accuracy']:.4f} ({report['test_size'] - errors}/"
          f"{report['test_size']} correct) with the parameters {which}")
    print(f"figures in {out}/: " + ", ".join(Path(p).name for p in report["figures"].values()))
    if args.json:
        write_json(args.json, report)
    show_figures(args.show)
    return status
