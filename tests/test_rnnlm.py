"""The recurrent language models (SimpleRnnlm, Rnnlm, BetterRnnlm), weight tying, the
book's RnnlmTrainer, the chapter's training (``ch_rnnlm.training.train_rnnlm``: validation,
learning-rate decay, the best epoch, checkpoints) and eval_perplexity: gradients against
central differences, learning, generation, sequential batches, a resumed run identical to
an uninterrupted one (after Ctrl-C in process, after SIGKILL of ``python -m ch_rnnlm``),
and clear errors."""

import json
import math
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import headless_env

from ch_rnnlm.training import train_rnnlm
from common.batches import SequentialWindows
from common.checks import check_gradients, gradient_check
from common.checks.gradients import frozen_randomness
from common.layers.tied import TiedEmbedding
from common.nets.better_rnnlm import BetterRnnlm
from common.nets.perplexity import eval_perplexity, perplexity
from common.nets.rnnlm import Rnnlm
from common.nets.simple_rnnlm import SimpleRnnlm
from common.optim import SGD
from common.training.checkpoint import CheckpointError, read_checkpoint
from common.training.model_trainer import book_line
from common.training.rnnlm_trainer import RnnlmTrainer

V = 7
MODELS = {
    "simple": lambda seed=0, dtype=np.float32: SimpleRnnlm(V, 4, 5, seed=seed, dtype=dtype),
    "lstm": lambda seed=0, dtype=np.float32: Rnnlm(V, 4, 5, seed=seed, dtype=dtype),
    "better": lambda seed=0, dtype=np.float32: BetterRnnlm(V, 5, 5, 0.3, seed=seed,
                                                            dtype=dtype),
}


def ids(shape, seed=1, vocab=V):
    return np.random.default_rng(seed).integers(0, vocab, shape)


def scale_weights(model, factor=30.0):
    """The book's initial weights are tiny (embeddings ~0.01): scale them up, so that the
    gradient check sees every path with gradients well above rounding."""
    for param in model.params.values():
        param *= factor


@pytest.mark.parametrize("kind", MODELS)
def test_gradients_match_central_differences_with_a_carried_state(kind):
    model = MODELS[kind](dtype=np.float64)
    model.params["embed.W"] *= 30  # word vectors ~0.3, not the book's tiny ~0.01
    model.gradient(ids((2, 4), seed=3), ids((2, 4), seed=4))  # the next batch starts from here
    errors = gradient_check(model, ids((2, 4)), ids((2, 4), seed=2))
    assert max(errors.values()) < 1e-7, errors
    check_gradients(model, ids((2, 4)), ids((2, 4), seed=2), rtol=1e-4, atol=1e-7)


def test_numerical_gradient_leaves_the_carried_state_alone():
    model = MODELS["lstm"]()
    model.gradient(ids((2, 4)), ids((2, 4), seed=2))
    h = model.layers["lstm"].h.copy()
    model.numerical_gradient(ids((2, 4)), ids((2, 4), seed=2))
    np.testing.assert_array_equal(model.layers["lstm"].h, h)


def test_the_state_is_carried_between_batches_until_reset():
    model = MODELS["lstm"]()
    scale_weights(model)
    x = ids((2, 4))
    first = model.predict(x)
    assert not np.allclose(model.predict(x), first)  # started from the last state
    model.reset_state()
    np.testing.assert_array_equal(model.predict(x), first)
    better = MODELS["better"]()
    better.predict(x)
    better.reset_state()
    assert better.layers["lstm1"].h is None and better.layers["lstm2"].h is None


def test_weight_tying_is_one_array_used_twice():
    model = MODELS["better"]()
    embed, output = model.layers["embed"], model.layers["affine"]
    assert isinstance(embed, TiedEmbedding)
    assert output.W is embed.W is model.params["embed.W"]
    assert "affine.W" not in model.params and "affine.b" in model.params
    # the gradient is the sum of both uses
    x, t = ids((2, 4)), ids((2, 4), seed=2)
    model.reset_state()
    grads = model.gradient(x, t)
    share = output.dW_share.copy()
    assert np.abs(share).max() > 0
    np.testing.assert_allclose(grads["embed.W"] - share, embed.dW - share)
    # an update reaches both uses: the output layer computes with the new matrix
    before = model.params["embed.W"].copy()
    SGD(lr=1.0).update(model.params, grads)
    assert not np.allclose(output.W, before)
    assert output.W is model.params["embed.W"]


def test_the_output_share_is_added_once_per_backward_pass():
    model = MODELS["better"]()
    x, t = ids((2, 4)), ids((2, 4), seed=2)
    with frozen_randomness(model) as rewind:  # the same dropout masks in both passes
        model.reset_state()
        first = model.gradient(x, t)["embed.W"].copy()
        # the embedding alone, with no new pass of the output layer: its own gradient only
        model.layers["embed"].backward(np.zeros((2, 4, 5), np.float32))
        assert not np.abs(model.layers["embed"].dW).any()
        rewind()
        model.reset_state()
        np.testing.assert_array_equal(model.gradient(x, t)["embed.W"], first)


@pytest.mark.parametrize("kind", MODELS)
def test_backward_returns_the_layers_gradients_and_keeps_them_in_grads(kind):
    model = MODELS[kind]()
    x, t = ids((2, 5)), ids((2, 5), seed=2)
    model.forward(x, t)
    grads = model.backward()
    assert grads is model.grads and list(grads) == list(model.params)
    assert all(grads[k] is getattr(layer, "d" + attr)
               for k, (layer, attr) in model.param_owners.items())


def test_better_rnnlm_needs_equal_sizes_for_tying():
    with pytest.raises(ValueError, match="wordvec_size must equal hidden_size"):
        BetterRnnlm(V, 4, 5)


def test_models_are_float32_and_seeded():
    a, b = Rnnlm(V, 4, 5, seed=3), Rnnlm(V, 4, 5, seed=3)
    for key in a.params:
        assert a.params[key].dtype == np.float32
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert a.predict(ids((2, 3))).dtype == np.float32


def test_ids_out_of_the_vocabulary_are_a_clear_error():
    model = MODELS["lstm"]()
    with pytest.raises(ValueError, match="out of range for a vocabulary of 7"):
        model.forward(np.array([[1, 7]]), np.array([[1, 2]]))
    with pytest.raises(ValueError, match="out of range"):
        model.forward(np.array([[1, 2]]), np.array([[1, 9]]))
    with pytest.raises(ValueError, match="start_ids holds 7"):
        model.generate([7])
    with pytest.raises(ValueError, match="every word"):
        model.generate([1], skip_ids=range(V))


def repetitive_corpus(repeats=120):
    return np.tile(np.array([0, 1, 2, 3, 4, 5, 6, 2, 4, 6]), repeats)


@pytest.mark.parametrize("kind", MODELS)
def test_a_short_training_learns_a_repetitive_text(kind):
    corpus = repetitive_corpus()
    model = MODELS[kind]()
    before = eval_perplexity(model, corpus)
    trainer = RnnlmTrainer(model, SGD(lr=2.0), verbose=False)
    trainer.fit(corpus[:-1], corpus[1:], max_epoch=8, batch_size=5, time_size=8,
                max_grad=5.0, eval_interval=5)
    after = eval_perplexity(model, corpus)
    assert before > 6 and after < 2.0, (before, after)
    # dropout makes single records spiky (BetterRnnlm): the median of the last five
    assert np.median(trainer.ppl_list[-5:]) < trainer.ppl_list[0] / 2


def test_generation_is_deterministic_for_a_seed_and_never_skipped_words():
    corpus = repetitive_corpus()
    model = MODELS["lstm"]()
    RnnlmTrainer(model, SGD(lr=2.0), verbose=False).fit(
        corpus[:-1], corpus[1:], max_epoch=4, batch_size=5, time_size=8, max_grad=5.0)
    text = model.generate([0, 1], sample_size=40, seed=5)
    assert text[:2] == [0, 1] and len(text) == 40
    assert model.generate([0, 1], sample_size=40, seed=5) == text
    # 2 follows 1 in this text: never generated when skipped, however likely
    skipped = model.generate(1, skip_ids=[2], sample_size=60, seed=5)
    assert 2 not in skipped[1:] and len(skipped) == 60
    assert model.layers["lstm"].h is None  # left with a zero state


class _HalfSure:
    """A model that gives the right next word probability 1/2: perplexity 2 exactly. It
    also checks that every target is the word after its input (the corpus counts 0..4)."""

    def __init__(self):
        self.resets = 0

    def reset_state(self):
        self.resets += 1

    def forward(self, xs, ts):  # a model of the book's, called as the book's function does
        np.testing.assert_array_equal(ts, (xs + 1) % 5)
        return math.log(2)


def test_eval_perplexity_of_models_that_know_the_answer():
    corpus = np.arange(2000) % 5
    stub = _HalfSure()
    assert eval_perplexity(stub, corpus) == pytest.approx(2.0)
    assert stub.resets == 2
    uniform = Rnnlm(V, 4, 5, seed=0)
    for param in uniform.params.values():
        param[...] = 0  # every score 0: each of the V words equally likely
    assert eval_perplexity(uniform, ids(1000, vocab=V)) == pytest.approx(V, rel=1e-5)


def test_a_huge_loss_is_an_infinite_perplexity_not_an_overflow(capsys):
    assert perplexity(math.log(7.0)) == pytest.approx(7.0)
    assert perplexity(800.0) == math.inf and math.isnan(perplexity(math.nan))
    stub = _HalfSure()
    stub.forward = lambda xs, ts: 750.0  # a diverged model: its loss past exp's range
    assert eval_perplexity(stub, np.arange(2000) % 5) == math.inf
    # the book's progress line and the trainer's curve say inf too
    line = book_line("perplexity", 10, time.perf_counter())
    assert line(SimpleNamespace(epoch=0, iteration=3), 750.0).endswith("| perplexity inf")
    trainer = RnnlmTrainer(Rnnlm(V, 4, 5, seed=0), SGD(lr=0.1))
    trainer.loop.record(mean_loss=750.0)
    assert trainer.ppl_list == [math.inf]


def test_a_corpus_shorter_than_a_batch_is_a_clear_error():
    model = MODELS["lstm"]()
    with pytest.raises(ValueError, match="too short for batches of 10 rows x 35"):
        eval_perplexity(model, np.arange(350) % V)
    trainer = RnnlmTrainer(model, SGD(), verbose=False)
    with pytest.raises(ValueError, match="too short for batches of 20 rows x 35"):
        trainer.fit(np.zeros(600, int), np.zeros(600, int), 1, 20, 35)
    with pytest.raises(ValueError, match="integer word ids"):
        trainer.fit(np.zeros(1000), np.zeros(1000), 1, 2, 3)


def test_sequential_batches_continue_each_row():
    stream = np.arange(100)
    x0, t0 = SequentialWindows(stream, stream + 1000, 4, 5).window(0)
    x1, _ = SequentialWindows(stream, stream, 4, 5).window(5)
    np.testing.assert_array_equal(x0[:, 0], [0, 25, 50, 75])
    np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)
    np.testing.assert_array_equal(t0, x0 + 1000)
    wrapped, _ = SequentialWindows(stream, stream, 4, 5).window(98)
    np.testing.assert_array_equal(wrapped[3], [73, 74, 75, 76, 77])
    np.testing.assert_array_equal(wrapped[0], [98, 99, 0, 1, 2])


class SpoilingSGD(SGD):
    """SGD that, from its ``after``-th update on, zeroes the output weights: the epochs
    that follow are worse than the best one."""

    def __init__(self, lr, after):
        super().__init__(lr=lr)
        self.after, self.updates = after, 0

    def update(self, params, grads):
        super().update(params, grads)
        self.updates += 1
        if self.updates >= self.after:
            params["affine.W"][...] = 0


def test_validation_keeps_the_best_epoch_and_puts_it_back():
    corpus = repetitive_corpus()
    model = MODELS["lstm"]()
    per_epoch = (len(corpus) - 1) // (5 * 8)
    optimizer = SpoilingSGD(2.0, after=2 * per_epoch + 1)  # the third epoch is spoilt
    run = train_rnnlm(model, optimizer, corpus, corpus, epochs=3, batch_size=5, time_size=8,
                      max_grad=5.0, lr_decay=None, verbose=False)
    curves, validation = run.curves(), run.validation
    assert len(curves["val_ppl"]) == 3 and run.loop.history["eval_epoch"] == [1, 2, 3]
    assert curves["val_iteration"] == [per_epoch, 2 * per_epoch, 3 * per_epoch]
    assert validation.best_value == min(curves["val_ppl"]) < curves["val_ppl"][2]
    assert validation.best_at in (1, 2) and run.kept_best
    assert curves["lr_per_epoch"] == [2.0, 2.0, 2.0]  # lr_decay=None keeps the rate
    # the model ends with the best epoch's parameters, not the spoilt last ones
    assert eval_perplexity(model, corpus) == pytest.approx(validation.best_value, rel=1e-6)
    assert np.abs(model.params["affine.W"]).max() > 0


def test_an_epoch_that_does_not_improve_divides_the_learning_rate(capsys):
    corpus = repetitive_corpus()
    optimizer = SGD(lr=1e-30)  # too small to move anything: no epoch after the first is better
    run = train_rnnlm(MODELS["lstm"](), optimizer, corpus, corpus, epochs=3, batch_size=5,
                      time_size=8, max_grad=5.0, eval_interval=10, lr_decay=4.0)
    curves = run.curves()
    assert curves["val_ppl"][0] == curves["val_ppl"][1] == curves["val_ppl"][2]
    assert curves["lr_per_epoch"] == pytest.approx([1e-30, 1e-30, 1e-30 / 4])
    assert optimizer.lr == pytest.approx(1e-30 / 16) and run.validation.best_at == 1
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\| epoch 1 \|  iter 1 / 29 \| time \d+\[s\] \| perplexity [\d.]+",
                        lines[0])
    validated = [line for line in lines if line.startswith("epoch ")]
    ppl = f"{curves['val_ppl'][0]:.2f}"
    assert validated == [f"epoch 1: validation perplexity {ppl} (best so far)",
                         f"epoch 2: validation perplexity {ppl} (no better: learning rate "
                         "/ 4 = 2.5e-31)",
                         f"epoch 3: validation perplexity {ppl} (no better: learning rate "
                         "/ 4 = 6.25e-32)"]


def _fit(model, checkpoint=None, stop_after=None, resume=None, time_size=6):
    """Train ``model`` on a fixed small setting; Ctrl-C after ``stop_after`` iterations."""
    corpus = repetitive_corpus(200)
    if stop_after is not None:
        forward, steps = model.forward, []

        def forward_then_ctrl_c(xs, ts, train_flg=True):
            loss = forward(xs, ts, train_flg)
            steps.append(train_flg)
            if steps.count(True) == stop_after:
                signal.raise_signal(signal.SIGINT)  # as if Ctrl-C were pressed in this step
            return loss

        model.forward = forward_then_ctrl_c
    return train_rnnlm(model, SGD(lr=1.0), corpus, corpus[:800], epochs=3, batch_size=4,
                       time_size=time_size, max_grad=1.0, eval_interval=5,
                       checkpoint=checkpoint, checkpoint_every=7, resume=resume,
                       settings={"test": 1}, verbose=False)


def test_ctrl_c_keeps_the_run_and_a_resumed_run_ends_exactly_as_one_never_stopped(tmp_path):
    reference = _fit(MODELS["better"]())
    path = tmp_path / "run.npz"
    stopped = _fit(MODELS["better"](), checkpoint=path, stop_after=100)
    assert stopped.loop.interrupted and stopped.loop.iteration == 100 and path.exists()
    assert stopped.loop.epoch < 3 and read_checkpoint(path).iteration == 100
    model, steps = MODELS["better"](), []
    forward = model.forward

    def counted_forward(xs, ts, train_flg=True):
        steps.append(train_flg)
        return forward(xs, ts, train_flg)

    model.forward = counted_forward
    resumed = _fit(model, checkpoint=path, resume=path)
    assert not resumed.loop.interrupted and resumed.loop.iteration == reference.loop.iteration
    assert steps.count(True) == reference.loop.iteration - 100  # only the rest was trained
    for key, value in reference.loop.model.params.items():
        np.testing.assert_array_equal(model.params[key], value, err_msg=key)
    assert resumed.curves() == reference.curves()
    assert resumed.validation.best_at == reference.validation.best_at


def test_resuming_with_other_settings_is_refused(tmp_path):
    path = tmp_path / "run.npz"
    _fit(MODELS["lstm"](), checkpoint=path, stop_after=10)
    model = MODELS["lstm"]()
    before = {key: p.copy() for key, p in model.params.items()}
    with pytest.raises(CheckpointError, match=r"other settings \(fit.time_size: 6 in the "
                                              r"file, 5 now\)"):
        _fit(model, resume=path, time_size=5)
    for key, p in model.params.items():
        np.testing.assert_array_equal(p, before[key])
    with pytest.raises(CheckpointError, match="there is no checkpoint file"):
        _fit(model, resume=tmp_path / "missing.npz")


def test_fit_again_continues_the_curves(capsys):
    corpus = repetitive_corpus()
    trainer = RnnlmTrainer(MODELS["lstm"](), SGD(lr=1.0))
    trainer.fit(corpus[:-1], corpus[1:], 1, 5, 8, eval_interval=10)
    first = list(trainer.ppl_list)
    trainer.fit(corpus[:-1], corpus[1:], 2, 5, 8, eval_interval=10)
    assert trainer.current_epoch == 3 and trainer.iteration == 3 * 29
    assert trainer.ppl_list[:3] == first and len(trainer.ppl_list) == 9
    assert trainer.ppl_iterations == [1, 11, 21, 30, 40, 50, 59, 69, 79]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 9 and lines[-1].startswith("| epoch 3 |  iter 21 / 29 |")


def test_a_diverging_run_stops_before_its_update():
    corpus = repetitive_corpus()
    model = MODELS["lstm"]()
    model.params["affine.W"][...] = np.inf
    trainer = RnnlmTrainer(model, SGD(lr=1.0), verbose=False)
    with np.errstate(invalid="ignore", over="ignore"):
        trainer.fit(corpus[:-1], corpus[1:], 1, 5, 8)
    assert trainer.diverged and trainer.iteration == 0


def test_the_book_paths():
    from common.trainer import RnnlmTrainer as BookTrainer
    from common.util import eval_perplexity as book_eval

    assert BookTrainer is RnnlmTrainer and book_eval is eval_perplexity


def test_pytorch_computes_the_same_loss_and_gradients():
    pytest.importorskip("torch")
    from benchmarks.torch_rnnlm import check_equivalence

    model = Rnnlm(50, 8, 6, seed=0)
    scale_weights(model, 10.0)
    check = check_equivalence(model, ids((3, 5), vocab=50), ids((3, 5), seed=2, vocab=50))
    assert check["loss_diff"] < 1e-5 and check["grad_rel_diff"] < 1e-4


def test_the_benchmark_profiles_every_part_of_an_iteration():
    from benchmarks.bench_rnnlm import profile_rnnlm, rnnlm_runner

    model = Rnnlm(50, 8, 6, seed=0)
    batches = [(ids((4, 5), seed=s, vocab=50), ids((4, 5), seed=s + 9, vocab=50))
               for s in range(4)]
    profile = profile_rnnlm(model, batches, warmup=1)
    assert set(profile["parts"]) == {"embed.forward", "embed.backward", "lstm.forward",
                                     "lstm.backward", "affine.forward", "affine.backward",
                                     "loss.forward", "loss.backward", "clip_grads",
                                     "SGD update"}
    assert profile["median_s"] > 0 and "forward" not in vars(model.layers["lstm"])
    before = model.params["lstm.Wx"].copy()
    assert rnnlm_runner(model)(batches) > 0
    assert not np.array_equal(model.params["lstm.Wx"], before)


def test_an_id_outside_the_vocabulary_is_found_before_the_first_update():
    """An id past the model's vocabulary halfway through the corpus stops fit at once,
    naming it and where it is, with every parameter as it was (it used to surface after
    updates, deep in the embedding)."""
    corpus = repetitive_corpus()
    corpus[len(corpus) // 2] = V + 3
    model = MODELS["lstm"]()
    before = {key: p.copy() for key, p in model.params.items()}
    trainer = RnnlmTrainer(model, SGD(lr=1.0), verbose=False)
    with pytest.raises(ValueError, match=rf"id {V + 3} at position {len(corpus) // 2} .*"
                                         rf"outside the model's vocabulary of {V} words"):
        trainer.fit(corpus[:-1], corpus[1:], 1, 5, 8)
    assert trainer.iteration == 0
    for key, p in model.params.items():
        np.testing.assert_array_equal(p, before[key])
    with pytest.raises(ValueError, match="val_corpus: id -1"):
        train_rnnlm(model, SGD(lr=1.0), repetitive_corpus(), np.r_[repetitive_corpus(), -1],
                    epochs=1, batch_size=5, time_size=8, verbose=False)
    for key, p in model.params.items():
        np.testing.assert_array_equal(p, before[key])


def test_plot_without_a_display_writes_the_png(tmp_path, monkeypatch, capsys):
    """The book's ``trainer.plot(ylim=...)`` with no display writes its PNG and says where."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.chdir(tmp_path)
    corpus = repetitive_corpus()
    trainer = RnnlmTrainer(MODELS["lstm"](), SGD(lr=1.0), verbose=False)
    trainer.fit(corpus[:-1], corpus[1:], 1, 5, 8, eval_interval=5)
    written = trainer.plot(ylim=(0, 20))
    assert written is not None and (tmp_path / written).read_bytes()[:4] == b"\x89PNG"
    assert "figure written to" in capsys.readouterr().out


#: ``python -m ch_rnnlm`` on a tiny setting: small models, the first 3000 words of each split.
TINY = ["--max-words", "3000", "--size", "8", "--better-size", "8", "--batch-size", "5",
        "--time-size", "10", "--eval-interval", "10", "--lr", "5", "--sample-size", "12",
        "--model", "better", "--epochs", "3", "--checkpoint-every", "5"]


def ch_rnnlm(args):
    """``python -m ch_rnnlm ARGS`` in a subprocess, headless, one BLAS thread."""
    env = {**headless_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "ch_rnnlm", *args], env=env, text=True,
                            cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


@pytest.mark.slow
def test_ch_rnnlm_killed_with_sigkill_and_resumed_ends_as_an_uninterrupted_run(tmp_path):
    """SIGKILL leaves the last checkpoint whole; --resume then finishes the run bit for
    bit: the same parameters, curves, best epoch, test perplexity and text."""
    def report(name, *extra):
        process = ch_rnnlm([*TINY, "--out", str(tmp_path / "out"), "--json",
                            str(tmp_path / f"{name}.json"), *extra])
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        report = json.loads((tmp_path / f"{name}.json").read_text())["models"]["BetterRnnlm"]
        return report, out

    whole, _ = report("whole", "--checkpoint", str(tmp_path / "whole.npz"))
    path = tmp_path / "killed.npz"
    killed = ch_rnnlm([*TINY, "--out", str(tmp_path / "out"), "--checkpoint", str(path)])
    deadline = time.time() + 300
    while not path.exists() and time.time() < deadline:  # the first checkpoint: mid-run
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    stopped_at = read_checkpoint(path).iteration
    if stopped_at == whole["iterations"]:
        pytest.skip("the run ended before SIGKILL")
    resumed, out = report("resumed", "--resume", str(path), "--checkpoint", str(path))
    # only the rest was trained: the book's lines of the iterations after the checkpoint
    lines = [line for line in out.splitlines() if line.startswith("| epoch")]
    assert len(lines) == sum(i > stopped_at for i in whole["ppl_iteration"])
    timing = {"seconds", "iterations_per_second"}
    assert {k: v for k, v in resumed.items() if k not in timing} == {
        k: v for k, v in whole.items() if k not in timing}
    a, b = read_checkpoint(tmp_path / "whole.npz"), read_checkpoint(path)
    assert a.iteration == b.iteration == whole["iterations"] > stopped_at
    for key, value in a.state["model"]["params"].items():
        np.testing.assert_array_equal(b.state["model"]["params"][key], value, err_msg=key)
