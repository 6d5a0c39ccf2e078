"""``DeepPoseResNet50``: ResNet-50 + GAP + fc regression, MMPose's ``td-reg_res50*``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.models.deeppose_presets import DEEPPOSE_RES50_PRESETS
from keras_facelm.models.preset import register_presets
from keras_facelm.models.regression_detector import RegressionLandmarkDetector

__all__ = ["DeepPoseResNet50"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class DeepPoseResNet50(RegressionLandmarkDetector):
    """DeepPose coordinate regression on ResNet-50, as ``td-reg_res50_*_wflw`` configs.

    ResNet-50 layer4 → global average pooling (2048) → ``head.fc`` to 2K →
    ``(N, K, 2)`` normalised coordinates; 23,909,636 trainable parameters at
    K = 98, as MMPose.

    Args:
        num_keypoints: K (98 for WFLW).
        backbone: a :class:`ResNetBackbone`; ResNet-50 by default (built with
            this model's ``dtype``).
        **kwargs: :class:`RegressionLandmarkDetector` arguments (``scheme``,
            ``codec``, ``test_cfg``, ``dtype``).
    """

    preset_prefix = "deeppose_res50_"

    def __init__(self, num_keypoints=98, *, backbone=None, **kwargs):
        if backbone is None:
            backbone = ResNetBackbone(dtype=kwargs.get("dtype"))
        super().__init__(backbone, num_keypoints, **kwargs)


register_presets(DeepPoseResNet50, DEEPPOSE_RES50_PRESETS)
