"""Target encoders: MSRA Gaussian heatmaps and normalised regression labels."""

from keras_facelm.codecs.msra_heatmap import DATASET_SIGMA, MSRAHeatmap
from keras_facelm.codecs.regression_label import RegressionLabel

__all__ = ["DATASET_SIGMA", "MSRAHeatmap", "RegressionLabel"]
