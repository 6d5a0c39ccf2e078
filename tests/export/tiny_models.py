"""Tiny random-weight detectors of the six architectures, for export tests.

Reduced widths and depths of the real classes (same layers, same decoding and
flip-test graph), 64x64 inputs (Hourglass 32x32), 68 COCO-WholeBody-Face points
(98 WFLW for DeepPose), so that an export takes seconds rather than minutes.
"""

from __future__ import annotations

import keras

ARCHITECTURES = (
    "HRNetV2W18",
    "ResNet50",
    "MobileNetV2",
    "SCNet50",
    "Hourglass52",
    "DeepPoseResNet50",
)


def _codec(image, stride, unbiased):
    return dict(
        input_size=(image, image),
        heatmap_size=(image // stride,) * 2,
        unbiased=unbiased,
    )


def tiny_model(arch: str, *, unbiased: bool = False, seed: int = 0):
    """A tiny ``arch`` detector with seeded random weights (``unbiased``: DARK decoding)."""
    from keras_facelm import models
    from keras_facelm.backbones.hourglass import HourglassBackbone
    from keras_facelm.backbones.hrnet import HRNetBackbone
    from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
    from keras_facelm.backbones.resnet import ResNetBackbone
    from keras_facelm.backbones.scnet import SCNetBackbone
    from tests.models.tiny_hrnet import TINY_HRNET_STAGES

    keras.utils.set_random_seed(seed)
    small_head = dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,))
    if arch == "HRNetV2W18":
        return models.HRNetV2W18(
            68,
            scheme="coco_wholebody_face",
            backbone=HRNetBackbone(stages=TINY_HRNET_STAGES),
            codec=_codec(64, 4, unbiased),
        )
    if arch == "ResNet50":
        return models.ResNet50(
            68,
            backbone=ResNetBackbone(depth=18, base_channels=2, stem_channels=4),
            codec=_codec(64, 4, unbiased),
            head=dict(deconv_out_channels=(4, 4, 4), deconv_kernel_sizes=(4, 4, 4)),
        )
    if arch == "MobileNetV2":
        return models.MobileNetV2(
            68,
            backbone=MobileNetV2Backbone(widen_factor=0.1),
            codec=_codec(64, 16, unbiased),
            head=small_head,
        )
    if arch == "SCNet50":
        backbone = SCNetBackbone(base_channels=2, stem_channels=4, num_stages=2)
        return models.SCNet50(
            68,
            backbone=backbone,
            codec=_codec(64, 4, unbiased),
            head=small_head,
        )
    if arch == "Hourglass52":
        backbone = HourglassBackbone(
            downsample_times=1,
            stage_channels=(256, 8),
            stage_blocks=(1, 1),
            feat_channel=8,
        )
        return models.Hourglass52(68, backbone=backbone, codec=_codec(32, 4, unbiased))
    if arch == "DeepPoseResNet50":
        if unbiased:
            raise ValueError("DeepPose regresses coordinates: no DARK decoding")
        backbone = ResNetBackbone(depth=18, base_channels=2, stem_channels=4)
        return models.DeepPoseResNet50(98, backbone=backbone, codec=dict(input_size=(64, 64)))
    raise ValueError(f"unknown architecture {arch!r}")
