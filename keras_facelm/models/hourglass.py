"""``Hourglass52``: one-stack HourglassNet + CPMHead, MMPose's ``td-hm_hourglass52``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.hourglass import HourglassBackbone
from keras_facelm.heads.cpm import cpm_head
from keras_facelm.models.detector import HeatmapLandmarkDetector

__all__ = ["Hourglass52"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class Hourglass52(HeatmapLandmarkDetector):
    """Hourglass-52 heatmap detector (``num_stacks=1``), as ``td-hm_hourglass52_*``.

    HourglassNet ``out_convs.0`` ``(64, 64, 256)`` → CPMHead
    ``head.multi_final_layers.0`` (1x1 conv with bias) → ``(64, 64, K)``.
    94,860,996 trainable parameters at K = 68, as MMPose (including the
    never-run ``inters.0`` block, see :mod:`keras_facelm.backbones.hourglass`;
    it gets no gradient, so ``fit`` warns "Gradients do not exist" for it).

    Only the head differs from :class:`HeatmapLandmarkDetector` (CPMHead, whose
    final conv has MMPose's ``multi_final_layers.0`` name); ``neck`` and
    ``head`` exist only for config round trips and must stay ``None`` / empty.

    Args:
        num_keypoints: K (68 for COCO-WholeBody-Face).
        backbone: a :class:`HourglassBackbone`; Hourglass-52 by default.
        scheme, codec, test_cfg, image_size: as :class:`HeatmapLandmarkDetector`
            (input H and W must be multiples of 128 for Hourglass-52).
    """

    backbone_cls = HourglassBackbone
    preset_prefix = "hourglass52_"

    def __init__(self, num_keypoints=68, *, backbone=None, scheme="coco_wholebody_face",
                 **kwargs):  # fmt: skip
        backbone = backbone if backbone is not None else self.backbone_cls()
        super().__init__(backbone, num_keypoints, scheme=scheme, **kwargs)

    @staticmethod
    def _build_head(features, num_keypoints, *, neck, head, dtype):
        if neck is not None or head:
            raise ValueError(
                f"Hourglass52 has no neck and a fixed CPMHead; got neck={neck!r}, head={head!r}"
            )
        return cpm_head(features[-1], num_keypoints, dtype=dtype)
