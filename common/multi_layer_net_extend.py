"""The book's MultiLayerNetExtend: MultiLayerNet, which already has its options."""

from __future__ import annotations

from typing import Any

from common.multi_layer_net import MultiLayerNet


class MultiLayerNetExtend(MultiLayerNet):
    """``MultiLayerNet`` under the book's other name; also takes the book's spelling
    ``dropout_ration`` of ``dropout_ratio``, so its chapter 6 programs run unchanged."""

    def __init__(self, *args: Any, dropout_ration: float | None = None, **kwargs: Any) -> None:
        if dropout_ration is not None:
            kwargs["dropout_ratio"] = dropout_ration
        super().__init__(*args, **kwargs)
