"""``MobileNetV2``: MobileNetV2 + SimpleBaseline deconv head, MMPose's ``td-hm_mobilenetv2``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
from keras_facelm.models.resnet import ResNet50

__all__ = ["MobileNetV2"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class MobileNetV2(ResNet50):
    """MobileNetV2 (widen factor 1.0) heatmap detector, ``td-hm_mobilenetv2_*``.

    ``conv2`` ``(8, 8, 1280)`` → the SimpleBaseline head of :class:`ResNet50`;
    9,582,916 trainable parameters at K = 68, as MMPose.
    """

    backbone_cls = MobileNetV2Backbone
    preset_prefix = "mobilenetv2_"
