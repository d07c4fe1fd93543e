"""Trainer: real epochs, a clean stop when the loss diverges; and the best parameters kept
by the run a program composes from the loop (shuffled epochs, ``Evaluate``'s best)."""

import math

import numpy as np
import pytest

from common.batches import ShuffledBatches
from common.nets.multi_layer import MultiLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.optim import SGD, Adam
from common.training.hooks import Evaluate, accuracies
from common.training.loop import fit
from common.training.trainer import Trainer


def blobs(n, seed=0):
    """Three well separated Gaussian blobs in 4-D; column 0 holds the sample's index."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, n)
    x = rng.standard_normal((n, 4)).astype(np.float32) * 0.5
    x[:, 1:] += 3 * np.eye(3, dtype=np.float32)[t]
    x[:, 0] = np.arange(n)
    return x, t


class RecordingNet(MultiLayerNet):
    """Records which samples (by the index in column 0) each training pass saw."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def forward(self, x, t, train_flg=True):
        self.seen.append(x[:, 0].astype(int))
        return super().forward(x, t, train_flg)


def fit_keeping_the_best(net, optimizer, x, t, epochs, batch_size, every=1, best="val_acc",
                         report=False):
    """The run a program composes (``ch_mnist.training``): shuffled epochs, the accuracies
    measured every ``every`` epochs (the training set doubling as validation set), the
    parameters and running statistics of the best kept."""
    evaluation = Evaluate(accuracies(net, {"train": (x, t), "val": (x, t)}), every_epochs=every,
                          best=best, keep={**net.params, **net.buffers}, report=report)
    loop = fit(net, optimizer, ShuffledBatches(x, t, batch_size, seed=0), epochs=epochs,
               hooks=[evaluation])
    return loop, evaluation


def test_each_epoch_visits_every_sample_exactly_once():
    x, t = blobs(103)
    net = RecordingNet(4, [5], 3, seed=0)
    trainer = Trainer(net, x, t, x[:10], t[:10], epochs=3, mini_batch_size=10,
                      optimizer="sgd", optimizer_param={"lr": 0.0}, seed=0, verbose=False)
    trainer.train()
    assert trainer.iter_per_epoch == 11
    assert len(net.seen) == 33 and len(trainer.train_loss_list) == 33
    assert [len(b) for b in net.seen[:11]] == [10] * 10 + [3]
    epochs = [np.concatenate(net.seen[i * 11:(i + 1) * 11]) for i in range(3)]
    for visited in epochs:
        np.testing.assert_array_equal(np.sort(visited), np.arange(103))
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled every epoch
    assert len(trainer.train_acc_list) == len(trainer.test_acc_list) == 3


def test_training_learns_and_is_deterministic_for_a_seed(capsys):
    x, t = blobs(600)
    x[:, 0] = 0

    def run():
        net = MultiLayerNet(4, [16], 3, seed=1)
        trainer = Trainer(net, x[:500], t[:500], x[500:], t[500:], epochs=4,
                          mini_batch_size=32, optimizer="Adam", optimizer_param={"lr": 0.01},
                          seed=2)
        trainer.train()
        return trainer, net

    (a, net_a), (b, net_b) = run(), run()
    assert a.train_loss_list == b.train_loss_list
    np.testing.assert_array_equal(net_a.params["W1"], net_b.params["W1"])
    assert a.test_acc_list[-1] > 0.95
    lines = capsys.readouterr().out.splitlines()
    epoch_lines = [line for line in lines if line.startswith("epoch ")]
    assert len(epoch_lines) == 8
    assert epoch_lines[0].startswith("epoch 1/4") and "loss" in epoch_lines[0]
    assert "test acc" in epoch_lines[0] and "ETA" in epoch_lines[0]


class SabotageAfter:
    """SGD for the first ``good_steps`` updates, then an update that ruins the weights."""

    def __init__(self, good_steps, ruin):
        self.sgd = SGD(lr=0.1)
        self.good_steps = good_steps
        self.ruin = ruin
        self.steps = 0
        self.before_ruin = None

    def update(self, params, grads):
        self.steps += 1
        if self.steps <= self.good_steps:
            self.sgd.update(params, grads)
        else:
            if self.before_ruin is None:
                self.before_ruin = {k: p.copy() for k, p in params.items()}
            self.ruin(params)


def test_the_best_parameters_are_kept():
    x, t = blobs(400)
    x[:, 0] = 0
    net = MultiLayerNet(4, [8], 3, seed=0)

    def flip(params):  # every later epoch makes the network worse than chance
        params["W2"] *= -1

    steps_per_epoch = 400 // 20
    opt = SabotageAfter(good_steps=3 * steps_per_epoch, ruin=flip)
    loop, evaluation = fit_keeping_the_best(net, opt, x, t, epochs=5, batch_size=20)
    val_acc = loop.history["val_acc"]
    assert evaluation.best_at == 3 and val_acc[2] == max(val_acc) > 0.9
    np.testing.assert_array_equal(net.params["W2"], opt.before_ruin["W2"])
    assert net.accuracy(x, t) == val_acc[2]


def test_a_nan_loss_stops_training_and_keeps_the_last_good_parameters(capsys):
    x, t = blobs(200)
    x[:, 0] = 0
    net = MultiLayerNet(4, [8], 3, seed=0)

    def poison(params):
        params["W1"][0, 0] = np.nan

    opt = SabotageAfter(good_steps=7, ruin=poison)
    trainer = Trainer(net, x, t, x, t, epochs=3, mini_batch_size=20, optimizer=opt,
                      seed=0, verbose=False)
    trainer.train()
    assert trainer.diverged
    assert len(trainer.train_loss_list) == 9 and math.isnan(trainer.train_loss_list[-1])
    for key, p in net.params.items():
        np.testing.assert_array_equal(p, opt.before_ruin[key])
    assert "nan" in trainer.stop_reason and "learning rate" in trainer.stop_reason
    assert capsys.readouterr().out == ""  # quiet, as asked


def test_a_far_too_large_learning_rate_ends_in_a_clear_stop_without_warnings(capsys):
    x, t = blobs(300)
    net = MultiLayerNet(4, [32, 32], 3, seed=0)
    trainer = Trainer(net, x, t, x, t, epochs=20, mini_batch_size=30, optimizer="sgd",
                      optimizer_param={"lr": 1e6}, seed=0, verbose=True)
    trainer.train()  # RuntimeWarnings are errors in this suite
    assert trainer.diverged
    assert all(np.all(np.isfinite(p)) for p in net.params.values())
    assert math.isfinite(net.loss(x, t))
    assert "Training stopped" in capsys.readouterr().out


def test_bad_arguments_are_reported():
    x, t = blobs(10)
    net = MultiLayerNet(4, [3], 3)
    with pytest.raises(ValueError, match="t_train has 5 labels"):
        Trainer(net, x, t[:5], x, t)
    with pytest.raises(ValueError, match="unknown optimizer"):
        Trainer(net, x, t, x, t, optimizer="sgdd")


def test_the_best_epoch_keeps_its_batchnorm_statistics():
    x, t = blobs(400)
    x[:, 0] = 0

    def flip(params):  # ruins the weights and, through them, the running statistics
        params["W1"] *= -1

    def run(epochs):
        net = MultiLayerNetExtend(4, [8], 3, seed=0, use_batchnorm=True)
        opt = SabotageAfter(good_steps=3 * 20, ruin=flip)
        return net, fit_keeping_the_best(net, opt, x, t, epochs=epochs, batch_size=20)[1]

    reference, _ = run(epochs=3)  # the same run, stopped after its best epoch
    net, evaluation = run(epochs=6)
    assert evaluation.best_at == 3
    for key in ("running_mean1", "running_var1", "W1"):
        np.testing.assert_array_equal(net.buffers.get(key, net.params.get(key)),
                                      reference.buffers.get(key, reference.params.get(key)))


def test_full_batch_training_evaluated_every_k_epochs(capsys):
    x, t = blobs(90)
    x[:, 0] = 0
    net = RecordingNet(4, [8], 3, seed=0)
    loop, evaluation = fit_keeping_the_best(net, Adam(lr=0.05), x, t, epochs=25,
                                            batch_size=len(x), every=10, best="train_acc",
                                            report=True)
    assert [len(batch) for batch in net.seen] == [90] * 25  # one update per epoch
    assert loop.history["eval_epoch"] == [10, 20, 25]
    assert len(loop.history["train_acc"]) == len(loop.history["val_acc"]) == 3
    assert evaluation.best_at in loop.history["eval_epoch"]
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    assert [line.split()[1] for line in lines] == ["10/25", "20/25", "25/25"]


def test_an_overflow_in_the_very_last_update_is_caught():
    x, t = blobs(100)
    x[:, 0] = 0
    net = MultiLayerNet(4, [8], 3, seed=0)

    def overflow(params):
        params["W2"][...] = np.inf

    opt = SabotageAfter(good_steps=9, ruin=overflow)  # 2 epochs x 5 steps: the 10th ruins
    trainer = Trainer(net, x, t, x, t, epochs=2, mini_batch_size=20, optimizer=opt,
                      seed=0, verbose=False)
    trainer.train()
    assert trainer.diverged and "overflow" in trainer.stop_reason
    assert trainer.updates == 10
    for key, p in net.params.items():
        np.testing.assert_array_equal(p, opt.before_ruin[key])
