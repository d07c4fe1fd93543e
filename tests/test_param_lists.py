"""The second book's interface: layers give ``params`` and ``grads`` as lists of the arrays
they hold, the optimizers and ``clip_grads`` take such lists, and a model built the book's
way (lists gathered once, ``optimizer.update(model.params, model.grads)``) trains."""

import numpy as np
import pytest

from common.layers import (
    LSTM,
    RNN,
    Affine,
    BatchNormalization,
    Embedding,
    EmbeddingDot,
    MatMul,
    NegativeSamplingLoss,
    Sigmoid,
    SoftmaxWithLoss,
    TimeAffine,
    TimeBiLSTM,
    TimeEmbedding,
    TimeGRU,
    TimeLSTM,
    TimeRNN,
    TimeSoftmaxWithLoss,
)
from common.layers.gru import GRU
from common.optim import SGD, AdaGrad, Adam, Momentum, clip_grads, global_norm

D, H, V, N, T = 3, 4, 7, 5, 6


def rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def ids(rng, *shape):
    return rng.integers(0, V, shape)


# (make the layer, run forward then backward on it), for every layer with parameters
LAYERS = {
    "Affine": (lambda r: Affine(rand(r, D, H), rand(r, H)),
               lambda layer, r: layer.backward(np.ones((N, H), np.float32) + 0 *
                                               layer.forward(rand(r, N, D)))),
    "MatMul": (lambda r: MatMul(rand(r, D, H)),
               lambda layer, r: layer.backward(layer.forward(rand(r, N, D)))),
    "TimeAffine": (lambda r: TimeAffine(rand(r, D, H), rand(r, H)),
                   lambda layer, r: layer.backward(layer.forward(rand(r, N, T, D)))),
    "Embedding": (lambda r: Embedding(rand(r, V, D)),
                  lambda layer, r: layer.backward(layer.forward(ids(r, N)))),
    "TimeEmbedding": (lambda r: TimeEmbedding(rand(r, V, D)),
                      lambda layer, r: layer.backward(layer.forward(ids(r, N, T)))),
    "RNN": (lambda r: RNN(rand(r, D, H), rand(r, H, H), rand(r, H)),
            lambda layer, r: layer.backward(layer.forward(rand(r, N, D), rand(r, N, H)))),
    "TimeRNN": (lambda r: TimeRNN(rand(r, D, H), rand(r, H, H), rand(r, H)),
                lambda layer, r: layer.backward(layer.forward(rand(r, N, T, D)))),
    "LSTM": (lambda r: LSTM(rand(r, D, 4 * H), rand(r, H, 4 * H), rand(r, 4 * H)),
             lambda layer, r: layer.backward(
                 *layer.forward(rand(r, N, D), rand(r, N, H), rand(r, N, H)))),
    "TimeLSTM": (lambda r: TimeLSTM(rand(r, D, 4 * H), rand(r, H, 4 * H), rand(r, 4 * H)),
                 lambda layer, r: layer.backward(layer.forward(rand(r, N, T, D)))),
    "GRU": (lambda r: GRU(rand(r, D, 3 * H), rand(r, H, 3 * H), rand(r, 3 * H), rand(r, 3 * H)),
            lambda layer, r: layer.backward(layer.forward(rand(r, N, D), rand(r, N, H)))),
    "TimeGRU": (lambda r: TimeGRU(rand(r, D, 3 * H), rand(r, H, 3 * H), rand(r, 3 * H),
                                  rand(r, 3 * H)),
                lambda layer, r: layer.backward(layer.forward(rand(r, N, T, D)))),
    "TimeBiLSTM": (lambda r: TimeBiLSTM(rand(r, D, 4 * H), rand(r, H, 4 * H), rand(r, 4 * H),
                                        rand(r, D, 4 * H), rand(r, H, 4 * H), rand(r, 4 * H)),
                   lambda layer, r: layer.backward(layer.forward(rand(r, N, T, D)))),
    "BatchNormalization": (lambda r: BatchNormalization(rand(r, D), rand(r, D)),
                           lambda layer, r: layer.backward(layer.forward(rand(r, N, D)))),
    "EmbeddingDot": (lambda r: EmbeddingDot(rand(r, V, D)),
                     lambda layer, r: layer.backward(layer.forward(rand(r, N, D), ids(r, N)))),
    "NegativeSamplingLoss": (
        lambda r: NegativeSamplingLoss(rand(r, V, D), np.arange(V).repeat(3), sample_size=2,
                                       seed=0),
        lambda layer, r: (layer.forward(rand(r, N, D), ids(r, N)), layer.backward())),
}


@pytest.mark.parametrize("name", LAYERS)
def test_the_lists_are_the_arrays_the_layer_reads_and_writes(name):
    make, run = LAYERS[name]
    rng = np.random.default_rng(0)
    layer = make(rng)
    params, grads = layer.params, layer.grads  # taken once, before training, as the book does
    assert len(params) == len(grads) > 0
    for p, g in zip(params, grads, strict=True):
        assert g.shape == p.shape and g.dtype == p.dtype
    for _ in range(2):  # the same arrays after more than one backward
        run(layer, rng)
        assert all(a is b for a, b in zip(params, layer.params, strict=True))
        assert all(a is b for a, b in zip(grads, layer.grads, strict=True)), \
            f"{name}.backward must write its gradients into the arrays of layer.grads"
    assert any(np.any(g != 0) for g in grads)


def test_layers_without_parameters_give_empty_lists():
    for layer in (Sigmoid(), SoftmaxWithLoss(), TimeSoftmaxWithLoss()):
        assert layer.params == [] and layer.grads == []


@pytest.mark.parametrize("cls", [SGD, Momentum, AdaGrad, Adam])
def test_an_update_on_lists_equals_the_update_on_dicts(cls):
    rng = np.random.default_rng(1)
    arrays = [rand(rng, 3, 2), rand(rng, 2)]
    grads = [[rand(rng, 3, 2), rand(rng, 2)] for _ in range(3)]
    as_lists = [a.copy() for a in arrays]
    as_dict = {"W": arrays[0].copy(), "b": arrays[1].copy()}
    by_list, by_dict = cls(lr=0.1), cls(lr=0.1)
    for g in grads:
        by_list.update(as_lists, g)
        by_dict.update(as_dict, {"W": g[0], "b": g[1]})
    np.testing.assert_array_equal(as_lists[0], as_dict["W"])
    np.testing.assert_array_equal(as_lists[1], as_dict["b"])


def test_lists_that_do_not_match_are_a_clear_error():
    with pytest.raises(ValueError, match="grads has no '1'"):
        SGD().update([np.zeros(2), np.zeros(3)], [np.zeros(2)])
    with pytest.raises(ValueError, match="the gradient of '0' has shape"):
        SGD().update([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="must be a dict of arrays .* or a list"):
        SGD().update(np.zeros(2), np.zeros(2))


def test_clip_grads_takes_a_list():
    grads = [np.full(3, 4.0, np.float32), np.full(1, 4.0, np.float32)]  # norm 8
    assert clip_grads(grads, 2.0) == pytest.approx(8.0)
    assert global_norm(grads) == pytest.approx(2.0, rel=1e-5)
    assert grads[0].dtype == np.float32


class ListRnnlm:
    """A language model written the way the second book writes its models: layers in a
    list, their params and grads gathered once into two lists."""

    def __init__(self, seed=0, tied=False):
        rng = np.random.default_rng(seed)
        d, h = 16, 16
        embed_W = (rng.standard_normal((V, d)) / 100).astype(np.float32)
        # tied: the output layer's weight is the embedding read transposed (the book's
        # BetterRnnlm), so the lists name that array twice
        affine_W = embed_W.T if tied else (rng.standard_normal((h, V)) / np.sqrt(h)).astype(
            np.float32)
        self.layers = [
            TimeEmbedding(embed_W),
            TimeRNN((rng.standard_normal((d, h)) / np.sqrt(d)).astype(np.float32),
                    (rng.standard_normal((h, h)) / np.sqrt(h)).astype(np.float32),
                    np.zeros(h, np.float32), stateful=True),
            TimeAffine(affine_W, np.zeros(V, np.float32)),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs, ts):
        for layer in self.layers:
            xs = layer.forward(xs)
        return self.loss_layer.forward(xs, ts)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)

    def reset_state(self):
        self.layers[1].reset_state()


def test_a_model_built_the_second_books_way_trains():
    corpus = np.tile(np.array([0, 1, 2, 3, 4, 5, 6, 2, 4, 6]), 40)
    xs, ts = corpus[:-1], corpus[1:]
    model, optimizer = ListRnnlm(), Adam(lr=0.01)
    batch, steps = 4, 8
    jump = len(xs) // batch
    losses = []
    for it in range(150):
        rows = (np.arange(batch)[:, None] * jump + (it * steps + np.arange(steps)) % jump)
        loss = model.forward(xs[rows], ts[rows])
        model.backward()
        clip_grads(model.grads, 1.0)
        optimizer.update(model.params, model.grads)
        losses.append(loss)
    assert losses[0] > 1.8  # about ln 7 at the start
    assert np.mean(losses[-10:]) < 0.25 * losses[0]
    assert all(p.dtype == np.float32 for p in model.params)


@pytest.mark.parametrize("tied", [False, True])
def test_the_rnnlm_trainer_trains_a_list_model(tied):
    """The second book's ``RnnlmTrainer`` use: a tied array is updated once, by the sum
    of its two gradients."""
    from common.nets.perplexity import eval_perplexity
    from common.training.rnnlm_trainer import RnnlmTrainer

    corpus = np.tile(np.array([0, 1, 2, 3, 4, 5, 6, 2, 4, 6]), 40)
    model = ListRnnlm(tied=tied)
    before = eval_perplexity(model, corpus)
    trainer = RnnlmTrainer(model, SGD(lr=1.0), verbose=False)
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=6, batch_size=4, time_size=8,
                max_grad=5.0)
    assert before > 6 and eval_perplexity(model, corpus) < 0.5 * before
    assert trainer.iteration == 6 * ((len(corpus) - 1) // (4 * 8))
    if tied:
        assert model.layers[2].W.base is model.layers[0].W  # still the one array


@pytest.mark.parametrize("tied", [False, True])
def test_the_chapters_training_validates_a_list_model_and_puts_its_best_epoch_back(tied):
    """``ch_rnnlm``'s training (the loop with validation hooks) on a model of the book's
    lists: the best epoch's parameters are written back into the model's own arrays."""
    from ch_rnnlm.training import train_rnnlm
    from common.nets.perplexity import eval_perplexity

    corpus = np.tile(np.array([0, 1, 2, 3, 4, 5, 6, 2, 4, 6]), 40)
    model = ListRnnlm(tied=tied)
    before = eval_perplexity(model, corpus)
    run = train_rnnlm(model, SGD(lr=1.0), corpus, corpus, epochs=6, batch_size=4, time_size=8,
                      max_grad=5.0, verbose=False)
    assert run.kept_best and len(run.curves()["val_ppl"]) == 6
    after = eval_perplexity(model, corpus)
    assert after == pytest.approx(run.validation.best_value, rel=1e-4)
    assert before > 6 and after < 0.5 * before
    if tied:
        assert model.layers[2].W.base is model.layers[0].W  # still the one array
