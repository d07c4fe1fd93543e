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
from common.training.checkpoint import SaveCheckpoints, read_checkpoint
from common.training.hooks import Evaluate, write_into
from common.training.loop import Hook, Loop
from common.training.model_trainer import ClipGrads, MeanLoss, book_line, named_model
from common.validation import real_number, whole_number


class RnnlmTrainer:
    """Trains a recurrent language model on a stream of word ids by truncated BPTT.

    ``fit(xs, ts, ...)``: xs the input ids and ts the ids to predict (``corpus[:-1]`` and
    ``corpus[1:]``), all checked before the first update. Each iteration takes the next
    sequential batch, runs ``model.forward(xs, ts)`` and ``model.backward()``, clips the
    gradients' global norm to ``max_grad`` and updates. Every ``eval_interval`` iterations
    of an epoch it records the perplexity of the batches since the last record in
    ``ppl_list`` (the iteration in ``ppl_iterations``) and prints the book's line. Calling
    ``fit`` again continues the curves.

    ``val_corpus`` (word ids): after every epoch its perplexity goes to ``val_ppl_list``
    and the learning rate to ``lr_list``; the parameters of the best epoch are kept
    (``best_params``, ``best_epoch``, ``best_ppl``; ``use_best()`` puts them back), and an
    epoch that does not improve divides the learning rate by ``lr_decay`` (the book's 4;
    None keeps it): ``Evaluate``, as the book's ``train_better_rnnlm.py`` does by hand.

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
        self.val_corpus: np.ndarray | None = None
        # the best epoch so far is kept across calls of fit
        self.evaluation = Evaluate(
            {"val_ppl": lambda: eval_perplexity(model, self.val_corpus),
             "lr": lambda: optimizer.lr}, every_epochs=1, best="val_ppl",
            lower_is_better=True, restore_best=False, keep=named.params, report=self._validated)
        self.time_idx = 0  # the book's get_batch's position in the stream
        self.eval_interval: int | None = None
        self._pending: Any = None  # a checkpoint read by resume, restored by fit

    def get_batch(self, x: np.ndarray, t: np.ndarray, batch_size: int,
                  time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The batch at ``time_idx`` (the book's method), which then moves ``time_size`` on."""
        batch = SequentialWindows(x, t, batch_size, time_size).window(self.time_idx)
        self.time_idx += time_size
        return batch

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
        if lr_decay is not None:
            lr_decay = real_number(lr_decay, "lr_decay", low=1.0, who="RnnlmTrainer.fit")
        xs, ts, val_corpus = self._checked(xs, ts, val_corpus, batch_size, time_size)
        windows = SequentialWindows(xs, ts, batch_size, time_size)
        self.val_corpus, self.eval_interval = val_corpus, eval_interval
        self.evaluation.decay = lr_decay  # this fit's rule; the best epoch so far stays
        run_config = {"caller": self.config, "fit": {
            "max_epoch": max_epoch, "batch_size": batch_size, "time_size": time_size,
            "max_grad": max_grad, "eval_interval": eval_interval, "lr_decay": lr_decay,
            "data_size": len(xs), "val_size": None if val_corpus is None else len(val_corpus)}}
        self.loop.extend(windows, max_epoch, self._hooks(windows, max_grad, run_config))
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.restore(self.loop, run_config)  # CheckpointError, nothing changed
        if self.loop.run().stop_reason and self.verbose:
            print(self.loop.stop_message(), flush=True)

    def _hooks(self, windows: SequentialWindows, max_grad: float | None,
               run_config: dict) -> list[Hook]:
        """The hooks of a fit: clipping, the book's lines, validation, checkpoints."""
        hooks: list[Hook] = [ClipGrads(max_grad)] if max_grad else []
        if self.eval_interval is not None:
            line = book_line("perplexity", len(windows), time.perf_counter())
            hooks.append(MeanLoss(self.eval_interval, len(windows),
                                  line=line if self.verbose else None))
        if self.val_corpus is not None:
            hooks.append(self.evaluation)
        if self.checkpoint is not None:
            hooks.append(SaveCheckpoints(self.checkpoint, self.checkpoint_every, run_config))
        return hooks

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

    def _validated(self, loop: Loop, values: dict[str, float]) -> None:
        """The line of an epoch's validation (``Evaluate`` has divided the rate already)."""
        decay = self.evaluation.decay
        note = ("best so far" if self.evaluation.improved else "no better" if decay is None
                else f"no better: learning rate / {decay:g} = {self.optimizer.lr:.4g}")
        if self.verbose:
            print(f"epoch {loop.epoch}: validation perplexity {values['val_ppl']:.2f} ({note})",
                  flush=True)

    def use_best(self) -> bool:
        """Put the parameters of the best validated epoch back in the model (and reset its
        state); False, changing nothing, when no epoch was validated."""
        if self.best_params is None:
            return False
        write_into(self.loop.model.params, self.best_params)
        self.model.reset_state()
        return True

    def plot(self, ylim: tuple[float, float] | None = None, path: str | None = None) -> Any:
        """The training perplexity curve (the book's ``plot``): in a window when there is a
        display, else (or when ``path`` is given) a PNG file, whose path is returned."""
        from common.plots.curves import plot_book_curve

        return plot_book_curve(self.ppl_iterations, self.ppl_list, "iteration", "perplexity",
                               ylim, path, "rnnlm_perplexity.png")

    # --- what the run recorded, under the book's names ---------------------------------------
    @property
    def ppl_list(self) -> list[float]:
        """The perplexity of every ``eval_interval`` iterations: exp(mean loss)."""
        return [math.exp(loss) for loss in self.loop.history.get("mean_loss", [])]

    def _history(self, name: str) -> list:
        return self.loop.history.setdefault(name, [])

    ppl_iterations = property(lambda self: self._history("mean_loss_iteration"),
                              doc="The iteration of each entry of ``ppl_list``.")
    val_ppl_list = property(lambda self: self._history("val_ppl"),
                            doc="Validation perplexity after each epoch.")
    val_epochs = property(lambda self: self._history("eval_epoch"),
                          doc="The epoch of each validation.")
    lr_list = property(lambda self: self._history("lr"),
                       doc="The learning rate of each validated epoch.")
    iteration = property(lambda self: self.loop.iteration, doc="Updates, all epochs.")
    current_epoch = property(lambda self: self.loop.epoch, doc="Epochs completed.")
    seconds = property(lambda self: self.loop.seconds, doc="Seconds of training, all fits.")
    diverged = property(lambda self: self.loop.diverged, doc="Whether the loss became NaN/inf.")
    interrupted = property(lambda self: self.loop.interrupted, doc="Whether Ctrl-C stopped it.")
    best_params = property(lambda self: self.evaluation.best_state,
                           doc="Copies of the parameters of the best validated epoch, or None.")
    best_epoch = property(lambda self: self.evaluation.best_at, doc="The best validated epoch.")
    best_ppl = property(lambda self: self.evaluation.best_value,
                        doc="The best validation perplexity (inf before any).")
