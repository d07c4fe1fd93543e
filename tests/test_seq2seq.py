"""Seq2seq and attention (the second book's chapters 7-8): the attention layers and every
model against central differences in float64 on tiny shapes; greedy generation; a short
training that learns; saving and loading; clear errors for wrong shapes and ids."""

import signal

import numpy as np
import pytest

from common.batches import ShuffledBatches
from common.checks import check_gradients, numerical_gradient, relative_error
from common.layers import Attention, AttentionWeight, TimeAttention, WeightSum
from common.nets.attention_seq2seq import AttentionSeq2seq
from common.nets.files import load_params, save_params
from common.nets.seq2seq import PeekySeq2seq, Seq2seq
from common.nets.seq2seq_answers import (
    answer_lines,
    decode,
    eval_seq2seq,
    exact_match,
    greedy_answers,
)
from common.optim import Adam, clip_grads
from common.training.hooks import Evaluate
from common.training.loop import fit
from common.training.model_trainer import ClipGrads

SEEDS = range(3)
TOL = 1e-7
MODELS = (Seq2seq, PeekySeq2seq, AttentionSeq2seq)


def check_two_input_layer(layer, a, b, rng):
    """backward(G) of a layer out = f(a, b) against the numerical gradients of
    sum(f(a, b) * G) with respect to a and b; G must come back unchanged."""
    out = layer.forward(a, b)
    G = rng.standard_normal(out.shape)
    G_before = G.copy()
    da, db = layer.backward(G)
    np.testing.assert_array_equal(G, G_before, err_msg="backward must not modify dout")
    assert da.shape == a.shape and db.shape == b.shape
    f = lambda _: float(np.sum(layer.forward(a, b) * G))  # noqa: E731
    assert relative_error(da, numerical_gradient(f, a, h=1e-5)) < TOL
    assert relative_error(db, numerical_gradient(f, b, h=1e-5)) < TOL


def states(rng, single):
    """hs (N, T, H) and a query h: (N, H) for one step, (N, T', H) for a sequence."""
    n, t, h, t_dec = (int(v) for v in rng.integers(2, 5, 4))
    hs = rng.standard_normal((n, t, h))
    return hs, rng.standard_normal((n, h) if single else (n, t_dec, h))


@pytest.mark.parametrize("single", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_attention_layers_match_central_differences(seed, single):
    rng = np.random.default_rng(seed)
    hs, h = states(rng, single)
    check_two_input_layer(AttentionWeight(), hs, h, rng)
    check_two_input_layer(Attention(), hs, h, rng)
    a = rng.dirichlet(np.ones(hs.shape[1]), size=h.shape[:-1])  # rows of weights summing to 1
    check_two_input_layer(WeightSum(), hs, a, rng)
    if not single:
        check_two_input_layer(TimeAttention(), hs, h, rng)


def test_attention_weights_are_a_softmax_of_dot_products_and_sum_the_states():
    rng = np.random.default_rng(0)
    hs, h = states(rng, single=True)
    layer = Attention()
    c = layer.forward(hs, h)
    scores = np.einsum("nth,nh->nt", hs, h)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(layer.attention_weight, expected, rtol=1e-12)
    np.testing.assert_allclose(c, np.einsum("nt,nth->nh", expected, hs), rtol=1e-12)


def test_time_attention_is_attention_at_every_decoder_step_and_keeps_its_weights():
    rng = np.random.default_rng(1)
    hs_enc, hs_dec = states(rng, single=False)
    layer = TimeAttention()
    out = layer.forward(hs_enc, hs_dec)
    assert out.shape == hs_dec.shape
    assert layer.attention_weights.shape == (*hs_dec.shape[:2], hs_enc.shape[1])
    np.testing.assert_allclose(layer.attention_weights.sum(axis=2), 1, rtol=1e-12)
    for t in range(hs_dec.shape[1]):
        step = Attention()
        np.testing.assert_allclose(out[:, t], step.forward(hs_enc, hs_dec[:, t]), rtol=1e-12)
        np.testing.assert_allclose(layer.attention_weights[:, t], step.attention_weight,
                                   rtol=1e-12)


def test_attention_is_stable_for_huge_scores_and_keeps_float32():
    hs = np.array([[[1e4, 0], [0, 1e4], [-1e4, 0]]], dtype=np.float32)
    h = np.array([[1e3, 0]], dtype=np.float32)
    layer = Attention()
    c = layer.forward(hs, h)  # scores of 1e7: exp would overflow without the max-shift
    assert c.dtype == np.float32 and np.isfinite(c).all()
    np.testing.assert_array_equal(layer.attention_weight, [[1, 0, 0]])
    dhs, dh = layer.backward(np.ones_like(c))
    assert dhs.dtype == dh.dtype == np.float32


@pytest.mark.parametrize("layer", [AttentionWeight(), Attention(), TimeAttention()])
def test_attention_shape_errors_say_what_is_expected(layer):
    hs = np.zeros((2, 5, 4))
    with pytest.raises(ValueError, match=r"hs of shape \(N, T, H\)"):
        layer.forward(hs, np.zeros((2, 3, 3)))  # H differs
    with pytest.raises(ValueError, match=r"\(N, T, H\)"):
        layer.forward(hs[0], np.zeros((5, 1, 4)))  # hs without its batch axis
    with pytest.raises(RuntimeError, match="before its forward"):
        type(layer)().backward(np.zeros((2, 4)))


def test_time_attention_wants_a_sequence_of_decoder_states():
    with pytest.raises(ValueError, match="single step use Attention"):
        TimeAttention().forward(np.zeros((2, 5, 4)), np.zeros((2, 4)))


def test_weight_sum_checks_the_weights_and_dout():
    layer = WeightSum()
    with pytest.raises(ValueError, match=r"weights a of shape \(N, T\)"):
        layer.forward(np.zeros((2, 5, 4)), np.zeros((2, 4)))
    layer.forward(np.zeros((2, 5, 4)), np.full((2, 5), 0.2))
    with pytest.raises(ValueError, match="dout of shape"):
        layer.backward(np.zeros((2, 5)))


# -- the models ---------------------------------------------------------------------------


def tiny_batch(rng, vocab=7, n=3, t_in=4, t_out=4):
    return rng.integers(0, vocab, (n, t_in)), rng.integers(0, vocab, (n, t_out))


@pytest.mark.parametrize("model_class", MODELS)
def test_model_gradients_match_central_differences(model_class):
    model = model_class(vocab_size=7, wordvec_size=3, hidden_size=4, seed=0)
    rng = np.random.default_rng(0)
    for param in model.params.values():  # weights large enough to matter everywhere
        param[...] = rng.normal(0, 0.5, param.shape)
    xs, ts = tiny_batch(rng)
    check_gradients(model, xs, ts, h=1e-5, rtol=1e-5, atol=1e-9)
    assert all(p.dtype == np.float32 for p in model.params.values())  # left as they were


@pytest.mark.parametrize("model_class", MODELS)
def test_params_hold_the_layers_arrays_with_named_keys(model_class):
    model = model_class(vocab_size=7, wordvec_size=3, hidden_size=4, seed=0)
    assert {"encoder.embed.W", "encoder.lstm.Wx", "decoder.lstm.Wh", "decoder.affine.W",
            "decoder.affine.b"} <= set(model.params)
    assert model.params["decoder.affine.W"] is model.decoder.affine.W
    grads = model.gradient(*tiny_batch(np.random.default_rng(1)))
    assert set(grads) == set(model.params)
    assert all(grads[k].shape == p.shape and grads[k].dtype == np.float32
               for k, p in model.params.items())
    assert model.last_loss == pytest.approx(np.log(7), abs=0.05)  # the book's small init


@pytest.mark.parametrize("model_class", MODELS)
def test_params_are_written_in_place_counted_and_their_gradients_are_the_layers(model_class):
    model = model_class(vocab_size=7, wordvec_size=3, hidden_size=4, seed=0)
    model.params["decoder.affine.b"] = np.arange(7)  # assigned into the layer's own array
    assert model.params["decoder.affine.b"] is model.decoder.affine.b
    np.testing.assert_array_equal(model.decoder.affine.b, np.arange(7))
    assert model.param_owners["encoder.lstm.Wx"] == (model.encoder.lstm, "Wx")
    grads = model.gradient(*tiny_batch(np.random.default_rng(1)))
    assert all(grads[k] is getattr(layer, "d" + attr)
               for k, (layer, attr) in model.param_owners.items())
    assert model.parameter_count() == sum(p.size for p in model.params.values())
    assert model.buffers == {} and model.dtype == np.float32


def test_a_file_of_another_model_class_is_refused(tmp_path):
    class Renamed(Seq2seq):
        pass

    save_params(Seq2seq(vocab_size=7, wordvec_size=3, hidden_size=4, seed=0), tmp_path / "m.npz")
    with pytest.raises(ValueError, match="different architecture"):
        load_params(Renamed(vocab_size=7, wordvec_size=3, hidden_size=4), tmp_path / "m.npz")


def test_sizes_and_initialisation_follow_the_book():
    model = PeekySeq2seq(vocab_size=13, wordvec_size=16, hidden_size=128, seed=0)
    shapes = {key: p.shape for key, p in model.params.items()}
    assert shapes["encoder.lstm.Wx"] == (16, 512) and shapes["decoder.lstm.Wx"] == (144, 512)
    assert shapes["decoder.affine.W"] == (256, 13)
    assert model.params["encoder.embed.W"].std() == pytest.approx(0.01, rel=0.1)
    assert model.params["decoder.lstm.Wh"].std() == pytest.approx(128 ** -0.5, rel=0.05)
    assert not model.params["decoder.lstm.b"].any()
    attention = AttentionSeq2seq(vocab_size=59, wordvec_size=16, hidden_size=256, seed=0)
    assert attention.params["decoder.affine.W"].shape == (512, 59)
    same = AttentionSeq2seq(vocab_size=59, wordvec_size=16, hidden_size=256, seed=0)
    assert all(np.array_equal(p, same.params[k]) for k, p in attention.params.items())


@pytest.mark.parametrize("model_class", MODELS)
def test_generation_is_greedy_vectorised_and_deterministic(model_class):
    model = model_class(vocab_size=7, wordvec_size=3, hidden_size=5, seed=2)
    rng = np.random.default_rng(2)
    xs = rng.integers(0, 7, (4, 5))
    out = model.generate(xs, start_id=6, sample_size=3)
    assert out.shape == (4, 3) and out.dtype == np.int64
    np.testing.assert_array_equal(out, model.generate(xs, 6, 3))
    for i in range(4):  # one at a time, the same answers
        np.testing.assert_array_equal(out[i], model.generate(xs[i:i + 1], 6, 3)[0])
    # greedy: each id is the argmax of the teacher-forced scores fed the ids before it
    ts = np.concatenate([np.full((4, 1), 6), out], axis=1)
    model.forward(xs, ts)
    scores = model.last_layer.y  # softmax of the scores: the same argmax
    np.testing.assert_array_equal(scores.argmax(axis=2), out)


@pytest.mark.parametrize("model_class", MODELS)
def test_a_short_training_learns_to_copy_reversed(model_class):
    rng = np.random.default_rng(0)
    xs = rng.integers(1, 6, (64, 4))
    ts = np.concatenate([np.zeros((64, 1), dtype=np.int64), xs[:, ::-1]], axis=1)
    model = model_class(vocab_size=6, wordvec_size=8, hidden_size=32, seed=0)
    optimizer = Adam(lr=0.02)
    first = model.forward(xs, ts)
    for _ in range(60):
        grads = model.gradient(xs, ts)
        clip_grads(grads, 5.0)
        optimizer.update(model.params, grads)
    assert model.forward(xs, ts) < 0.25 * first
    assert (model.generate(xs, 0, 4) == ts[:, 1:]).mean() > 0.8


def test_attention_weights_of_the_model():
    model = AttentionSeq2seq(vocab_size=7, wordvec_size=3, hidden_size=5, seed=0)
    xs, ts = tiny_batch(np.random.default_rng(3), t_in=6, t_out=4)
    weights = model.attention_weights(xs, ts)
    assert weights.shape == (3, 3, 6)
    np.testing.assert_allclose(weights.sum(axis=2), 1, rtol=1e-5)


@pytest.mark.parametrize("model_class", MODELS)
def test_save_and_load_give_the_same_answers(model_class, tmp_path):
    model = model_class(vocab_size=7, wordvec_size=3, hidden_size=5, seed=0)
    xs = np.random.default_rng(4).integers(0, 7, (3, 4))
    save_params(model, tmp_path / "m.npz")
    other = model_class(vocab_size=7, wordvec_size=3, hidden_size=5, seed=1)
    assert not np.array_equal(other.params["decoder.affine.W"], model.params["decoder.affine.W"])
    load_params(other, tmp_path / "m.npz")
    for key, p in model.params.items():
        np.testing.assert_array_equal(other.params[key], p)
    np.testing.assert_array_equal(other.generate(xs, 0, 5), model.generate(xs, 0, 5))
    wider = model_class(vocab_size=7, wordvec_size=3, hidden_size=6, seed=0)
    with pytest.raises(ValueError, match="has shape"):
        load_params(wider, tmp_path / "m.npz")


@pytest.mark.parametrize("model_class", MODELS)
def test_wrong_inputs_get_clear_errors(model_class):
    model = model_class(vocab_size=7, wordvec_size=3, hidden_size=4, seed=0)
    xs, ts = tiny_batch(np.random.default_rng(5))
    with pytest.raises(ValueError, match="xs holds the id 7, out of the vocabulary of 7"):
        model.forward(np.where(xs == xs[0, 0], 7, xs), ts)
    with pytest.raises(ValueError, match="ts holds the id -1"):
        model.forward(xs, np.where(ts == ts[0, 0], -1, ts))
    with pytest.raises(ValueError, match=r"xs must be ids of shape \(N, T\).*np.newaxis"):
        model.forward(xs[0], ts)
    with pytest.raises(ValueError, match="T >= 2"):
        model.forward(xs, ts[:, :1])
    with pytest.raises(ValueError, match="integer ids"):
        model.forward(xs.astype(float), ts)
    with pytest.raises(ValueError, match="3 questions xs but 2 answers"):
        model.forward(xs, ts[:2])
    with pytest.raises(ValueError, match="start_id holds the id 9"):
        model.generate(xs, 9, 3)
    with pytest.raises(ValueError, match="sample_size must be a whole number >= 1"):
        model.generate(xs, 0, 0)
    with pytest.raises(ValueError, match=r"one per sequence of xs \(shape \(3,\)\)"):
        model.generate(xs, [0, 1], 3)
    with pytest.raises(ValueError, match="hidden_size must be a whole number >= 1"):
        model_class(vocab_size=7, wordvec_size=3, hidden_size=0)


# -- training and judging -----------------------------------------------------------------


def copy_task(n=96, length=4, vocab=6, seed=0):
    """Questions of random ids 1..vocab-1; answers: 0 (the start symbol), the question
    reversed."""
    xs = np.random.default_rng(seed).integers(1, vocab, (n, length))
    return xs, np.concatenate([np.zeros((n, 1), dtype=np.int64), xs[:, ::-1]], axis=1)


def test_exact_match_counts_only_answers_right_at_every_position():
    model = Seq2seq(vocab_size=6, wordvec_size=3, hidden_size=5, seed=0)
    xs, _ = copy_task(n=10)
    own = np.concatenate([np.zeros((10, 1), dtype=np.int64), model.generate(xs, 0, 4)], axis=1)
    assert exact_match(model, xs, own, batch_size=3) == 1.0
    wrong = own.copy()
    wrong[:4, -1] = (wrong[:4, -1] + 1) % 6  # the last character of four answers
    assert exact_match(model, xs, wrong) == pytest.approx(0.6)
    np.testing.assert_array_equal(greedy_answers(model, xs, own, batch_size=4), own[:, 1:])
    with pytest.raises(ValueError, match="xs is empty"):
        exact_match(model, xs[:0], own[:0])


def test_eval_seq2seq_is_the_books_check_of_one_question(capsys):
    model = Seq2seq(vocab_size=4, wordvec_size=3, hidden_size=5, seed=0)
    id_to_char = dict(enumerate("_abc"))
    question = np.array([[1, 2, 3]])
    right = np.array([[0, *model.generate(question, 0, 2)[0]]])
    assert eval_seq2seq(model, question, right, id_to_char, verbos=True, is_reverse=True) == 1
    assert capsys.readouterr().out.startswith("Q cba   T ")
    wrong = right.copy()
    wrong[0, 1] = (wrong[0, 1] + 1) % 4
    assert eval_seq2seq(model, question, wrong, id_to_char) == 0
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="use exact_match for many"):
        eval_seq2seq(model, np.vstack([question, question]), np.vstack([right, right]),
                     id_to_char)


def test_answer_lines_read_the_question_back_and_mark_the_answers():
    model = Seq2seq(vocab_size=4, wordvec_size=3, hidden_size=5, seed=0)
    id_to_char = dict(enumerate("_abc"))
    xs = np.array([[1, 2, 3]])
    guess = model.generate(xs, 0, 2)[0]
    line = answer_lines(model, xs, np.array([[0, *guess]]), id_to_char, reversed_input=True)
    assert line == [f"Q cba   T {decode(guess, id_to_char)}   ✓ {decode(guess, id_to_char)}"]
    other = [(g + 1) % 4 for g in guess]
    assert answer_lines(model, xs, np.array([[0, *other]]), id_to_char)[0].startswith(
        f"Q abc   T {decode(other, id_to_char)}   ✗")


def train(model, xs, ts, epochs, batch_size, seed, lr=0.001, max_grad=5.0):
    """The second book's seq2seq training, as ch_seq2seq runs it: shuffled mini-batches,
    clipping, Adam, the exact match on the first 40 pairs after every epoch."""
    accuracy = Evaluate({"exact_match": lambda: exact_match(model, xs[:40], ts[:40])},
                        every_epochs=1, report=True)
    return fit(model, Adam(lr=lr), ShuffledBatches(xs, ts, batch_size, seed=seed),
               epochs=epochs, hooks=[ClipGrads(max_grad), accuracy])


def test_training_learns_records_and_is_deterministic(capsys):
    xs, ts = copy_task(length=3, vocab=5)
    runs = [train(Seq2seq(vocab_size=5, wordvec_size=8, hidden_size=32, seed=0), xs, ts,
                  epochs=12, batch_size=32, seed=1, lr=0.05) for _ in range(2)]
    loop = runs[0]
    accuracy, epoch_loss = loop.history["exact_match"], loop.epoch_losses()
    assert loop.epoch == 12 and len(accuracy) == len(epoch_loss) == 12
    assert len(loop.losses) == 12 * 3  # 96 pairs in batches of 32
    assert epoch_loss[-1] < 0.3 * epoch_loss[0]
    assert accuracy[-1] > 0.8 > 0.2 > accuracy[0]
    assert loop.losses == runs[1].losses and accuracy == runs[1].history["exact_match"]
    assert not loop.interrupted and not loop.diverged
    out = capsys.readouterr().out
    assert "epoch 12/12  loss" in out and "exact match" in out and "ETA" in out


def test_training_stops_before_a_nan_update():
    xs, ts = copy_task(n=8)
    model = Seq2seq(vocab_size=6, wordvec_size=3, hidden_size=5, seed=0)
    model.params["decoder.affine.b"][0] = np.nan
    before = {key: p.copy() for key, p in model.params.items()}
    loop = train(model, xs, ts, epochs=3, batch_size=4, seed=0)
    assert loop.diverged and loop.epoch == 0 and loop.history["exact_match"] == []
    for key, p in model.params.items():
        np.testing.assert_array_equal(p, before[key])
    assert loop.stop_reason.startswith("the loss became nan")


def test_ctrl_c_stops_training_after_the_current_batch():
    xs, ts = copy_task(n=40)
    model = Seq2seq(vocab_size=6, wordvec_size=3, hidden_size=5, seed=0)
    forward, calls = model.forward, []

    def forward_then_ctrl_c(x, t):
        calls.append(1)
        if len(calls) == 7:  # in the second epoch
            signal.raise_signal(signal.SIGINT)
        return forward(x, t)

    model.forward = forward_then_ctrl_c
    loop = train(model, xs, ts, epochs=5, batch_size=8, seed=0)
    assert loop.interrupted and loop.epoch == 1 and len(loop.history["exact_match"]) == 1
    assert len(loop.losses) == 7


def test_eval_seq2seq_takes_a_model_that_answers_with_a_flat_list(capsys):
    """The second book's models answer one question with a list of ids, not an (N, T)
    array; its programs call eval_seq2seq with verbos=True on them."""
    from common.nets.seq2seq_answers import eval_seq2seq

    class BookStyle:
        def generate(self, xs, start_id, sample_size):
            return [int(c) for c in xs[0, :sample_size]]  # echoes the question

    id_to_char = {0: "_", 1: "1", 2: "2", 3: "+"}
    right = eval_seq2seq(BookStyle(), np.array([[1, 2, 3]]), np.array([[0, 1, 2]]),
                         id_to_char, verbos=True)
    wrong = eval_seq2seq(BookStyle(), np.array([[1, 2, 3]]), np.array([[0, 2, 1]]),
                         id_to_char, verbos=True, is_reverse=True)
    assert (right, wrong) == (1, 0)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("T 12   ✓ 12") and lines[1].startswith("Q +21")
