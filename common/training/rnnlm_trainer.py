"""The second book's ``RnnlmTrainer``: a recurrent language model trained by truncated
backpropagation through time, a face over the one training loop (``common.training.loop``).

    trainer = RnnlmTrainer(model, SGD(lr=20))
    trainer.fit(xs, ts, max_epoch=4, batch_size=20, time_size=35, max_grad=0.25)

The corpus is one long stream of word ids, read in ``SequentialWindows`` that carry the
hidden state from one batch to the next; perplexity is ``common.nets.perplexity``'s.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import numpy as np

from common.batches import SequentialWindows
from common.memory import keep_freed_memory
from common.nets.perplexity import check_corpus, eval_perplexity
from common.training.checkpoint import (
    CheckpointError,
    SaveCheckpoints,
    read_checkpoint,
    save_checkpoint,
)
from common.training.hooks import Evaluate
from common.training.loop import Hook, Loop
from common.training.model_trainer import ClipGrads, MeanLoss, book_line, named_model
from common.validation import real_number, whole_number


class _LearningRates(Hook):
    """The learning rate of every epoch, as it begins, in ``history['lr']``."""

    def start(self, loop: Loop) -> None:
        if loop.batches.position == 0:
            loop.record(lr=float(loop.optimizer.lr))

    def after_epoch(self, loop: Loop) -> None:
        if not loop.finished():
            loop.record(lr=float(loop.optimizer.lr))


class RnnlmTrainer:
    """Trains a recurrent language model on a stream of word ids by truncated BPTT.

    ``fit(xs, ts, ...)``: xs the input ids and ts the ids to predict (``corpus[:-1]`` and
    ``corpus[1:]``). Each iteration takes the next sequential batch, runs
    ``model.forward(xs, ts)`` and ``model.backward()``, clips the gradients' global norm to
    ``max_grad`` and updates. Every ``eval_interval`` iterations of an epoch it records the
    perplexity of the batches since the last record in ``ppl_list`` (the iteration in
    ``ppl_iterations``) and prints the book's line. Calling ``fit`` again continues the
    curves.

    ``val_corpus`` (word ids): after every epoch its perplexity goes to ``val_ppl_list``;
    the parameters of the best epoch are kept (``best_params``, ``best_epoch``,
    ``best_ppl``; ``use_best()`` puts them back), and an epoch that does not improve
    divides the learning rate by ``lr_decay`` (the book's 4; None keeps it).

    A loss that is NaN or infinite stops training before its update (``diverged``); Ctrl-C
    stops after the current iteration (``interrupted``). ``checkpoint`` (a path): the run
    (parameters, optimizer, carried hidden states, dropout generators, position in the
    stream, curves, best parameters) is written every ``checkpoint_every`` iterations, on
    Ctrl-C and at the end; ``resume(path)`` then ``fit`` with the same arguments finishes
    that run exactly. ``config``: the caller's settings, which a resumed run must share.
    """

    def __init__(self, model: Any, optimizer: Any,
                 checkpoint: str | os.PathLike | None = None, checkpoint_every: int = 250,
                 config: dict | None = None, verbose: bool = True) -> None:
        named = named_model(model, optimizer, "RnnlmTrainer")
        # an iteration of a language model allocates and frees tens of MB of temporaries:
        # keep them for reuse instead of faulting them back in page by page
        keep_freed_memory()
        self.model, self.optimizer, self.verbose = model, optimizer, verbose
        self.checkpoint, self.config = checkpoint, config
        self.checkpoint_every = whole_number(checkpoint_every, "checkpoint_every",
                                             who="RnnlmTrainer")
        self.loop = Loop(named, optimizer, (), epochs=0)
        self.windows: SequentialWindows | None = None  # the batches of the current fit
        # the best epoch so far is kept across calls of fit
        self.evaluation = Evaluate({"val_ppl": self._val_perplexity}, every_epochs=1,
                                   best="val_ppl", lower_is_better=True, restore_best=False,
                                   keep=named.params, report=self._validated)
        self.time_idx = 0  # the book's get_batch's position in the stream
        self._val_corpus: np.ndarray | None = None
        self._lr_decay: float | None = None
        self.eval_interval: int | None = None
        self.seconds = 0.0
        self._pending: Any = None   # a checkpoint read by resume, restored by fit
        self._run_config: Any = None

    def get_batch(self, x: np.ndarray, t: np.ndarray, batch_size: int,
                  time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The batch at ``time_idx`` (the book's method), which then moves ``time_size`` on."""
        batch = SequentialWindows(x, t, batch_size, time_size).window(self.time_idx)
        self.time_idx += time_size
        return batch

    def save_checkpoint(self, path: str | os.PathLike | None = None) -> None:
        """Write the state of the run to ``path`` (default ``checkpoint``), atomically."""
        save_checkpoint(path if path is not None else self.checkpoint, self.loop,
                        self._run_config)

    def resume(self, path: str | os.PathLike) -> None:
        """Read the checkpoint ``path`` (CheckpointError at once if it is missing or
        damaged); the next ``fit`` restores it, once it has checked that the run had the
        same model, optimizer and settings, and finishes that run."""
        self._pending = read_checkpoint(path)

    def fit(self, xs: np.ndarray, ts: np.ndarray, max_epoch: int = 10, batch_size: int = 20,
            time_size: int = 35, max_grad: float | None = None, eval_interval: int | None = 20,
            val_corpus: np.ndarray | None = None, lr_decay: float | None = 4.0) -> None:
        """Train ``max_epoch`` epochs of len(xs) // (batch_size · time_size) iterations each
        (after ``resume``: the rest of the checkpointed run). See the class docstring."""
        whole_number(max_epoch, "max_epoch", who="RnnlmTrainer.fit")
        self._lr_decay = None if lr_decay is None else real_number(lr_decay, "lr_decay", low=1.0)
        xs, ts, self._val_corpus = self._checked(xs, ts, val_corpus, batch_size, time_size)
        self.windows = SequentialWindows(xs, ts, batch_size, time_size)
        self.eval_interval = eval_interval
        self._run_config = {"caller": self.config, "fit": {
            "max_epoch": max_epoch, "batch_size": batch_size, "time_size": time_size,
            "max_grad": max_grad, "eval_interval": eval_interval, "lr_decay": self._lr_decay,
            "data_size": len(xs), "val_size": None if val_corpus is None else len(val_corpus)}}
        self.loop.extend(self.windows, max_epoch, self._hooks(max_grad))
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.restore(self.loop, self._run_config)  # CheckpointError, nothing changed
        self._report(self.loop.run())

    def _checked(self, xs: Any, ts: Any, val_corpus: Any, batch_size: int, time_size: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """xs, ts and val_corpus checked, all of them, before the first update: integer ids
        in the model's vocabulary, long enough for the batches (a ValueError otherwise)."""
        who, vocab = "RnnlmTrainer.fit", getattr(self.model, "vocab_size", None)
        if np.shape(ts) != np.shape(xs):
            raise ValueError(f"{who}: xs and ts must be two views of one stream of the same "
                             f"length (corpus[:-1] and corpus[1:]); got {np.shape(xs)} and "
                             f"{np.shape(ts)}")
        xs, ts = (check_corpus(ids, batch_size, time_size, f"{who}: {name}", vocab_size=vocab)
                  for name, ids in (("xs", xs), ("ts", ts)))
        if val_corpus is not None:
            val_corpus = check_corpus(val_corpus, 10, 35, f"{who}: val_corpus", extra=1,
                                      vocab_size=vocab)
        return xs, ts, val_corpus

    def _hooks(self, max_grad: float | None) -> list[Hook]:
        """The hooks of a fit: learning rates, clipping, the book's lines, validation and
        checkpoints, in that order."""
        hooks: list[Hook] = [_LearningRates(), *([ClipGrads(max_grad)] if max_grad else [])]
        if self.eval_interval is not None:
            line = book_line("perplexity", len(self.windows), time.perf_counter())
            hooks.append(MeanLoss(self.eval_interval, len(self.windows),
                                  line=line if self.verbose else None))
        if self._val_corpus is not None:
            hooks.append(self.evaluation)
        if self.checkpoint is not None:
            hooks.append(SaveCheckpoints(self.checkpoint, self.checkpoint_every,
                                         self._run_config))
        return hooks

    def _report(self, loop: Loop) -> None:
        """Say why a run stopped early."""
        self.seconds = loop.seconds
        if self.verbose and loop.stop_reason:
            print(f"Training stopped: {loop.stop_reason}" if loop.diverged else
                  f"Interrupted (Ctrl-C) in epoch {loop.epoch + 1}, after iteration "
                  f"{self.windows.position} of {len(self.windows)}", flush=True)

    def _val_perplexity(self) -> float:
        return eval_perplexity(self.model, self._val_corpus)

    def _validated(self, loop: Loop, values: dict[str, float]) -> None:
        """After an epoch's validation: decay the learning rate when it brought nothing
        better, and say so."""
        lr_decay = self._lr_decay
        if self.evaluation.improved:
            note = "best so far"
        elif lr_decay is not None:
            self.optimizer.lr /= lr_decay
            note = f"no better: learning rate / {lr_decay:g} = {self.optimizer.lr:.4g}"
        else:
            note = "no better"
        if self.verbose:
            print(f"epoch {loop.epoch}: validation perplexity {values['val_ppl']:.2f} ({note})",
                  flush=True)

    def use_best(self) -> bool:
        """Put the parameters of the best validated epoch back in the model (and reset its
        state); False, changing nothing, when no epoch was validated."""
        if self.best_params is None:
            return False
        params = self.loop.model.params
        for key, value in self.best_params.items():
            np.copyto(params[key], value)
        self.model.reset_state()
        return True

    def plot(self, ylim: tuple[float, float] | None = None, path: str | None = None) -> Any:
        """The training perplexity curve (the book's ``plot``): in a window when there is a
        display, else (or when ``path`` is given) a PNG file, whose path is returned."""
        from common.plots.curves import plot_book_curve

        return plot_book_curve(self.ppl_iterations, self.ppl_list, "iteration", "perplexity",
                               ylim, path, "rnnlm_perplexity.png")

    # --- what the run recorded -------------------------------------------------------------
    def _history(self, name: str) -> list:
        return self.loop.history.setdefault(name, [])

    @property
    def ppl_list(self) -> list[float]:
        """The perplexity of every ``eval_interval`` iterations: exp(mean loss)."""
        return [math.exp(loss) for loss in self._history("mean_loss")]

    ppl_iterations = property(lambda self: self._history("mean_loss_iteration"),
                              doc="The iteration of each entry of ``ppl_list``.")
    val_ppl_list = property(lambda self: self._history("val_ppl"),
                            doc="Validation perplexity after each epoch.")
    val_epochs = property(lambda self: self._history("eval_epoch"),
                          doc="The epoch of each validation.")
    lr_list = property(lambda self: self._history("lr"), doc="The learning rate of each epoch.")
    iteration = property(lambda self: self.loop.iteration, doc="Updates, all epochs.")
    current_epoch = property(lambda self: self.loop.epoch, doc="Epochs completed.")
    diverged = property(lambda self: self.loop.diverged, doc="Whether the loss became NaN/inf.")
    interrupted = property(lambda self: self.loop.interrupted, doc="Whether Ctrl-C stopped it.")

    epoch_iter = property(lambda self: 0 if self.windows is None else self.windows.position,
                          doc="Iterations done in the current epoch.")
    best_params = property(lambda self: self.evaluation.best_state,
                           doc="Copies of the parameters of the best validated epoch, or None.")
    best_epoch = property(lambda self: self.evaluation.best_at, doc="The best validated epoch.")
    best_ppl = property(lambda self: self.evaluation.best_value,
                        doc="The best validation perplexity (inf before any).")


__all__ = ["CheckpointError", "RnnlmTrainer"]
