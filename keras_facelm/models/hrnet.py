"""``HRNetV2W18``: HRNetV2 backbone + concat neck + HeatmapHead (MMPose's face configs)."""

from __future__ import annotations

import keras

from keras_facelm.backbones.hrnet import HRNetBackbone
from keras_facelm.models.heatmap_detector import HeatmapLandmarkDetector
from keras_facelm.models.hrnet_presets import HRNETV2_W18_PRESETS
from keras_facelm.models.preset import register_presets

__all__ = ["HRNetV2W18"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class HRNetV2W18(HeatmapLandmarkDetector):
    """HRNetV2-W18 heatmap detector, as ``td-hm_hrnetv2-w18_*`` configs build it.

    Defaults give MMPose's face model: the W18 backbone, the bilinear concat
    neck (270 channels) and a HeatmapHead with one 1x1 conv (270 → 270, with
    bias, BN, ReLU) and the final 1x1 conv to K. Other widths build with
    ``backbone=HRNetBackbone(hrnet_stages(32))`` (the head conv then follows the
    summed width unless ``head`` is given).

    Args:
        num_keypoints: K (98 WFLW, 68 300W/COCO-WholeBody-Face, 29 COFW, 19 AFLW).
        backbone: an :class:`HRNetBackbone`; W18 by default (built with this
            model's ``dtype``).
        **kwargs: :class:`HeatmapLandmarkDetector` arguments (``scheme``,
            ``codec``, ``test_cfg``, ``neck``, ``head``, ``dtype``).
    """

    preset_prefix = "hrnetv2_w18_"

    def __init__(self, num_keypoints=98, *, backbone=None, neck="concat", head=None, **kwargs):
        if backbone is None:
            backbone = HRNetBackbone(dtype=kwargs.get("dtype"))
        if head is None:
            width = sum(backbone.stages["stage4"]["num_channels"])
            head = dict(
                deconv_out_channels=(),
                deconv_kernel_sizes=(),
                conv_out_channels=(width,),
                conv_kernel_sizes=(1,),
            )
        super().__init__(backbone, num_keypoints, neck=neck, head=head, **kwargs)


register_presets(HRNetV2W18, HRNETV2_W18_PRESETS)
