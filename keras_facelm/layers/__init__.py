"""Keras layers: heatmap decoding (plain and DARK) and the flip test."""

from keras_facelm.layers.flip_test import (
    CoordinateFlipMerge,
    HeatmapFlipMerge,
    flip_images,
)
from keras_facelm.layers.heatmap_decoding import HeatmapDecoder

__all__ = ["CoordinateFlipMerge", "HeatmapDecoder", "HeatmapFlipMerge", "flip_images"]
