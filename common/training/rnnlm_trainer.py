"""The second book's ``RnnlmTrainer``: a recurrent language model trained by truncated
backpropagation through time, a face over the one training loop (``common.training.loop``).

    trainer = RnnlmTrainer(model, SGD(lr=20))
    trainer.fit(xs, ts, max_epoch=4, batch_size=20, time_size=35, max_grad=0.25)

The corpus is one long stream of word ids, read in ``SequentialWindows`` that carry the
hidden state from one batch to the next. Validation, learning-rate decay, the best epoch
and checkpoints are hooks that a program adds to the loop itself (``ch_rnnlm.training``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from common.batches import SequentialWindows
from common.memory import keep_freed_memory
from common.nets.perplexity import check_corpus, perplexity
from common.training.loop import Hook, Loop
from common.training.model_trainer import ClipGrads, MeanLoss, book_line, named_model
from common.validation import whole_number


class RnnlmTrainer:
    """Trains a recurrent language model on a stream of word ids by truncated BPTT.

    ``fit(xs, ts, ...)``: xs the input ids and ts the ids to predict (``corpus[:-1]`` and
    ``corpus[1:]``), checked before the first update. Each iteration: the next sequential
    batch, forward, backward, the gradients' norm clipped to ``max_grad``, the update.
    Every ``eval_interval`` iterations of an epoch the perplexity of the batches since the
    last record goes to ``ppl_list`` (its iteration to ``ppl_iterations``) and the book's
    line is printed. Calling ``fit`` again continues the curves. A NaN or infinite loss
    stops before its update (``diverged``), Ctrl-C after the iteration (``interrupted``).
    """

    def __init__(self, model: Any, optimizer: Any, verbose: bool = True) -> None:
        named = named_model(model, optimizer, "RnnlmTrainer")
        # an iteration allocates and frees tens of MB: keep them for reuse (common.memory)
        keep_freed_memory()
        self.model, self.optimizer, self.verbose = model, optimizer, verbose
        self.loop = Loop(named, optimizer, (), epochs=0)
        self.time_idx = 0  # the book's get_batch's position in the stream

    def get_batch(self, x: np.ndarray, t: np.ndarray, batch_size: int,
                  time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """The batch at ``time_idx`` (the book's method), which then moves ``time_size`` on."""
        batch = SequentialWindows(x, t, batch_size, time_size).window(self.time_idx)
        self.time_idx += time_size
        return batch

    def fit(self, xs: np.ndarray, ts: np.ndarray, max_epoch: int = 10, batch_size: int = 20,
            time_size: int = 35, max_grad: float | None = None,
            eval_interval: int | None = 20) -> None:
        """Train ``max_epoch`` epochs of len(xs) // (batch_size · time_size) iterations."""
        whole_number(max_epoch, "max_epoch", who="RnnlmTrainer.fit")
        windows = SequentialWindows(*self._checked(xs, ts, batch_size, time_size),
                                    batch_size, time_size)
        hooks: list[Hook] = [ClipGrads(max_grad)] if max_grad else []
        if eval_interval is not None:
            line = book_line("perplexity", len(windows), time.perf_counter())
            hooks.append(MeanLoss(eval_interval, len(windows), line=line if self.verbose else None))
        self.loop.extend(windows, max_epoch, hooks)
        if self.loop.run().stop_reason and self.verbose:
            print(self.loop.stop_message(), flush=True)

    def _checked(self, xs: Any, ts: Any, batch_size: int,
                 time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """xs and ts checked, all of them, before the first update: integer ids in the
        model's vocabulary, long enough for the batches (a ValueError otherwise)."""
        who, vocab = "RnnlmTrainer.fit", getattr(self.model, "vocab_size", None)
        if np.shape(ts) != np.shape(xs):
            raise ValueError(f"{who}: xs and ts must be two views of one stream of the same "
                             f"length (corpus[:-1] and corpus[1:]); got {np.shape(xs)} and "
                             f"{np.shape(ts)}")
        return (check_corpus(xs, batch_size, time_size, f"{who}: xs", vocab_size=vocab),
                check_corpus(ts, batch_size, time_size, f"{who}: ts", vocab_size=vocab))

    def plot(self, ylim: tuple[float, float] | None = None, path: str | None = None) -> Any:
        """The training perplexity curve (the book's ``plot``): in a window when there is a
        display, else (or when ``path`` is given) a PNG file, whose path is returned."""
        from common.plots.curves import plot_book_curve

        return plot_book_curve(self.ppl_iterations, self.ppl_list, "iteration", "perplexity",
                               ylim, path, "rnnlm_perplexity.png")

    @property
    def ppl_list(self) -> list[float]:
        """The perplexity of every ``eval_interval`` iterations: exp(mean loss)."""
        return [perplexity(loss) for loss in self.loop.history.get("mean_loss", [])]

    @property
    def ppl_iterations(self) -> list[int]:
        """The iteration of each entry of ``ppl_list``."""
        return self.loop.history.setdefault("mean_loss_iteration", [])

    iteration = property(lambda self: self.loop.iteration, doc="Updates, all epochs.")
    current_epoch = property(lambda self: self.loop.epoch, doc="Epochs completed.")
    seconds = property(lambda self: self.loop.seconds, doc="Seconds of training, all fits.")
    diverged = property(lambda self: self.loop.diverged, doc="Whether the loss became NaN/inf.")
    interrupted = property(lambda self: self.loop.interrupted, doc="Whether Ctrl-C stopped it.")
