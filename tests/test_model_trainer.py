"""The second book's ``Trainer(model, optimizer)`` (``ModelTrainer``) and the merging of
arrays a list model names twice; ``common.trainer.Trainer`` is either book's by its call."""

import numpy as np
import pytest

from common.layers import Affine, Embedding, Sigmoid, SoftmaxWithLoss, TimeAffine
from common.nets.list_model import merge_duplicates
from common.optim import SGD, Adam
from common.trainer import Trainer
from common.training.model_trainer import ModelTrainer
from common.training.trainer import Trainer as NetworkTrainer


class ListTwoLayerNet:
    """A two-layer net written the second book's way: layers in a list, their params and
    grads gathered into lists once."""

    def __init__(self, d, h, k, seed=0):
        rng = np.random.default_rng(seed)
        W1, W2 = (rng.standard_normal(shape).astype(np.float32) for shape in [(d, h), (h, k)])
        self.layers = [Affine(W1, np.zeros(h, np.float32)), Sigmoid(),
                       Affine(W2, np.zeros(k, np.float32))]
        self.loss_layer = SoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        return self.loss_layer.forward(x, t)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


def blobs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, n)
    centres = np.array([[0, 2], [2, -1], [-2, -1]], np.float32)
    return (centres[t] + 0.5 * rng.standard_normal((n, 2))).astype(np.float32), t


def test_the_second_books_call_gives_a_model_trainer_and_it_learns(capsys):
    x, t = blobs()
    model = ListTwoLayerNet(2, 10, 3)
    trainer = Trainer(model, SGD(lr=1.0))
    assert isinstance(trainer, ModelTrainer)
    trainer.fit(x, t, max_epoch=10, batch_size=30, eval_interval=5)
    assert "| epoch 10 |  iter 6 / 10 |" in capsys.readouterr().out
    assert len(trainer.loss_list) == 20  # iterations 1 and 6 of each of 10 epochs
    assert trainer.loss_list[-1] < 0.3 * trainer.loss_list[0]
    assert trainer.current_epoch == 10
    assert all(p.dtype == np.float32 for p in model.params)


def test_the_first_books_call_still_gives_its_trainer():
    from common.nets.multi_layer import MultiLayerNet

    x, t = blobs(40)
    trainer = Trainer(MultiLayerNet(2, [5], 3, seed=0), x, t, x, t, epochs=1,
                      mini_batch_size=10, verbose=False)
    assert isinstance(trainer, NetworkTrainer) and not isinstance(trainer, ModelTrainer)


def test_the_same_seed_gives_the_same_training():
    x, t = blobs()
    runs = []
    for _ in range(2):
        model = ListTwoLayerNet(2, 10, 3)
        ModelTrainer(model, Adam(lr=0.01), seed=3, verbose=False).fit(x, t, 2, 32)
        runs.append([p.copy() for p in model.params])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_merge_duplicates_sums_the_gradients_of_a_shared_array():
    W, b = np.ones((3, 2)), np.zeros(2)
    g1, g2, gb = np.full((3, 2), 1.0), np.full((3, 2), 2.0), np.ones(2)
    params, grads = merge_duplicates([W, b, W], [g1, gb, g2])
    assert len(params) == 2 and params["0"] is W and params["1"] is b
    np.testing.assert_array_equal(grads["0"], np.full((3, 2), 3.0))
    np.testing.assert_array_equal(g1, np.full((3, 2), 1.0))  # nothing changed in place


def test_merge_duplicates_adds_a_tied_transpose_transposed():
    W = np.arange(6.0).reshape(3, 2)
    g, g_t = np.ones((3, 2)), np.arange(6.0).reshape(2, 3)
    params, grads = merge_duplicates([W, W.T], [g, g_t])
    assert len(params) == 1 and params["0"] is W
    np.testing.assert_array_equal(grads["0"], g + g_t.T)
    # a copy with equal values is another array, not a tie
    assert len(merge_duplicates([W, W.T.copy()], [g, g_t])[0]) == 2


def test_a_tied_list_model_trains_its_one_array():
    """An embedding whose transpose is also the output layer's weight (the book's tying),
    taught to give back the word it reads: the one array learns from both uses."""
    rng = np.random.default_rng(0)
    W = (0.1 * rng.standard_normal((5, 4))).astype(np.float32)

    class Tied:
        def __init__(self):
            self.embed, self.out = Embedding(W), TimeAffine(W.T, np.zeros(5, np.float32))
            self.loss = SoftmaxWithLoss()
            self.params = self.embed.params + self.out.params
            self.grads = self.embed.grads + self.out.grads

        def forward(self, x, t):
            return self.loss.forward(self.out.forward(self.embed.forward(x)[:, None])[:, 0], t)

        def backward(self):
            self.embed.backward(self.out.backward(self.loss.backward()[:, None])[:, 0])

    model = Tied()
    x = np.arange(5).repeat(20)
    trainer = ModelTrainer(model, SGD(lr=0.5), seed=0, verbose=False)
    trainer.fit(x, x, max_epoch=30, batch_size=10, eval_interval=10)
    assert trainer.loss_list[-1] < 0.5 * trainer.loss_list[0]
    assert model.out.W.base is W  # still the one array


def test_a_diverging_run_stops_before_a_nan_update():
    class NanOnThirdCall(ListTwoLayerNet):
        calls = backwards = 0

        def forward(self, x, t):
            self.calls += 1
            loss = super().forward(x, t)
            return float("nan") if self.calls == 3 else loss

        def backward(self, dout=1):
            self.backwards += 1
            return super().backward(dout)

    x, t = blobs()
    model = NanOnThirdCall(2, 10, 3)
    trainer = ModelTrainer(model, SGD(lr=0.1), verbose=False)
    trainer.fit(x, t, max_epoch=3, batch_size=30)
    assert trainer.diverged
    assert (model.calls, model.backwards) == (3, 2)  # no backward, no update after the NaN


def test_clear_errors():
    with pytest.raises(ValueError, match="forward\\(x, t\\), backward\\(\\)"):
        ModelTrainer(object(), SGD())
    with pytest.raises(ValueError, match="update\\(params, grads\\)"):
        ModelTrainer(ListTwoLayerNet(2, 3, 3), "SGD")
    with pytest.raises(ValueError, match="x has 4 samples but t has 3"):
        ModelTrainer(ListTwoLayerNet(2, 3, 3), SGD()).fit(np.zeros((4, 2)), np.zeros(3, int))


def test_plot_without_a_display_writes_the_png_and_says_where(tmp_path, monkeypatch, capsys):
    """The book's ``trainer.plot()`` opens a window; with no display (SSH, CI) it used to
    draw nothing at all: it writes the figure and prints its path instead."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.chdir(tmp_path)
    x, t = blobs()
    trainer = Trainer(ListTwoLayerNet(2, 6, 3), SGD(lr=0.5), seed=0, verbose=False)
    trainer.fit(x, t, max_epoch=2, batch_size=20, eval_interval=1)
    written = trainer.plot()
    assert written is not None and (tmp_path / written).is_file()
    assert (tmp_path / written).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"figure written to {written}" in capsys.readouterr().out


def test_without_a_seed_the_batches_follow_numpys_global_generator_as_the_books_do():
    # the book's Trainer shuffles with np.random.permutation each epoch, and its programs
    # seed the global generator (sequence.load_data does): the same run every time
    x, t = blobs(100)
    runs = []
    for _ in range(2):
        np.random.seed(1984)
        model = ListTwoLayerNet(2, 10, 3)
        trainer = Trainer(model, SGD(lr=0.5), verbose=False)
        trainer.fit(x, t, max_epoch=2, batch_size=30, eval_interval=1)
        runs.append((trainer.loss_list, [p.copy() for p in model.params]))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)
    # its first batch is the first 30 of np.random.permutation(100) after seed(1984)
    np.random.seed(1984)
    first = np.random.RandomState(1984).permutation(np.arange(100))[:30]
    expected = ListTwoLayerNet(2, 10, 3).forward(x[first], t[first])
    trainer = Trainer(ListTwoLayerNet(2, 10, 3), SGD(lr=0.5), verbose=False)
    trainer.fit(x, t, max_epoch=1, batch_size=30, eval_interval=1)
    assert trainer.loss_list[0] == pytest.approx(expected, rel=1e-6)
