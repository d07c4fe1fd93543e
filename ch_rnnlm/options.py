"""The command line of ``python -m ch_rnnlm``; its defaults train all three models in a few
minutes on a laptop's CPU."""

from __future__ import annotations

import argparse

from common.cli import (
    add_checkpoint_options,
    add_output_options,
    nonnegative_int,
    positive_float,
    positive_int,
    ratio,
)

PROGRAM = "ch_rnnlm"

#: --model choices: the name on the command line -> the model's class (``common.nets.rnnlm``,
#: ``simple_rnnlm``, ``better_rnnlm``).
MODELS = {"simple": "SimpleRnnlm", "lstm": "Rnnlm", "better": "BetterRnnlm"}
#: The SGD learning rate of each model when --lr does not say.
DEFAULT_LR = {"simple": 5.0, "lstm": 20.0, "better": 20.0}


def lr_decay(text: str) -> float:
    """A factor >= 1 (1 keeps the learning rate)."""
    value = positive_float(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value:g}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m ch_rnnlm``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Train the recurrent language models of the second book (chapters 5-6) "
                    "on word-level tiny Shakespeare (or the Penn Treebank): SimpleRnnlm (a "
                    "simple RNN), Rnnlm (an LSTM) and BetterRnnlm (two LSTM layers, dropout, "
                    "weight tying), by truncated backpropagation through time with SGD and "
                    "gradient clipping. After every epoch the validation perplexity keeps "
                    "the best epoch and divides the learning rate when an epoch does not "
                    "improve; the test perplexity is measured once, at the end. Then each "
                    "model writes a text, and one figure shows every model's perplexity "
                    "curves.",
        epilog="Examples: python -m ch_rnnlm; python -m ch_rnnlm --model better --epochs 10 "
               "--better-size 650; python -m ch_rnnlm --data ptb",
    )
    model = parser.add_argument_group("models")
    model.add_argument("--model", choices=[*MODELS, "all"], default="all",
                       help="which model to train: simple (SimpleRnnlm), lstm (Rnnlm), better "
                            "(BetterRnnlm) or all three (default)")
    model.add_argument("--size", type=positive_int, default=100, metavar="N",
                       help="word vector and hidden size of SimpleRnnlm and Rnnlm (default "
                            "100, the book's)")
    model.add_argument("--better-size", type=positive_int, default=200, metavar="N",
                       help="word vector and hidden size of BetterRnnlm (default 200; the "
                            "book's 650 takes about ten times longer)")
    model.add_argument("--dropout", type=ratio, default=0.5, metavar="P",
                       help="BetterRnnlm's dropout ratio (default 0.5)")

    train = parser.add_argument_group("training")
    train.add_argument("--data", choices=("shakespeare", "ptb"), default="shakespeare",
                       help="word-level tiny Shakespeare (default, embedded) or the Penn "
                            "Treebank of the book (downloaded to the cache if missing, or "
                            "read from $PTB_DIR)")
    train.add_argument("--epochs", type=positive_int, default=3, metavar="N",
                       help="epochs per model (default 3: one to two minutes per model on "
                            "two cores; Rnnlm starts to overfit in its fourth)")
    train.add_argument("--batch-size", type=positive_int, default=20, metavar="N",
                       help="rows read side by side (default 20)")
    train.add_argument("--time-size", type=positive_int, default=35, metavar="T",
                       help="time steps per batch: how far backpropagation reaches (default 35)")
    train.add_argument("--lr", type=positive_float, metavar="RATE",
                       help="SGD learning rate (default 20 for the LSTM models, the book's; 5 "
                            "for SimpleRnnlm, whose perplexity jumps about above uniform "
                            "guessing at 20)")
    train.add_argument("--lr-decay", type=lr_decay, default=4.0, metavar="F",
                       help="divide the learning rate by F after an epoch that does not "
                            "lower the validation perplexity (default 4; 1 keeps it)")
    train.add_argument("--max-grad", type=positive_float, default=0.25, metavar="NORM",
                       help="clip the gradients' global norm to NORM (default 0.25)")
    train.add_argument("--eval-interval", type=positive_int, default=20, metavar="N",
                       help="record the training perplexity every N iterations (default 20)")
    train.add_argument("--max-words", type=positive_int, metavar="N",
                       help="use only the first N words of each split (a quick trial)")
    train.add_argument("--seed", type=nonnegative_int, default=0,
                       help="seed of the initial weights, the dropout masks and the texts "
                            "(default 0)")

    sample = parser.add_argument_group("generated text")
    sample.add_argument("--start", metavar="WORD",
                        help="the first word of the generated texts (default: 'romeo' for "
                             "Shakespeare, 'you' for the Penn Treebank)")
    sample.add_argument("--sample-size", type=positive_int, default=60, metavar="N",
                        help="words per generated text, the first one included (default 60)")

    files = parser.add_argument_group("files")
    add_checkpoint_options(files)
    add_output_options(files, PROGRAM)
    return parser
