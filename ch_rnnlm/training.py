"""One recurrent language model trained the chapter's way: the one training loop
(``common.training.loop``) with the hooks the chapter needs, composed here.

    run = train_rnnlm(model, SGD(lr=20), train, val, epochs=3, max_grad=0.25)
    run.curves()["val_ppl"], run.validation.best_at     # the model holds the best epoch

Truncated backpropagation through time on ``SequentialWindows`` (the hidden state carried
from batch to batch), as the book's ``RnnlmTrainer`` trains, with these hooks in order:

- ``ClipGrads``: the gradients' global norm clipped to ``max_grad``;
- ``MeanLoss``: every ``eval_interval`` iterations the training perplexity, and the book's
  line '| epoch 1 |  iter 21 / 351 | time 3[s] | perplexity 412.30';
- ``Evaluate``: after every epoch the validation perplexity and the learning rate are
  recorded; the best epoch's parameters are kept (and put back at the end), and an epoch
  that does not improve divides the learning rate by ``lr_decay``, as the book's
  ``train_better_rnnlm.py`` does by hand;
- ``SaveCheckpoints`` (with ``checkpoint``): the whole run written every
  ``checkpoint_every`` iterations and at the end. ``resume`` (a checkpoint's path)
  continues that run bit for bit, even after SIGKILL, once the checkpoint is found to
  come from the same settings: ``settings`` (the program's) and this function's own.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from common.batches import SequentialWindows
from common.memory import keep_freed_memory
from common.nets.perplexity import check_corpus, eval_perplexity, perplexity
from common.training.checkpoint import SaveCheckpoints, read_checkpoint
from common.training.hooks import Evaluate, write_into
from common.training.loop import Hook, Loop
from common.training.model_trainer import ClipGrads, MeanLoss, book_line, named_model
from common.validation import whole_number


@dataclass
class RnnlmRun:
    """A run of ``train_rnnlm``: the ``loop`` (its counters, ``history`` and stop reason),
    the ``validation`` hook (``best_at``, the best epoch, 0 if none was validated;
    ``best_value``, its perplexity) and whether the model was given back the best
    validated epoch's parameters (``kept_best``; else it holds the last ones)."""

    loop: Loop
    validation: Evaluate
    kept_best: bool

    def curves(self) -> dict[str, list]:
        """The curves under the chapter report's names: ``ppl`` (training perplexity) at
        ``ppl_iteration``, ``val_ppl`` at ``val_iteration``, ``lr_per_epoch``."""
        history, per_epoch = self.loop.history, len(self.loop.batches)
        return {"ppl": [perplexity(loss) for loss in history.get("mean_loss", [])],
                "ppl_iteration": history.get("mean_loss_iteration", []),
                "val_ppl": history.get("val_ppl", []),
                "val_iteration": [epoch * per_epoch for epoch in history.get("eval_epoch", [])],
                "lr_per_epoch": history.get("lr", [])}


def validation_line(loop: Loop, validation: Evaluate, val_ppl: float) -> str:
    """'epoch 2: validation perplexity 1010.04 (best so far)', or '(no better: learning
    rate / 4 = 1.25)' after an epoch that did not improve (the rate is already divided)."""
    if validation.improved:
        note = "best so far"
    elif validation.decay is None:
        note = "no better"
    else:
        note = f"no better: learning rate / {validation.decay:g} = {loop.optimizer.lr:.4g}"
    return f"epoch {loop.epoch}: validation perplexity {val_ppl:.2f} ({note})"


def train_rnnlm(model: Any, optimizer: Any, corpus: np.ndarray, val_corpus: np.ndarray, *,
                epochs: int, batch_size: int = 20, time_size: int = 35,
                max_grad: float | None = 0.25, eval_interval: int | None = 20,
                lr_decay: float | None = 4.0, checkpoint: str | os.PathLike | None = None,
                checkpoint_every: int = 250, resume: str | os.PathLike | None = None,
                settings: Any = None, verbose: bool = True) -> RnnlmRun:
    """Train ``model`` with ``optimizer`` for ``epochs`` epochs on the word ids ``corpus``,
    validated on ``val_corpus`` after each (see the module docstring); ``verbose`` prints
    the lines. Both corpora are checked before the first update (ValueError); a missing,
    damaged or foreign checkpoint to ``resume`` is a CheckpointError, before training."""
    who = "train_rnnlm"
    whole_number(epochs, "epochs", who=who)
    vocab = getattr(model, "vocab_size", None)
    corpus = check_corpus(corpus, batch_size, time_size, f"{who}: corpus", extra=1,
                          vocab_size=vocab)
    val_corpus = check_corpus(val_corpus, 10, 35, f"{who}: val_corpus", extra=1,
                              vocab_size=vocab)
    pending = read_checkpoint(resume) if resume is not None else None
    if pending is not None and verbose:
        print(f"resuming the run checkpointed in {resume}", flush=True)
    named = named_model(model, optimizer, who)
    keep_freed_memory()  # an iteration frees and allocates tens of MB (common.memory)
    windows = SequentialWindows(corpus[:-1], corpus[1:], batch_size, time_size)

    hooks: list[Hook] = [ClipGrads(max_grad)] if max_grad else []
    if eval_interval is not None:
        line = book_line("perplexity", len(windows), time.perf_counter())
        hooks.append(MeanLoss(eval_interval, len(windows), line=line if verbose else None))

    validation = Evaluate({"val_ppl": lambda: eval_perplexity(model, val_corpus),
                           "lr": lambda: optimizer.lr},
                          every_epochs=1, best="val_ppl", lower_is_better=True,
                          keep=named.params, restore_best=False, decay=lr_decay)
    if verbose:  # the line of each validation
        validation.report = lambda loop, values: print(
            validation_line(loop, validation, values["val_ppl"]), flush=True)
    hooks.append(validation)
    # what a resumed run must share with the checkpointed one (the keys RnnlmTrainer used
    # to write: its checkpoints still resume)
    config = {"caller": settings, "fit": {
        "max_epoch": epochs, "batch_size": batch_size, "time_size": time_size,
        "max_grad": max_grad, "eval_interval": eval_interval, "lr_decay": lr_decay,
        "data_size": len(corpus) - 1, "val_size": len(val_corpus)}}
    if checkpoint is not None:
        hooks.append(SaveCheckpoints(checkpoint, checkpoint_every, config))  # last: all saved

    loop = Loop(named, optimizer, windows, epochs=epochs, hooks=hooks)
    if pending is not None:
        pending.restore(loop, config)  # CheckpointError, with nothing changed
    if loop.run().stop_reason and verbose:
        print(loop.stop_message(), flush=True)
    # the best validated epoch's parameters (even after a divergence: they are finite)
    if validation.best_state is not None:
        write_into(named.params, validation.best_state)
    model.reset_state()
    return RnnlmRun(loop, validation, kept_best=validation.best_state is not None)
