"""Word-level tiny Shakespeare, in the shape of the second book's ``ptb.load_data``.

    corpus, word_to_id, id_to_word = load_words("train")    # 90 % of the token stream
    corpus[:5]                   # array([0, 1, 2, 3, 4], dtype=int32): "first citizen : before we"
    id_to_word[corpus[0]]        # 'first'

The text is the embedded tiny Shakespeare (``dataset.text.load_tiny_shakespeare``),
cut into tokens by ``tokenize``:

- everything is lower-cased;
- a word is a run of letters and digits, with apostrophes *inside* it kept
  (``i'll``, ``ne'er``, ``call'd``, ``father's`` are one token each);
- every other mark is a token of its own (``,`` ``.`` ``:`` ``;`` ``!`` ``?`` ``&``
  ``$`` and an apostrophe at a word's edge, so ``'tis`` gives ``'`` ``tis``), except
  that a run of hyphens is one token (``--`` is Shakespeare's dash, ``well-met``
  gives ``well`` ``-`` ``met``);
- white space, newlines included, only separates tokens: there is no end-of-line
  token (a speaker's name ends with the token ``:``, a sentence with ``.``, ``?``, ``!``).

The whole text is 253,147 tokens over a vocabulary of 12,385 (11 of them
punctuation: ``, : . ; ? ! ' - -- & $``). The vocabulary is built from the whole
text, ids given in the order words first appear (as the book's ``preprocess`` does),
so every split uses the same ids and a word of the test split never lacks an id.
The splits are by position, with no shuffling: the first 90 % of the tokens for
training, the next 5 % for validation, the last 5 % for test (a text's end is new text).
"""

from __future__ import annotations

import functools
import re

import numpy as np

__all__ = ["DATA_TYPES", "SPLIT_FRACTIONS", "tokenize", "load_words"]

#: The accepted ``data_type`` values of ``load_words`` ("valid" is the book's name for "val").
DATA_TYPES = ("train", "val", "test", "all")
#: Fractions of the token stream in train, val and test, in this order.
SPLIT_FRACTIONS = (0.9, 0.05, 0.05)

# A word (letters/digits, apostrophes only between them), a run of hyphens, or any
# other single non-space character.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|-+|[^\s]")


def tokenize(text: str) -> list[str]:
    """The tokens of ``text``, lower-cased: words and punctuation marks, as in the module
    docstring. ``tokenize("Is't so? Well-met--I'll go.")`` is
    ``["is't", 'so', '?', 'well', '-', 'met', '--', "i'll", 'go', '.']``."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize takes a string, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


def build_vocab(words: list[str]) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """``(corpus, word_to_id, id_to_word)`` of a token list, ids in order of first
    appearance (the book's ``preprocess``): corpus int32 (len(words),)."""
    word_to_id: dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    corpus = np.fromiter((word_to_id[w] for w in words), dtype=np.int32, count=len(words))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return corpus, word_to_id, id_to_word


@functools.lru_cache(maxsize=1)
def _tiny_shakespeare_words() -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    # Imported here, not at the top: dataset.text re-exports this module's functions.
    from .text import load_tiny_shakespeare

    corpus, word_to_id, id_to_word = build_vocab(tokenize(load_tiny_shakespeare()))
    corpus.flags.writeable = False  # the cached copy; callers get their own
    return corpus, word_to_id, id_to_word


def split_bounds(n_tokens: int) -> dict[str, tuple[int, int]]:
    """The ``[start, stop)`` of each split of a stream of ``n_tokens`` (90/5/5 by position)."""
    train_end = int(SPLIT_FRACTIONS[0] * n_tokens)
    val_end = int((SPLIT_FRACTIONS[0] + SPLIT_FRACTIONS[1]) * n_tokens)
    return {"train": (0, train_end), "val": (train_end, val_end), "test": (val_end, n_tokens),
            "all": (0, n_tokens)}


def load_words(data_type: str = "train") -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Word-level tiny Shakespeare as ``(corpus, word_to_id, id_to_word)``, like the book's
    ``ptb.load_data``.

    corpus: int32 (N,), the ids of the tokens of the split ``data_type``: "train" (the
    first 90 % of the stream, 227,832 tokens), "val" (the next 5 %, 12,657), "test" (the
    last 5 %, 12,658) or "all" (253,147); "valid" is accepted for "val", as in the book.
    word_to_id / id_to_word: the vocabulary of the whole text (12,385 tokens), the same
    in every split. Deterministic; the tokenisation is done once per process (about
    0.3 s), then each call only copies its slice and the two dicts.
    """
    if data_type == "valid":
        data_type = "val"
    if data_type not in DATA_TYPES:
        listed = ", ".join(repr(c) for c in DATA_TYPES)
        raise ValueError(f"load_words: data_type must be one of {listed}; got {data_type!r}")
    corpus, word_to_id, id_to_word = _tiny_shakespeare_words()
    start, stop = split_bounds(len(corpus))[data_type]
    return corpus[start:stop].copy(), dict(word_to_id), dict(id_to_word)
