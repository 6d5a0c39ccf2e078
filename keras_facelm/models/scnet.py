"""``SCNet50``: SCNet-50 + SimpleBaseline deconv head, MMPose's ``td-hm_scnet50``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.scnet import SCNetBackbone
from keras_facelm.models.resnet import ResNet50

__all__ = ["SCNet50"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class SCNet50(ResNet50):
    """SCNet-50 heatmap detector (self-calibrated convolutions), ``td-hm_scnet50_*``.

    Same head as :class:`ResNet50` on an :class:`SCNetBackbone`;
    34,020,356 trainable parameters at K = 68, as MMPose.
    """

    backbone_cls = SCNetBackbone
    preset_prefix = "scnet50_"
