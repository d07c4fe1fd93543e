"""The figures of the word-vector and language-model chapters and notebooks: the 2-D
projection of word vectors, the word map, and the perplexity curves."""

import numpy as np
from helpers import assert_png

from common.plots.figures import pyplot
from common.plots.perplexity import plot_perplexities
from common.plots.wordvec import plot_word_map, project_2d

WORDS = ["king", "queen", "prince", "day", "night", "hour"]
GROUPS = {"king": "rank", "queen": "rank", "prince": "rank", "day": "time", "night": "time",
          "hour": "time"}


def two_clusters(dim=10, seed=0):
    """Vectors (6, dim) float32: the three 'rank' words near one direction, the three
    'time' words near another."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2, dim))
    return (np.repeat(centres, 3, axis=0) + 0.1 * rng.normal(size=(6, dim))).astype(np.float32)


def test_project_2d_keeps_directions_and_the_dtype():
    vectors = two_clusters()
    points = project_2d(vectors)
    assert points.shape == (6, 2) and points.dtype == np.float32
    np.testing.assert_allclose(points.mean(axis=0), 0, atol=1e-6)  # centred
    # a row's length does not move its point: only its direction counts
    scaled = vectors * np.array([[5], [1], [0.2], [1], [3], [1]], dtype=np.float32)
    np.testing.assert_allclose(np.abs(project_2d(scaled)), np.abs(points), atol=1e-5)
    # the first axis separates the two groups
    signs = np.sign(points[:, 0])
    assert len(set(signs[:3])) == 1 and len(set(signs[3:])) == 1 and signs[0] != signs[3]


def test_plot_word_map_draws_one_panel_per_method(tmp_path):
    vectors = two_clusters()
    methods = {"count": vectors, "CBOW": two_clusters(seed=1)}
    path = plot_word_map(methods, WORDS, GROUPS, tmp_path / "map.png")
    assert path == tmp_path / "map.png"
    assert_png(path)
    open_before = pyplot().get_fignums()
    assert plot_word_map(methods, WORDS, GROUPS) is None  # drawn, written nowhere, closed
    assert pyplot().get_fignums() == open_before


def test_plot_word_map_in_a_notebook_keeps_the_figure_open_for_its_cell():
    plt = pyplot()
    before = set(plt.get_fignums())
    assert plot_word_map({"CBOW": two_clusters()}, WORDS, GROUPS, show=True) is None
    new = set(plt.get_fignums()) - before
    assert len(new) == 1
    figure = plt.figure(new.pop())
    assert [ax.get_title() for ax in figure.axes] == ["CBOW"]
    assert {text.get_text() for text in figure.axes[0].texts} == set(WORDS)
    plt.close(figure)


def test_plot_perplexities_draws_every_model(tmp_path):
    runs = {
        "SimpleRnnlm": {"ppl": [12000.0, 900.0, 500.0], "ppl_iteration": [10, 20, 30],
                        "val_ppl": [600.0], "val_iteration": [30], "test_ppl": 650.0},
        "Rnnlm": {"ppl": [12000.0, 700.0, 300.0], "ppl_iteration": [10, 20, 30],
                  "val_ppl": [], "val_iteration": []},
    }
    path = plot_perplexities(runs, tmp_path / "ppl.png", title="two models")
    assert_png(path)
    plt = pyplot()
    before = set(plt.get_fignums())
    assert plot_perplexities(runs, show=True) is None
    figure = plt.figure((set(plt.get_fignums()) - before).pop())
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert labels == ["SimpleRnnlm: training batches", "SimpleRnnlm: validation (test 650.0)",
                      "Rnnlm: training batches"]
    plt.close(figure)
