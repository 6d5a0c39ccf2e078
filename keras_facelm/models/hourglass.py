"""``Hourglass52Heatmap``: one-stack HourglassNet + CPMHead, MMPose's ``td-hm_hourglass52``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.hourglass import HourglassBackbone
from keras_facelm.heads.cpm import cpm_head
from keras_facelm.models.heatmap_detector import HeatmapLandmarkDetector
from keras_facelm.models.hourglass_presets import HOURGLASS52_HEATMAP_PRESETS
from keras_facelm.models.preset import register_presets

__all__ = ["Hourglass52Heatmap"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class Hourglass52Heatmap(HeatmapLandmarkDetector):
    """Hourglass-52 heatmap detector (``num_stacks=1``), as ``td-hm_hourglass52_*``.

    HourglassNet ``out_convs.0`` ``(64, 64, 256)`` → CPMHead
    ``head.multi_final_layers.0`` (1x1 conv with bias) → ``(64, 64, K)``.
    94,860,996 trainable parameters at K = 68, as MMPose (including the
    never-run ``inters.0`` block, see :mod:`keras_facelm.backbones.hourglass`;
    it gets no gradient, so ``fit`` warns "Gradients do not exist" for it).

    Args:
        num_keypoints: K (68 for COCO-WholeBody-Face).
        backbone: a :class:`HourglassBackbone`; Hourglass-52 by default.
        scheme, codec, test_cfg: as :class:`HeatmapLandmarkDetector` (the
            input height and width must be multiples of 128 for Hourglass-52).
        neck, head: accepted for config round trips only; they must stay
            ``None`` / empty (the head is the fixed CPMHead).
    """

    preset_prefix = "hourglass52_"

    def __init__(
        self,
        num_keypoints=68,
        *,
        backbone=None,
        scheme="coco_wholebody_face",
        neck=None,
        head=None,
        **kwargs,
    ):
        if neck is not None or head:
            raise ValueError(
                f"Hourglass52Heatmap has no neck and a fixed CPMHead; got neck={neck!r}, "
                f"head={head!r}"
            )
        if backbone is None:
            backbone = HourglassBackbone(dtype=kwargs.get("dtype"))
        super().__init__(backbone, num_keypoints, scheme=scheme, **kwargs)

    @staticmethod
    def _build_head(x, num_keypoints, *, head, dtype):
        return cpm_head(x, num_keypoints, dtype=dtype)


register_presets(Hourglass52Heatmap, HOURGLASS52_HEATMAP_PRESETS)
