"""IterationTrainer: steps on drawn batches with clipping, evaluations on fixed sets,
divergence, and an exact resume from its checkpoint."""

import math
import shutil

import numpy as np
import pytest
from test_trainer import blobs

from common.nets.multi_layer import MultiLayerNet
from common.optim import SGD, AdamW, WarmupCosine
from common.training.checkpoint import CheckpointError
from common.training.iteration_trainer import IterationTrainer, mean_loss

X, T = blobs(300)
X[:, 0] = 0


def draw(rng):
    rows = rng.integers(0, 250, 20)
    return X[rows], T[rows]


def make(iterations=30, checkpoint=None, lr=0.01, clip=0.5):
    net = MultiLayerNet(4, [8], 3, seed=0)
    opt = WarmupCosine(AdamW(lr=lr, weight_decay=0.1), warmup=5, total=iterations,
                       min_lr=lr / 10)
    trainer = IterationTrainer(net, opt, draw, iterations, np.random.default_rng(4),
                               max_grad_norm=clip, eval_sets={"val": (X[250:], T[250:])},
                               eval_every=10, checkpoint=checkpoint, checkpoint_every=7,
                               config={"lr": lr}, verbose=False)
    return net, trainer


def test_steps_clip_evaluate_and_learn():
    net, trainer = make()
    start = mean_loss(net, X[250:], T[250:])
    trainer.train()
    history = trainer.history
    assert trainer.iteration == 30 and len(history["loss"]) == 30
    assert history["eval_iteration"] == [10, 20, 30]
    assert history["val_loss"][-1] == pytest.approx(mean_loss(net, X[250:], T[250:]))
    assert history["val_loss"][-1] < start / 2
    assert history["lr"][:5] == pytest.approx([0.002, 0.004, 0.006, 0.008, 0.01])
    assert max(history["grad_norm"]) > 0.5  # some were clipped to 0.5


def test_mean_loss_weights_every_window_once():
    net = MultiLayerNet(4, [8], 3, seed=0)
    assert mean_loss(net, X[:70], T[:70], batch_size=30) == pytest.approx(net.loss(X[:70],
                                                                                    T[:70]))


def test_resume_from_its_checkpoint_is_exact(tmp_path):
    whole, reference = make()
    reference.train()
    _, first = make(checkpoint=tmp_path / "run.npz")
    original = first.save_checkpoint

    def save_and_keep(path=None):
        original(path)
        if first.iteration == 14:  # checkpoints every 7: keep the second one
            shutil.copy(tmp_path / "run.npz", tmp_path / "a.npz")

    first.save_checkpoint = save_and_keep
    first.train()
    net, resumed = make(checkpoint=tmp_path / "b.npz")
    resumed.resume(tmp_path / "a.npz")
    assert resumed.iteration == 14
    resumed.train()
    assert resumed.history == reference.history
    for key, value in whole.params.items():
        np.testing.assert_array_equal(net.params[key], value)
    _, other = make(lr=0.02)
    with pytest.raises(CheckpointError, match=r"other settings \(lr: 0.01 in the file"):
        other.resume(tmp_path / "a.npz")


def test_a_diverging_run_stops_before_the_bad_update(capsys):
    net = MultiLayerNet(4, [8], 3, seed=0)
    trainer = IterationTrainer(net, SGD(lr=1e9), draw, 50, np.random.default_rng(0))
    trainer.train()
    assert trainer.diverged and trainer.iteration < 50
    assert all(math.isfinite(v) for v in trainer.history["loss"])
    assert "Training stopped: the loss became" in capsys.readouterr().out
    with pytest.raises(ValueError, match="iterations must be a whole number >= 1"):
        IterationTrainer(net, SGD(), draw, 0, np.random.default_rng(0))
