"""EpochProgress: progress inside long epochs, in place on a terminal, as plain lines in logs."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np

from common.layers import SoftmaxWithLoss
from common.nets.multi_layer import MultiLayerNet
from common.training.hooks import EpochProgress, format_seconds
from common.training.trainer import Trainer
from common.validation import labels_of


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_epoch(progress, batches, epoch=0):
    """What the loop calls on ``progress`` for ``batches`` steps of epoch ``epoch + 1``."""
    loop = SimpleNamespace(epoch=epoch)
    progress.start(loop)
    for _ in range(batches):
        progress.after_step(loop)
    progress.after_epoch(loop)


def test_log_lines_report_batches_rate_and_eta():
    stream = io.StringIO()
    progress = EpochProgress(10, batch_size=100, stream=stream, delay=0.0, log_interval=0.0)
    run_epoch(progress, 3, epoch=2)  # timed from the end of the first step: two lines
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "\r" not in stream.getvalue()
    assert lines[0].startswith("epoch 3: 2/10 batches") and "samples/s" in lines[0]
    assert lines[1].startswith("epoch 3: 3/10 batches") and "epoch ETA" in lines[1]


def test_terminal_line_is_rewritten_in_place_and_erased_at_the_end():
    stream = FakeTerminal()
    progress = EpochProgress(10, stream=stream, delay=0.0, tty_interval=0.0)
    run_epoch(progress, 3)
    text = stream.getvalue()
    assert "\n" not in text
    assert text.count("\r") == 3 and text.endswith("\r\x1b[K")
    assert "3/10 batches" in text


def test_short_epochs_print_nothing():
    stream = FakeTerminal()
    progress = EpochProgress(10, stream=stream)  # the default delay: a few seconds
    run_epoch(progress, 10)
    assert stream.getvalue() == ""


def test_format_seconds():
    assert format_seconds(4.25) == "4.2s"
    assert format_seconds(187) == "3m07s"


def test_trainer_reports_progress_within_a_long_epoch(capsys):
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((200, 5)).astype(np.float32), rng.integers(0, 3, 200)
    trainer = Trainer(MultiLayerNet(5, [8], 3, seed=0), x, t, x, t, epochs=1,
                      mini_batch_size=10, optimizer="sgd", seed=0)
    progress = next(hook for hook in trainer.loop.hooks if isinstance(hook, EpochProgress))
    progress.delay = 0.0  # as if the epoch were long
    progress.interval = 0.0
    trainer.train()
    lines = [line for line in capsys.readouterr().out.splitlines() if "batches" in line]
    # timed from the end of the first step: a line after each of the other 19
    assert len(lines) == 19 and lines[-1].startswith("epoch 1: 20/20 batches")


def test_trainer_keeps_the_final_parameters():
    rng = np.random.default_rng(1)
    x, t = rng.standard_normal((60, 4)).astype(np.float32), rng.integers(0, 2, 60)
    net = MultiLayerNet(4, [6], 2, seed=0)
    trainer = Trainer(net, x, t, x, t, epochs=3, mini_batch_size=20, optimizer="adam",
                      optimizer_param={"lr": 0.05}, seed=0, verbose=False)
    trainer.train()
    # the network's accuracy now is the one measured after the last epoch
    assert net.accuracy(x, t) == trainer.test_acc_list[-1]


def test_labels_in_a_column_are_labels_not_one_hot():
    # the book's chapter 7 gradient check passes t of shape (1, 1)
    x = np.array([[0.5, 2.0, -1.0]])
    column, flat = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert column.forward(x, np.array([[1]])) == flat.forward(x, np.array([1]))
    np.testing.assert_array_equal(column.backward(), flat.backward())
    np.testing.assert_array_equal(labels_of(np.array([[2], [0]])), [2, 0])
    np.testing.assert_array_equal(labels_of(np.eye(3)[[2, 0]]), [2, 0])
