"""The book's module path ``common.util``: the first book's helpers (one-hot labels,
shuffles, splits, smoothing, im2col / col2im), from ``common.samples`` and
``common.windows``, and the second book's (its word-vector functions, from
``common.wordvec``, ``most_similar`` and ``analogy`` printing a word outside the
vocabulary as not found, as the book's do; ``to_cpu``/``to_gpu``; ``eval_perplexity``,
``eval_seq2seq`` and ``clip_grads``, read from their homes on first use). The library's
own modules import these from where they are defined, never through here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from common import wordvec

# what the books' programs import from common.util: a face, so the names are re-exported
from common.samples import (  # noqa: F401
    confusion_matrix,
    shuffle_dataset,
    smooth_curve,
    to_one_hot,
    train_test_split,
)
from common.windows import (  # noqa: F401
    col2im,
    conv_output_size,
    im2col,
    random_shift,
    shift_images,
    window_positions,
    window_sum,
    window_view,
)
from common.wordvec import (  # noqa: F401
    convert_one_hot,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    normalize,
    ppmi,
    preprocess,
)


def _not_found(words: tuple[str, ...], word_to_id: Mapping[str, int]) -> bool:
    """Whether a word is outside the vocabulary; the first such is printed as not found,
    as the book's functions print it."""
    for word in words:
        if word not in word_to_id:
            print(f"{word} is not found")
            return True
    return False


def most_similar(query: str, word_to_id: Mapping[str, int],
                 id_to_word: Mapping[int, str] | Sequence[str], word_matrix: np.ndarray,
                 top: int = 5) -> list[tuple[str, float]] | None:
    """The book's ``most_similar``: ``common.wordvec.most_similar`` (the ``top`` words of
    largest cosine similarity to ``query``'s vector, printed and returned), but a query
    outside the vocabulary is printed as not found and None returned, as in the book."""
    if _not_found((query,), word_to_id):
        return None
    return wordvec.most_similar(query, word_to_id, id_to_word, word_matrix, top)


def analogy(a: str, b: str, c: str, word_to_id: Mapping[str, int],
            id_to_word: Mapping[int, str] | Sequence[str], word_matrix: np.ndarray,
            top: int = 5, answer: str | None = None) -> list[tuple[str, float]] | None:
    """The book's ``analogy``: ``common.wordvec.analogy`` (b - a + c at length 1, ranked by
    its dot product with every word vector as it is; printed and returned), but a word
    outside the vocabulary is printed as not found and None returned, as in the book.
    ``common.wordvec.analogy_cosine`` ranks by cosine instead."""
    if _not_found((a, b, c), word_to_id):
        return None
    return wordvec.analogy(a, b, c, word_to_id, id_to_word, word_matrix, top, answer)


def to_cpu(x: np.ndarray) -> np.ndarray:
    """The second book's move of an array from the GPU: here arrays are NumPy's already,
    so ``x`` as a NumPy array."""
    return np.asarray(x)


def to_gpu(x: np.ndarray) -> np.ndarray:
    """The second book's move of an array to the GPU (CuPy), which this NumPy library does
    not do: a clear error instead of a silent CPU run the caller did not ask for."""
    raise RuntimeError("to_gpu: this library runs on NumPy, on the CPU only; leave "
                       "common.config.GPU False (its default)")


#: Where the second book's programs import these from ``common.util``, and their homes,
#: which sit above this foundation module: read on first use (PEP 562), so that this
#: module imports nothing above it.
_SECOND_BOOK = {
    "eval_perplexity": "common.nets.perplexity",
    "eval_seq2seq": "common.nets.seq2seq_answers",
    "clip_grads": "common.optim.clipping",
}


def __getattr__(name: str) -> object:
    """``eval_perplexity``, ``eval_seq2seq`` and ``clip_grads``, read from their homes in
    ``common.training`` and ``common.optim`` on first use."""
    if name in _SECOND_BOOK:
        import importlib

        return getattr(importlib.import_module(_SECOND_BOOK[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
