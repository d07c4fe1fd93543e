"""The second book's shipped weights (ch06/Rnnlm.pkl, ch08/AttentionSeq2seq.pkl: pickled
lists of float16 arrays, as its ``BaseModel.save_params`` writes them) through the flows of
its programs ch06/eval.py, ch07/generate_text.py and ch08/visualize_attention.py, with the
models written the book's way over this library's faces (``common.base_model``,
``common.time_layers``); the library's own ``Rnnlm`` and ``AttentionSeq2seq`` read the same
files. The real files are not here: pickles in their format are made from random weights."""

import pickle

import numpy as np
import pytest

from common.base_model import BaseModel
from common.functions import softmax
from common.nets import attention_seq2seq as library_attention
from common.nets import rnnlm as library_rnnlm
from common.nets.files import load_params
from common.time_layers import (
    TimeAffine,
    TimeAttention,
    TimeEmbedding,
    TimeLSTM,
    TimeSoftmaxWithLoss,
)
from common.util import eval_perplexity
from dataset import sequence


def book_pickle(path, params):
    """The book's save_params: the arrays cast to float16, pickled as a list."""
    with open(path, "wb") as f:
        pickle.dump([p.astype(np.float16) for p in params], f)
    return [p.astype(np.float16) for p in params]


def gathered(model, layers):
    model.params, model.grads = [], []
    for layer in layers:
        model.params += layer.params
        model.grads += layer.grads


class Rnnlm(BaseModel):
    """The book's ch06 Rnnlm: embedding -> LSTM (stateful) -> affine, its weights drawn
    from NumPy's global generator."""

    def __init__(self, vocab_size=10000, wordvec_size=100, hidden_size=100):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn
        self.layers = [
            TimeEmbedding((rn(V, D) / 100).astype("f")),
            TimeLSTM((rn(D, 4 * H) / np.sqrt(D)).astype("f"),
                     (rn(H, 4 * H) / np.sqrt(H)).astype("f"), np.zeros(4 * H, "f"),
                     stateful=True),
            TimeAffine((rn(H, V) / np.sqrt(H)).astype("f"), np.zeros(V, "f")),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layer = self.layers[1]
        gathered(self, self.layers)

    def predict(self, xs):
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs

    def forward(self, xs, ts):
        return self.loss_layer.forward(self.predict(xs), ts)

    def reset_state(self):
        self.lstm_layer.reset_state()


class RnnlmGen(Rnnlm):
    """The book's ch07 generator, with the one change NumPy 2.4 needs: ``int(x[0])`` for its
    ``int(x)`` of np.random.choice's one-element array (docs/time_layers.md)."""

    def generate(self, start_id, skip_ids=None, sample_size=100):
        word_ids = [start_id]
        x = start_id
        while len(word_ids) < sample_size:
            x = np.array(x).reshape(1, 1)
            score = self.predict(x)
            p = softmax(score.flatten())
            sampled = np.random.choice(len(p), size=1, p=p)
            if (skip_ids is None) or (sampled not in skip_ids):
                x = sampled
                word_ids.append(int(x[0]))
        return word_ids


class AttentionSeq2seq(BaseModel):
    """The book's ch08 AttentionSeq2seq: an LSTM encoder keeps all its states; the decoder's
    LSTM starts from the last, attends to all of them, and scores [context, state]."""

    def __init__(self, vocab_size, wordvec_size, hidden_size):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rn = np.random.randn

        def lstm(stateful):
            return TimeLSTM((rn(D, 4 * H) / np.sqrt(D)).astype("f"),
                            (rn(H, 4 * H) / np.sqrt(H)).astype("f"), np.zeros(4 * H, "f"),
                            stateful=stateful)

        self.enc_embed = TimeEmbedding((rn(V, D) / 100).astype("f"))
        self.enc_lstm = lstm(False)
        self.dec_embed = TimeEmbedding((rn(V, D) / 100).astype("f"))
        self.dec_lstm = lstm(True)
        self.attention = TimeAttention()
        self.affine = TimeAffine((rn(2 * H, V) / np.sqrt(2 * H)).astype("f"), np.zeros(V, "f"))
        self.softmax = TimeSoftmaxWithLoss()
        gathered(self, [self.enc_embed, self.enc_lstm, self.dec_embed, self.dec_lstm,
                        self.attention, self.affine])

    def forward(self, xs, ts):
        hs = self.enc_lstm.forward(self.enc_embed.forward(xs))
        self.dec_lstm.set_state(hs[:, -1])
        dec_hs = self.dec_lstm.forward(self.dec_embed.forward(ts[:, :-1]))
        c = self.attention.forward(hs, dec_hs)
        score = self.affine.forward(np.concatenate((c, dec_hs), axis=2))
        return self.softmax.forward(score, ts[:, 1:])


@pytest.fixture(scope="module")
def rnnlm_file(tmp_path_factory):
    """Rnnlm.pkl in the book's format, from a model of the book's sizes, and its arrays."""
    folder = tmp_path_factory.mktemp("ch06")
    np.random.seed(0)
    return folder / "Rnnlm.pkl", book_pickle(folder / "Rnnlm.pkl", Rnnlm().params)


def test_ch06_eval_loads_the_books_rnnlm_pkl_and_measures_its_perplexity(rnnlm_file,
                                                                        monkeypatch):
    path, stored = rnnlm_file
    monkeypatch.chdir(path.parent)
    model = Rnnlm()
    model.load_params()  # the book's default file: Rnnlm.pkl
    assert len(model.params) == len(stored) == 6
    for param, array in zip(model.params, stored, strict=True):
        assert param.dtype == np.float32
        np.testing.assert_array_equal(param, array.astype(np.float32))
    corpus = np.random.default_rng(1).integers(0, 10000, size=1000)
    model.reset_state()
    ppl = eval_perplexity(model, corpus)
    unsaved = Rnnlm()  # the same weights, written in by hand
    for param, array in zip(unsaved.params, stored, strict=True):
        param[...] = array
    assert np.isfinite(ppl) and ppl == eval_perplexity(unsaved, corpus)
    # the library's own Rnnlm reads the book's file too: its weights in the book's order
    own = library_rnnlm.Rnnlm(10000, 100, 100)
    load_params(own, path)
    for param, array in zip(own.params.values(), stored, strict=True):
        np.testing.assert_array_equal(param, array.astype(np.float32))
    assert eval_perplexity(own, corpus) == pytest.approx(ppl, rel=1e-5)


def test_ch07_generate_text_loads_the_books_weights_and_writes_words(rnnlm_file):
    path, _ = rnnlm_file
    model = RnnlmGen()
    model.load_params(str(path))
    np.random.seed(2)
    skip_ids = [3, 26, 27]
    word_ids = model.generate(5, skip_ids)
    assert len(word_ids) == 100 and word_ids[0] == 5
    assert all(type(i) is int and 0 <= i < 10000 and i not in skip_ids for i in word_ids)
    own = library_rnnlm.Rnnlm(10000, 100, 100)
    load_params(own, path)
    text = own.generate(5, skip_ids, seed=0)
    assert len(text) == 100 and all(type(i) is int and i not in skip_ids for i in text)


@pytest.mark.skipif(tuple(int(v) for v in np.__version__.split(".")[:2]) < (2, 4),
                    reason="NumPy before 2.4 only warns")
def test_the_books_own_int_of_a_one_element_array_is_what_numpy_2_4_refuses():
    # ch07/rnnlm_gen.py: sampled = np.random.choice(len(p), size=1, p=p); int(sampled).
    # The array is NumPy's, not the library's: the fix is the book program's int(x[0]).
    sampled = np.random.choice(3, size=1, p=[0.2, 0.3, 0.5])
    assert sampled.shape == (1,)
    with pytest.raises(TypeError, match="0-dimensional"):
        int(sampled)
    assert isinstance(int(sampled[0]), int)
    # what the library gives the book's loop is fine: a flat softmax, a (1, 1) id input
    p = softmax(np.array([[[1.0, 2.0, 3.0]]]).flatten())
    assert p.shape == (3,) and np.isclose(p.sum(), 1)


def test_ch08_visualize_attention_loads_the_books_weights_and_shows_the_attention(
        tmp_path, monkeypatch):
    (x_train, t_train), (x_val, t_val) = sequence.load_data("date.txt")
    char_to_id, _ = sequence.get_vocab()
    x_val = x_val[:, ::-1]
    vocab_size = len(char_to_id)
    assert vocab_size == 59
    stored = book_pickle(tmp_path / "AttentionSeq2seq.pkl",
                         AttentionSeq2seq(vocab_size, 16, 256).params)
    monkeypatch.chdir(tmp_path)
    model = AttentionSeq2seq(vocab_size, 16, 256)
    model.load_params()
    for param, array in zip(model.params, stored, strict=True):
        np.testing.assert_array_equal(param, array.astype(np.float32))
    np.random.seed(1984)
    idx = [np.random.randint(0, len(x_val))]
    x, t = x_val[idx], t_val[idx]
    loss = model.forward(x, t)
    weights = model.attention.attention_weights
    assert weights.shape == (1, 10, 29) and np.allclose(weights.sum(axis=2), 1)
    unsaved = AttentionSeq2seq(vocab_size, 16, 256)
    for param, array in zip(unsaved.params, stored, strict=True):
        param[...] = array
    assert np.isfinite(loss) and loss == unsaved.forward(x, t)
    # the library's own AttentionSeq2seq reads the file and attends alike
    own = library_attention.AttentionSeq2seq(vocab_size, 16, 256)
    load_params(own, tmp_path / "AttentionSeq2seq.pkl")
    assert own.forward(x, t) == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(own.attention_weights(x, t), weights, atol=1e-6)


def test_a_book_pickle_of_another_model_is_a_clear_error(rnnlm_file):
    path, _ = rnnlm_file
    with pytest.raises(ValueError, match="list of 6 arrays .* AttentionSeq2seq has 10"):
        load_params(library_attention.AttentionSeq2seq(10000, 100, 100), path)
    with pytest.raises(ValueError, match="shape"):
        load_params(library_rnnlm.Rnnlm(1000, 100, 100), path)
