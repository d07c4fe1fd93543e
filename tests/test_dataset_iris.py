"""load_iris: the bundled table, stratified and reproducible splits, user CSV files."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from dataset import DatasetError, iris_class_names, load_iris
from dataset.iris import CLASS_NAMES, FEATURE_NAMES

HEADER = "Id,SepalLengthCm,SepalWidthCm,PetalLengthCm,PetalWidthCm,Species"


def full_table():
    """All 150 rows in file order (test_size=0, no shuffling)."""
    (x, t), _ = load_iris(test_size=0.0, shuffle=False, dtype=np.float64)
    return x, t


def sorted_rows(x, t):
    rows = np.column_stack([x, t])
    return rows[np.lexsort(rows.T[::-1])]


def test_bundled_table_is_kaggle_layout_and_fisher_data():
    text = resources.files("dataset").joinpath("iris.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == HEADER and len(lines) == 151
    x, t = full_table()
    assert x.shape == (150, 4)
    np.testing.assert_array_equal(np.bincount(t), [50, 50, 50])
    np.testing.assert_array_equal(x[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_allclose(x.mean(axis=0), [5.8433, 3.0573, 3.7580, 1.1993], atol=1e-4)


def test_default_split_is_stratified_with_book_dtypes():
    (x_train, t_train), (x_test, t_test) = load_iris(seed=0)
    assert x_train.shape == (120, 4) and x_test.shape == (30, 4)
    assert x_train.dtype == np.float32 and t_train.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(t_train), [40, 40, 40])
    np.testing.assert_array_equal(np.bincount(t_test), [10, 10, 10])


@pytest.mark.parametrize("test_size, n_test", [(0.1, 5), (0.3, 15), (0.5, 25)])
def test_every_class_gives_its_share(test_size, n_test):
    _, (_, t_test) = load_iris(test_size=test_size, seed=3)
    np.testing.assert_array_equal(np.bincount(t_test), [n_test] * 3)


def test_split_partitions_the_table():
    (x_train, t_train), (x_test, t_test) = load_iris(seed=5, dtype=np.float64)
    x, t = full_table()
    together = sorted_rows(np.vstack([x_train, x_test]), np.concatenate([t_train, t_test]))
    np.testing.assert_array_equal(together, sorted_rows(x, t))


def test_fixed_seed_is_deterministic_and_seeds_differ():
    a = load_iris(seed=42)
    b = load_iris(seed=42)
    c = load_iris(seed=43)
    for part_a, part_b in zip((*a[0], *a[1]), (*b[0], *b[1]), strict=True):
        np.testing.assert_array_equal(part_a, part_b)
    assert not np.array_equal(a[1][0], c[1][0])


def test_shuffle_mixes_the_classes_in_training_order():
    (_, t_train), _ = load_iris(seed=0)
    assert not np.all(np.diff(t_train) >= 0)  # not sorted by species


def test_without_shuffle_file_order_and_last_rows_held_out():
    (x_train, t_train), (x_test, t_test) = load_iris(shuffle=False, dtype=np.float64)
    x, t = full_table()
    test_rows = np.r_[40:50, 90:100, 140:150]
    np.testing.assert_array_equal(x_test, x[test_rows])
    np.testing.assert_array_equal(t_test, t[test_rows])
    np.testing.assert_array_equal(x_train, np.delete(x, test_rows, axis=0))
    np.testing.assert_array_equal(t_train, np.delete(t, test_rows))


def test_standardize_uses_training_statistics_only():
    (raw_train, _), (raw_test, _) = load_iris(seed=7, dtype=np.float64)
    (x_train, _), (x_test, _) = load_iris(seed=7, standardize=True, dtype=np.float64)
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x_train.std(axis=0), 1, atol=1e-12)
    mean, std = raw_train.mean(axis=0), raw_train.std(axis=0)
    np.testing.assert_allclose(x_test, (raw_test - mean) / std, atol=1e-12)
    assert abs(x_test.mean()) > 1e-6  # the test set has its own, different statistics


def test_one_hot_labels():
    (_, t_train), (_, t_test) = load_iris(seed=1, one_hot_label=True)
    (_, labels), _ = load_iris(seed=1)
    assert t_train.shape == (120, 3) and t_test.shape == (30, 3)
    np.testing.assert_array_equal(t_train.argmax(axis=1), labels)
    np.testing.assert_array_equal(t_train.sum(axis=1), 1)


def test_class_names():
    assert iris_class_names() == CLASS_NAMES == ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
    assert FEATURE_NAMES == tuple(HEADER.split(",")[1:5])


def test_user_csv_columns_in_any_order_species_without_prefix(tmp_path):
    path = tmp_path / "Iris.csv"
    path.write_text(
        "\ufeffSpecies,PetalWidthCm,PetalLengthCm,SepalWidthCm,SepalLengthCm\n"
        "setosa,0.2,1.4,3.5,5.1\nVersicolor,1.3,4.0,2.8,6.1\nIris-virginica,2.0,5.0,3.0,6.5\n"
        "setosa,0.3,1.3,3.4,5.0\nversicolor,1.0,3.5,2.0,5.0\nvirginica,1.8,5.1,3.0,5.9\n\n"
    )
    (x_train, t_train), (x_test, t_test) = load_iris(test_size=0.5, shuffle=False, path=path)
    np.testing.assert_array_equal(t_train, [0, 1, 2])
    np.testing.assert_array_equal(t_test, [0, 1, 2])
    np.testing.assert_allclose(x_train[0], [5.1, 3.5, 1.4, 0.2])


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "no_petal.csv"
    path.write_text("Id,SepalLengthCm,SepalWidthCm,PetalLengthCm,Species\n1,5.1,3.5,1.4,Iris-setosa\n")
    with pytest.raises(DatasetError) as excinfo:
        load_iris(path=path)
    assert str(path) in str(excinfo.value) and "PetalWidthCm" in str(excinfo.value)


def test_unknown_species_is_named_with_its_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n1,5.1,3.5,1.4,0.2,Iris-setosa\n2,5.0,3.0,1.0,0.1,Iris-germanica\n")
    with pytest.raises(DatasetError, match=r"line 3: unknown species 'Iris-germanica'"):
        load_iris(path=path)


def test_bad_number_and_missing_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n1,5.1,three,1.4,0.2,Iris-setosa\n")
    with pytest.raises(DatasetError, match="line 2: a measurement is not a number"):
        load_iris(path=path)
    with pytest.raises(DatasetError, match="nothing.csv"):
        load_iris(path=tmp_path / "nothing.csv")


@pytest.mark.parametrize("test_size", [-0.1, 1.0, 1.5])
def test_test_size_must_be_a_fraction(test_size):
    with pytest.raises(ValueError, match="test_size"):
        load_iris(test_size=test_size)
