"""Honest model selection and clean stops: validation data, early stopping, Ctrl-C, summary."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from helpers import assert_png, needs_mnist

from ch_mnist.training import train_network
from common.interrupt import stop_on_interrupt
from common.nets.conv import SimpleConvNet
from common.nets.multi_layer import MultiLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.nets.summary import summary
from common.optim import SGD
from common.samples import split_validation
from common.training.trainer import Trainer
from common.util import train_test_split


def blobs(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian clusters in 4-D."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) % 3
    x = rng.standard_normal((n, 4)).astype(np.float32) + 3 * np.eye(3, 4, dtype=np.float32)[t]
    return x, t


class Sabotage:
    """SGD that, from update ``after`` on, makes the network worse at every step."""

    def __init__(self, after: int, lr: float = 0.1) -> None:
        self.after, self.lr, self.updates = after, lr, 0

    def update(self, params, grads):
        self.updates += 1
        for key, p in params.items():
            p -= self.lr * grads[key] * (-5.0 if self.updates > self.after else 1.0)


def run_settings(**options):
    """The command-line options ``ch_mnist.training.train_network`` reads."""
    defaults = {"epochs": 6, "batch_size": 30, "seed": 0, "patience": None,
                "checkpoint": None, "checkpoint_every": 250, "resume": None}
    return argparse.Namespace(**{**defaults, **options})


def test_without_validation_the_final_parameters_are_kept():
    x, t = blobs(300)
    net = MultiLayerNet(4, [8], 3, seed=0)
    trainer = Trainer(net, x, t, x, t, epochs=6, mini_batch_size=30,
                      optimizer=Sabotage(after=3 * 10), seed=0, verbose=False)
    trainer.train()
    # the last epochs made it worse, and the network keeps the worse, final parameters
    assert trainer.test_acc_list[-1] < max(trainer.test_acc_list)
    assert net.accuracy(x, t) == trainer.test_acc_list[-1]


def test_validation_picks_the_epoch_and_the_test_set_only_watches(capsys):
    x, t = blobs(600)
    train, val = split_validation(x[:450], t[:450], 90, seed=0)
    net = MultiLayerNet(4, [8], 3, seed=0)
    run = train_network(net, Sabotage(after=3 * 12), run_settings(), train, val,
                        (x[450:], t[450:]), "test")
    val_acc, test_acc = run.curve("val_acc"), run.curve("test_acc")
    assert len(val_acc) == len(test_acc) == 6
    best = int(np.argmax(val_acc))  # the first of the best
    assert run.evaluation.best_at == best + 1 and run.evaluation.best_value == val_acc[best]
    assert net.accuracy(*val) == val_acc[best]
    assert net.accuracy(x[450:], t[450:]) == test_acc[best]
    assert run.parameters() == {"kept": "best_validation", "epoch": best + 1, "description":
                                f"of epoch {best + 1}, the best on validation accuracy "
                                f"({val_acc[best]:.4f})"}
    assert f"kept the parameters of epoch {best + 1}" in capsys.readouterr().out


def test_validation_split_is_stratified_seeded_and_exact():
    x, t = blobs(103)
    x_tr, t_tr = x[:100], t[:100]  # classes of 34, 33, 33 samples
    (a_x, a_t), (v_x, v_t) = split_validation(x_tr, t_tr, 10, seed=3)
    assert len(v_t) == 10 and len(a_t) == 90
    assert sorted(np.bincount(v_t)) == [3, 3, 4]  # shares 3.4, 3.3, 3.3 rounded to sum 10
    again = split_validation(x_tr, t_tr, 10, seed=3)
    np.testing.assert_array_equal(again[1][0], v_x)
    assert not np.array_equal(split_validation(x_tr, t_tr, 10, seed=4)[1][0], v_x)
    # no sample is lost or duplicated
    assert sorted(map(tuple, np.concatenate([a_x, v_x]))) == sorted(map(tuple, x_tr))
    (_, _), (_, v_t) = split_validation(x_tr, np.eye(3)[t_tr], 0.3, seed=0)
    assert v_t.shape == (30, 3)
    with pytest.raises(ValueError, match=r"validation_split: test_size of 100 samples must lie "
                                         r"in 1\.\.99"):
        split_validation(x_tr, t_tr, 100, seed=0)


def test_train_test_split_takes_a_count():
    x, t = blobs(90)
    (_, t_train), (_, t_test) = train_test_split(x, t, 7, seed=0)
    assert len(t_test) == 7 and len(t_train) == 83
    assert sorted(np.bincount(t_test, minlength=3)) == [2, 2, 3]


def test_early_stopping_after_patience_epochs_without_a_better_validation_accuracy(capsys):
    x, t = blobs(400)
    train, val = split_validation(x, t, 0.1, seed=0)
    assert len(val[1]) == 40 and len(train[1]) == 360
    net = MultiLayerNet(4, [8], 3, seed=0)
    run = train_network(net, Sabotage(after=2 * 18), run_settings(epochs=30, batch_size=20,
                                                                 patience=3),
                        train, val, (x[:60], t[:60]), "test")
    epochs, best = run.curve("eval_epoch"), run.evaluation.best_at
    assert run.loop.stop_reason.startswith("stopped early") and not run.loop.interrupted
    assert len(epochs) - epochs.index(best) - 1 == 3 and run.loop.epoch < 30
    assert all(acc <= run.evaluation.best_value for acc in run.curve("val_acc"))
    out = capsys.readouterr().out
    assert "val acc" in out and "Stopped early" in out
    assert f"kept the parameters of epoch {best}" in out


class InterruptingNet(MultiLayerNet):
    """Sends itself Ctrl-C (SIGINT) during its ``at``-th training pass (and again at
    ``twice``)."""

    def __init__(self, at: int, twice: bool = False) -> None:
        super().__init__(4, [8], 3, seed=0)
        self.at, self.twice, self.calls = at, twice, 0

    def forward(self, x, t, train_flg=True):
        self.calls += 1
        if self.calls == self.at:
            os.kill(os.getpid(), signal.SIGINT)
            if self.twice:
                os.kill(os.getpid(), signal.SIGINT)
        return super().forward(x, t, train_flg)


def test_ctrl_c_stops_after_the_current_mini_batch():
    x, t = blobs(200)
    net = InterruptingNet(at=13)
    trainer = Trainer(net, x, t, x, t, epochs=5, mini_batch_size=20, optimizer="sgd",
                      seed=0, verbose=False)
    trainer.train()  # returns: no KeyboardInterrupt escapes
    assert trainer.interrupted and trainer.updates == 13 and net.calls == 13
    assert trainer.stop_reason == "interrupted (Ctrl-C) at iteration 13"
    assert trainer.eval_epochs == [1]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_ctrl_c_with_validation_keeps_the_best_parameters():
    x, t = blobs(200)
    net = InterruptingNet(at=35)
    run = train_network(net, SGD(lr=0.01), run_settings(epochs=5, batch_size=20),
                        (x, t), (x[:50], t[:50]), (x, t), "test")
    assert run.loop.interrupted and run.evaluation.best_at in (1, 2, 3)
    assert run.kept == "best_validation"
    for key, p in net.params.items():
        np.testing.assert_array_equal(p, run.evaluation.best_state[key])


def test_a_second_ctrl_c_raises_at_once():
    with pytest.raises(KeyboardInterrupt), stop_on_interrupt() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested
        os.kill(os.getpid(), signal.SIGINT)


def test_summary_lists_layers_shapes_and_parameters(capsys):
    net = SimpleConvNet(seed=0)
    text = summary(net, (1, 28, 28))
    assert capsys.readouterr().out.strip() == text
    rows = {line.split()[0]: line.split() for line in text.splitlines()[4:12]}
    assert rows["Conv1"][1:] == ["Convolution", "(N,", "30,", "24,", "24)", "780"]
    assert rows["Pool1"][2:6] == ["(N,", "30,", "12,", "12)"]
    assert rows["Affine2"][-1] == "432,100" and rows["Affine3"][-1] == "1,010"
    assert "Total parameters: 433,890 (float32, 1.7 MiB)" in text
    assert summary(net) == text  # the network's own input shape by default


def test_summary_of_a_batchnorm_net_and_of_a_shape_error(capsys):
    net = MultiLayerNetExtend(784, [100, 50], 10, use_batchnorm=True, dtype=np.float64)
    text = summary(net, 784)
    assert "BatchNorm1" in text and "(N, 100)" in text
    assert "Total parameters: 84,360 (float64, 659.1 KiB)" in text
    assert "Running statistics (not trained): 300" in text
    with pytest.raises(ValueError, match="Affine1 expects 784 features per sample, got 785"):
        summary(net, (785,))
    shown = capsys.readouterr().out
    assert "Affine1" in shown and "error: Affine1 expects 784" in shown


@pytest.mark.slow
@needs_mnist
def test_ch_mnist_ctrl_c_reports_saves_and_exits_130(tmp_path):
    out, report, params = tmp_path / "out", tmp_path / "r.json", tmp_path / "p.npz"
    process = subprocess.Popen(
        [sys.executable, "-m", "ch_mnist", "--train-size", "10000", "--epochs", "200",
         "--out", str(out), "--json", str(report), "--save", str(params)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MPLBACKEND": "Agg"})
    lines = []
    for line in process.stdout:  # wait until training is under way
        lines.append(line)
        if line.startswith("epoch 2/200"):
            process.send_signal(signal.SIGINT)
            break
    rest, _ = process.communicate(timeout=120)
    printed = "".join(lines) + rest
    assert process.returncode == 130, printed
    assert "Interrupted (Ctrl-C)" in printed and "Traceback" not in printed
    assert "test accuracy" in printed and "parameters saved" in printed
    data = json.loads(report.read_text())
    assert data["interrupted"] and data["parameters"]["kept"] == "at_interruption"
    assert 2 <= len(data["test_accuracy_per_epoch"]) < 200
    assert params.is_file()
    assert_png(out / "learning_curves.png")


@needs_mnist
def test_ch_mnist_validation_keeps_the_best_epoch_and_says_so(tmp_path, capsys):
    from ch_mnist import cli
    report = tmp_path / "r.json"
    status = cli.main(["--train-size", "3000", "--epochs", "4", "--validation", "500",
                       "--patience", "2", "--out", str(tmp_path / "out"), "--json", str(report)])
    assert status == 0
    printed = capsys.readouterr().out
    data = json.loads(report.read_text())
    assert data["train_size"] == 2500 and data["validation_size"] == 500
    val = data["validation_accuracy_per_epoch"]
    best = int(np.argmax(val)) + 1
    assert data["parameters"]["kept"] == "best_validation" and data["parameters"]["epoch"] == best
    assert data["test_accuracy"] == data["test_accuracy_per_epoch"][best - 1]
    assert f"with the parameters of epoch {best}, the best on validation accuracy" in printed


def test_ch_mnist_patience_needs_validation(capsys):
    from ch_mnist import cli
    with pytest.raises(SystemExit) as exc:
        cli.main(["--patience", "2"])
    assert exc.value.code == 2
    assert "--patience needs --validation" in capsys.readouterr().err


def test_ctrl_c_outside_training_ends_a_program_with_130_and_one_line(capsys):
    from common.cli import exit_130_on_ctrl_c

    @exit_130_on_ctrl_c
    def main(argv=None):
        raise KeyboardInterrupt

    assert main([]) == 130
    assert capsys.readouterr().err.strip() == "interrupted (Ctrl-C)"


def test_optimizer_compare_keeps_the_runs_finished_before_ctrl_c():
    from common.interrupt import StopRequest
    from optimizer_compare.cli import compare

    x, t = np.random.default_rng(0).random((64, 784), dtype=np.float32), np.arange(64) % 10
    lrs = {"sgd": 0.01, "adam": 0.001}

    class StopDuringSecond(StopRequest):
        calls = 0

        @property
        def requested(self):  # asked once per iteration: 'yes' in the second run's 3rd
            self.calls += 1
            return self.calls > 8 + 3 - 1

        @requested.setter
        def requested(self, value):
            pass

    runs = compare(["sgd", "adam"], lrs, (x, t), (x, t), iters=8, batch_size=16, seed=0,
                   stop=StopDuringSecond())
    assert list(runs) == ["sgd"] and len(runs["sgd"].losses) == 8
    assert np.isfinite(runs["sgd"].losses).all()
