"""The autograd's optimizers, hooks, data sets, data loaders, transforms and graph pictures."""

from __future__ import annotations

import math
import shutil
import sys

import numpy as np
import pytest

from common.autograd import Parameter, Variable
from common.autograd import optimizers as O
from common.autograd.dataloaders import DataLoader, SeqDataLoader
from common.autograd.datasets import (
    CIFAR10,
    MNIST,
    Dataset,
    ImageNet,
    Shakespear,
    SinCurve,
    Spiral,
    get_spiral,
)
from common.autograd.elementwise import sin
from common.autograd.graph import get_dot_graph, get_file, plot_dot_graph
from common.autograd.layers import Layer
from common.autograd.transforms import (
    CenterCrop,
    Compose,
    Convert,
    Flatten,
    Normalize,
    Resize,
    ToArray,
    ToFloat,
    ToInt,
    ToPIL,
    batchable,
)
from common.fileio import read_tree, write_tree
from dataset.errors import DatasetError

W0 = np.array([[0.5, -1.0], [2.0, 0.25]])
G1 = np.array([[0.1, -0.3], [0.7, 0.2]])
G2 = np.array([[-0.4, 0.05], [0.3, -0.6]])


class Target(Layer):
    """A layer of the named Parameters given (``named``: them by name)."""

    def __init__(self, **params: np.ndarray) -> None:
        super().__init__()
        for k, v in params.items():
            setattr(self, k, Parameter(v.copy(), name=k))

    @property
    def named(self) -> dict[str, Parameter]:
        return {k: getattr(self, k) for k in self._params}


def two_steps(opt: O.Optimizer) -> np.ndarray:
    target = Target(W=W0)
    opt.setup(target)
    (p,) = target.params()
    array = p.data
    for g in (G1, G2):
        p.grad = Variable(g.copy())
        opt.update()
    assert p.data is array, "the update must change the array in place"
    return p.data


# --- the update rules -------------------------------------------------------------------


def test_sgd_and_momentum_follow_their_formulas():
    assert np.allclose(two_steps(O.SGD(lr=0.1)), W0 - 0.1 * G1 - 0.1 * G2, rtol=1e-14)
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    assert np.allclose(two_steps(O.MomentumSGD(lr=0.1, momentum=0.9)), W0 + v1 + v2,
                       rtol=1e-14)


def test_adagrad_and_adadelta_follow_their_formulas():
    lr, eps = 0.01, 1e-8
    h1 = G1 ** 2
    h2 = h1 + G2 ** 2
    want = W0 - lr * G1 / (np.sqrt(h1) + eps) - lr * G2 / (np.sqrt(h2) + eps)
    assert np.allclose(two_steps(O.AdaGrad(lr=lr, eps=eps)), want, rtol=1e-13)

    rho, eps = 0.95, 1e-6
    w, msg, msdx = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for g in (G1, G2):
        msg = rho * msg + (1 - rho) * g * g
        dx = np.sqrt((msdx + eps) / (msg + eps)) * g
        msdx = rho * msdx + (1 - rho) * dx * dx
        w = w - dx
    assert np.allclose(two_steps(O.AdaDelta(rho=rho, eps=eps)), w, rtol=1e-13)


def test_adam_follows_its_formula_with_bias_correction():
    alpha, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    w, m, v = W0.copy(), np.zeros_like(W0), np.zeros_like(W0)
    for t, g in enumerate((G1, G2), start=1):
        m = m + (1 - b1) * (g - m)
        v = v + (1 - b2) * (g * g - v)
        lr = alpha * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - lr * m / (np.sqrt(v) + eps)
    opt = O.Adam(alpha=alpha)
    assert np.allclose(two_steps(opt), w, rtol=1e-13)
    assert opt.t == 2 and opt.lr == pytest.approx(alpha * math.sqrt(1 - b2 ** 2) / (1 - b1 ** 2))


def test_float32_parameters_stay_float32_and_in_place():
    p = Parameter(np.ones((3, 4), np.float32))
    opt = O.Adam().setup(Target())
    opt.target.p = p
    p.grad = Variable(np.full((3, 4), 0.5, np.float32))
    array = p.data
    opt.update()
    assert p.data is array and p.data.dtype == np.float32 and opt.ms[id(p)].dtype == np.float32


def test_update_skips_parameters_without_gradients_and_needs_setup():
    target = Target(a=W0, b=W0)
    a, b = target.params()
    a.grad = Variable(G1.copy())
    O.SGD(lr=1.0).setup(target).update()
    assert np.array_equal(a.data, W0 - G1) and np.array_equal(b.data, W0)
    with pytest.raises(RuntimeError, match="setup"):
        O.SGD().update()
    with pytest.raises(TypeError, match="params"):
        O.SGD().setup([a])
    with pytest.raises(ValueError, match="lr"):
        O.SGD(lr=-1)
    b.grad = Variable(np.ones(3))  # a wrong gradient: nothing is updated, a first
    with pytest.raises(ValueError, match="nothing was updated"):
        O.SGD(lr=1.0).setup(target).update()
    assert np.array_equal(a.data, W0 - G1)


def test_setup_on_another_model_starts_a_fresh_state():
    first, second = Target(a=W0), Target(a=W0)
    opt = O.Adam().setup(first)
    run(opt, first, range(2))
    assert len(opt.ms) == 1
    opt.setup(first)
    assert len(opt.ms) == 1
    opt.setup(second)
    assert opt.ms == {} and opt.vs == {}


# --- hooks ------------------------------------------------------------------------------


def test_weight_decay_adds_rate_times_weights():
    opt = O.SGD(lr=0.1)
    opt.add_hook(O.WeightDecay(0.01))
    target = Target(W=W0)
    opt.setup(target)
    (p,) = target.params()
    p.grad = Variable(G1.copy())
    opt.update()
    assert np.allclose(p.data, W0 - 0.1 * (G1 + 0.01 * W0), rtol=1e-14)


def test_weight_decay_on_a_gradient_two_parameters_share():
    target = Target(a=W0, b=2 * W0)
    a, b = target.params()
    (a + b).backward()  # Add gives both inputs the same gradient Variable
    assert a.grad is b.grad
    opt = O.SGD(lr=1.0).setup(target)
    opt.add_hook(O.WeightDecay(0.5))
    opt.update()
    assert np.allclose(a.data, W0 - (1 + 0.5 * W0)) and np.allclose(b.data, 2 * W0 - (1 + W0))


def test_clip_grad_scales_all_gradients_by_the_global_norm():
    target = Target(a=np.zeros(2), b=np.zeros(2))
    a, b = target.params()
    a.grad, b.grad = Variable(np.array([3.0, 0.0])), Variable(np.array([0.0, 4.0]))
    O.ClipGrad(1.0)(list(target.params()))  # norm 5 -> 1
    assert np.allclose(a.grad.data, [0.6, 0.0], rtol=1e-6)
    assert np.allclose(b.grad.data, [0.0, 0.8], rtol=1e-6)
    O.ClipGrad(10.0)(list(target.params()))  # below max_norm: unchanged
    assert np.allclose(b.grad.data, [0.0, 0.8], rtol=1e-6)


def test_freeze_param_keeps_frozen_parameters():
    target = Target(a=W0, b=W0)
    a, b = target.params()
    a.grad, b.grad = Variable(G1.copy()), Variable(G2.copy())
    opt = O.MomentumSGD(lr=1.0).setup(target)
    opt.add_hook(O.FreezeParam(a))
    opt.update()
    assert np.array_equal(a.data, W0) and not np.array_equal(b.data, W0)
    assert id(a) not in opt.vs
    with pytest.raises(TypeError, match="Layers or Parameters"):
        O.FreezeParam(3)


# --- state ------------------------------------------------------------------------------


def run(opt: O.Optimizer, target: Target, steps: range) -> None:
    rng = np.random.default_rng(7)
    grads = [rng.standard_normal((2, 2)) for _ in range(10)]
    for i in steps:
        for p in target.params():
            p.grad = Variable(grads[i] * (1 + (p.name == "b")))
        opt.update()


@pytest.mark.parametrize("make", [O.SGD, O.MomentumSGD, O.AdaGrad, O.AdaDelta, O.Adam])
def test_state_dict_resumes_bit_for_bit(make, tmp_path):
    whole = Target(a=W0, b=W0)
    run(make().setup(whole), whole, range(10))

    first = Target(a=W0, b=W0)
    opt = make().setup(first)
    run(opt, first, range(4))
    write_tree(tmp_path / "state.npz", {"opt": opt.state_dict(),
                                        "params": {k: p.data for k, p in first.named.items()}})
    saved = read_tree(tmp_path / "state.npz")
    second = Target(**saved["params"])  # another process: other Parameter objects
    resumed = make().setup(second)
    resumed.load_state_dict(saved["opt"])
    run(resumed, second, range(4, 10))
    for key in ("a", "b"):
        assert np.array_equal(second.named[key].data, whole.named[key].data)


def test_state_dict_names_slots_by_parameter():
    target = Target(a=W0)
    opt = O.Adam().setup(target)
    run(opt, target, range(1))
    state = opt.state_dict()
    assert set(state) == {"alpha", "beta1", "beta2", "eps", "t", "ms:a", "vs:a"}
    assert state["t"] == 1


def test_load_state_dict_refuses_foreign_state_and_changes_nothing():
    target = Target(a=W0)
    opt = O.Adam().setup(target)
    run(opt, target, range(2))
    before = opt.state_dict()
    bad = [({"lr": 0.1}, "no 'alpha'"),
           ({**before, "hs:a": W0}, "not part of"),
           ({**before, "ms:zz": W0}, "does not have"),
           ({**before, "ms:a": np.zeros(3)}, "shape")]
    for state, said in bad:
        with pytest.raises(ValueError, match=said):
            opt.load_state_dict(state)
        after = opt.state_dict()
        assert after["t"] == 2 and np.array_equal(after["ms:a"], before["ms:a"])


# --- data sets --------------------------------------------------------------------------


def book_spiral(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The book's recipe written as its loop: angle 4j + 4i/100 + 0.2 N(0, 1), then a shuffle."""
    np.random.seed(seed)
    x, t = np.zeros((300, 2), np.float32), np.zeros(300, np.int64)
    for j in range(3):
        for i in range(100):
            rate = i / 100
            theta = j * 4.0 + 4.0 * rate + np.random.randn() * 0.2
            x[100 * j + i] = [rate * np.sin(theta), rate * np.cos(theta)]
            t[100 * j + i] = j
    order = np.random.permutation(300)
    return x[order], t[order]


@pytest.mark.parametrize("train, seed", [(True, 1984), (False, 2020)])
def test_get_spiral_is_the_books_and_leaves_the_global_generator_as_it_does(train, seed):
    want_x, want_t = book_spiral(seed)
    after_book = np.random.random()
    x, t = get_spiral(train)
    assert np.array_equal(x, want_x) and np.array_equal(t, want_t)
    assert x.dtype == np.float32 and t.dtype == np.int64
    assert np.random.random() == after_book
    data = Spiral(train=train)
    assert len(data) == 300 and np.bincount(data.label).tolist() == [100, 100, 100]


def test_sin_curve_and_shakespear():
    train, test = SinCurve(train=True), SinCurve(train=False)
    assert train.data.shape == train.label.shape == (999, 1) and train.data.dtype == np.float64
    assert np.array_equal(train.data[1:], train.label[:-1])
    assert np.allclose(test.data[:, 0], np.cos(np.linspace(0, 2 * np.pi, 1000))[:-1])
    assert np.abs(train.data[:, 0] - np.sin(np.linspace(0, 2 * np.pi, 1000))[:-1]).max() <= 0.05

    text = Shakespear()
    assert len(text) == 1_115_393 and text.data.dtype == np.int64
    head = "".join(text.id_to_char[int(i)] for i in text.data[:14])
    assert head == "First Citizen:"
    assert [text.char_to_id[c] for c in "First"] == [0, 1, 2, 3, 4]  # ids by first appearance
    assert np.array_equal(text.data[1:100], text.label[:99])


def test_downloads_say_what_to_do():
    for make in (CIFAR10, ImageNet):
        with pytest.raises(DatasetError, match="download|not available"):
            make()
    with pytest.raises(DatasetError, match="get_file"):
        ImageNet.labels()
    assert CIFAR10.labels()[0] == "airplane"


def test_mnist_from_mnist_dir(small_mnist, isolated_cache, tmp_path, monkeypatch):
    arrays = small_mnist.write(tmp_path / "mnist", n_train=12, n_test=5)
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "mnist"))
    train, test = MNIST(train=True), MNIST(train=False, transform=None)
    assert len(train) == 12 and len(test) == 5
    assert train.data.shape == (12, 1, 28, 28) and train.data.dtype == np.uint8
    x, t = train[3]
    assert x.shape == (784,) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert np.allclose(x * 255, arrays["train-images-idx3-ubyte"][3].ravel())
    assert t == arrays["train-labels-idx1-ubyte"][3]
    assert test[0][0].shape == (1, 28, 28)
    xb, tb = train.get_batch(np.array([3, 0, 7]))
    assert np.array_equal(xb, np.array([train[i][0] for i in (3, 0, 7)]))
    assert xb.dtype == np.float32 and tb.dtype == np.int64


# --- data loaders -----------------------------------------------------------------------


class Numbers(Dataset):
    def prepare(self):
        self.data = np.arange(23, dtype=np.float32)[:, None]
        self.label = np.arange(23) * 10


def test_data_loader_covers_every_sample_once_per_epoch():
    loader = DataLoader(Numbers(), batch_size=5)
    assert loader.max_iter == 5
    for _ in range(2):
        batches = list(loader)
        assert [len(x) for x, _ in batches] == [5, 5, 5, 5, 3]
        seen = np.concatenate([x[:, 0] for x, _ in batches])
        assert sorted(seen.tolist()) == list(range(23))
        assert all(np.array_equal(t, x[:, 0] * 10) for x, t in batches)
    ordered = np.concatenate([x[:, 0] for x, _ in DataLoader(Numbers(), 5, shuffle=False)])
    assert np.array_equal(ordered, np.arange(23))


def test_data_loader_shuffles_with_numpys_global_generator_as_the_book():
    np.random.seed(3)
    want = np.random.permutation(23)
    np.random.seed(3)
    loader = DataLoader(Numbers(), batch_size=23)
    x, _ = loader.next()
    assert np.array_equal(x[:, 0], want) and np.array_equal(loader.index, want)
    with pytest.raises(StopIteration):
        loader.next()
    assert loader.iteration == 0  # reset for the next epoch


def test_data_loader_batches_equal_the_sample_by_sample_ones():
    class Slow(Numbers):  # an overridden __getitem__: the loader must go sample by sample
        def __getitem__(self, index):
            return self.data[index] * 2, self.label[index]

    loader = DataLoader(Slow(), batch_size=4, shuffle=False)
    x, t = next(loader)
    assert np.array_equal(x, [[0.0], [2.0], [4.0], [6.0]]) and x.dtype == np.float32
    lam = Numbers(transform=lambda v: v + 1)  # a lambda has no batch form
    x, _ = next(DataLoader(lam, batch_size=3, shuffle=False))
    assert np.array_equal(x, [[1.0], [2.0], [3.0]])
    pairs = [(np.array([i, i]), i) for i in range(5)]  # not a Dataset at all
    x, t = next(DataLoader(pairs, batch_size=2, shuffle=False))
    assert x.shape == (2, 2) and t.tolist() == [0, 1]
    unlabeled = Numbers()
    unlabeled.label = None
    _, t = next(DataLoader(unlabeled, batch_size=2))
    assert t.tolist() == [None, None]


@pytest.mark.parametrize("seed", [None, 5])
def test_data_loader_state_resumes_mid_epoch(seed):
    np.random.seed(11)
    whole = DataLoader(Numbers(), batch_size=4, seed=seed)
    want = [x[:, 0].tolist() for _ in range(3) for x, _ in whole]

    np.random.seed(11)
    first = DataLoader(Numbers(), batch_size=4, seed=seed)
    got = [first.next()[0][:, 0].tolist() for _ in range(2)]
    state = first.state_dict()
    np.random.seed(999)  # the rest of the program moves the global generator on
    second = DataLoader(Numbers(), batch_size=4, seed=seed)
    second.load_state_dict(state)
    got += [x[:, 0].tolist() for x, _ in second]
    got += [x[:, 0].tolist() for _ in range(2) for x, _ in second]
    assert got == want
    with pytest.raises(ValueError, match="generator"):
        DataLoader(Numbers(), batch_size=4, seed=None if seed else 1).load_state_dict(state)
    with pytest.raises(ValueError, match="samples"):
        DataLoader(Numbers(), batch_size=3, seed=seed).load_state_dict(state)


def test_seq_data_loader_reads_evenly_spaced_offsets():
    loader = SeqDataLoader(Numbers(), batch_size=3)  # jump 23 // 3 = 7
    assert loader.max_iter == 8
    rows = [x[:, 0].tolist() for x, _ in loader]
    assert rows == [[k, 7 + k, 14 + k] for k in range(8)]
    loader.next()
    state = loader.state_dict()
    assert state["rng"] is None
    again = SeqDataLoader(Numbers(), batch_size=3)
    again.load_state_dict(state)
    x, t = again.next()
    assert x[:, 0].tolist() == [1, 8, 15] and t.tolist() == [10, 80, 150]


# --- transforms -------------------------------------------------------------------------


def test_array_transforms_per_sample_and_per_batch():
    images = np.random.default_rng(0).integers(0, 256, (4, 3, 2, 2), dtype=np.uint8)
    f = Compose([Flatten(), ToFloat(), Normalize(0.0, 255.0)])
    one = f(images[1])
    assert one.shape == (12,) and one.dtype == np.float32
    assert np.array_equal(f.batch(images), np.array([f(im) for im in images]))

    channels = Normalize(mean=[1.0, 2.0, 3.0], std=[2.0, 2.0, 2.0])
    x = np.ones((3, 2, 2), np.float32)
    assert channels(x)[:, 0, 0].tolist() == [0.0, -0.5, -1.0]
    assert np.array_equal(channels.batch(images.astype(np.float32)),
                          np.array([channels(im.astype(np.float32)) for im in images]))
    assert ToInt()(np.array([1.7])).dtype == np.int64
    assert not batchable(Compose([lambda v: v])) and batchable(Compose([Flatten()]))


def test_image_transforms_with_pillow():
    pil = pytest.importorskip("PIL.Image")
    img = pil.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3))
    assert Resize(2)(img).size == (2, 2)
    assert CenterCrop((2, 2))(img).size == (2, 2)
    array = ToArray()(img)
    assert array.shape == (3, 4, 4) and array.dtype == np.float32
    assert array[:, 0, 0].tolist() == [0.0, 1.0, 2.0]
    assert np.array_equal(np.asarray(ToPIL()(array)), np.asarray(img))
    bgr = np.asarray(Convert("BGR")(img))
    assert bgr[0, 0].tolist() == [2, 1, 0]


def test_image_transforms_without_pillow_say_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        Resize(2)


# --- graph pictures and files -----------------------------------------------------------


def test_get_dot_graph_lists_each_node_once():
    x = Variable(np.array([1.0, 2.0]), name='x"1')
    y = sin(x) * x
    y.name = "y"
    text = get_dot_graph(y)
    assert text.startswith("digraph g {\n") and text.endswith("}")
    assert text.count(f"{id(x)} [label=") == 1
    assert 'label="x\\"1: (2,) float64"' in text
    assert text.count("shape=box") == 2 and 'label="Sin"' in text and 'label="Mul"' in text
    assert f"{id(x)} -> {id(y.creator)}" in text and f"{id(y.creator)} -> {id(y)}" in text
    assert 'label="y"' in get_dot_graph(y, verbose=False)
    with pytest.raises(TypeError, match="Variable"):
        get_dot_graph(np.ones(2))


def test_plot_dot_graph_without_dot_writes_the_dot_file_and_says_how(tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    y = sin(Variable(np.array(1.0)))
    got = plot_dot_graph(y, to_file=str(tmp_path / "g.png"))
    assert got == str(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == get_dot_graph(y)
    assert not (tmp_path / "g.png").exists()
    said = capsys.readouterr().out
    assert "apt install graphviz" in said and f"dot {tmp_path / 'g.dot'} -T png -o" in said


@pytest.mark.skipif(shutil.which("dot") is None,
                    reason="needs Graphviz's dot (apt install graphviz)")
def test_plot_dot_graph_draws_a_png_with_graphviz(tmp_path):
    y = sin(Variable(np.array(1.0))) ** 2
    got = plot_dot_graph(y, to_file=str(tmp_path / "g.png"))
    assert got == str(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.png"]


def test_get_file_downloads_once_into_the_cache(tmp_path, monkeypatch):
    from common.autograd import graph

    source = tmp_path / "remote.txt"
    source.write_text("weights")
    monkeypatch.setattr(graph, "cache_dir", str(tmp_path / "cache"))
    path = get_file(source.as_uri())
    assert path == str(tmp_path / "cache" / "remote.txt")
    source.unlink()
    assert get_file(source.as_uri()) == path  # cached: not fetched again
    assert open(path).read() == "weights"
    with pytest.raises(OSError, match="could not download"):
        get_file((tmp_path / "missing.txt").as_uri(), "other.txt")
    assert not (tmp_path / "cache" / "other.txt").exists()
