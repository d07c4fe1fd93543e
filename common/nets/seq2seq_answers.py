"""Judging sequence-to-sequence models (the second book's chapters 7-8) by their answers.

An answer counts only when every character of it is right, as the book's ``eval_seq2seq``
(here too, with its signature) judges it: ``exact_match`` asks the model for greedy answers
to a whole set at once and compares them with the targets; ``answer_lines`` shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.validation import whole_number


def greedy_answers(model: Any, xs: np.ndarray, ts: np.ndarray, batch_size: int = 250
                   ) -> np.ndarray:
    """The model's greedy answers (N, T'-1) to the questions xs (N, T), each started from
    ts[:, 0] (the start symbol) and as long as ts[:, 1:]; ``batch_size`` questions at a
    time, to bound the memory."""
    whole_number(batch_size, "batch_size", who="greedy_answers")
    ts = np.asarray(ts)
    if ts.ndim != 2 or ts.shape[1] < 2:
        raise ValueError(f"greedy_answers: ts must be answers of shape (N, T') with T' >= 2 "
                         f"(the start symbol, then the answer); got shape {ts.shape}")
    answers = []
    for i in range(0, len(xs), batch_size):
        batch = xs[i:i + batch_size]
        out = model.generate(batch, ts[i:i + batch_size, 0], ts.shape[1] - 1)
        # the second book's models answer one question with a flat list of ids
        answers.append(np.asarray(out).reshape(len(batch), -1))
    return np.concatenate(answers)


def exact_match(model: Any, xs: np.ndarray, ts: np.ndarray, batch_size: int = 250) -> float:
    """The fraction of questions whose greedy answer equals ts[:, 1:] at every position."""
    if len(xs) == 0:
        raise ValueError("exact_match of no questions is undefined: xs is empty")
    if len(xs) != len(ts):
        raise ValueError(f"exact_match: {len(xs)} questions but {len(ts)} answers")
    guesses = greedy_answers(model, xs, ts, batch_size)
    return float(np.mean(np.all(guesses == np.asarray(ts)[:, 1:], axis=1)))


def decode(ids: Sequence[int] | np.ndarray, id_to_char: Mapping[int, str]) -> str:
    """The characters of ``ids``: [1, 2, 0] -> '16+'."""
    return "".join(id_to_char[int(i)] for i in ids)


def answer_lines(model: Any, xs: np.ndarray, ts: np.ndarray, id_to_char: Mapping[int, str],
                 reversed_input: bool = False) -> list[str]:
    """One line per question, as the book shows them: the question (read back the right
    way round when the model was fed it ``reversed_input``), the right answer, the
    model's, and whether they agree: 'Q 77+85   T 162   ✓ 162'."""
    guesses = greedy_answers(model, xs, ts)
    lines = []
    for x, t, guess in zip(np.asarray(xs), np.asarray(ts), guesses, strict=True):
        question = decode(x[::-1] if reversed_input else x, id_to_char)
        right, answer = decode(t[1:], id_to_char), decode(guess, id_to_char)
        mark = "✓" if right == answer else "✗"
        lines.append(f"Q {question}   T {right}   {mark} {answer}")
    return lines


def eval_seq2seq(model: Any, question: np.ndarray, correct: np.ndarray,
                 id_to_char: Mapping[int, str], verbos: bool = False,
                 is_reverse: bool = False) -> int:
    """The book's check of one question (1, T) against its answer (1, T'), with the book's
    signature: 1 if the greedy answer equals correct[0, 1:] at every position, else 0;
    ``verbos`` prints it as ``answer_lines`` does (the question read back the right way
    round when ``is_reverse``). ``exact_match`` judges a whole set at once."""
    question, correct = np.asarray(question), np.asarray(correct)
    if question.ndim != 2 or len(question) != 1 or np.shape(correct)[:1] != (1,):
        raise ValueError(f"eval_seq2seq checks one question (1, T) and its answer (1, T'); "
                         f"got shapes {question.shape} and {np.shape(correct)}: use "
                         "exact_match for many")
    if verbos:
        print(answer_lines(model, question, correct, id_to_char, is_reverse)[0])
    return int(exact_match(model, question, correct))
