"""Training recurrent language models by truncated backpropagation through time (the second
book's ``RnnlmTrainer``): the training loop, its validation, checkpoints and curve.

    trainer = RnnlmTrainer(model, SGD(lr=20))
    trainer.fit(xs, ts, max_epoch=4, batch_size=20, time_size=35, max_grad=0.25)

The corpus is one long stream of word ids; how it is cut into batches that carry the
hidden state from one to the next (``sequential_batch``) and how perplexity is measured
on it (``eval_perplexity``) is ``common.training.word_stream``'s.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from common.nets.rnnlm import recurrent_states, set_recurrent_states
from common.training.checkpoint import (
    CheckpointError,
    check_checkpointable,
    read_checkpoint,
    save_checkpoint,
)
from common.training.interrupt import stop_on_interrupt
from common.training.model_trainer import diverged_message, named_params, train_step
from common.training.word_stream import check_corpus, eval_perplexity, sequential_batch
from common.validation import real_number, whole_number


class RnnlmTrainer:
    """Trains a recurrent language model on a stream of word ids by truncated BPTT.

    ``fit(xs, ts, ...)``: xs the input ids and ts the ids to predict (the same stream
    shifted by one word, ``corpus[:-1]`` and ``corpus[1:]``). Each iteration takes the next
    sequential batch (``sequential_batch``), runs ``model.forward(xs, ts)`` and
    ``model.backward()``, takes the gradients ``model.grads`` (a dict keyed like
    ``model.params``, or the second book's lists, an array named twice counted once with the
    sum of its gradients: ``merge_duplicates``), clips their global norm to ``max_grad``
    (``common.optim.clip_grads``) and updates. Every ``eval_interval`` iterations it
    records the perplexity of the batches since the last record in ``ppl_list`` (the
    iteration in ``ppl_iterations``) and prints a line, as the book does. Unlike the
    book's, calling ``fit`` again continues these curves.

    ``val_corpus`` (word ids): after every epoch, the perplexity on it
    (``eval_perplexity``) is recorded in ``val_ppl_list``; the parameters of the best epoch
    so far are kept (``best_params``, ``best_epoch``, ``best_ppl``: ``use_best()`` puts them
    back in the model), and an epoch that does not improve divides the optimizer's
    learning rate by ``lr_decay`` (the book's 4; None keeps it). The model's state is reset
    after each evaluation.

    A loss that is NaN or infinite stops training before its update (``diverged``). Ctrl-C
    stops after the current iteration (``interrupted``); a second one raises
    KeyboardInterrupt at once. ``checkpoint`` (a path): the state of the run (parameters,
    optimizer, the hidden states carried between batches, dropout generators, position in
    the stream, curves, best parameters) is written every ``checkpoint_every`` iterations, on
    Ctrl-C and at the end of ``fit``; ``resume(path)`` then ``fit`` with the same arguments
    finishes that run exactly as if it had never stopped. ``config``: the caller's settings,
    which a resumed run must share.
    """

    def __init__(self, model: Any, optimizer: Any,
                 checkpoint: str | os.PathLike | None = None, checkpoint_every: int = 250,
                 config: dict | None = None, verbose: bool = True) -> None:
        self.model, self.optimizer = model, optimizer
        self.checkpoint = checkpoint
        self.checkpoint_every = whole_number(checkpoint_every, "checkpoint_every",
                                             who="RnnlmTrainer")
        if checkpoint is not None:
            check_checkpointable(optimizer)
            if not isinstance(model.params, Mapping):
                raise ValueError("RnnlmTrainer: checkpoints need a model whose params is a dict "
                                 "(common.nets.rnnlm); a list model can save_params instead")
        self.config, self.verbose = config, verbose
        self.time_idx = 0          # steps into the stream of the next batch
        self.current_epoch = 0     # epochs completed
        self.epoch_iter = 0        # iterations done in the current epoch
        self.iteration = 0         # updates done, all epochs
        self.eval_interval: int | None = None
        self.ppl_list: list[float] = []
        self.ppl_iterations: list[int] = []
        self.val_ppl_list: list[float] = []
        self.val_epochs: list[int] = []
        self.lr_list: list[float] = []      # the learning rate of every epoch
        self.best_params: dict[str, np.ndarray] | None = None
        self.best_ppl = math.inf
        self.best_epoch = 0
        self.interrupted = self.diverged = False
        self.seconds = 0.0          # spent in fit, all calls of this session
        self._total_loss, self._loss_count = 0.0, 0
        self._target_epoch: int | None = None
        self._pending: Any = None   # a checkpoint read by resume, restored by fit
        self._settings: dict[str, Any] = {}  # fit's arguments, which a resumed run must share
        # save_checkpoint stores a generator; the batches here are not random, and the
        # dropout layers' generators are saved on their own
        self._rng = np.random.default_rng(0)

    # --- batches -------------------------------------------------------------------------
    def get_batch(self, x: np.ndarray, t: np.ndarray, batch_size: int,
                  time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The next sequential batch (the book's method): ``sequential_batch`` at
        ``time_idx``, which then moves ``time_size`` steps on."""
        batch = sequential_batch(x, t, batch_size, time_size, self.time_idx)
        self.time_idx += time_size
        return batch

    # --- checkpoints ---------------------------------------------------------------------
    def _run_config(self, settings: dict[str, Any]) -> dict[str, Any]:
        return {"caller": self.config, "fit": settings}

    def save_checkpoint(self, path: str | os.PathLike | None = None,
                        settings: dict[str, Any] | None = None) -> None:
        """Write the state of the run to ``path`` (default ``checkpoint``), atomically."""
        arrays: dict[str, Any] = {f"state/{k}": v for k, v in
                                  recurrent_states(self.model).items()}
        counters = {"time_idx": self.time_idx, "epoch": self.current_epoch,
                    "epoch_iter": self.epoch_iter, "loss_count": self._loss_count,
                    "best_epoch": self.best_epoch,
                    "target_epoch": self._target_epoch or self.current_epoch}
        arrays.update({f"count/{k}": np.array(v, dtype=np.int64) for k, v in counters.items()})
        arrays["total_loss"] = np.array(self._total_loss, dtype=np.float64)
        arrays["best_ppl"] = np.array(self.best_ppl, dtype=np.float64)
        if self.best_params is not None:
            arrays.update({f"best/{k}": v for k, v in self.best_params.items()})
        history = {"ppl": self.ppl_list, "ppl_iteration": self.ppl_iterations,
                   "val_ppl": self.val_ppl_list, "val_epoch": self.val_epochs,
                   "lr": self.lr_list}
        save_checkpoint(path if path is not None else self.checkpoint, self.model,
                        self.optimizer, self._rng, self.iteration, history,
                        self._run_config(settings or self._settings), arrays=arrays)

    def resume(self, path: str | os.PathLike) -> None:
        """Read the checkpoint ``path`` (CheckpointError at once if it is missing or
        damaged); the next ``fit`` restores it, once it has checked that the run had the
        same model, optimizer and settings, and finishes that run."""
        self._pending = read_checkpoint(path)

    def _restore(self, settings: dict[str, Any]) -> None:
        checkpoint, self._pending = self._pending, None
        checkpoint.restore(self.model, self.optimizer, self._rng, self._run_config(settings))
        arrays = checkpoint.arrays
        count = {k.removeprefix("count/"): int(v) for k, v in arrays.items()
                 if k.startswith("count/")}
        self.time_idx, self.current_epoch = count["time_idx"], count["epoch"]
        self.epoch_iter, self._loss_count = count["epoch_iter"], count["loss_count"]
        self.best_epoch, self._target_epoch = count["best_epoch"], count["target_epoch"]
        self._total_loss = float(arrays["total_loss"])
        self.best_ppl = float(arrays["best_ppl"])
        best = {k.removeprefix("best/"): v for k, v in arrays.items() if k.startswith("best/")}
        self.best_params = best or None
        set_recurrent_states(self.model, {k.removeprefix("state/"): v for k, v in
                                          arrays.items() if k.startswith("state/")})
        self.iteration = checkpoint.iteration
        history = checkpoint.history
        self.ppl_list, self.ppl_iterations = list(history["ppl"]), list(history["ppl_iteration"])
        self.val_ppl_list, self.val_epochs = list(history["val_ppl"]), list(history["val_epoch"])
        self.lr_list = list(history["lr"])

    # --- training ------------------------------------------------------------------------
    def fit(self, xs: np.ndarray, ts: np.ndarray, max_epoch: int = 10, batch_size: int = 20,
            time_size: int = 35, max_grad: float | None = None, eval_interval: int | None = 20,
            val_corpus: np.ndarray | None = None, lr_decay: float | None = 4.0) -> None:
        """Train ``max_epoch`` epochs of len(xs) // (batch_size · time_size) iterations each
        (after ``resume``: the rest of the checkpointed run). See the class docstring."""
        who = "RnnlmTrainer.fit"
        max_epoch = whole_number(max_epoch, "max_epoch", who=who)
        batch_size = whole_number(batch_size, "batch_size", who=who)
        time_size = whole_number(time_size, "time_size", who=who)
        if max_grad is not None:
            max_grad = real_number(max_grad, "max_grad", low_open=True, who=who)
        if eval_interval is not None:
            eval_interval = whole_number(eval_interval, "eval_interval", who=who)
        if lr_decay is not None:
            lr_decay = real_number(lr_decay, "lr_decay", low=1.0, who=who)
        xs = check_corpus(xs, batch_size, time_size, who)
        ts = np.asarray(ts)
        if ts.shape != xs.shape:
            raise ValueError(f"{who}: xs and ts must be two views of one stream of the same "
                             f"length (corpus[:-1] and corpus[1:]); got {xs.shape} and "
                             f"{ts.shape}")
        if val_corpus is not None:
            val_corpus = check_corpus(val_corpus, 10, 35, f"{who}: val_corpus", extra=1)
        self._settings = {"max_epoch": max_epoch, "batch_size": batch_size,
                          "time_size": time_size, "max_grad": max_grad,
                          "eval_interval": eval_interval, "lr_decay": lr_decay,
                          "data_size": len(xs),
                          "val_size": None if val_corpus is None else len(val_corpus)}
        if self._pending is not None:
            self._restore(self._settings)  # CheckpointError, nothing changed, if it differs
        else:
            self.time_idx, self.epoch_iter = 0, 0
            self._target_epoch = self.current_epoch + max_epoch
        self.eval_interval = eval_interval
        max_iters = len(xs) // (batch_size * time_size)
        self.interrupted = self.diverged = False
        start = time.perf_counter()
        with stop_on_interrupt() as stop:
            while self.current_epoch < self._target_epoch and not stop.requested:
                if self.epoch_iter == 0:
                    self.lr_list.append(float(getattr(self.optimizer, "lr", math.nan)))
                while self.epoch_iter < max_iters and not stop.requested:
                    if not self._step(xs, ts, batch_size, time_size, max_grad, max_iters,
                                      start):
                        break
                if self.diverged or self.epoch_iter < max_iters:
                    break
                self.current_epoch += 1
                self.epoch_iter = 0
                if val_corpus is not None:
                    self._validate(val_corpus, lr_decay)
            self.interrupted = stop.requested and self.current_epoch < self._target_epoch
        self.seconds += time.perf_counter() - start
        if self.checkpoint is not None and not self.diverged:
            self.save_checkpoint()  # on Ctrl-C and at the end
        if self.verbose and self.interrupted:
            print(f"Interrupted (Ctrl-C) in epoch {self.current_epoch + 1}, after iteration "
                  f"{self.epoch_iter} of {max_iters}", flush=True)

    def _step(self, xs: np.ndarray, ts: np.ndarray, batch_size: int, time_size: int,
              max_grad: float | None, max_iters: int, start: float) -> bool:
        """One iteration; False when the loss is not finite (nothing is updated then)."""
        batch_x, batch_t = self.get_batch(xs, ts, batch_size, time_size)
        loss = train_step(self.model, self.optimizer, batch_x, batch_t, max_grad)
        if not math.isfinite(loss):
            self.diverged = True
            if self.verbose:
                print(diverged_message(loss, f"epoch {self.current_epoch + 1}, iteration "
                                             f"{self.epoch_iter + 1}"), flush=True)
            return False
        self._total_loss += loss
        self._loss_count += 1
        if self.eval_interval is not None and self.epoch_iter % self.eval_interval == 0:
            ppl = math.exp(self._total_loss / self._loss_count)
            self.ppl_list.append(ppl)
            self.ppl_iterations.append(self.iteration + 1)
            self._total_loss, self._loss_count = 0.0, 0
            if self.verbose:
                print(f"| epoch {self.current_epoch + 1} |  iter {self.epoch_iter + 1} / "
                      f"{max_iters} | time {time.perf_counter() - start:.0f}[s] | perplexity "
                      f"{ppl:.2f}", flush=True)
        self.epoch_iter += 1
        self.iteration += 1
        if self.checkpoint is not None and self.iteration % self.checkpoint_every == 0:
            self.save_checkpoint()
        return True

    def _validate(self, val_corpus: np.ndarray, lr_decay: float | None) -> None:
        """Perplexity on the validation corpus after an epoch; keep the best parameters, or
        decay the learning rate."""
        ppl = eval_perplexity(self.model, val_corpus)
        self.val_ppl_list.append(ppl)
        self.val_epochs.append(self.current_epoch)
        if ppl < self.best_ppl:
            self.best_ppl, self.best_epoch = ppl, self.current_epoch
            self.best_params = {k: v.copy() for k, v in named_params(self.model).items()}
            note = "best so far"
        elif lr_decay is not None and hasattr(self.optimizer, "lr"):
            self.optimizer.lr /= lr_decay
            note = f"no better: learning rate / {lr_decay:g} = {self.optimizer.lr:.4g}"
        else:
            note = "no better"
        if self.verbose:
            print(f"epoch {self.current_epoch}: validation perplexity {ppl:.2f} ({note})",
                  flush=True)

    def use_best(self) -> bool:
        """Put the parameters of the best validated epoch back in the model (and reset its
        state); False, changing nothing, when no epoch was validated."""
        if self.best_params is None:
            return False
        params = named_params(self.model)
        for key, value in self.best_params.items():
            np.copyto(params[key], value)
        self.model.reset_state()
        return True

    def plot(self, ylim: tuple[float, float] | None = None, path: str | None = None) -> Any:
        """The training perplexity curve (the book's ``plot``): shown in a window when there
        is a display, saved to ``path`` when given. Returns the path or None."""
        from common.plots.figures import pyplot, save_figure

        plt = pyplot(show=path is None)
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(self.ppl_iterations, self.ppl_list, label="train")
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel("iteration")
        ax.set_ylabel("perplexity")
        if path is not None:
            return save_figure(fig, path)
        plt.show()
        return None


__all__ = ["CheckpointError", "RnnlmTrainer"]
