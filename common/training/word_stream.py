"""A corpus as one stream of word ids: its check, the sequential batches of truncated
backpropagation through time, and a language model's perplexity on it (the second book's
``get_batch`` and ``eval_perplexity``).

    xs, ts = sequential_batch(corpus[:-1], corpus[1:], batch_size=20, time_size=35,
                              time_idx=0)          # (20, 35) each; ts the words after xs
    model.reset_state()
    print(eval_perplexity(model, corpus_test))

The stream is read as ``batch_size`` rows that start at evenly spaced offsets (row i at
i · len(corpus) // batch_size) and move forward together, ``time_size`` words at a time:
row i of a batch continues where row i of the previous batch stopped, so a stateful
recurrent layer can carry its hidden state from one batch to the next, while
backpropagation stops at the batch's edge. Perplexity is exp(mean cross-entropy per word):
a model that spreads its guesses evenly over k words has perplexity k.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from common.validation import whole_number


def check_corpus(corpus: Any, batch_size: int, time_size: int, who: str,
                 extra: int = 0) -> np.ndarray:
    """``corpus`` as a 1-D integer array holding at least batch_size · time_size + ``extra``
    ids, else a ValueError saying what is wrong and what to change."""
    corpus = np.asarray(corpus)
    if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer):
        raise ValueError(f"{who}: the corpus must be a 1-D array of integer word ids, got "
                         f"{corpus.dtype} of shape {corpus.shape}")
    needed = batch_size * time_size + extra
    if len(corpus) < needed:
        raise ValueError(f"{who}: a corpus of {len(corpus)} ids is too short for batches of "
                         f"{batch_size} rows x {time_size} time steps (it needs at least "
                         f"{needed}); lower batch_size or time_size, or give more text")
    return corpus


def sequential_batch(xs: np.ndarray, ts: np.ndarray, batch_size: int, time_size: int,
                     time_idx: int) -> tuple[np.ndarray, np.ndarray]:
    """The batch (xs, ts), each (batch_size, time_size), that starts ``time_idx`` steps in.

    Row i reads positions (i · jump + time_idx + t) mod len(xs), t = 0..time_size-1, with
    jump = len(xs) // batch_size: the rows walk through ``batch_size`` evenly spaced parts
    of the stream side by side, wrapping around at its end (the book's ``get_batch``).
    """
    jump = len(xs) // batch_size
    positions = (np.arange(batch_size)[:, np.newaxis] * jump + time_idx
                 + np.arange(time_size)) % len(xs)
    return xs[positions], ts[positions]


def _forward_for_evaluation(model: Any, xs: np.ndarray, ts: np.ndarray) -> float:
    """``model.forward(xs, ts, train_flg=False)`` when the model takes the flag (dropout off),
    else ``model.forward(xs, ts)`` (the book's Rnnlm has no dropout and no flag)."""
    try:
        takes_flag = "train_flg" in inspect.signature(model.forward).parameters
    except (TypeError, ValueError):
        takes_flag = False
    return model.forward(xs, ts, train_flg=False) if takes_flag else model.forward(xs, ts)


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
    return math.exp(total_loss / max_iters)
