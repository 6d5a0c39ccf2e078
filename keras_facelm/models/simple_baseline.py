"""SimpleBaseline heatmap detectors: a backbone's last map → three deconvs → 1x1 conv.

MMPose's ``td-hm_res50``, ``td-hm_scnet50`` and ``td-hm_mobilenetv2`` face
configs share the head (``HeatmapHead`` with three 4x4 stride-2 deconvolutions
to 256 channels) and differ only in the backbone, so one parent class,
:class:`SimpleBaselineDetector`, builds them; each architecture class names its
backbone and owns its presets.
"""

from __future__ import annotations

import keras

from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.backbones.scnet import SCNetBackbone
from keras_facelm.models.heatmap_detector import HeatmapLandmarkDetector
from keras_facelm.models.preset import register_presets
from keras_facelm.models.simple_baseline_presets import (
    MOBILENETV2_HEATMAP_PRESETS,
    RESNET50_HEATMAP_PRESETS,
    SCNET50_HEATMAP_PRESETS,
)

__all__ = [
    "SIMPLE_BASELINE_HEAD",
    "SimpleBaselineDetector",
    "ResNet50Heatmap",
    "SCNet50Heatmap",
    "MobileNetV2Heatmap",
]

#: MMPose's HeatmapHead for SimpleBaseline: three 4x4 stride-2 deconvs to 256 channels.
SIMPLE_BASELINE_HEAD = dict(
    deconv_out_channels=(256, 256, 256),
    deconv_kernel_sizes=(4, 4, 4),
    conv_out_channels=(),
    conv_kernel_sizes=(),
)


class SimpleBaselineDetector(HeatmapLandmarkDetector):
    """Parent of the SimpleBaseline detectors: ``backbone_cls`` + :data:`SIMPLE_BASELINE_HEAD`.

    Args:
        num_keypoints: K (68 for COCO-WholeBody-Face).
        backbone: a backbone instance; ``backbone_cls()`` (MMPose's face
            config, built with this model's ``dtype``) by default.
        head: HeatmapHead settings; :data:`SIMPLE_BASELINE_HEAD` by default.
        scheme: keypoint scheme (``"coco_wholebody_face"`` by default).
        **kwargs: :class:`HeatmapLandmarkDetector` arguments (``codec``,
            ``test_cfg``, ``neck``, ``dtype``).

    Input 256x256 → backbone ``(8, 8, C)`` → three deconv/BN/ReLU (8 → 64) →
    ``(64, 64, K)`` heatmaps.
    """

    backbone_cls = None

    def __init__(
        self,
        num_keypoints=68,
        *,
        backbone=None,
        head=None,
        scheme="coco_wholebody_face",
        **kwargs,
    ):
        if backbone is None:
            backbone = self.backbone_cls(dtype=kwargs.get("dtype"))
        head = head if head is not None else SIMPLE_BASELINE_HEAD
        super().__init__(backbone, num_keypoints, head=head, scheme=scheme, **kwargs)


@keras.saving.register_keras_serializable(package="keras_facelm")
class ResNet50Heatmap(SimpleBaselineDetector):
    """ResNet-50 SimpleBaseline (``td-hm_res50_*``): 34,012,804 trainable parameters at K = 68."""

    backbone_cls = ResNetBackbone
    preset_prefix = "res50_"


@keras.saving.register_keras_serializable(package="keras_facelm")
class SCNet50Heatmap(SimpleBaselineDetector):
    """SCNet-50 SimpleBaseline (``td-hm_scnet50_*``): 34,020,356 trainable parameters at K = 68."""

    backbone_cls = SCNetBackbone
    preset_prefix = "scnet50_"


@keras.saving.register_keras_serializable(package="keras_facelm")
class MobileNetV2Heatmap(SimpleBaselineDetector):
    """MobileNetV2 SimpleBaseline (``td-hm_mobilenetv2_*``).

    9,582,916 trainable parameters at K = 68, as MMPose.
    """

    backbone_cls = MobileNetV2Backbone
    preset_prefix = "mobilenetv2_"


register_presets(ResNet50Heatmap, RESNET50_HEATMAP_PRESETS)
register_presets(SCNet50Heatmap, SCNET50_HEATMAP_PRESETS)
register_presets(MobileNetV2Heatmap, MOBILENETV2_HEATMAP_PRESETS)
