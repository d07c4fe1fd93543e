"""Our RNN, LSTM, GRU and bidirectional LSTM compute what PyTorch's ``torch.nn.RNN``,
``LSTM`` and ``GRU`` compute: outputs, last state and every gradient (inputs, weights,
biases, initial state), with PyTorch's gate order and two biases mapped onto ours."""

import numpy as np
import pytest

from benchmarks.torch_rnn import KINDS, compare_with_torch, from_torch_lstm, to_torch_lstm

pytest.importorskip("torch")


def test_lstm_layout_round_trip():
    a = np.arange(24.0).reshape(2, 12)  # (D, 4H) with H = 3, blocks f, g, i, o
    torch_rows = to_torch_lstm(a)
    assert torch_rows.shape == (12, 2)
    np.testing.assert_array_equal(torch_rows[:3], a[:, 6:9].T)  # PyTorch's first block: i
    np.testing.assert_array_equal(from_torch_lstm(torch_rows), a)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
def test_agrees_with_torch(kind, dtype, tol):
    for seed, (n, t, d, h) in enumerate([(2, 1, 3, 4), (4, 9, 5, 7), (3, 12, 8, 6)]):
        diffs = compare_with_torch(kind, n, t, d, h, dtype=dtype, seed=seed)
        assert {"hs", "dxs"} <= set(diffs)
        worst = max(diffs, key=diffs.get)
        assert diffs[worst] < tol, (kind, (n, t, d, h), worst, diffs[worst])
