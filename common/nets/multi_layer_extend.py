"""The book's ``MultiLayerNetExtend`` (chapter 6): ``MultiLayerNet`` with batch
normalisation before each hidden activation and dropout after it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from common.layers.regularization import BatchNormalization, Dropout
from common.nets.multi_layer import MultiLayerNet


class MultiLayerNetExtend(MultiLayerNet):
    """(Affine [BatchNorm] Activation [Dropout]) × L, Affine, softmax loss: ``MultiLayerNet``
    with the book's extended options. Layers ``BatchNorm1``, ``Dropout1``, ... join the
    book's names, so ``params`` has ``gamma1, beta1`` too (γ starts at one, β at zero);
    ``seed`` fixes the dropout masks as well. ``use_dropout`` with ``dropout_ratio`` (the
    book spells it ``dropout_ration``, accepted too), ``use_batchnorm``."""

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int,
                 activation: str = "relu", weight_init_std: str | float = "relu",
                 weight_decay_lambda: float = 0.0, use_dropout: bool = False,
                 dropout_ratio: float = 0.5, use_batchnorm: bool = False,
                 dtype: Any = np.float32, seed: int | None = None,
                 dropout_ration: float | None = None) -> None:
        self.use_dropout, self.use_batchnorm = use_dropout, use_batchnorm
        self.dropout_ratio = dropout_ratio if dropout_ration is None else dropout_ration
        super().__init__(input_size, hidden_size_list, output_size, activation,
                         weight_init_std, weight_decay_lambda, dtype, seed)

    def hidden_block(self, i: int, size: int, dtype: Any,
                     rng: np.random.Generator) -> dict[str, Any]:
        """[BatchNorm i], the activation, [Dropout i] (its own generator from ``rng``)."""
        block: dict[str, Any] = {}
        if self.use_batchnorm:
            block[f"BatchNorm{i}"] = BatchNormalization(np.ones(size, dtype=dtype),
                                                        np.zeros(size, dtype=dtype))
        block.update(super().hidden_block(i, size, dtype, rng))
        if self.use_dropout:
            block[f"Dropout{i}"] = Dropout(self.dropout_ratio, rng=rng.spawn(1)[0])
        return block

    def architecture(self) -> dict[str, Any]:
        """``MultiLayerNet``'s, with whether it normalises: what saved parameters must match
        (dropout has no parameters, so files move freely between runs with and without)."""
        return {**super().architecture(), "use_batchnorm": self.use_batchnorm}
