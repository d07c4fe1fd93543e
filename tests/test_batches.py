"""Batch streams: every sample once per epoch without replacement, the same batches for the
same seed, truncated-BPTT windows that continue row by row, and a position that a
state_dict carries across a resume."""

import numpy as np
import pytest

from common.batches import RandomWindows, SequentialWindows, ShuffledBatches


def samples(n=50):
    """x (n, 2) whose first column is the sample's index, t (n,) the same index: a batch
    says which samples it holds, and that x and t stayed paired."""
    x = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(np.float32)
    return x, np.arange(n)


def epochs_of(batches, count):
    """The targets of ``count`` epochs, one array (batches, batch_size) each."""
    return [np.stack([t for _, t in batches]) for _ in range(count)]


def test_every_sample_once_per_epoch_paired_with_its_target():
    x, t = samples(50)
    batches = ShuffledBatches(x, t, 10, seed=0)
    assert len(batches) == 5
    for _ in range(3):
        seen = []
        for xb, tb in batches:
            assert xb.shape == (10, 2) and tb.shape == (10,) and xb.dtype == np.float32
            np.testing.assert_array_equal(xb[:, 0], tb)  # rows stay with their targets
            seen.append(tb)
        np.testing.assert_array_equal(np.sort(np.concatenate(seen)), t)


def test_a_new_order_each_epoch_and_the_same_seed_gives_the_same_batches():
    x, t = samples(50)
    first, second = epochs_of(ShuffledBatches(x, t, 10, seed=0), 2)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first.ravel(), t)  # shuffled, not in the data's order
    a = epochs_of(ShuffledBatches(x, t, 10, seed=3), 2)
    b = epochs_of(ShuffledBatches(x, t, 10, seed=3), 2)
    c = epochs_of(ShuffledBatches(x, t, 10, seed=4), 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_the_last_batch_is_smaller_or_left_out_and_a_small_set_is_one_batch():
    x, t = samples(23)
    kept = [len(tb) for _, tb in ShuffledBatches(x, t, 5, seed=0)]
    assert kept == [5, 5, 5, 5, 3]
    dropped = ShuffledBatches(x, t, 5, seed=0, drop_last=True)
    epoch = epochs_of(dropped, 1)[0]
    assert len(dropped) == 4 and epoch.shape == (4, 5) and len(np.unique(epoch)) == 20
    small = ShuffledBatches(x[:3], t[:3], 10, seed=0)
    assert small.batch_size == 3 and len(small) == 1


def test_a_stream_resumed_mid_epoch_gives_the_batches_it_would_have_given():
    x, t = samples(50)
    whole = ShuffledBatches(x, t, 10, seed=7)
    reference = [tb for _ in range(2) for _, tb in whole]
    stream = ShuffledBatches(x, t, 10, seed=7)
    taken = []
    for _, tb in stream:
        taken.append(tb)
        if len(taken) == 3:
            break
    state = stream.state_dict()
    resumed = ShuffledBatches(x, t, 10, seed=99)
    resumed.load_state_dict(state)
    rest = [tb for _, tb in resumed] + [tb for _, tb in resumed]
    np.testing.assert_array_equal(np.stack(taken + rest[:7]), np.stack(reference))
    with pytest.raises(ValueError, match="of 50 samples, 10 at a time; these are of 40"):
        ShuffledBatches(x[:40], t[:40], 10).load_state_dict(state)


def test_sequential_windows_continue_each_row_and_wrap_around():
    stream = np.arange(100)
    windows = SequentialWindows(stream, stream + 1000, 4, 5)
    assert len(windows) == 5
    batches = list(windows)
    x0, t0 = batches[0]
    np.testing.assert_array_equal(x0[:, 0], [0, 25, 50, 75])
    np.testing.assert_array_equal(t0, x0 + 1000)
    np.testing.assert_array_equal(batches[1][0][:, 0], x0[:, -1] + 1)  # rows continue
    second_epoch = next(iter(windows))[0]  # the offset goes on from where it was
    np.testing.assert_array_equal(second_epoch[:, 0], [25, 50, 75, 100 % 100])
    state = windows.state_dict()
    again = SequentialWindows(stream, stream, 4, 5)
    again.load_state_dict(state)
    np.testing.assert_array_equal(next(iter(again))[0], next(iter(windows))[0])


def test_random_windows_are_targets_shifted_by_one_and_repeatable():
    ids = np.arange(200)
    x, t = next(iter(RandomWindows(ids, 8, 16, seed=1)))
    assert x.shape == t.shape == (8, 16) and x.dtype == np.int64
    np.testing.assert_array_equal(t, x + 1)
    stream = RandomWindows(ids, 8, 16, seed=1)
    state = stream.state_dict()
    first = next(iter(stream))[0]
    stream.load_state_dict(state)
    np.testing.assert_array_equal(next(iter(stream))[0], first)


def test_mistakes_are_clear_errors():
    x, t = samples(10)
    with pytest.raises(ValueError, match="x has 10 samples but t has 9"):
        ShuffledBatches(x, t[:9], 5)
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1, got 0"):
        ShuffledBatches(x, t, 0)
    with pytest.raises(ValueError, match="no samples"):
        ShuffledBatches(x[:0], t[:0], 5)
    with pytest.raises(ValueError, match="too short for windows of 16"):
        RandomWindows(np.arange(10), 4, 16)
