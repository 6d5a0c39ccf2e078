"""``ResNet50``: SimpleBaseline heatmap detector (ResNet-50 + three deconvs), MMPose's ``td-hm_res50``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.models.detector import HeatmapLandmarkDetector

__all__ = ["ResNet50", "SIMPLE_BASELINE_HEAD"]

#: MMPose's HeatmapHead for SimpleBaseline: three 4x4 stride-2 deconvs to 256 channels.
SIMPLE_BASELINE_HEAD = dict(
    deconv_out_channels=(256, 256, 256), deconv_kernel_sizes=(4, 4, 4),
    conv_out_channels=(), conv_kernel_sizes=(),
)  # fmt: skip


@keras.saving.register_keras_serializable(package="keras_facelm")
class ResNet50(HeatmapLandmarkDetector):
    """ResNet-50 SimpleBaseline heatmap detector, as ``td-hm_res50_*`` configs build it.

    ResNet-50 (pytorch style) layer4 ``(8, 8, 2048)`` → three deconv/BN/ReLU
    (256 channels each, 8 → 64) → 1x1 conv to K heatmaps ``(64, 64, K)``.
    34,012,804 trainable parameters at K = 68, as MMPose.

    Args:
        num_keypoints: K (68 for COCO-WholeBody-Face).
        backbone: a :class:`ResNetBackbone`; ResNet-50 by default (other depths
            and widths work, e.g. ``ResNetBackbone(depth=101)``).
        head: HeatmapHead settings; :data:`SIMPLE_BASELINE_HEAD` by default.
        scheme: keypoint scheme (``"coco_wholebody_face"`` by default).
        **kwargs: :class:`HeatmapLandmarkDetector` arguments (``codec``,
            ``test_cfg``, ``image_size``, ``neck``).
    """

    backbone_cls = ResNetBackbone
    preset_prefix = "res50_"

    def __init__(self, num_keypoints=68, *, backbone=None, head=None,
                 scheme="coco_wholebody_face", **kwargs):  # fmt: skip
        backbone = backbone if backbone is not None else self.backbone_cls()
        head = head if head is not None else SIMPLE_BASELINE_HEAD
        super().__init__(backbone, num_keypoints, head=head, scheme=scheme, **kwargs)
