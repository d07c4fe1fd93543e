"""Checkpoints: a resumed run is bit for bit the uninterrupted one (in the Trainer, also from
the middle of an epoch, and after a real SIGKILL to ``python -m ch_mnist``); a damaged or
mismatched checkpoint is refused with a clear error and changes nothing."""

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

from common.nets.multi_layer import MultiLayerNet
from common.optim import Adam, AdamW, StepDecay, WarmupCosine
from common.training.checkpoint import (
    CheckpointError,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
)
from common.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]


def make_run(seed=0, hidden=(16, 8)):
    """A network with dropout and batch norm (random layers and buffers), a scheduled AdamW
    and a generator: everything a checkpoint must carry."""
    net = MultiLayerNet(4, list(hidden), 3, seed=seed, use_dropout=True, dropout_ratio=0.3,
                        use_batchnorm=True)
    opt = WarmupCosine(AdamW(lr=0.01, weight_decay=0.1), warmup=3, total=20, min_lr=0.001)
    return net, opt, np.random.default_rng(seed + 100)


def steps(net, opt, rng, x, t, n):
    losses = []
    for _ in range(n):
        batch = rng.integers(0, len(x), 16)
        opt.update(net.params, net.gradient(x[batch], t[batch]))
        losses.append(net.last_loss)
    return losses


def snapshot(net, opt, rng):
    state = {f"p:{k}": v.copy() for k, v in {**net.params, **net.buffers}.items()}
    state.update({f"o:{k}": np.array(v, copy=True) for k, v in opt.state_dict().items()})
    return state, rng.bit_generator.state


def assert_same(a, b):
    (arrays_a, rng_a), (arrays_b, rng_b) = a, b
    assert arrays_a.keys() == arrays_b.keys() and rng_a == rng_b
    for key in arrays_a:
        np.testing.assert_array_equal(arrays_a[key], arrays_b[key], err_msg=key)


def test_save_and_load_resume_bit_for_bit(tmp_path):
    x, t = blobs(200)
    net, opt, rng = make_run()
    steps(net, opt, rng, x, t, 7)
    path = tmp_path / "run.ckpt.npz"
    history = {"loss": [1.5, float("nan"), 0.25]}
    save_checkpoint(path, net, opt, rng, 7, history, {"lr": 0.01, "hidden": (16, 8)})
    expected = steps(net, opt, rng, x, t, 9)

    net2, opt2, rng2 = make_run(seed=5)  # other weights, masks and batches, all overwritten
    iteration, restored = load_checkpoint(path, net2, opt2, rng2, {"lr": 0.01, "hidden": [16, 8]})
    assert iteration == 7 and restored["loss"][::2] == [1.5, 0.25]
    assert np.isnan(restored["loss"][1])
    assert steps(net2, opt2, rng2, x, t, 9) == expected
    assert_same(snapshot(net, opt, rng), snapshot(net2, opt2, rng2))


def damaged_copies(path, tmp_path):
    data = path.read_bytes()
    middle = bytearray(data)
    middle[len(data) // 2] ^= 0xFF
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a checkpoint at all" * 10)
    params = tmp_path / "params.npz"
    MultiLayerNet(4, [16, 8], 3).save_params(params)
    out = {"truncated": data[: len(data) // 3], "flipped byte": bytes(middle)}
    for name, content in out.items():
        (tmp_path / f"{name}.npz").write_bytes(content)
    return [tmp_path / f"{name}.npz" for name in out] + [garbage, params, tmp_path / "none.npz"]


def test_damaged_files_are_refused_and_change_nothing(tmp_path):
    x, t = blobs(100)
    net, opt, rng = make_run()
    steps(net, opt, rng, x, t, 3)
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, net, opt, rng, 3, {"loss": []})
    steps(net, opt, rng, x, t, 2)
    before = snapshot(net, opt, rng)
    for bad in damaged_copies(path, tmp_path):
        with pytest.raises(CheckpointError, match="damaged|not a checkpoint|no checkpoint file"
                           ) as info:
            load_checkpoint(bad, net, opt, rng)
        assert str(bad) in str(info.value)
        assert_same(before, snapshot(net, opt, rng))


def test_a_checkpoint_of_another_run_is_refused_and_changes_nothing(tmp_path):
    x, t = blobs(100)
    net, opt, rng = make_run()
    steps(net, opt, rng, x, t, 3)
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, net, opt, rng, 3, {"loss": []}, {"lr": 0.01, "batch": 16})

    other_net, other_opt, other_rng = make_run(hidden=(16, 9))
    before = snapshot(other_net, other_opt, other_rng)
    with pytest.raises(CheckpointError, match="saved from another network"):
        load_checkpoint(path, other_net, other_opt, other_rng)
    assert_same(before, snapshot(other_net, other_opt, other_rng))

    net2, opt2, rng2 = make_run(seed=1)
    before = snapshot(net2, opt2, rng2)
    with pytest.raises(CheckpointError, match=r"other settings \(batch: 16 in the file, 32 now"):
        load_checkpoint(path, net2, opt2, rng2, {"lr": 0.01, "batch": 32})
    with pytest.raises(CheckpointError, match="state of a WarmupCosine, but .* is a Adam"):
        load_checkpoint(path, net2, Adam(), rng2)
    with pytest.raises(CheckpointError, match="optimizer state does not fit"):
        load_checkpoint(path, net2, WarmupCosine(Adam(0.01), 3, 20, 0.001), rng2)
    with pytest.raises(CheckpointError, match="does not fit a MT19937"):
        load_checkpoint(path, net2, opt2, np.random.Generator(np.random.MT19937(0)))
    assert_same(before, snapshot(net2, opt2, rng2))


def test_a_failed_save_leaves_the_previous_checkpoint_whole(tmp_path):
    net, opt, rng = make_run()
    path = tmp_path / "run.ckpt.npz"
    save_checkpoint(path, net, opt, rng, 1, {"loss": [2.0]})
    good = path.read_bytes()
    with pytest.raises(TypeError, match="cannot be stored"):
        save_checkpoint(path, net, opt, rng, 2, {"loss": [object()]})
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def make_trainer(checkpoint=None, epochs=4, every=5):
    x, t = blobs(203)
    x[:, 0] = 0
    net = MultiLayerNet(4, [16, 8], 3, seed=1, use_dropout=True, dropout_ratio=0.3,
                        use_batchnorm=True)
    trainer = Trainer(net, x[:180], t[:180], x[180:], t[180:], epochs=epochs,
                      mini_batch_size=16, optimizer=StepDecay(Adam(0.01), 20), seed=3,
                      verbose=False, validation_split=30, checkpoint=checkpoint,
                      checkpoint_every=every)
    return net, trainer


def test_trainer_resumes_from_the_middle_of_an_epoch_exactly(tmp_path):
    reference, whole = make_trainer()
    whole.train()

    path = tmp_path / "trainer.ckpt.npz"
    _, first = make_trainer(path)
    saves = []
    original = first.save_checkpoint

    def save_and_keep(target=None):
        original(target)
        saves.append(first.current_iter)
        if first.current_iter == 25:  # in epoch 3 of 4 (10 batches per epoch)
            shutil.copy(path, tmp_path / "at25.npz")

    first.save_checkpoint = save_and_keep
    first.train()
    assert saves == [5, 10, 15, 20, 25, 30, 35, 40, 40]  # every 5, and at the end

    net, resumed = make_trainer(tmp_path / "again.npz")
    resumed.resume(tmp_path / "at25.npz")
    assert (resumed.current_iter, resumed.current_epoch) == (25, 2)
    resumed.train()
    assert resumed.train_loss_list == whole.train_loss_list
    assert resumed.val_acc_list == whole.val_acc_list and resumed.best_epoch == whole.best_epoch
    for key, value in {**reference.params, **reference.buffers}.items():
        np.testing.assert_array_equal({**net.params, **net.buffers}[key], value, err_msg=key)


def test_trainer_refuses_a_checkpoint_of_other_settings(tmp_path):
    path = tmp_path / "trainer.ckpt.npz"
    _, trainer = make_trainer(path, epochs=1)
    trainer.train()
    net, longer = make_trainer(epochs=2)
    before = {k: v.copy() for k, v in net.params.items()}
    with pytest.raises(CheckpointError,
                       match=r"other settings \(trainer.epochs: 1 in the file, 2 now\)"):
        longer.resume(path)
    assert all(np.array_equal(before[k], v) for k, v in net.params.items())
    assert longer.current_iter == 0 and longer.train_loss_list == []


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
    with pytest.raises(ValueError, match="Plain has no state_dict.*cannot be checkpointed"):
        Trainer(MultiLayerNet(4, [5], 3), x, t, x, t, optimizer=Plain(),
                checkpoint=tmp_path / "c.npz")
    assert not (tmp_path / "c.npz").exists()
