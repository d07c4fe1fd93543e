"""The one training loop: steps over a batch stream, hooks at their points, a NaN loss
stopped before its update, and a run resumed from its checkpoint bit for bit."""

import math
import shutil

import numpy as np
import pytest
from test_trainer import blobs

from common.batches import ShuffledBatches
from common.nets.list_model import ListView
from common.nets.multi_layer import MultiLayerNet
from common.nets.perplexity import mean_loss
from common.optim import SGD, AdamW, WarmupCosine
from common.training import checkpoint as checkpoint_module
from common.training.checkpoint import CheckpointError, SaveCheckpoints, read_checkpoint
from common.training.hooks import Evaluate, Hook
from common.training.loop import Loop, fit
from common.training.model_trainer import ClipGrads, MeanLoss

X, T = blobs(300)
X[:, 0] = 0


def make(steps=30, checkpoint=None, lr=0.01, clip=0.5):
    net = MultiLayerNet(4, [8], 3, seed=0)
    opt = WarmupCosine(AdamW(lr=lr, weight_decay=0.1), warmup=5, total=steps, min_lr=lr / 10)
    evaluation = Evaluate({"val_loss": lambda: mean_loss(net, X[250:], T[250:])},
                          every_steps=10)
    hooks = [ClipGrads(clip), evaluation]
    if checkpoint:
        hooks.append(SaveCheckpoints(checkpoint, every=7, config={"lr": lr}))
    loop = Loop(net, opt, ShuffledBatches(X[:250], T[:250], 20, seed=4), steps=steps,
                hooks=hooks)
    return net, loop


def test_steps_clip_evaluate_and_learn():
    net, loop = make()
    start = mean_loss(net, X[250:], T[250:])
    loop.run()
    history = loop.history
    assert loop.iteration == 30 and len(loop.losses) == 30 and loop.epoch == 2
    assert history["eval_iteration"] == [10, 20, 30]
    assert history["val_loss"][-1] == pytest.approx(mean_loss(net, X[250:], T[250:]))
    assert history["val_loss"][-1] < start / 2
    assert len(history["grad_norm"]) == 30 and max(history["grad_norm"]) > 0.5


def test_a_run_stopped_before_its_first_evaluation_has_its_curves_empty():
    class StopAtThree(Hook):  # as Ctrl-C would, before the first evaluation (step 10)
        def after_step(self, loop):
            if loop.iteration == 3:
                loop.stop("stopped by the test")

    _, loop = make()
    loop.hooks.append(StopAtThree())
    loop.run()
    assert loop.iteration == 3
    assert loop.history["val_loss"] == [] and loop.history["eval_iteration"] == []


def test_evaluate_divides_the_learning_rate_after_an_evaluation_without_a_better_value():
    """``decay``: the second book's plateau rule (an epoch whose validation brings nothing
    better divides the learning rate by 4), as a hook of the loop."""
    values = iter([3.0, 2.0, 2.5, 1.0, 1.0])
    evaluation = Evaluate({"val": lambda: next(values)}, every_epochs=1, best="val",
                          lower_is_better=True, keep={}, decay=4.0)
    optimizer = SGD(lr=1.0)
    fit(MultiLayerNet(4, [8], 3, seed=0), optimizer, ShuffledBatches(X, T, 100, seed=0),
        epochs=5, hooks=[evaluation])
    assert optimizer.lr == 1.0 / 16 and evaluation.best_at == 4
    with pytest.raises(ValueError, match="decay"):
        Evaluate({"val": float}, decay=0.5)


def test_hooks_are_called_at_their_points_and_end_in_reverse_order():
    calls = []

    class Spy(Hook):
        def __init__(self, name):
            self.name = name

        def start(self, loop):
            calls.append((self.name, "start"))

        def after_epoch(self, loop):
            calls.append((self.name, f"epoch {loop.epoch}"))

        def end(self, loop):
            calls.append((self.name, "end"))

    net = MultiLayerNet(4, [8], 3, seed=0)
    fit(net, SGD(lr=0.1), ShuffledBatches(X, T, 100, seed=0), epochs=2,
        hooks=[Spy("a"), Spy("b")])
    assert calls == [("a", "start"), ("b", "start"), ("a", "epoch 1"), ("b", "epoch 1"),
                     ("a", "epoch 2"), ("b", "epoch 2"), ("b", "end"), ("a", "end")]


def test_mean_loss_every_n_steps_and_the_mean_of_each_epoch():
    net = MultiLayerNet(4, [8], 3, seed=0)
    batches = ShuffledBatches(X, T, 30, seed=0)  # 10 steps an epoch
    loop = fit(net, SGD(lr=0.1), batches, epochs=2, hooks=[MeanLoss(4, len(batches))])
    # records after steps 1, 5, 9 of each epoch: the means of the steps since the last one
    assert loop.history["mean_loss_iteration"] == [1, 5, 9, 11, 15, 19]
    assert loop.history["mean_loss"][1] == pytest.approx(np.mean(loop.losses[1:5]))
    assert loop.epoch_losses() == pytest.approx([np.mean(loop.losses[:10]),
                                                 np.mean(loop.losses[10:])])


def test_resume_from_its_checkpoint_is_exact(tmp_path, monkeypatch):
    whole, reference = make()
    reference.run()
    _, first = make(checkpoint=tmp_path / "run.npz")
    original = checkpoint_module.save_checkpoint

    def save_and_keep(path, loop, config=None):
        original(path, loop, config)
        if loop.iteration == 14:  # checkpoints every 7: keep the second one
            shutil.copy(tmp_path / "run.npz", tmp_path / "a.npz")

    monkeypatch.setattr(checkpoint_module, "save_checkpoint", save_and_keep)
    first.run()
    monkeypatch.undo()
    net, resumed = make(checkpoint=tmp_path / "b.npz")
    read_checkpoint(tmp_path / "a.npz").restore(resumed, {"lr": 0.01})
    assert resumed.iteration == 14
    resumed.run()
    assert resumed.history == reference.history and resumed.losses == reference.losses
    for key, value in whole.params.items():
        np.testing.assert_array_equal(net.params[key], value)
    _, other = make(lr=0.02, checkpoint=tmp_path / "c.npz")
    with pytest.raises(CheckpointError, match=r"other settings \(lr: 0.01 in the file"):
        read_checkpoint(tmp_path / "a.npz").restore(other, {"lr": 0.02})


def test_a_diverging_run_stops_before_the_bad_update():
    net = MultiLayerNet(4, [8], 3, seed=0)
    loop = fit(net, SGD(lr=1e9), ShuffledBatches(X, T, 20, seed=0), steps=50)
    assert loop.diverged and loop.iteration < 50
    assert not math.isfinite(loop.losses[-1]) and len(loop.losses) == loop.iteration + 1
    assert loop.stop_reason.startswith("the loss became")
    assert "lower the learning rate" in loop.stop_reason
    with pytest.raises(ValueError, match="say how long to train"):
        fit(net, SGD(), ShuffledBatches(X, T, 20))


def test_the_second_books_lists_train_each_shared_array_once():
    """A model whose lists name one array twice (weight sharing) gets the sum of both
    gradients in one update, as the chain rule says."""

    class Shared:
        def __init__(self):
            self.W = np.ones((2, 2), np.float32)
            self.params, self.grads = [self.W, self.W, self.W.T], [np.zeros((2, 2))] * 3

        def forward(self, x, t):
            return 1.0

        def backward(self):
            self.grads = [np.full((2, 2), 1.0), np.full((2, 2), 2.0),
                          np.array([[0.0, 10.0], [0.0, 0.0]])]

    model = Shared()
    fit(ListView(model), SGD(lr=1.0), [(None, None)], steps=1)
    np.testing.assert_array_equal(model.W, [[-2.0, -2.0], [-12.0, -2.0]])
