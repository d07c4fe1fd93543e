"""The command line of ``python -m ch_word2vec``, its defaults, and the words it asks about."""

from __future__ import annotations

import argparse
from pathlib import Path

from common.cli import add_output_options, positive_float, positive_int

PROGRAM = "ch_word2vec"

#: Words whose nearest neighbours are shown (those in the vocabulary).
QUERIES = ("king", "father", "night", "love", "thou", "good")
#: Analogies a : b = c : ?, with the answer expected.
ANALOGIES = (("king", "queen", "man", "woman"), ("he", "she", "his", "her"),
             ("brother", "sister", "father", "mother"), ("good", "better", "bad", "worse"),
             ("i", "me", "he", "him"), ("thou", "thee", "he", "him"))
#: The words of the figure, in groups drawn in one colour each.
WORD_GROUPS = {
    "family": ("father", "mother", "son", "daughter", "brother", "sister", "wife", "husband",
               "uncle", "cousin"),
    "rank": ("king", "queen", "prince", "duke", "lord", "lady", "earl", "knight"),
    "time": ("day", "night", "morning", "hour", "year", "time", "morrow", "week"),
    "pronoun": ("he", "she", "him", "her", "his", "thou", "thee", "thy", "i", "me", "my"),
    "body": ("hand", "eye", "heart", "head", "face", "tongue", "blood"),
    "feeling": ("love", "hate", "fear", "joy", "grief", "sorrow"),
}


def build_parser() -> argparse.ArgumentParser:
    """The options of ``python -m ch_word2vec``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {PROGRAM}",
        description="Word vectors of tiny Shakespeare's words, two ways: counted (co-occurrence "
                    "counts in a window, PPMI, truncated SVD) and learned (CBOW with negative "
                    "sampling, trained with Adam). Prints the nearest neighbours of a few words "
                    "and a few analogies by both methods side by side, and draws the vectors of "
                    "some words projected to 2-D.",
        epilog="Example: python -m ch_word2vec --epochs 2 --json out/w2v.json --save out/vectors")
    data = parser.add_argument_group("data")
    data.add_argument("--max-tokens", type=positive_int, metavar="N",
                      help="use only the first N tokens of the text (default: all 253,147)")
    data.add_argument("--window", type=positive_int, default=5, metavar="W",
                      help="context words on each side of a word, for both methods (default 5)")
    data.add_argument("--query", action="append", metavar="WORD",
                      help="a word whose nearest neighbours to show (repeat the option for more; "
                           f"default: {', '.join(QUERIES)})")
    count = parser.add_argument_group("count-based method")
    count.add_argument("--vocab", type=positive_int, default=5000, metavar="K",
                       help="count only the K most frequent words: the K x K matrices take "
                            "4·K² bytes each (default 5000: 100 MB); neighbours and analogies of "
                            "both methods are looked for among these words")
    model = parser.add_argument_group("CBOW")
    model.add_argument("--hidden", type=positive_int, default=100, metavar="H",
                       help="length of the word vectors, of both methods (default 100)")
    model.add_argument("--epochs", type=positive_int, default=4, metavar="N",
                       help="passes over the text (default 4)")
    model.add_argument("--batch-size", type=positive_int, default=200, metavar="N",
                       help="samples per update (default 200)")
    model.add_argument("--lr", type=positive_float, default=0.003, metavar="RATE",
                       help="Adam's learning rate (default 0.003)")
    model.add_argument("--negatives", type=positive_int, default=5, metavar="K",
                       help="negative samples per true word (default 5)")
    model.add_argument("--seed", type=int, default=0,
                       help="seed of the weights, the batches, the negatives and the SVD "
                            "(default 0)")
    files = parser.add_argument_group("files")
    files.add_argument("--save", type=Path, metavar="DIR",
                       help="save both sets of word vectors there (count.npz, cbow.npz; read "
                            "them with common.wordvec.load_word_vectors)")
    add_output_options(files, PROGRAM)
    return parser
