"""The book's MultiLayerNetExtend: here the same class as MultiLayerNet, which has its options."""

from common.multi_layer_net import MultiLayerNet as MultiLayerNetExtend

__all__ = ["MultiLayerNetExtend"]
