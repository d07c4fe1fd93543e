"""EpochBatches: IterationTrainer's batches in epochs, as Trainer makes them: every sample
once per epoch, a new order each epoch, the same batches for the same seed."""

import numpy as np
import pytest
from test_trainer import blobs

from common.nets.multi_layer import MultiLayerNet
from common.optim import SGD
from common.training.data import EpochBatches
from common.training.iteration_trainer import IterationTrainer


def samples(n=50):
    """x (n, 2) whose first column is the sample's index, t (n,) the same index: a batch
    says which samples it holds, and that x and t stayed paired."""
    x = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(np.float32)
    return x, np.arange(n)


def epochs_of(batches, rng, count):
    """The targets of ``count`` epochs of batches, one (per_epoch, batch_size) array each."""
    return [np.stack([batches(rng)[1] for _ in range(batches.per_epoch)])
            for _ in range(count)]


def test_every_sample_once_per_epoch_paired_with_its_target():
    x, t = samples(50)
    batches = EpochBatches(x, t, 10)
    assert batches.per_epoch == 5
    rng = np.random.default_rng(0)
    for _ in range(3):
        seen = []
        for _ in range(batches.per_epoch):
            xb, tb = batches(rng)
            assert xb.shape == (10, 2) and tb.shape == (10,) and xb.dtype == np.float32
            np.testing.assert_array_equal(xb[:, 0], tb)  # rows stay with their targets
            seen.append(tb)
        np.testing.assert_array_equal(np.sort(np.concatenate(seen)), t)


def test_a_new_order_each_epoch():
    x, t = samples(50)
    first, second = epochs_of(EpochBatches(x, t, 10), np.random.default_rng(0), 2)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first.ravel(), t)  # shuffled, not in the data's order


def test_the_same_seed_gives_the_same_batches():
    x, t = samples(50)
    a = epochs_of(EpochBatches(x, t, 10), np.random.default_rng(3), 2)
    b = epochs_of(EpochBatches(x, t, 10), np.random.default_rng(3), 2)
    c = epochs_of(EpochBatches(x, t, 10), np.random.default_rng(4), 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_an_incomplete_last_batch_is_left_out_and_a_small_set_is_one_batch():
    x, t = samples(23)
    batches = EpochBatches(x, t, 5)
    assert batches.per_epoch == 4  # 20 of the 23 samples each epoch, every batch full
    epoch = epochs_of(batches, np.random.default_rng(0), 1)[0]
    assert epoch.shape == (4, 5) and len(np.unique(epoch)) == 20
    small = EpochBatches(x[:3], t[:3], 10)
    assert small.batch_size == 3 and small.per_epoch == 1
    np.testing.assert_array_equal(np.sort(small(np.random.default_rng(0))[1]), [0, 1, 2])


def test_epoch_means_average_each_epoch_the_last_one_possibly_incomplete():
    x, t = samples(20)
    batches = EpochBatches(x, t, 5)  # 4 steps an epoch
    assert batches.epoch_means([1, 2, 3, 4, 10, 10, 10, 10, 7]) == [2.5, 10.0, 7.0]
    assert batches.epoch_means([]) == []


def test_mistakes_are_clear_errors():
    x, t = samples(10)
    with pytest.raises(ValueError, match="x has 10 samples but t has 9"):
        EpochBatches(x, t[:9], 5)
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1, got 0"):
        EpochBatches(x, t, 0)
    with pytest.raises(ValueError, match="no samples"):
        EpochBatches(x[:0], t[:0], 5)


def test_iteration_trainer_trains_on_whole_epochs():
    x, t = blobs(300)
    batches = EpochBatches(x, t, 30)
    net = MultiLayerNet(4, [8], 3, seed=0)
    start = net.loss(x, t)
    trainer = IterationTrainer(net, SGD(lr=0.1), batches, 4 * batches.per_epoch,
                               np.random.default_rng(0), verbose=False)
    trainer.train()
    assert trainer.iteration == 40 and batches.position == batches.per_epoch
    losses = batches.epoch_means(trainer.history["loss"])
    assert len(losses) == 4 and losses[-1] < losses[0] and net.loss(x, t) < start
