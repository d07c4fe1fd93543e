"""Training and judging sequence-to-sequence models (the second book's chapters 7-8).

    trainer = Seq2seqTrainer(model, Adam(), batch_size=128, max_grad=5.0, seed=0)
    trainer.fit(x_train, t_train, x_test, t_test, epochs=25)
    trainer.acc_list          # exact-match accuracy on the test set after every epoch

An answer counts only when every character of it is right, as the book's ``eval_seq2seq``
(here too, with its signature) judges it: ``exact_match`` asks the model for greedy answers
to a whole set at once and compares them with the targets. ``Seq2seqTrainer`` is the
book's loop (shuffled mini-batches, gradient clipping by the global norm, an evaluation
after every epoch) with the library's care: progress inside long epochs, Ctrl-C stops
after the current batch and keeps the run, a NaN loss stops it before its update.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.optim import Adam, clip_grads
from common.training.interrupt import stop_on_interrupt
from common.training.progress import EpochProgress, format_seconds
from common.validation import real_number, whole_number


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


class Seq2seqTrainer:
    """Trains a sequence-to-sequence ``model`` (``gradient(xs, ts)``, ``params``,
    ``generate``) epoch by epoch.

    Every epoch visits the training pairs once in a new random order (``seed``), in
    mini-batches of ``batch_size`` (the last one may be smaller); each step clips the
    gradients to the global norm ``max_grad`` (None: no clipping) and updates with
    ``optimizer`` (default Adam, lr 0.001, the book's). After every epoch the exact-match
    accuracy on (x_test, t_test) goes to ``acc_list``. Records the loss of every step
    (``loss_list``), the mean loss of every epoch (``epoch_loss``) and the seconds
    (``epoch_seconds``). ``fit`` may be called again to train on.

    Ctrl-C stops after the current mini-batch (``interrupted``; an epoch left unfinished
    is not evaluated); a second Ctrl-C raises KeyboardInterrupt at once. A loss that is
    NaN or infinite stops training before its update (``diverged``).
    """

    def __init__(self, model: Any, optimizer: Any = None, batch_size: int = 128,
                 max_grad: float | None = 5.0, seed: int | None = None,
                 verbose: bool = True, eval_batch_size: int = 250) -> None:
        self.batch_size = whole_number(batch_size, "batch_size", who="Seq2seqTrainer")
        self.eval_batch_size = whole_number(eval_batch_size, "eval_batch_size",
                                            who="Seq2seqTrainer")
        if max_grad is not None:
            real_number(max_grad, "max_grad", low_open=True, who="Seq2seqTrainer")
        self.model = model
        self.optimizer = optimizer if optimizer is not None else Adam()
        self.max_grad = max_grad
        self.rng = np.random.default_rng(seed)
        self.verbose = verbose
        self.loss_list: list[float] = []
        self.epoch_loss: list[float] = []
        self.acc_list: list[float] = []
        self.epoch_seconds: list[float] = []
        self.epoch = 0  # epochs completed
        self.interrupted = self.diverged = False
        self.seconds = 0.0  # spent in fit, all calls

    def step(self, xs: np.ndarray, ts: np.ndarray) -> float:
        """One update on a mini-batch; returns its loss (no update when it is not finite)."""
        grads = self.model.gradient(xs, ts)
        loss = float(self.model.last_loss)
        if math.isfinite(loss):
            if self.max_grad is not None:
                clip_grads(grads, self.max_grad)
            self.optimizer.update(self.model.params, grads)
        return loss

    def evaluate(self, xs: np.ndarray, ts: np.ndarray) -> float:
        """The exact-match accuracy on (xs, ts), now."""
        return exact_match(self.model, xs, ts, self.eval_batch_size)

    def fit(self, x_train: np.ndarray, t_train: np.ndarray, x_test: np.ndarray,
            t_test: np.ndarray, epochs: int) -> None:
        """Train ``epochs`` more epochs (or until Ctrl-C or divergence), evaluating on the
        test set after each, with a line of progress per epoch when ``verbose``."""
        whole_number(epochs, "epochs", low=0, who="Seq2seqTrainer.fit")
        for name, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
            if len(x) == 0 or len(x) != len(t):
                raise ValueError(f"Seq2seqTrainer.fit: x_{name} has {len(x)} questions and "
                                 f"t_{name} {len(t)} answers; give one answer per question, "
                                 "and at least one")
        size = len(x_train)
        batches = math.ceil(size / self.batch_size)
        progress = EpochProgress(batches) if self.verbose else None
        start, first, last = time.perf_counter(), self.epoch, self.epoch + epochs
        with stop_on_interrupt() as stop:
            while self.epoch < last and not (stop.requested or self.diverged):
                epoch_start = time.perf_counter()
                order = self.rng.permutation(size)
                losses = []
                if progress:
                    progress.start(self.epoch + 1)
                for batch, begin in enumerate(range(0, size, self.batch_size), start=1):
                    chosen = order[begin:begin + self.batch_size]
                    with np.errstate(over="ignore", invalid="ignore"):
                        loss = self.step(x_train[chosen], t_train[chosen])
                    if not math.isfinite(loss):
                        self.diverged = True
                        break
                    losses.append(loss)
                    if progress:
                        progress.update(batch, min(begin + self.batch_size, size))
                    if stop.requested:
                        break
                if progress:
                    progress.finish()
                self.loss_list.extend(losses)
                if self.diverged or stop.requested:
                    break
                self.epoch += 1
                self.epoch_loss.append(float(np.mean(losses)))
                self.acc_list.append(self.evaluate(x_test, t_test))
                self.epoch_seconds.append(time.perf_counter() - epoch_start)
                if self.verbose:
                    self._report(start, first, last)
            self.interrupted = stop.requested
        self.seconds += time.perf_counter() - start
        if self.verbose and self.diverged:
            print(f"Training stopped: the loss became NaN or infinite in epoch "
                  f"{self.epoch + 1}; lower the learning rate or max_grad", flush=True)
        elif self.verbose and self.interrupted:
            print(f"Interrupted (Ctrl-C) after {self.epoch} full epochs", flush=True)

    def _report(self, start: float, first: int, last: int) -> None:
        """The line of an epoch just evaluated; the ETA from this call's mean epoch."""
        elapsed = time.perf_counter() - start
        per_epoch = elapsed / (self.epoch - first)
        print(f"epoch {self.epoch}/{last}  loss {self.epoch_loss[-1]:.4f}  "
              f"exact match {self.acc_list[-1]:.4f}  {format_seconds(elapsed)}  "
              f"ETA {format_seconds(per_epoch * (last - self.epoch))}", flush=True)
