"""The two methods of the chapter, each from a corpus to word vectors: counting (PPMI and
truncated SVD) and learning (CBOW with negative sampling)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from common.batches import ShuffledBatches
from common.nets.word2vec import CBOW
from common.optim import Adam
from common.training.hooks import StepLog
from common.training.loop import Loop, fit
from common.wordvec import (
    create_co_matrix,
    create_contexts_target,
    keep_most_frequent,
    ppmi,
    truncated_svd,
)
from common.wordvec.text import SKIPPED
from dataset.text import load_words

#: The randomised SVD's effort. The singular values of a PPMI matrix fall slowly (the 100th
#: of 5,000 words' is a sixth of the first), so the 100 leading directions need more
#: than the usual 10 extra vectors: with 100 and 6 power iterations they span 97 % of the
#: exact ones (an eigendecomposition of the symmetric matrix: 40 s) in 3 s; with 10 and
#: 5, 80 % in 2 s.
SVD_OVERSAMPLE, SVD_ITERATIONS = 100, 6


@dataclass
class Words:
    """The text as word ids numbered by falling frequency (id 0 the most frequent word), so
    that the K most frequent words are the ids below K."""

    corpus: np.ndarray
    word_to_id: dict[str, int]
    id_to_word: dict[int, str]


def load_text(max_tokens: int | None = None) -> Words:
    """Word-level tiny Shakespeare (``dataset.text.load_words``), all of it or its first
    ``max_tokens`` tokens, over the vocabulary of the words that occur in it."""
    corpus, _, id_to_word = load_words("all")
    corpus = corpus[:max_tokens]
    return Words(*keep_most_frequent(corpus, id_to_word, len(id_to_word)))


@dataclass
class CountVectors:
    """What the count-based method made: one vector per word of the kept vocabulary (the
    ids below ``len(vectors)``), and the seconds each step took."""

    vectors: np.ndarray
    seconds: dict[str, float] = field(default_factory=dict)
    nonzero_ppmi: float = 0.0


def count_based(words: Words, vocab: int, window: int, dim: int, seed: int) -> CountVectors:
    """Co-occurrence counts of the ``vocab`` most frequent words within ``window`` words,
    their PPMI, and its ``dim`` leading left singular vectors: (vocab, dim) float32."""
    vocab = min(vocab, len(words.id_to_word))
    corpus = np.where(words.corpus < vocab, words.corpus, SKIPPED)
    seconds = {}
    start = time.perf_counter()
    co_matrix = create_co_matrix(corpus, vocab, window)
    seconds["co_matrix"] = time.perf_counter() - start
    start = time.perf_counter()
    M = ppmi(co_matrix)
    del co_matrix  # 4·K² bytes the SVD does not need
    seconds["ppmi"] = time.perf_counter() - start
    start = time.perf_counter()
    U, _, _ = truncated_svd(M, min(dim, vocab), n_iter=SVD_ITERATIONS,
                            oversample=SVD_OVERSAMPLE, seed=seed)
    seconds["svd"] = time.perf_counter() - start
    return CountVectors(U.astype(np.float32), seconds, float(np.count_nonzero(M) / M.size))


def train_cbow(words: Words, window: int, hidden: int, epochs: int, batch_size: int,
               lr: float, negatives: int, seed: int, verbose: bool = True) -> tuple[CBOW, Loop]:
    """CBOW with negative sampling on every word of the text (each of its windows a sample),
    trained with Adam for ``epochs`` passes of full batches; Ctrl-C stops it after the
    current step (``loop.interrupted``), the vectors kept."""
    contexts, target = create_contexts_target(words.corpus, window)
    net = CBOW(len(words.id_to_word), hidden, window, words.corpus, sample_size=negatives,
               seed=seed)
    batches = ShuffledBatches(contexts, target, batch_size,
                              seed=np.random.default_rng([seed, 1]), drop_last=True)
    hooks = [StepLog(max(1, len(batches) // 2), epochs * len(batches))] if verbose else []
    loop = fit(net, Adam(lr=lr), batches, epochs=epochs, hooks=hooks)
    if verbose and loop.stop_reason:
        print(loop.stop_message(), flush=True)
    return net, loop
