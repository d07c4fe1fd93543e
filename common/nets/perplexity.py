"""A corpus as one stream of word ids: its check, and a language model's perplexity on it
(the second book's ``eval_perplexity``, ``perplexity`` of a loss); ``mean_loss``, a model's
loss on fixed windows.

    model.reset_state()
    print(eval_perplexity(model, corpus_test))

The stream is read as ``batch_size`` rows that start at evenly spaced offsets and move
forward together, ``time_size`` words at a time, as ``batches.SequentialWindows`` reads it
for training. Perplexity is exp(mean cross-entropy per word): a model that spreads its
guesses evenly over k words has perplexity k.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from common.nets.parameters import LayeredModel
from common.validation import whole_number


def check_corpus(corpus: Any, batch_size: int, time_size: int, who: str, extra: int = 0,
                 vocab_size: int | None = None) -> np.ndarray:
    """``corpus`` as a 1-D integer array holding at least batch_size · time_size + ``extra``
    ids, each in 0..vocab_size-1 when ``vocab_size`` is given, else a ValueError saying
    what is wrong and what to change: all of it is checked before the first update."""
    corpus = np.asarray(corpus)
    if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer):
        raise ValueError(f"{who}: the corpus must be a 1-D array of integer word ids, got "
                         f"{corpus.dtype} of shape {corpus.shape}")
    needed = batch_size * time_size + extra
    if len(corpus) < needed:
        raise ValueError(f"{who}: a corpus of {len(corpus)} ids is too short for batches of "
                         f"{batch_size} rows x {time_size} time steps (it needs at least "
                         f"{needed}); lower batch_size or time_size, or give more text")
    if vocab_size is not None:
        outside = np.flatnonzero((corpus < 0) | (corpus >= vocab_size))
        if len(outside):
            raise ValueError(f"{who}: id {corpus[outside[0]]} at position {outside[0]} (and "
                             f"{len(outside) - 1} more) is outside the model's vocabulary of "
                             f"{vocab_size} words (ids 0..{vocab_size - 1}); build the model "
                             "with the corpus's vocabulary size, or map unknown words to an "
                             "id of its own (<unk>)")
    return corpus


def perplexity(loss: float) -> float:
    """exp(``loss``), the perplexity of a mean cross-entropy per word: inf (not an
    OverflowError) for a loss past what a float's exp can hold, NaN for NaN."""
    return math.inf if loss > 709.0 else math.exp(loss)


def _forward_for_evaluation(model: Any, xs: np.ndarray, ts: np.ndarray) -> float:
    """The loss with dropout off, ``forward(xs, ts, train_flg=False)``, for the library's
    models; ``forward(xs, ts)``, as the book's function calls it, for the book's own."""
    if isinstance(model, LayeredModel):
        return model.forward(xs, ts, train_flg=False)
    return model.forward(xs, ts)


def eval_perplexity(model: Any, corpus: np.ndarray, batch_size: int = 10,
                    time_size: int = 35, verbose: bool = False) -> float:
    """The perplexity exp(mean over words of -log p(next word)) of ``model`` on ``corpus``.

    The corpus (1-D word ids) is read as ``batch_size`` parallel rows, ``time_size`` words
    at a time (the book's ``eval_perplexity``); the model predicts every word from the ones
    before it in its row, carrying its hidden state from one chunk to the next, with dropout
    off. Starts and ends with ``model.reset_state()``. The (len(corpus) - 1) //
    (batch_size · time_size) full chunks are measured; a corpus that holds none raises
    ValueError. ``verbose`` prints the progress as the book does.
    """
    batch_size = whole_number(batch_size, "batch_size", who="eval_perplexity")
    time_size = whole_number(time_size, "time_size", who="eval_perplexity")
    corpus = check_corpus(corpus, batch_size, time_size, "eval_perplexity", extra=1)
    size = len(corpus)
    max_iters = (size - 1) // (batch_size * time_size)
    jump = (size - 1) // batch_size
    rows = np.arange(batch_size)[:, np.newaxis] * jump + np.arange(time_size)
    model.reset_state()
    total_loss = 0.0
    for iters in range(max_iters):
        positions = rows + iters * time_size
        xs, ts = corpus[positions % size], corpus[(positions + 1) % size]
        total_loss += float(_forward_for_evaluation(model, xs, ts))
        if verbose:
            print(f"\r{iters + 1} / {max_iters}", end="", flush=True)
    if verbose:
        print()
    model.reset_state()
    return perplexity(total_loss / max_iters)


def mean_loss(model: Any, x: np.ndarray, t: np.ndarray, batch_size: int = 50) -> float:
    """The model's loss averaged over the rows of x, t (e.g. fixed text windows), computed
    ``batch_size`` rows at a time in inference mode, each chunk weighted by its rows."""
    total = 0.0
    for start in range(0, len(x), batch_size):
        chunk = slice(start, start + batch_size)
        total += model.loss(x[chunk], t[chunk]) * len(x[chunk])
    return total / len(x)
