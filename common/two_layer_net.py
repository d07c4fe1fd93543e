"""The book's TwoLayerNet (chapter 5): Affine, ReLU, Affine, softmax loss."""

from __future__ import annotations

from typing import Any

import numpy as np

from common.multi_layer_net import MultiLayerNet


class TwoLayerNet(MultiLayerNet):
    """input_size -> hidden_size (ReLU) -> output_size, weights ~ weight_init_std · N(0, 1)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        weight_init_std: float = 0.01,
        dtype: Any = np.float32,
        seed: int | None = None,
    ) -> None:
        super().__init__(input_size, [hidden_size], output_size,
                         weight_init_std=weight_init_std, dtype=dtype, seed=seed)
