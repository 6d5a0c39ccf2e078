"""Keypoint losses with MMPose's (and STAR's) exact definitions and reductions.

All take ``loss(y_true, y_pred, sample_weight=None)`` where ``sample_weight`` is
the per-keypoint target weight ``(N, K)``; see
:class:`keras_facelm.losses.base.KeypointWeightedLoss` for how it is applied.
"""

from keras_facelm.losses.base import KeypointWeightedLoss
from keras_facelm.losses.coordinate_losses import SmoothL1Loss, SoftWingLoss, WingLoss
from keras_facelm.losses.heatmap_losses import AdaptiveWingLoss, KeypointMSELoss
from keras_facelm.losses.star_loss import STARLoss

__all__ = [
    "AdaptiveWingLoss",
    "KeypointMSELoss",
    "KeypointWeightedLoss",
    "STARLoss",
    "SmoothL1Loss",
    "SoftWingLoss",
    "WingLoss",
]
