"""Keras layers: input normalisation, decoding (heatmaps plain/DARK, coordinates),
flip-test merges, and a depthwise convolution that XLA runs fast."""

from keras_facelm.layers.coordinate_decoding import RegressionDecoder
from keras_facelm.layers.depthwise_conv import DepthwiseConv2D
from keras_facelm.layers.flip_merge import CoordinateFlipMerge, HeatmapFlipMerge, MirrorImages
from keras_facelm.layers.heatmap_decoding import HeatmapDecoder
from keras_facelm.layers.pixel_normalization import PixelNormalization

__all__ = [
    "CoordinateFlipMerge",
    "DepthwiseConv2D",
    "HeatmapDecoder",
    "HeatmapFlipMerge",
    "MirrorImages",
    "PixelNormalization",
    "RegressionDecoder",
]
