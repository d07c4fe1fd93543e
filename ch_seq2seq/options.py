"""The command line of ``python -m ch_seq2seq``. The model settings are the book's; the
numbers of epochs are chosen so that the whole program runs in a few minutes (see
``docs/ch_seq2seq.md`` for the runs that reach the book's accuracies)."""

from __future__ import annotations

import argparse

from common.cli import add_output_options, nonnegative_int, positive_float, positive_int

PROGRAM = "ch_seq2seq"
TASKS = ("addition", "dates")
#: Epochs of each task without --epochs: a few minutes in all on a busy 2-core machine.
DEFAULT_EPOCHS = {"addition": 8, "dates": 3}
#: The book's hidden sizes: 128 for the additions (chapter 7), 256 for the dates (chapter 8).
DEFAULT_HIDDEN = {"addition": 128, "dates": 256}


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m ch_seq2seq``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Seq2seq models from the library's layers on the second book's toy "
                    "problems. addition: a plain seq2seq, the same with the question reversed, "
                    "and reversed with a peeky decoder learn 3-digit sums (their exact-match "
                    "accuracy on the test set after every epoch, in one figure). dates: "
                    "seq2seq with attention learns to write dates in ISO form (its accuracy, "
                    "and heat maps of where it looks while writing).",
        epilog="The book's full runs: python -m ch_seq2seq --task addition --epochs 25; "
               "python -m ch_seq2seq --task dates --epochs 10",
    )
    parser.add_argument("--task", choices=(*TASKS, "all"), default="all",
                        help="which problem to learn (default: all, additions then dates)")
    parser.add_argument("--epochs", type=positive_int, metavar="N",
                        help=f"epochs of every model (default: {DEFAULT_EPOCHS['addition']} for "
                             f"the additions, {DEFAULT_EPOCHS['dates']} for the dates)")
    model = parser.add_argument_group("models and training (defaults: the book's)")
    model.add_argument("--wordvec", type=positive_int, default=16, metavar="D",
                       help="size of the character embeddings (default 16)")
    model.add_argument("--hidden", type=positive_int, metavar="H",
                       help=f"size of the LSTMs' states (default: "
                            f"{DEFAULT_HIDDEN['addition']} for the additions, "
                            f"{DEFAULT_HIDDEN['dates']} for the dates)")
    model.add_argument("--batch-size", type=positive_int, default=128, metavar="N",
                       help="question-answer pairs per update (default 128)")
    model.add_argument("--lr", type=positive_float, default=1e-3, metavar="RATE",
                       help="Adam's learning rate (default 0.001)")
    model.add_argument("--max-grad", type=positive_float, default=5.0, metavar="NORM",
                       help="clip the gradients' global norm to NORM (default 5.0)")
    model.add_argument("--seed", type=nonnegative_int, default=0,
                       help="seed of the initial weights and of the order of the batches "
                            "(default 0)")
    data = parser.add_argument_group("data and output")
    data.add_argument("--train-size", type=positive_int, metavar="N",
                      help="train on the first N of the 45,000 training pairs (default: all)")
    data.add_argument("--test-size", type=positive_int, metavar="N",
                      help="measure the accuracy on the first N of the 5,000 test pairs "
                           "(default: all)")
    data.add_argument("--examples", type=nonnegative_int, default=5, metavar="N",
                      help="test questions whose answers are printed after each model "
                           "(default 5)")
    add_output_options(data, PROGRAM)
    return parser
