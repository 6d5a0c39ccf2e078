"""Codecs: keypoints ↔ training targets (encode) and head outputs → keypoints (decoder).

* :class:`MSRAHeatmap`: Gaussian heatmaps, plain or DARK (unbiased).
* :class:`RegressionLabel`: coordinates normalised by the input size.
"""

from keras_facelm.codecs.base import Codec
from keras_facelm.codecs.msra_heatmap import MSRAHeatmap
from keras_facelm.codecs.regression_label import RegressionLabel

__all__ = ["Codec", "MSRAHeatmap", "RegressionLabel"]
