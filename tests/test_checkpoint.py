"""Checkpoints: a resumed run is bit for bit the uninterrupted one (in ``ch_mnist``'s run, also
from the middle of an epoch, and after a real SIGKILL to ``python -m ch_mnist``); a damaged or
mismatched checkpoint is refused with a clear error and changes nothing."""

import argparse
import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from test_trainer import blobs

from ch_mnist.training import train_network
from common.batches import ShuffledBatches
from common.nets.files import save_params
from common.nets.multi_layer import MultiLayerNet
from common.nets.multi_layer_extend import MultiLayerNetExtend
from common.optim import Adam, AdamW, StepDecay, WarmupCosine
from common.samples import split_validation
from common.training import checkpoint as checkpoint_module
from common.training.checkpoint import (
    CheckpointError,
    SaveCheckpoints,
    read_checkpoint,
    save_checkpoint,
)
from common.training.loop import Loop, fit

ROOT = Path(__file__).resolve().parents[1]


def make_run(seed=0, hidden=(16, 8), optimizer=None, rng=None):
    """A network with dropout and batch norm (random layers and buffers), a scheduled AdamW
    and shuffled batches: everything a checkpoint must carry, in a loop of 40 steps."""
    x, t = blobs(200)
    net = MultiLayerNetExtend(4, list(hidden), 3, seed=seed, use_dropout=True, dropout_ratio=0.3,
                        use_batchnorm=True)
    opt = optimizer or WarmupCosine(AdamW(lr=0.01, weight_decay=0.1), warmup=3, total=20,
                                    min_lr=0.001)
    batches = ShuffledBatches(x, t, 16, seed=rng or np.random.default_rng(seed + 100))
    return Loop(net, opt, batches, steps=40)


def snapshot(loop):
    """Copies of everything a run's state holds (arrays and numbers, by name)."""
    state = {"model": loop.model.state_dict(), "optimizer": loop.optimizer.state_dict(),
             "batches": loop.batches.state_dict(), "loop": loop.state_dict()}
    del state["loop"]["seconds"]  # the clock is the one thing a resumed run may differ in
    return copy.deepcopy(state)


def assert_same(a, b, path=""):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}/{key}")
    elif isinstance(a, (np.ndarray, list)) or isinstance(b, (np.ndarray, list)):
        np.testing.assert_array_equal(a, b, err_msg=path)  # NaN equals NaN here
    else:
        assert a == b, path


def test_save_and_restore_resume_bit_for_bit(tmp_path):
    loop = make_run()
    loop.steps = 7
    loop.run()
    loop.history["loss_marks"] = [1.5, float("nan"), 0.25]
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, loop, {"lr": 0.01, "hidden": (16, 8)})
    loop.steps = 16
    loop.run()

    resumed = make_run(seed=5)  # other weights, masks and batches, all overwritten
    checkpoint = read_checkpoint(path)
    checkpoint.restore(resumed, {"lr": 0.01, "hidden": [16, 8]})
    assert checkpoint.iteration == 7 and resumed.iteration == 7
    assert resumed.history["loss_marks"][::2] == [1.5, 0.25]
    assert np.isnan(resumed.history["loss_marks"][1])
    resumed.steps = 16
    resumed.run()
    assert resumed.losses == loop.losses
    assert_same(snapshot(loop), snapshot(resumed))


def damaged_copies(path, tmp_path):
    data = path.read_bytes()
    middle = bytearray(data)
    middle[len(data) // 2] ^= 0xFF
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a checkpoint at all" * 10)
    params = tmp_path / "params.npz"
    save_params(MultiLayerNet(4, [16, 8], 3), params)
    out = {"truncated": data[: len(data) // 3], "flipped byte": bytes(middle)}
    for name, content in out.items():
        (tmp_path / f"{name}.npz").write_bytes(content)
    return [tmp_path / f"{name}.npz" for name in out] + [garbage, params, tmp_path / "none.npz"]


def test_damaged_files_are_refused_and_change_nothing(tmp_path):
    loop = make_run()
    loop.steps = 3
    loop.run()
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, loop)
    loop.steps = 5
    loop.run()
    before = snapshot(loop)
    for bad in damaged_copies(path, tmp_path):
        with pytest.raises(CheckpointError, match="damaged|not a checkpoint|no checkpoint file"
                           ) as info:
            read_checkpoint(bad).restore(loop)
        assert str(bad) in str(info.value)
        assert_same(before, snapshot(loop))


def test_a_checkpoint_of_another_run_is_refused_and_changes_nothing(tmp_path):
    loop = make_run()
    loop.steps = 3
    loop.run()
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, loop, {"lr": 0.01, "batch": 16})
    checkpoint = read_checkpoint(path)
    config = {"lr": 0.01, "batch": 16}

    other = make_run(hidden=(16, 9))
    before = snapshot(other)
    with pytest.raises(CheckpointError, match="its model does not fit.*another model"):
        checkpoint.restore(other, config)
    assert_same(before, snapshot(other))

    for other, problem in [
            (make_run(seed=1), r"other settings \(batch: 16 in the file, 32 now"),
            (make_run(seed=1, optimizer=Adam()),
             "its optimizer is a WarmupCosine, this run's a Adam"),
            (make_run(seed=1, optimizer=WarmupCosine(Adam(0.01), 3, 20, 0.001)),
             "its optimizer does not fit"),
            (make_run(seed=1, rng=np.random.Generator(np.random.MT19937(0))),
             "its batches do not fit|its batches does not fit")]:
        before = snapshot(other)
        with pytest.raises(CheckpointError, match=problem):
            checkpoint.restore(other, {"lr": 0.01, "batch": 32} if "settings" in problem
                               else config)
        assert_same(before, snapshot(other))


def test_a_failed_save_leaves_the_previous_checkpoint_whole(tmp_path):
    loop = make_run()
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, loop)
    good = path.read_bytes()
    loop.history["bad"] = [object()]
    with pytest.raises(TypeError, match="not JSON serializable"):
        save_checkpoint(path, loop)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def train_ch_mnist_run(epochs=4, **options):
    """``ch_mnist``'s run (``train_network``) on blobs: dropout, batch norm, a scheduled Adam,
    30 validation samples; ``options``: its checkpoint options. Returns the network and run."""
    x, t = blobs(203)
    x[:, 0] = 0
    net = MultiLayerNetExtend(4, [16, 8], 3, seed=1, use_dropout=True, dropout_ratio=0.3,
                              use_batchnorm=True)
    train, val = split_validation(x[:180], t[:180], 30, seed=3)
    args = argparse.Namespace(**{"epochs": epochs, "batch_size": 16, "seed": 3, "patience": None,
                                 "checkpoint": None, "checkpoint_every": 5, "resume": None,
                                 **options})
    run = train_network(net, StepDecay(Adam(0.01), 20), args, train, val, (x[180:], t[180:]),
                        "test")
    return net, run


def test_a_run_resumes_from_the_middle_of_an_epoch_exactly(tmp_path, monkeypatch, capsys):
    reference, whole = train_ch_mnist_run()

    path = tmp_path / "run.ckpt.npz"
    saves = []

    def save_and_keep(target, loop, config=None):
        save_checkpoint(target, loop, config)
        saves.append(loop.iteration)
        if loop.iteration == 25:  # in epoch 3 of 4 (10 batches per epoch)
            shutil.copy(path, tmp_path / "at25.npz")

    monkeypatch.setattr(checkpoint_module, "save_checkpoint", save_and_keep)
    train_ch_mnist_run(checkpoint=path)
    monkeypatch.undo()
    assert saves == [5, 10, 15, 20, 25, 30, 35, 40, 40]  # every 5, and at the end

    capsys.readouterr()
    net, resumed = train_ch_mnist_run(checkpoint=tmp_path / "again.npz",
                                      resume=tmp_path / "at25.npz")
    assert "at iteration 25 (epoch 3 of 4)" in capsys.readouterr().out
    assert resumed.loop.losses == whole.loop.losses
    assert resumed.curve("val_acc") == whole.curve("val_acc")
    assert resumed.evaluation.best_at == whole.evaluation.best_at
    for key, value in {**reference.params, **reference.buffers}.items():
        np.testing.assert_array_equal({**net.params, **net.buffers}[key], value, err_msg=key)


def test_ch_mnist_refuses_a_checkpoint_of_other_settings(tmp_path):
    path = tmp_path / "run.ckpt.npz"
    train_ch_mnist_run(epochs=1, checkpoint=path)
    with pytest.raises(CheckpointError,
                       match=r"other settings \(options.epochs: 1 in the file, 2 now\)"):
        train_ch_mnist_run(epochs=2, resume=path)


def run_ch_mnist(args, **kwargs):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "ch_mnist", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.slow
def test_ch_mnist_killed_with_sigkill_and_resumed_ends_with_the_same_parameters(
        tmp_path, small_mnist):
    small_mnist.write(tmp_path / "mnist", n_train=300, n_test=20)
    common = ["--data-dir", str(tmp_path / "mnist"), "--net", "two", "--epochs", "20",
              "--batch-size", "30", "--dropout", "0.2", "--checkpoint-every", "20",
              "--out", str(tmp_path / "out")]
    whole = run_ch_mnist([*common, "--save", str(tmp_path / "whole.npz"),
                          "--json", str(tmp_path / "whole.json")])
    assert whole.wait(timeout=300) == 0, whole.stderr.read()

    checkpoint = tmp_path / "run.ckpt.npz"
    args = [*common, "--save", str(tmp_path / "resumed.npz"),
            "--json", str(tmp_path / "resumed.json")]
    killed = run_ch_mnist([*args, "--checkpoint", str(checkpoint)])
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    killed.send_signal(signal.SIGKILL)
    assert killed.wait(timeout=60) == -signal.SIGKILL
    assert not (tmp_path / "resumed.npz").exists()
    stopped_at = read_checkpoint(checkpoint).iteration
    assert 20 <= stopped_at < 200

    resumed = run_ch_mnist([*args, "--resume", str(checkpoint)])
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"resumed from {checkpoint} at iteration {stopped_at}" in out
    with np.load(tmp_path / "whole.npz") as a, np.load(tmp_path / "resumed.npz") as b:
        assert a.files == b.files
        for key in a.files:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    whole_report = json.loads((tmp_path / "whole.json").read_text())
    resumed_report = json.loads((tmp_path / "resumed.json").read_text())
    for key in ("epoch_loss", "train_accuracy", "test_accuracy"):
        assert whole_report[key] == resumed_report[key]


def test_ch_mnist_checkpoint_options_refuse_mistakes(tmp_path, small_mnist, capsys):
    from ch_mnist import cli

    small_mnist.write(tmp_path / "mnist", n_train=60, n_test=10)
    existing = tmp_path / "old.ckpt.npz"
    existing.write_bytes(b"an earlier run")
    common = ["--data-dir", str(tmp_path / "mnist"), "--net", "two", "--epochs", "1",
              "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as info:
        cli.main([*common, "--checkpoint", str(existing)])
    assert info.value.code == 2
    assert f"--checkpoint {existing} exists: pass --resume" in capsys.readouterr().err
    assert cli.main([*common, "--resume", str(existing), "--save", str(tmp_path / "s.npz")]) == 1
    err = capsys.readouterr().err
    assert "is damaged or not a checkpoint" in err and "Traceback" not in err
    assert existing.read_bytes() == b"an earlier run" and not (tmp_path / "s.npz").exists()
    with pytest.raises(SystemExit):
        cli.main([*common, "--load", str(tmp_path / "s.npz"), "--resume", str(existing)])


def test_an_optimizer_without_state_is_refused_before_training(tmp_path):
    class Plain:
        lr = 0.1

        def update(self, params, grads):
            for key in params:
                params[key] -= self.lr * grads[key]

    x, t = blobs(50)
    net = MultiLayerNet(4, [5], 3)
    before = {key: p.copy() for key, p in net.params.items()}
    with pytest.raises(ValueError, match="Plain has no state_dict.*cannot be checkpointed"):
        fit(net, Plain(), ShuffledBatches(x, t, 10), epochs=1,
            hooks=[SaveCheckpoints(tmp_path / "c.npz")])
    assert not (tmp_path / "c.npz").exists()
    assert all(np.array_equal(p, before[key]) for key, p in net.params.items())
