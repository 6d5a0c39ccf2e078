"""``Hourglass52``: one-stack HourglassNet + CPMHead, MMPose's ``td-hm_hourglass52``."""

from __future__ import annotations

import keras

from keras_facelm.backbones.hourglass import HourglassBackbone
from keras_facelm.data.schemes import get_scheme
from keras_facelm.heads.cpm import cpm_head
from keras_facelm.layers.pixel_normalization import PixelNormalization
from keras_facelm.models.detector import (
    DEFAULT_CODEC,
    DEFAULT_TEST_CFG,
    HeatmapLandmarkDetector,
)
from keras_facelm.models.task import LandmarkTask
from keras_facelm.utils.config import as_tuples

__all__ = ["Hourglass52"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class Hourglass52(HeatmapLandmarkDetector):
    """Hourglass-52 heatmap detector (``num_stacks=1``), as ``td-hm_hourglass52_*``.

    HourglassNet ``out_convs.0`` ``(64, 64, 256)`` → CPMHead
    ``head.multi_final_layers.0`` (1x1 conv with bias) → ``(64, 64, K)``.
    94,860,996 trainable parameters at K = 68, as MMPose (including the
    never-run ``inters.0`` block, see :mod:`keras_facelm.backbones.hourglass`;
    it gets no gradient, so ``fit`` warns "Gradients do not exist" for it).

    The graph differs from :class:`HeatmapLandmarkDetector`'s only in the head
    (CPMHead, whose final conv has MMPose's ``multi_final_layers.0`` name), so
    this class builds its own graph and inherits decoding, flip test, presets
    and serialisation. ``neck`` and ``head`` exist only for config round trips
    and must stay ``None`` / empty.

    Args:
        num_keypoints: K (68 for COCO-WholeBody-Face).
        backbone: a :class:`HourglassBackbone`; Hourglass-52 by default.
        scheme, codec, test_cfg, image_size: as :class:`HeatmapLandmarkDetector`
            (input H and W must be multiples of 128 for Hourglass-52).
    """

    backbone_cls = HourglassBackbone
    preset_prefix = "hourglass52_"

    def __init__(self, num_keypoints=68, *, backbone=None, neck=None, head=None,
                 scheme="coco_wholebody_face", codec=None, test_cfg=None,
                 image_size=(256, 256), name=None, dtype=None, **kwargs):  # fmt: skip
        if neck is not None or head:
            raise ValueError(
                f"Hourglass52 has no neck and a fixed CPMHead; got neck={neck!r}, head={head!r}"
            )
        if get_scheme(scheme).num_keypoints != num_keypoints:
            raise ValueError(
                f"scheme {scheme!r} has {get_scheme(scheme).num_keypoints} keypoints, "
                f"but num_keypoints={num_keypoints}"
            )
        backbone = backbone if backbone is not None else self.backbone_cls()
        images = keras.Input(shape=(*image_size, 3), name="images")
        x = PixelNormalization(name="normalize", dtype=dtype)(images)
        features = backbone(x)
        if not isinstance(features, (list, tuple)):
            features = [features]
        heatmaps = cpm_head(features[-1], num_keypoints, dtype=dtype)
        LandmarkTask.__init__(
            self, inputs=images, outputs=heatmaps, name=name, dtype=dtype, **kwargs
        )
        self.backbone = backbone
        self.num_keypoints = int(num_keypoints)
        self.neck = None
        self.head_config = {}
        self.scheme = scheme
        self.codec = as_tuples({**DEFAULT_CODEC, **(codec or {})})
        self.test_cfg = as_tuples({**DEFAULT_TEST_CFG, **(test_cfg or {})})
        self.image_size = tuple(int(s) for s in image_size)
