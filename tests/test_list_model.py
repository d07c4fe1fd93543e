"""``BaseModel`` (``common.base_model``, the second book's): a model of weight lists saves
and loads its weights in place, atomically, with clear errors."""

import numpy as np
import pytest

from common.base_model import BaseModel
from common.layers import Affine, Embedding, SoftmaxWithLoss


class Tiny(BaseModel):
    def __init__(self, seed=0, hidden=3):
        super().__init__()
        rng = np.random.default_rng(seed)
        W_in = rng.standard_normal((5, hidden)).astype(np.float32)
        # the input embedding used twice (the book's CBOW): the list names W_in twice
        self.in_layers = [Embedding(W_in), Embedding(W_in)]
        self.out = Affine(rng.standard_normal((hidden, 5)).astype(np.float32),
                          np.zeros(5, np.float32))
        self.loss_layer = SoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in [*self.in_layers, self.out]:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, contexts, target):
        h = 0.5 * (self.in_layers[0].forward(contexts[:, 0])
                   + self.in_layers[1].forward(contexts[:, 1]))
        return self.loss_layer.forward(self.out.forward(h), target)

    def backward(self, dout=1):
        dh = 0.5 * self.out.backward(self.loss_layer.backward(dout))
        for layer in self.in_layers:
            layer.backward(dh)


def test_saved_weights_load_into_the_same_arrays(tmp_path):
    trained, fresh = Tiny(seed=0), Tiny(seed=1)
    arrays = list(fresh.params)
    trained.save_params(tmp_path / "tiny.npz")
    fresh.load_params(tmp_path / "tiny.npz")
    for a, b, same in zip(trained.params, fresh.params, arrays, strict=True):
        np.testing.assert_array_equal(a, b)
        assert b is same and b.dtype == np.float32
    assert fresh.in_layers[0].W is fresh.in_layers[1].W  # still one shared array
    assert [p.name for p in tmp_path.iterdir()] == ["tiny.npz"]  # no temporary file left


def test_the_default_file_is_named_after_the_class(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Tiny().save_params()
    assert (tmp_path / "Tiny.pkl").is_file()  # the book's name (an .npz archive inside)
    Tiny(seed=2).load_params()


def test_files_that_do_not_fit_are_clear_errors(tmp_path):
    model = Tiny()
    with pytest.raises(ValueError, match="there is no file"):
        model.load_params(tmp_path / "missing.npz")
    (tmp_path / "book.pkl").write_bytes(b"\x80\x04not an npz")
    with pytest.raises(ValueError, match="damaged or was not written by save_params"):
        model.load_params(tmp_path / "book.pkl")
    Tiny(hidden=4).save_params(tmp_path / "wider.npz")
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=r"parameter 0 .* has shape \(5, 4\)"):
        model.load_params(tmp_path / "wider.npz")
    for a, b in zip(before, model.params, strict=True):
        np.testing.assert_array_equal(a, b)  # nothing changed
    with pytest.raises(ValueError, match="self.params must be the list"):
        BaseModel().save_params(tmp_path / "empty.npz")


def test_a_model_with_a_shared_array_trains_with_the_books_trainer():
    from common.optim import SGD
    from common.trainer import Trainer

    rng = np.random.default_rng(0)
    contexts = rng.integers(0, 5, (200, 2))
    target = (contexts[:, 0] + contexts[:, 1]) % 5 == 0
    model = Tiny(hidden=8)
    trainer = Trainer(model, SGD(lr=0.5))
    trainer.verbose = False
    trainer.fit(contexts, target.astype(int), max_epoch=40, batch_size=20, eval_interval=5)
    assert trainer.loss_list[-1] < 0.8 * trainer.loss_list[0]


def test_the_books_pickled_float16_weights_load_cast_to_the_models_dtype(tmp_path):
    import pickle

    trained, fresh = Tiny(seed=0), Tiny(seed=1)
    with open(tmp_path / "Tiny.pkl", "wb") as f:  # the book's BaseModel.save_params
        pickle.dump([p.astype(np.float16) for p in trained.params], f)
    arrays = list(fresh.params)
    fresh.load_params(tmp_path / "Tiny.pkl")
    for a, b, same in zip(trained.params, fresh.params, arrays, strict=True):
        assert b is same and b.dtype == np.float32
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-3)


def test_a_file_whose_second_array_is_text_changes_nothing(tmp_path):
    Tiny(seed=0).save_params(tmp_path / "tiny.npz")
    with np.load(tmp_path / "tiny.npz") as archive:
        arrays = dict(archive)
    arrays["param1"] = np.full(arrays["param1"].shape, "text")
    np.savez(tmp_path / "tampered.npz", **arrays)
    model = Tiny(seed=1)
    before = [p.copy() for p in model.params]
    with pytest.raises(ValueError, match=r"parameter 1 in .*tampered\.npz holds <U4 values, "
                                         r"not numbers"):
        model.load_params(tmp_path / "tampered.npz")
    for a, b in zip(before, model.params, strict=True):
        np.testing.assert_array_equal(a, b)  # the first array was not overwritten


def test_a_crafted_pickle_is_refused_by_load_params(tmp_path):
    import os
    import pickle

    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return os.system, (f"echo pwned > {marker}",)

    with open(tmp_path / "Tiny.pkl", "wb") as f:
        pickle.dump([Exploit()], f)
    with pytest.raises(ValueError, match=r"system.*refused for safety"):
        Tiny().load_params(tmp_path / "Tiny.pkl")
    assert not marker.exists()
