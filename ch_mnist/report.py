"""What ``python -m ch_mnist`` shows of a network: its test accuracy, confusion matrix and
mistakes, and for a conv net its first layer's filters and feature maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ch_mnist.networks import IMAGE_SIDE, OUTPUT_SIZE
from common.nets.network import Network
from common.plots.conv import plot_feature_maps, plot_filters
from common.plots.figures import plot_confusion_matrix, plot_image_grid
from common.samples import confusion_matrix

#: How many misclassified digits the grid shows.
GRID_SIZE = 30


def evaluate(net: Network, x_test: np.ndarray, t_test: np.ndarray, out: Path,
             title: str, show: bool) -> dict[str, Any]:
    """Test accuracy, confusion matrix and misclassified digits; draws the two figures."""
    scores = net.predict_batched(x_test)
    predicted = scores.argmax(axis=1)
    wrong = np.flatnonzero(predicted != t_test)
    accuracy = 1 - len(wrong) / len(t_test)
    matrix = confusion_matrix(t_test, predicted, OUTPUT_SIZE)
    figures = {"confusion_matrix": str(plot_confusion_matrix(
        matrix, [str(d) for d in range(OUTPUT_SIZE)], out / "confusion_matrix.png",
        title=f"{title}\ntest accuracy {accuracy:.2%}", show=show))}
    # The most confident mistakes first: the margin by which the wrong class won.
    # They are the instructive ones (many are digits a person would hesitate over).
    margin = scores[wrong, predicted[wrong]] - scores[wrong, t_test[wrong]]
    shown = wrong[np.argsort(-margin, kind="stable")][:GRID_SIZE]
    if len(shown):
        figures["misclassified"] = str(plot_image_grid(
            x_test[shown].reshape(-1, IMAGE_SIDE, IMAGE_SIDE),
            [f"pred {predicted[i]} / true {t_test[i]}" for i in shown],
            out / "misclassified.png",
            title=f"The {len(shown)} most confident of {len(wrong)} mistakes", show=show))
    return {
        "test_accuracy": accuracy,
        "test_errors": len(wrong),
        "test_size": len(t_test),
        "confusion_matrix": matrix.tolist(),
        "figures": figures,
    }


def conv_figures(net: Network, initial_filters: np.ndarray | None, image: np.ndarray, out: Path,
                 title: str, show: bool) -> dict[str, str]:
    """The first convolution's filters (before and after training, or as loaded) and the
    feature maps it makes of ``image``, a flat (784,) test digit."""
    conv = net.layers["Conv1"]
    if initial_filters is None:
        filter_sets, labels = [conv.W], ["loaded"]
    else:
        filter_sets = [initial_filters, conv.W, conv.W - initial_filters]
        labels = ["before training", "after training", "change (after - before)"]
    maps = conv.forward(image.reshape(1, 1, IMAGE_SIDE, IMAGE_SIDE))[0]
    return {
        "filters": str(plot_filters(filter_sets, labels, out / "filters.png",
                                    title=f"{title}: the first layer's filters", show=show)),
        "feature_maps": str(plot_feature_maps(
            image.reshape(IMAGE_SIDE, IMAGE_SIDE), maps, out / "feature_maps.png",
            title=f"{title}: a test digit through the first convolution", show=show)),
    }
