"""Word vectors (the second book's chapters 2-4): the count-based functions on the book's
tiny corpus, worked by hand; the word2vec layers against central differences in float64;
the negative sampler's distribution; CBOW and skip-gram learning, deterministic for a
seed; the saved vectors; and clear errors."""

import math
import zipfile

import numpy as np
import pytest

from common.checks.gradients import gradient_check, numerical_gradient, relative_error
from common.layers import ContextMean, EmbeddingDot, NegativeSamplingLoss, UnigramSampler
from common.nets.files import load_params, save_params
from common.nets.word2vec import CBOW, SimpleCBOW, SkipGram
from common.optim import Adam
from common.wordvec import (
    analogy,
    analogy_cosine,
    convert_one_hot,
    cos_similarity,
    create_co_matrix,
    create_contexts_target,
    keep_most_frequent,
    load_word_vectors,
    most_similar,
    normalize,
    ppmi,
    preprocess,
    save_word_vectors,
    truncated_svd,
)

TOL = 1e-6
TEXT = "You say goodbye and I say hello."
#: The co-occurrence counts of TEXT with a window of 1, read off the sentence by hand:
#: you|say, say|goodbye, goodbye|and, and|i, i|say, say|hello, hello|. (each both ways).
HAND_COUNTS = np.array([
    # you say goodbye and i hello .
    [0, 1, 0, 0, 0, 0, 0],  # you
    [1, 0, 1, 0, 1, 1, 0],  # say
    [0, 1, 0, 1, 0, 0, 0],  # goodbye
    [0, 0, 1, 0, 1, 0, 0],  # and
    [0, 1, 0, 1, 0, 0, 0],  # i
    [0, 1, 0, 0, 0, 0, 1],  # hello
    [0, 0, 0, 0, 0, 1, 0],  # .
])


# --- the count-based method on the book's sentence ------------------------------------------

def test_preprocess_gives_the_books_corpus_and_vocabulary():
    corpus, word_to_id, id_to_word = preprocess(TEXT)
    np.testing.assert_array_equal(corpus, [0, 1, 2, 3, 4, 1, 5, 6])
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5,
                          ".": 6}
    assert id_to_word == {i: w for w, i in word_to_id.items()}


def test_co_occurrence_counts_the_neighbours():
    corpus, word_to_id, _ = preprocess(TEXT)
    C = create_co_matrix(corpus, len(word_to_id), window_size=1)
    assert C.dtype == np.int32
    np.testing.assert_array_equal(C, HAND_COUNTS)
    # a window of 2 adds the pairs two apart: you|goodbye, say|and, goodbye|i, and|say,
    # i|hello, say|. -- so say|and twice -- and "say" meets itself nowhere
    C2 = create_co_matrix(corpus, len(word_to_id), window_size=2)
    extra = C2 - C
    assert extra.sum() == 2 * 6 and (C2 == C2.T).all()
    assert extra[0, 2] == extra[2, 4] == extra[4, 5] == extra[1, 6] == 1
    assert extra[1, 3] == 2 and C2[1, 1] == 0


def test_co_occurrence_skips_left_out_words_but_keeps_their_place():
    # "a b -1 a": with window 1, a|b only; with window 2 also b|a (across the gap)
    corpus = np.array([0, 1, -1, 0])
    np.testing.assert_array_equal(create_co_matrix(corpus, 2, 1), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(create_co_matrix(corpus, 2, 2), [[0, 2], [2, 0]])


def test_ppmi_of_the_books_sentence_worked_by_hand():
    # N = 14 co-occurrences; the row sums S = you 1, say 4, goodbye 2, and 2, i 2, hello 2,
    # . 1; PPMI(i, j) = log2(C_ij · N / (S_i S_j)) where C_ij > 0, else 0
    expected = np.zeros((7, 7))
    pairs = {(0, 1): math.log2(1 * 14 / (1 * 4)),  # you, say: log2 3.5 = 1.807
             (1, 2): math.log2(14 / (4 * 2)),  # say, goodbye: log2 1.75 = 0.807
             (1, 4): math.log2(14 / (4 * 2)), (1, 5): math.log2(14 / (4 * 2)),
             (2, 3): math.log2(14 / (2 * 2)),  # goodbye, and: log2 3.5
             (3, 4): math.log2(14 / (2 * 2)),
             (5, 6): math.log2(14 / (2 * 1))}  # hello, .: log2 7 = 2.807
    for (i, j), value in pairs.items():
        expected[i, j] = expected[j, i] = value
    M = ppmi(HAND_COUNTS)
    assert M.dtype == np.float32
    np.testing.assert_allclose(M, expected, atol=1e-6)
    assert M[0, 1] == pytest.approx(1.807, abs=1e-3)  # the book's printed value


def test_ppmi_of_a_word_without_counts_is_zero_without_warnings():
    C = np.array([[0, 2, 0], [2, 0, 0], [0, 0, 0]])
    M = ppmi(C)  # the test suite turns RuntimeWarnings (0/0) into errors
    assert np.isfinite(M).all() and (M[2] == 0).all() and (M[:, 2] == 0).all()
    assert M[0, 1] == pytest.approx(1.0, abs=1e-6)  # log2(2·4 / (2·2))


def test_ppmi_in_blocks_equals_the_whole(monkeypatch):
    import common.wordvec.count as count
    rng = np.random.default_rng(0)
    C = rng.integers(0, 4, (30, 30))
    C = C + C.T
    whole = ppmi(C)
    monkeypatch.setattr(count, "_PPMI_BLOCK", 70)  # two rows at a time
    np.testing.assert_array_equal(ppmi(C), whole)


def test_contexts_and_targets_of_the_books_sentence():
    corpus, word_to_id, _ = preprocess(TEXT)
    contexts, target = create_contexts_target(corpus, window_size=1)
    np.testing.assert_array_equal(contexts, [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    np.testing.assert_array_equal(target, [1, 2, 3, 4, 1, 5])
    contexts, target = create_contexts_target(corpus, window_size=2)
    np.testing.assert_array_equal(contexts[0], [0, 1, 3, 4])
    np.testing.assert_array_equal(target, [2, 3, 4, 1])
    one_hot = convert_one_hot(contexts, len(word_to_id))
    assert one_hot.shape == (4, 4, 7) and one_hot.dtype == np.int32
    assert (one_hot.sum(axis=2) == 1).all() and one_hot[0, 3, 4] == 1
    np.testing.assert_array_equal(convert_one_hot(target, 7).argmax(axis=1), target)


def test_keep_most_frequent_renumbers_by_frequency_and_skips_the_rest():
    corpus, _, id_to_word = preprocess(TEXT)  # "say" twice, the others once
    kept, word_to_id, kept_to_word = keep_most_frequent(corpus, id_to_word, 3)
    assert kept_to_word == {0: "say", 1: "you", 2: "goodbye"}
    assert word_to_id == {"say": 0, "you": 1, "goodbye": 2}
    np.testing.assert_array_equal(kept, [1, 0, 2, -1, -1, 0, -1, -1])


def test_truncated_svd_finds_the_leading_singular_triplets():
    rng = np.random.default_rng(0)
    low_rank = rng.standard_normal((80, 5)) @ rng.standard_normal((5, 60))
    A = low_rank * np.linspace(1, 3, 60) + 1e-3 * rng.standard_normal((80, 60))
    U, S, Vt = truncated_svd(A, 5, seed=0)
    exact = np.linalg.svd(A, compute_uv=False)[:5]
    np.testing.assert_allclose(S, exact, rtol=1e-6)
    assert U.shape == (80, 5) and Vt.shape == (5, 60)
    np.testing.assert_allclose(U.T @ U, np.eye(5), atol=1e-10)
    np.testing.assert_allclose(U * S @ Vt, A, atol=0.05)
    # the same for a seed, and signs fixed: each column's largest entry is positive
    np.testing.assert_array_equal(truncated_svd(A, 5, seed=0)[0], U)
    assert (U[np.abs(U).argmax(axis=0), range(5)] > 0).all()


def test_similarity_nearest_words_and_analogies_on_tiny_vectors(capsys):
    words = ["man", "woman", "king", "queen", "apple"]
    word_to_id = {w: i for i, w in enumerate(words)}
    id_to_word = dict(enumerate(words))
    # axis 0: royal, axis 1: female, axis 2: fruit
    vectors = np.array([[0, 0, 0.1], [0, 1, 0.1], [1, 0, 0.1], [1, 1, 0.1], [0, 0, 3]],
                       dtype=np.float32) + np.array([0.1, 0.1, 0])
    assert cos_similarity(vectors[1], vectors[1]) == pytest.approx(1)
    assert cos_similarity(np.array([1.0, 0]), np.array([0.0, 2])) == pytest.approx(0)
    assert cos_similarity(np.zeros(2), np.ones(2)) == 0
    np.testing.assert_allclose(np.linalg.norm(normalize(vectors), axis=1), 1, rtol=1e-6)

    found = most_similar("king", word_to_id, id_to_word, vectors, top=2)
    assert [w for w, _ in found] == ["queen", "man"]  # the query itself is left out
    assert found[0][1] == pytest.approx(cos_similarity(vectors[2], vectors[3]))
    printed = capsys.readouterr().out
    assert "[query] king" in printed and "queen" in printed

    answers = analogy("man", "woman", "king", word_to_id, id_to_word, vectors, top=1,
                      answer="queen")
    assert answers[0][0] == "queen"
    assert "[analogy] man:woman = king:?" in capsys.readouterr().out
    assert most_similar("king", word_to_id, id_to_word, vectors, verbose=False) is not None
    assert capsys.readouterr().out == ""


def test_the_books_analogy_ranks_by_dot_product_and_analogy_cosine_by_cosine(capsys):
    import common.util as book

    words = ["man", "woman", "king", "queen", "giant"]
    word_to_id = {w: i for i, w in enumerate(words)}
    id_to_word = dict(enumerate(words))
    # b - a + c = (1, 1, 1): queen points that way, giant's long vector less so
    vectors = np.array([[0, 0, 1], [1, 0, 1], [0, 1, 1], [1, 1, 1], [5, 0, 0]], np.float32)
    found = book.analogy("man", "woman", "king", word_to_id, id_to_word, vectors, top=2,
                         answer="queen")
    assert [w for w, _ in found] == ["giant", "queen"]  # dot products with q at length 1
    assert [v for _, v in found] == pytest.approx([5 / np.sqrt(3), np.sqrt(3)], rel=1e-6)
    printed = capsys.readouterr().out
    assert printed.splitlines() == ["", "[analogy] man:woman = king:?", "==>queen:1.7321",
                                    " giant: 2.8868", " queen: 1.7321"]
    assert found == analogy("man", "woman", "king", word_to_id, id_to_word, vectors, 2,
                            verbose=False)
    cosine = analogy_cosine("man", "woman", "king", word_to_id, id_to_word, vectors, top=2,
                            verbose=False)
    assert [w for w, _ in cosine] == ["queen", "giant"]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    query = unit[1] - unit[0] + unit[2]
    assert [v for _, v in cosine] == pytest.approx(
        [cos_similarity(vectors[3], query), cos_similarity(vectors[4], query)], rel=1e-6)
    # the book's path prints a word outside the vocabulary as not found and goes on
    assert book.analogy("man", "castle", "king", word_to_id, id_to_word, vectors) is None
    assert book.most_similar("castle", word_to_id, id_to_word, vectors) is None
    assert capsys.readouterr().out == "castle is not found\ncastle is not found\n"
    assert book.most_similar("king", word_to_id, id_to_word, vectors, top=1)[0][0] == "queen"


# --- the word2vec layers --------------------------------------------------------------------

@pytest.mark.parametrize("idx_shape", [(4,), (4, 3)])
def test_embedding_dot_gradients(idx_shape):
    rng = np.random.default_rng(1)
    W, h = rng.standard_normal((6, 5)), rng.standard_normal((4, 5))
    idx = rng.integers(0, 6, idx_shape)
    idx.flat[:2] = 2  # an id met twice: its rows of dW add up
    layer = EmbeddingDot(W)
    out = layer.forward(h, idx)
    assert out.shape == idx_shape
    np.testing.assert_allclose(out, np.einsum("n...d,nd->n...", W[idx], h))
    G = rng.standard_normal(idx_shape)
    dh = layer.backward(G)
    dW = layer.dW.copy()

    def f(_):
        return float(np.sum(layer.forward(h, idx) * G))

    assert relative_error(dh, numerical_gradient(f, h)) < TOL
    assert relative_error(dW, numerical_gradient(f, W)) < TOL
    unused = np.setdiff1d(np.arange(6), idx)
    assert (dW[unused] == 0).all()


def test_context_mean_gradient():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 5))
    layer = ContextMean()
    np.testing.assert_allclose(layer.forward(x), x.mean(axis=1))
    G = rng.standard_normal((3, 5))
    dx = layer.backward(G)

    def f(_):
        return float(np.sum(layer.forward(x) * G))

    assert relative_error(dx, numerical_gradient(f, x)) < TOL


class FixedSampler:
    """Always the same negatives: the loss is then a fixed function of h and W."""

    def __init__(self, negatives):
        self.negatives = negatives

    def get_negative_sample(self, target):
        assert self.negatives.shape[:-1] == np.shape(target)
        return self.negatives


@pytest.mark.parametrize("target_shape", [(4,), (4, 2)])
def test_negative_sampling_loss_gradients_with_a_fixed_sampler(target_shape):
    rng = np.random.default_rng(3)
    V, D = 8, 5
    W, h = rng.standard_normal((V, D)), rng.standard_normal((4, D))
    target = rng.integers(0, V, target_shape)
    layer = NegativeSamplingLoss(W, rng.integers(0, V, 50), sample_size=3)
    layer.sampler = FixedSampler(rng.integers(0, V, (*target_shape, 3)))
    loss = layer.forward(h, target)
    # by hand: softplus(-s) of the true word, softplus(s) of each negative, mean over N
    s_pos = np.einsum("n...d,nd->n...", W[target], h)
    s_neg = np.einsum("n...kd,nd->n...k", W[layer.sampler.negatives], h)
    by_hand = (np.log1p(np.exp(-s_pos)).sum() + np.log1p(np.exp(s_neg)).sum()) / 4
    assert loss == pytest.approx(by_hand, rel=1e-12)
    dh = layer.backward(1)
    dW = layer.dW.copy()

    def f(_):
        return layer.forward(h, target)

    assert relative_error(dh, numerical_gradient(f, h)) < TOL
    assert relative_error(dW, numerical_gradient(f, W)) < TOL
    layer.forward(h, target)  # the last one of numerical_gradient had a probe in it
    assert relative_error(layer.backward(2.5), 2.5 * dh) < 1e-12  # dout scales


def test_negative_sampling_loss_is_finite_for_huge_scores_and_stays_float32():
    rng = np.random.default_rng(4)
    W = (1e3 * rng.standard_normal((10, 4))).astype(np.float32)
    h = (1e3 * rng.standard_normal((6, 4))).astype(np.float32)
    layer = NegativeSamplingLoss(W, np.arange(10), seed=0)
    loss = layer.forward(h, rng.integers(0, 10, 6))  # warnings are errors here
    assert math.isfinite(loss) and loss > 1e3
    dh = layer.backward()
    assert dh.dtype == np.float32 and layer.dW.dtype == np.float32 and np.isfinite(dh).all()


def test_the_sampler_never_returns_the_target():
    # word 0 has most of the mass, so clashes are frequent before they are redrawn
    corpus = np.array([0] * 900 + [1] * 50 + [2] * 30 + [3] * 20)
    sampler = UnigramSampler(corpus, power=0.75, sample_size=6, seed=0)
    target = np.array([0, 1, 2, 3] * 500)
    negative = sampler.get_negative_sample(target)
    assert negative.shape == (2000, 6) and np.issubdtype(negative.dtype, np.integer)
    assert not (negative == target[:, np.newaxis]).any()
    skip = sampler.get_negative_sample(target.reshape(500, 4))  # skip-gram's (N, C) targets
    assert skip.shape == (500, 4, 6)
    assert not (skip == target.reshape(500, 4)[..., np.newaxis]).any()


def test_the_sampler_follows_the_unigram_distribution_to_the_power_075():
    counts = np.array([40, 0, 10, 5, 25, 1, 19])
    corpus = np.repeat(np.arange(7), counts)
    sampler = UnigramSampler(corpus, sample_size=10, seed=1)
    p = counts**0.75 / np.sum(counts**0.75)
    np.testing.assert_allclose(sampler.word_p, p)
    target = np.full(20_000, 4)  # so word 4 is never drawn: p without its mass
    drawn = np.bincount(sampler.get_negative_sample(target).ravel(), minlength=7)
    expected_p = np.where(np.arange(7) == 4, 0, p)
    expected = drawn.sum() * expected_p / expected_p.sum()
    assert drawn[1] == 0 and drawn[4] == 0  # a word never seen, and the target
    cells = expected > 0
    chi2 = float(np.sum((drawn[cells] - expected[cells]) ** 2 / expected[cells]))
    df = int(cells.sum()) - 1
    assert chi2 < df + 6 * math.sqrt(2 * df)  # far in the tail of χ²(4) otherwise
    # plain counts (power 1) are a different distribution, which the same test rejects
    plain = counts / counts.sum()
    plain = np.where(np.arange(7) == 4, 0, plain)
    plain_expected = drawn.sum() * plain / plain.sum()
    assert np.sum((drawn[cells] - plain_expected[cells]) ** 2 / plain_expected[cells]) > 100


def test_the_sampler_is_seeded():
    corpus = np.arange(50) % 7
    target = np.arange(30) % 7
    draw = [UnigramSampler(corpus, sample_size=4, seed=s).get_negative_sample(target)
            for s in (5, 5, 6)]
    np.testing.assert_array_equal(draw[0], draw[1])
    assert (draw[0] != draw[2]).any()


# --- the models -----------------------------------------------------------------------------

def toy_corpus(n=3000, seed=0):
    """Sentences 'the <animal> <verb>s the <food> .' : words with clear contexts."""
    rng = np.random.default_rng(seed)
    animals, foods = ["cat", "dog", "cow"], ["fish", "meat", "grass"]
    words = []
    for _ in range(n // 6):
        words += ["the", animals[rng.integers(3)], "eats", "the", foods[rng.integers(3)], "."]
    return preprocess(" ".join(words))


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_models_pass_a_gradient_check_with_repeating_negatives(cls):
    corpus, word_to_id, _ = toy_corpus(300)
    net = cls(len(word_to_id), 4, 2, corpus, seed=0)
    contexts, target = create_contexts_target(corpus, 2)
    with net.last_layer.repeating_negatives():
        errors = gradient_check(net, contexts[:5], target[:5])
    assert set(errors) == {"in.W", "out.W"}
    assert max(errors.values()) < 1e-7, errors
    assert net.params["in.W"].dtype == np.float32  # the twin is gone


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_gradient_check_rewinds_the_loss_layers_sampler_by_itself(cls):
    """The negatives are drawn in the loss layer; the gradient check finds its generator
    (as checkpoints do) and replays the same draws in every probe."""
    corpus, word_to_id, _ = toy_corpus(300)
    net = cls(len(word_to_id), 4, 2, corpus, seed=0)
    contexts, target = create_contexts_target(corpus, 2)
    assert max(gradient_check(net, contexts[:5], target[:5]).values()) < 1e-7


def test_simple_cbow_learns_the_books_sentence_and_passes_a_gradient_check():
    corpus, word_to_id, _ = preprocess(TEXT)
    contexts, target = create_contexts_target(corpus, 1)
    x, t = convert_one_hot(contexts, 7), convert_one_hot(target, 7)
    net = SimpleCBOW(7, 5, seed=0)
    assert set(net.params) == {"in.W", "out.W"} and net.word_vecs.shape == (7, 5)
    assert max(gradient_check(net, x, t).values()) < 1e-7
    first = net.forward(x, t)
    assert first == pytest.approx(math.log(7), abs=0.01)  # small weights: uniform guesses
    optimizer = Adam()
    for _ in range(1000):
        optimizer.update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < 0.8  # the book's run reaches about 0.6 - 0.9


def test_cbow_learns_and_its_updates_reach_the_layers():
    corpus, word_to_id, id_to_word = toy_corpus()
    window = 1  # animals come before 'eats', food before '.'
    contexts, target = create_contexts_target(corpus, window)
    net = CBOW(len(word_to_id), 10, window, corpus, seed=0)
    first = net.loss(contexts, target)
    assert first == pytest.approx(6 * math.log(2), abs=0.01)  # σ(0) for 1 + 5 words
    optimizer = Adam(lr=0.01)
    rng = np.random.default_rng(0)
    for _ in range(150):
        batch = rng.integers(0, len(target), 50)
        grads = net.gradient(contexts[batch], target[batch])
        assert all(g.dtype == np.float32 for g in grads.values())
        optimizer.update(net.params, grads)
    assert net.loss(contexts, target) < 0.6 * first
    # the arrays updated are the layers' own, and word_vecs is the input embedding
    assert net.layers["in"].W is net.params["in.W"] is net.word_vecs
    assert net.last_layer.W is net.params["out.W"]
    # animals end up nearer animals than foods
    found = most_similar("cat", word_to_id, id_to_word, net.word_vecs, top=2, verbose=False)
    assert {w for w, _ in found} == {"dog", "cow"}


@pytest.mark.parametrize("cls", [CBOW, SkipGram])
def test_models_are_deterministic_for_a_seed(cls):
    corpus, word_to_id, _ = toy_corpus(600)
    contexts, target = create_contexts_target(corpus, 1)

    def train(seed):
        net = cls(len(word_to_id), 6, 1, corpus, seed=seed)
        optimizer = Adam(lr=0.01)
        for start in range(0, 300, 30):
            optimizer.update(net.params, net.gradient(contexts[start:start + 30],
                                                      target[start:start + 30]))
        return net.word_vecs.copy(), net.params["out.W"].copy()

    a, b, c = train(7), train(7), train(8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_skip_gram_learns():
    corpus, word_to_id, _ = toy_corpus()
    contexts, target = create_contexts_target(corpus, 1)
    net = SkipGram(len(word_to_id), 10, 1, corpus, seed=0)
    first = net.loss(contexts, target)
    assert first == pytest.approx(2 * 6 * math.log(2), abs=0.02)  # summed over 2 contexts
    optimizer = Adam(lr=0.01)
    rng = np.random.default_rng(0)
    for _ in range(150):
        batch = rng.integers(0, len(target), 50)
        optimizer.update(net.params, net.gradient(contexts[batch], target[batch]))
    assert net.loss(contexts, target) < 0.6 * first


def test_model_parameters_save_and_load(tmp_path):
    corpus, word_to_id, _ = toy_corpus(300)
    net = CBOW(len(word_to_id), 4, 2, corpus, seed=0)
    save_params(net, tmp_path / "cbow.npz")
    other = CBOW(len(word_to_id), 4, 2, corpus, seed=1)
    load_params(other, tmp_path / "cbow.npz")
    np.testing.assert_array_equal(other.word_vecs, net.word_vecs)
    np.testing.assert_array_equal(other.params["out.W"], net.params["out.W"])
    with pytest.raises(ValueError, match="different architecture"):
        load_params(CBOW(len(word_to_id), 4, 3, corpus), tmp_path / "cbow.npz")


# --- saved word vectors ---------------------------------------------------------------------

def test_word_vectors_round_trip(tmp_path):
    vectors = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    path = save_word_vectors(tmp_path / "v.npz", vectors, {0: "a", 1: "b", 2: "c"})
    loaded, word_to_id, id_to_word = load_word_vectors(path)
    np.testing.assert_array_equal(loaded, vectors)
    assert loaded.dtype == np.float32
    assert word_to_id == {"a": 0, "b": 1, "c": 2} and id_to_word == {0: "a", 1: "b", 2: "c"}
    save_word_vectors(tmp_path / "list.npz", vectors, ["x", "y", "z"])  # a list of words too
    assert load_word_vectors(tmp_path / "list.npz")[2][2] == "z"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_damaged_or_foreign_vector_files_get_clear_errors(tmp_path):
    vectors = np.ones((50, 8), dtype=np.float32)
    path = save_word_vectors(tmp_path / "v.npz", vectors, [f"w{i}" for i in range(50)])
    data = path.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match="cut.npz"):
        load_word_vectors(tmp_path / "cut.npz")
    flipped = bytearray(data)
    start = data.index(b"word_vecs.npy") + 200  # inside the stored vectors
    flipped[start:start + 8] = b"\xff" * 8
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="damaged"):
        load_word_vectors(tmp_path / "flipped.npz")
    (tmp_path / "text.npz").write_text("not an archive")
    with pytest.raises(ValueError, match="not a file of word vectors"):
        load_word_vectors(tmp_path / "text.npz")
    np.savez(tmp_path / "other.npz", W1=vectors)
    with pytest.raises(ValueError, match="not a file of word vectors"):
        load_word_vectors(tmp_path / "other.npz")
    np.savez(tmp_path / "objects.npz", __format__=np.array("{}"), word_vecs=vectors,
             words=np.array(["a", None], dtype=object))
    with pytest.raises(ValueError, match="refused for safety") as info:
        load_word_vectors(tmp_path / "objects.npz")
    assert "allow_pickle" not in str(info.value)
    with pytest.raises(ValueError, match="no file"):
        load_word_vectors(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="one word per row"):
        save_word_vectors(tmp_path / "x.npz", vectors, ["a", "b"])
    with pytest.raises(ValueError, match="not distinct"):
        save_word_vectors(tmp_path / "x.npz", vectors, ["a"] * 50)
    assert zipfile.is_zipfile(path)  # the good file is untouched


def test_the_books_pickled_cbow_params_load_through_the_restricted_reader(tmp_path):
    import os
    import pickle

    words = ["you", "say", "goodbye"]
    vectors = np.arange(6, dtype=np.float16).reshape(3, 2)
    with open(tmp_path / "cbow_params.pkl", "wb") as f:  # the book's train.py
        pickle.dump({"word_vecs": vectors, "word_to_id": {w: i for i, w in enumerate(words)},
                     "id_to_word": dict(enumerate(words))}, f, -1)
    loaded, word_to_id, id_to_word = load_word_vectors(tmp_path / "cbow_params.pkl")
    np.testing.assert_array_equal(loaded, vectors)
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2} and id_to_word[2] == "goodbye"

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return os.system, (f"echo pwned > {marker}",)

    with open(tmp_path / "crafted.pkl", "wb") as f:
        pickle.dump({"word_vecs": Exploit()}, f)
    with pytest.raises(ValueError, match="refused for safety"):
        load_word_vectors(tmp_path / "crafted.pkl")
    assert not marker.exists()
    with open(tmp_path / "list.pkl", "wb") as f:
        pickle.dump([vectors], f)
    with pytest.raises(ValueError, match="not the book's cbow_params.pkl"):
        load_word_vectors(tmp_path / "list.pkl")


# --- clear errors -----------------------------------------------------------------------------

def test_ids_out_of_the_vocabulary_are_named():
    corpus = np.array([0, 1, 2, 9])
    with pytest.raises(ValueError, match=r"word id 9 at position 3 is out of the vocabulary"):
        create_co_matrix(corpus, 5)
    with pytest.raises(ValueError, match="out of the vocabulary"):
        convert_one_hot(corpus, 5)
    with pytest.raises(ValueError, match="word id -2"):
        create_co_matrix(np.array([0, -2, 1]), 5)
    net = CBOW(5, 3, 1, np.array([0, 1, 2, 3, 4]), seed=0)
    with pytest.raises(ValueError, match=r"token id 7 is out of range.*0\.\.4"):
        net.loss(np.array([[0, 7]]), np.array([1]))
    with pytest.raises(ValueError, match=r"token id 5 is out of range"):
        net.loss(np.array([[0, 1]]), np.array([5]))
    with pytest.raises(ValueError, match="integer"):
        net.loss(np.array([[0.0, 1.0]]), np.array([1]))
    with pytest.raises(ValueError, match="'castle' is not in the vocabulary"):
        most_similar("castle", {"a": 0}, {0: "a"}, np.ones((1, 2)))
    with pytest.raises(ValueError, match="'castle' is not in the vocabulary"):
        analogy("a", "castle", "a", {"a": 0}, {0: "a"}, np.ones((1, 2)))


def test_empty_corpora_and_too_large_windows_are_refused():
    with pytest.raises(ValueError, match="no words"):
        preprocess("   ")
    with pytest.raises(ValueError, match="the corpus is empty"):
        create_contexts_target(np.array([], dtype=int))
    with pytest.raises(ValueError, match="the corpus is empty"):
        create_co_matrix(np.array([], dtype=int), 3)
    with pytest.raises(ValueError, match="non-empty"):
        UnigramSampler(np.array([], dtype=int))
    with pytest.raises(ValueError, match="single distinct word"):
        UnigramSampler(np.array([3, 3, 3]))
    corpus = np.arange(6)
    with pytest.raises(ValueError, match=r"a corpus of 6 words has no window of 2·3 \+ 1 = 7 "
                                         r"words; .*window_size <= 2"):
        create_contexts_target(corpus, window_size=3)
    with pytest.raises(ValueError, match="window_size must be a whole number >= 1, got 0"):
        create_contexts_target(corpus, window_size=0)
    with pytest.raises(ValueError, match="no co-occurrence"):
        ppmi(np.zeros((3, 3), dtype=int))
    net = CBOW(6, 3, 2, corpus, seed=0)
    with pytest.raises(ValueError, match=r"window_size 2 each sample has 4 context words"):
        net.loss(np.zeros((3, 2), dtype=int), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="one target word per sample"):
        net.loss(np.zeros((3, 4), dtype=int), np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match="CBOW: hidden_size must be a whole number >= 1"):
        CBOW(6, 0, 2, corpus)


def test_the_books_module_paths_give_the_names():
    from common.layers import EmbeddingDot as Layer  # noqa: F401
    from common.util import (  # noqa: F401
        analogy,
        convert_one_hot,
        cos_similarity,
        create_co_matrix,
        create_contexts_target,
        most_similar,
        normalize,
        ppmi,
        preprocess,
    )
    assert create_co_matrix is __import__("common.wordvec").wordvec.create_co_matrix
