"""Fisher's Iris data: 150 flowers, 4 measurements in cm, 3 species (50 each).

The table ships with the package as ``dataset/iris.csv`` (Kaggle's column layout
``Id,SepalLengthCm,SepalWidthCm,PetalLengthCm,PetalWidthCm,Species``), so no
download is needed. ``load_iris`` splits it into stratified training and test sets.

Data: R. A. Fisher (1936), "The use of multiple measurements in taxonomic
problems", Annals of Eugenics 7(2); obtained from the UCI Machine Learning
Repository (https://archive.ics.uci.edu/dataset/53/iris), licensed CC BY 4.0.
Values as distributed with scikit-learn, which corrects two rows of the UCI copy
to match Fisher's paper. See also ``dataset/IRIS_LICENSE.md``.
"""

from __future__ import annotations

import csv
import io
import os
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from .errors import DatasetError

#: Species names as spelled in the CSV; label i is ``CLASS_NAMES[i]``.
CLASS_NAMES: tuple[str, ...] = ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
#: CSV columns of the four features, in the order of x's columns.
FEATURE_NAMES: tuple[str, ...] = ("SepalLengthCm", "SepalWidthCm", "PetalLengthCm", "PetalWidthCm")
SPECIES_COLUMN = "Species"
# Lower-case species name without the "Iris-" prefix (the R / seaborn spelling) -> label.
_LABELS = {name.lower().removeprefix("iris-"): i for i, name in enumerate(CLASS_NAMES)}

Split = tuple[np.ndarray, np.ndarray]


def iris_class_names() -> tuple[str, ...]:
    """The three species names: label ``i`` of ``load_iris`` is ``iris_class_names()[i]``."""
    return CLASS_NAMES


def _species_label(value: str, source: str, line: int) -> int:
    key = value.strip().lower().removeprefix("iris-")
    if key not in _LABELS:
        raise DatasetError(
            f"{source}, line {line}: unknown species {value!r}; expected one of "
            f"{', '.join(CLASS_NAMES)} (the 'Iris-' prefix may be left out). Fix or remove the row."
        )
    return _LABELS[key]


def read_iris_csv(text: str, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Parse Iris CSV text: features float64 (N, 4) in ``FEATURE_NAMES`` order, labels int64 (N,).

    Columns are found by header name, in any order; others (such as Id) are ignored.
    ``source`` names the file in error messages.
    """
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    wanted = (*FEATURE_NAMES, SPECIES_COLUMN)
    missing = [name for name in wanted if name not in header]
    if missing:
        raise DatasetError(
            f"{source}: missing column(s) {', '.join(missing)}; the header must name "
            f"{', '.join(wanted)} (found: {', '.join(header) or 'nothing'})."
        )
    columns = [header.index(name) for name in wanted]
    features: list[list[float]] = []
    labels: list[int] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines, e.g. at the end of the file
        if len(row) < len(header):
            raise DatasetError(
                f"{source}, line {line}: {len(row)} fields, but the header has {len(header)}."
            )
        cells = [row[i] for i in columns]
        try:
            features.append([float(cell) for cell in cells[:4]])
        except ValueError as exc:
            raise DatasetError(
                f"{source}, line {line}: a measurement is not a number ({exc}). Fix the row."
            ) from exc
        labels.append(_species_label(cells[4], source, line))
    if not labels:
        raise DatasetError(f"{source}: no data rows below the header.")
    return np.array(features, dtype=np.float64), np.array(labels, dtype=np.int64)


def _read_table(path: str | os.PathLike[str] | None) -> tuple[np.ndarray, np.ndarray]:
    if path is None:
        text = resources.files("dataset").joinpath("iris.csv").read_text(encoding="utf-8")
        return read_iris_csv(text, "dataset/iris.csv")
    file = Path(path).expanduser()
    try:
        # utf-8-sig: spreadsheet programs often save CSV with a byte-order mark.
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{file}: cannot be read as a UTF-8 CSV file ({exc}).") from exc
    return read_iris_csv(text, str(file))


def _stratified_indices(
    labels: np.ndarray, test_size: float, shuffle: bool, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test) with round(test_size * n) rows of each class in test."""
    train_parts, test_parts = [], []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        if shuffle:
            rows = rng.permutation(rows)
        n_test = round(test_size * len(rows))
        # Without shuffling the last rows of each class are held out, keeping file order.
        train_parts.append(rows[: len(rows) - n_test])
        test_parts.append(rows[len(rows) - n_test :])
    train, test = np.concatenate(train_parts), np.concatenate(test_parts)
    if shuffle:
        # Mix the classes too, so that the training set is not ordered by species.
        return rng.permutation(train), rng.permutation(test)
    return np.sort(train), np.sort(test)


def load_iris(
    test_size: float = 0.2,
    shuffle: bool = True,
    seed: int | None = None,
    standardize: bool = False,
    one_hot_label: bool = False,
    path: str | os.PathLike[str] | None = None,
    dtype: DTypeLike = np.float32,
) -> tuple[Split, Split]:
    """Load Iris as ``((x_train, t_train), (x_test, t_test))``, split per species.

    x: (N, 4) in ``dtype`` (columns ``FEATURE_NAMES``, cm); t: int64 (N,) indexing
    ``CLASS_NAMES``, or one-hot (N, 3) in ``dtype`` when ``one_hot_label``.
    Each species contributes round(test_size * its count) rows to the test set
    (10 of 50 by default: 120 training rows, 30 test rows).
    ``shuffle`` draws those rows at random and mixes the row order, from
    ``np.random.default_rng(seed)``, so a fixed seed gives the same split;
    ``shuffle=False`` holds out the last rows of each species and keeps file order.
    ``standardize`` subtracts the training mean and divides by the training
    standard deviation, per feature, in both sets: the test set is never looked at.
    ``path`` reads a CSV file with the same columns instead of the bundled table.
    """
    if not 0.0 <= test_size < 1.0:
        raise ValueError(f"test_size is the fraction held out for testing, in [0, 1): {test_size}")
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"dtype must be a floating type for measurements in cm, got {dt}")
    features, labels = _read_table(path)
    rng = np.random.default_rng(seed)
    train_rows, test_rows = _stratified_indices(labels, test_size, shuffle, rng)
    if len(train_rows) == 0:
        raise ValueError(f"test_size={test_size} leaves no rows for training; use a smaller value")
    x_train, x_test = features[train_rows], features[test_rows]
    if standardize:
        mean = x_train.mean(axis=0)
        std = x_train.std(axis=0)
        # A constant feature would divide by zero; leaving it centred at 0 is harmless.
        std[std == 0] = 1.0
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    t_train, t_test = labels[train_rows], labels[test_rows]
    if one_hot_label:
        eye = np.eye(len(CLASS_NAMES), dtype=dt)
        t_train, t_test = eye[t_train], eye[t_test]
    return (x_train.astype(dt), t_train), (x_test.astype(dt), t_test)
