"""The command line of ``python -m ch_gpt``; its defaults are the reference configuration
(nanoGPT's character-level Shakespeare on a CPU)."""

from __future__ import annotations

import argparse

from common.cli import (
    add_checkpoint_options,
    add_output_options,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    unit_interval,
)

PROGRAM = "ch_gpt"


def beta(text: str) -> float:
    """A number in [0, 1) (Adam's β1, β2)."""
    value = nonnegative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value:g}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m ch_gpt``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Train a character-level GPT, built from the library's layers, on tiny "
                    "Shakespeare (or --text FILE): the model's summary, progress lines, the "
                    "validation loss every --eval-every iterations on fixed windows, a "
                    "generated sample; figures of the loss curves and of the attention of "
                    "every head of one layer. --sample --load PATH only generates.",
        epilog='Examples: python -m ch_gpt --save out/gpt.npz; python -m ch_gpt --sample '
               '--load out/gpt.npz --prompt "ROMEO:" --tokens 500 --temperature 0.8 --top-k 20',
    )
    model = parser.add_argument_group("model (defaults: the reference configuration)")
    model.add_argument("--context", type=positive_int, default=64, metavar="T",
                       help="characters the model sees at once (default 64)")
    model.add_argument("--dim", type=positive_int, default=128, metavar="D",
                       help="width of the residual stream (default 128)")
    model.add_argument("--layers", type=positive_int, default=4, metavar="L",
                       help="Transformer blocks (default 4)")
    model.add_argument("--heads", type=positive_int, default=4, metavar="H",
                       help="attention heads per block; must divide --dim (default 4)")

    train = parser.add_argument_group("training")
    train.add_argument("--iters", type=positive_int, default=2000, metavar="N",
                       help="training iterations (default 2000)")
    train.add_argument("--batch-size", type=positive_int, default=12, metavar="N",
                       help="windows per batch (default 12)")
    train.add_argument("--lr", type=positive_float, default=1e-3, metavar="RATE",
                       help="AdamW's peak learning rate, after the warm-up (default 1e-3)")
    train.add_argument("--min-lr", type=nonnegative_float, default=1e-4, metavar="RATE",
                       help="learning rate at the end of the cosine decay (default 1e-4)")
    train.add_argument("--warmup", type=nonnegative_int, default=100, metavar="N",
                       help="iterations of linear warm-up (default 100); a run of no more "
                            "--iters than this is all warm-up (the program prints a note)")
    train.add_argument("--weight-decay", type=nonnegative_float, default=0.1, metavar="LAMBDA",
                       help="AdamW's decoupled weight decay, on matrices and embeddings only "
                            "(default 0.1)")
    train.add_argument("--beta1", type=beta, default=0.9, help="AdamW's β1 (default 0.9)")
    train.add_argument("--beta2", type=beta, default=0.99, help="AdamW's β2 (default 0.99)")
    train.add_argument("--clip", type=nonnegative_float, default=1.0, metavar="NORM",
                       help="clip the gradient's global norm to NORM (default 1.0; 0 turns "
                            "clipping off)")
    train.add_argument("--seed", type=int, default=0,
                       help="seed of the initial weights, the batches and the sample (default 0)")
    train.add_argument("--eval-every", type=positive_int, default=250, metavar="N",
                       help="measure the training and validation loss every N iterations "
                            "(default 250)")
    train.add_argument("--eval-windows", type=positive_int, default=200, metavar="N",
                       help="fixed random windows of each set the losses are measured on "
                            "(default 200)")
    train.add_argument("--train-fraction", type=unit_interval, default=0.9, metavar="F",
                       help="the first F of the text trains, the rest validates (default 0.9)")

    sample = parser.add_argument_group("sampling")
    sample.add_argument("--sample", action="store_true",
                        help="do not train: generate text with the model of --load")
    sample.add_argument("--prompt", default="\n",
                        help="text the sample continues (default: a new line)")
    sample.add_argument("--tokens", type=nonnegative_int, default=500, metavar="N",
                        help="characters to generate (default 500)")
    sample.add_argument("--temperature", type=nonnegative_float, default=0.8, metavar="T",
                        help="divide the logits by T before sampling; 0 always takes the most "
                             "likely character (default 0.8)")
    sample.add_argument("--top-k", type=positive_int, metavar="K",
                        help="sample among the K most likely characters only (default: all)")

    files = parser.add_argument_group("files")
    files.add_argument("--text", metavar="FILE",
                       help="train on this UTF-8 text file instead of tiny Shakespeare")
    saving = files.add_mutually_exclusive_group()
    saving.add_argument("--save", metavar="PATH.npz",
                        help="save the trained model (parameters, sizes and vocabulary) to this "
                             "file (replaced, atomically, if it exists)")
    saving.add_argument("--load", metavar="PATH.npz",
                        help="do not train: load a model saved with --save, measure its losses, "
                             "sample and draw its attention (with --sample: only generate)")
    add_checkpoint_options(files)
    files.add_argument("--attention-layer", type=positive_int, metavar="L",
                       help="the block whose attention heads are drawn (default: the last)")
    add_output_options(files, PROGRAM)
    return parser
