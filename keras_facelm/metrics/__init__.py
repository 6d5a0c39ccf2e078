"""Evaluation metrics: MMPose's NME, and FR / AUC / CED as face papers report them."""

from keras_facelm.metrics.failure_auc import auc, ced, failure_rate, plot_ced
from keras_facelm.metrics.nme import NME, keypoint_distances, nme, per_image_nme

__all__ = [
    "NME",
    "auc",
    "ced",
    "failure_rate",
    "keypoint_distances",
    "nme",
    "per_image_nme",
    "plot_ced",
]
