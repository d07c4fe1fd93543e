"""From text to the arrays the word-vector methods take: a corpus of ids, its vocabulary,
CBOW's (contexts, target) pairs and their one-hot rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.validation import whole_number

#: The id of a word left out of a restricted vocabulary (``keep_most_frequent``): it still
#: takes its place in the text, but is counted with nothing (``create_co_matrix``).
SKIPPED = -1


def check_corpus(corpus: Any, who: str, vocab_size: int | None = None,
                 skipped: bool = False) -> np.ndarray:
    """``corpus`` as a non-empty 1-D integer array of word ids in 0..vocab_size-1 (and
    ``SKIPPED`` where ``skipped`` allows it); a ValueError naming ``who`` otherwise."""
    corpus = np.asarray(corpus)
    if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer):
        raise ValueError(f"{who}: the corpus must be a 1-D array of integer word ids, got an "
                         f"array of {corpus.dtype} of shape {corpus.shape}; make one with "
                         "preprocess(text) or dataset.text.load_words()")
    if corpus.size == 0:
        raise ValueError(f"{who}: the corpus is empty: there are no words to learn from")
    low = SKIPPED if skipped else 0
    if corpus.min() < low or (vocab_size is not None and corpus.max() >= vocab_size):
        bad = int(corpus.min()) if corpus.min() < low else int(corpus.max())
        where = int(np.flatnonzero(corpus == bad)[0])
        limit = "" if vocab_size is None else f"..{vocab_size - 1}"
        extra = f" (or {SKIPPED}, a word left out)" if skipped else ""
        raise ValueError(f"{who}: word id {bad} at position {where} is out of the vocabulary: "
                         f"ids must lie in 0{limit}{extra}")
    return corpus


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """The book's ``preprocess``: ``text`` lower-cased, '.' split off as a word of its own,
    cut at white space; returns (corpus, word_to_id, id_to_word).

    Ids are given in the order words first appear: ``preprocess('You say goodbye and I
    say hello.')`` gives the corpus [0 1 2 3 4 1 5 6] over the 7 words you, say, goodbye,
    and, i, hello, '.'. corpus: int64 (number of words,).
    """
    if not isinstance(text, str):
        raise TypeError(f"preprocess takes a string, got {type(text).__name__}")
    words = text.lower().replace(".", " .").split()
    if not words:
        raise ValueError("preprocess: the text has no words (it is empty or only white space)")
    word_to_id: dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    id_to_word = {i: word for word, i in word_to_id.items()}
    corpus = np.array([word_to_id[word] for word in words], dtype=np.int64)
    return corpus, word_to_id, id_to_word


def create_contexts_target(corpus: np.ndarray,
                           window_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """CBOW's samples: every word of ``corpus`` that has ``window_size`` words on each side
    (the target), with those 2·window_size words (its contexts, left to right).

    corpus (T,) -> contexts (T - 2w, 2w), target (T - 2w,), in the corpus's dtype.
    """
    who = "create_contexts_target"
    w = whole_number(window_size, "window_size", 1, who=who)
    corpus = check_corpus(corpus, who)
    if len(corpus) < 2 * w + 1:
        raise ValueError(f"{who}: a corpus of {len(corpus)} words has no window of "
                         f"2·{w} + 1 = {2 * w + 1} words; use a longer corpus or "
                         f"window_size <= {max((len(corpus) - 1) // 2, 0)}")
    windows = np.lib.stride_tricks.sliding_window_view(corpus, 2 * w + 1)
    return np.delete(windows, w, axis=1), windows[:, w].copy()


def convert_one_hot(corpus: np.ndarray, vocab_size: int) -> np.ndarray:
    """One-hot rows of word ids (the book's ``convert_one_hot``): (N,) -> (N, V) and
    (N, C) -> (N, C, V), int32, a 1 in column ``corpus[...]``."""
    who = "convert_one_hot"
    v = whole_number(vocab_size, "vocab_size", 1, who=who)
    ids = np.asarray(corpus)
    if ids.ndim not in (1, 2):
        raise ValueError(f"{who}: takes word ids of shape (N,) or (N, C), got shape "
                         f"{ids.shape}")
    check_corpus(ids.reshape(-1), who, v)
    one_hot = np.zeros((*ids.shape, v), dtype=np.int32)
    np.put_along_axis(one_hot, ids[..., np.newaxis], 1, axis=-1)
    return one_hot


def keep_most_frequent(corpus: np.ndarray, id_to_word: Mapping[int, str] | Sequence[str],
                       size: int) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """The corpus over its ``size`` most frequent words only: (corpus, word_to_id,
    id_to_word) of the smaller vocabulary.

    The kept words get new ids 0..size-1 by falling frequency (ties in the order of the
    old ids); every other word becomes ``SKIPPED`` (-1) and keeps its place in the text,
    so that windows still span the words between (``create_co_matrix`` counts no pair
    with a skipped word). A ``size`` at least the vocabulary's keeps every word that occurs.
    """
    who = "keep_most_frequent"
    size = whole_number(size, "size", 1, who=who)
    vocab_size = len(id_to_word)
    corpus = check_corpus(corpus, who, vocab_size)
    counts = np.bincount(corpus, minlength=vocab_size)
    order = np.argsort(-counts, kind="stable")[:size]
    order = order[counts[order] > 0]
    new_id = np.full(vocab_size, SKIPPED, dtype=np.int64)
    new_id[order] = np.arange(len(order))
    kept_to_word = {i: id_to_word[int(old)] for i, old in enumerate(order)}
    return new_id[corpus], {w: i for i, w in kept_to_word.items()}, kept_to_word
