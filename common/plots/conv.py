"""Pictures of a convolutional layer: its filters, and the feature maps it makes of an image."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from common.plots.figures import pyplot, save_figure


def _mosaic(tiles: np.ndarray, columns: int) -> np.ndarray:
    """Tiles (K, H, W) laid out ``columns`` to a row with a one-pixel NaN gap (drawn blank)."""
    k, h, w = tiles.shape
    rows = -(-k // columns)
    mosaic = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for i in range(k):  # one slice assignment per tile
        r, c = divmod(i, columns)
        mosaic[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = tiles[i]
    return mosaic


def plot_filters(filter_sets: Sequence[np.ndarray], labels: Sequence[str],
                 path: str | os.PathLike | None = None, title: str = "", columns: int = 10,
                 show: bool = False) -> Path | None:
    """Side by side, sets of first-layer filters (FN, 1, FH, FW), e.g. before and after training.

    Each set is one panel of FN small images (the first input channel), on a
    grey scale symmetric about zero within the panel: mid-grey is 0, white the
    largest positive weight, black the most negative.
    """
    plt = pyplot(show)
    rows = -(-len(filter_sets[0]) // columns)
    fig, axes = plt.subplots(1, len(filter_sets), figsize=(4.2 * len(filter_sets),
                                                           0.9 + 0.45 * rows),
                             squeeze=False, layout="constrained")
    for ax, filters, label in zip(axes[0], filter_sets, labels, strict=True):
        filters = np.asarray(filters, dtype=np.float64)[:, 0]
        limit = float(np.abs(filters).max()) or 1.0
        ax.imshow(_mosaic(filters, min(columns, len(filters))), cmap="gray",
                  vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(label)
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)


def plot_feature_maps(image: np.ndarray, maps: np.ndarray,
                      path: str | os.PathLike | None = None, title: str = "", columns: int = 10,
                      show: bool = False) -> Path | None:
    """An input image (H, W) beside the feature maps (K, OH, OW) a layer makes of it.

    Each map is scaled to its own range (dark: low, light: high), so that the
    pattern every filter responds to is visible whatever its strength.
    """
    plt = pyplot(show)
    maps = np.asarray(maps, dtype=np.float64)
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    scaled = (maps - low) / np.where(span > 0, span, 1)
    columns = min(columns, len(maps))
    rows = -(-len(maps) // columns)
    fig, (ax_image, ax_maps) = plt.subplots(
        1, 2, figsize=(2.2 + 1.0 * columns, 0.4 + 1.05 * rows), layout="constrained",
        gridspec_kw={"width_ratios": [1.2, columns]})
    ax_image.imshow(image, cmap="gray_r", interpolation="nearest")
    ax_image.set_title("input")
    ax_maps.imshow(_mosaic(scaled, columns), cmap="gray", interpolation="nearest")
    ax_maps.set_title(f"{len(maps)} feature maps")
    for ax in (ax_image, ax_maps):
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return save_figure(fig, path, show)
