"""The heatmap landmark detector task: normalise → backbone → (neck) → HeatmapHead.

One generic task model underneath every heatmap architecture (HRNetV2-W18,
SimpleBaseline ResNet/MobileNetV2/SCNet, Hourglass); the per-architecture classes
in this package only choose a backbone and head defaults, as KerasHub's task
subclasses do.
"""

from __future__ import annotations

import copy

import keras

from keras_facelm.data.schemes import get_scheme
from keras_facelm.heads.heatmap import concat_neck, heatmap_head
from keras_facelm.layers.heatmap_decoding import HeatmapDecoder
from keras_facelm.models.task import LandmarkTask
from keras_facelm.utils.config import as_tuples

__all__ = ["HeatmapLandmarkDetector", "DEFAULT_CODEC", "DEFAULT_TEST_CFG"]

#: MMPose's MSRAHeatmap codec settings of the face configs (sigma varies per dataset).
DEFAULT_CODEC = dict(
    input_size=(256, 256), heatmap_size=(64, 64), sigma=2.0, unbiased=False,
    blur_kernel_size=11,
)  # fmt: skip
#: MMPose's heatmap ``test_cfg`` of the face configs.
DEFAULT_TEST_CFG = dict(flip_test=True, shift_heatmap=True)

_HEAD_KEYS = (
    "deconv_out_channels",
    "deconv_kernel_sizes",
    "conv_out_channels",
    "conv_kernel_sizes",
)


@keras.saving.register_keras_serializable(package="keras_facelm")
class HeatmapLandmarkDetector(LandmarkTask):
    """Top-down heatmap face landmark detector (MMPose ``TopdownPoseEstimator``).

    Args:
        backbone: a backbone ``keras.Model`` (named ``"backbone"``) mapping
            normalised images to a list of feature maps.
        num_keypoints: K.
        neck: ``None`` (use the last feature map) or ``"concat"`` (HRNetV2:
            resize all maps to the first one's size and concatenate).
        head: HeatmapHead settings, keys ``deconv_out_channels``,
            ``deconv_kernel_sizes``, ``conv_out_channels``, ``conv_kernel_sizes``.
        scheme: keypoint scheme name (flip indices, NME normaliser), e.g. ``"wflw"``.
        codec: MSRAHeatmap settings (``input_size`` (w, h), ``heatmap_size``,
            ``sigma``, ``unbiased`` (DARK), ``blur_kernel_size``).
        test_cfg: ``flip_test`` and ``shift_heatmap`` as MMPose's ``test_cfg``.
        image_size: ``(height, width)`` of the input crops, pixels.

    Call: ``(N, H, W, 3)`` RGB float, 0-255 → raw heatmaps ``(N, H/4, W/4, K)``,
    exactly MMPose's head output transposed to channels-last.
    """

    def __init__(
        self,
        backbone,
        num_keypoints,
        *,
        neck=None,
        head=None,
        scheme="wflw",
        codec=None,
        test_cfg=None,
        image_size=(256, 256),
        name=None,
        dtype=None,
        **kwargs,
    ):
        head = as_tuples(dict(head or {}))
        unknown = set(head) - set(_HEAD_KEYS)
        if unknown:
            raise ValueError(f"unknown head settings {sorted(unknown)}; expected {_HEAD_KEYS}")
        if neck not in (None, "concat"):
            raise ValueError(f"neck must be None or 'concat', got {neck!r}")
        codec = as_tuples({**DEFAULT_CODEC, **(codec or {})})
        test_cfg = as_tuples({**DEFAULT_TEST_CFG, **(test_cfg or {})})
        self._build_task(
            backbone, num_keypoints,
            lambda features: self._build_head(
                features, num_keypoints, neck=neck, head=head, dtype=dtype
            ),
            scheme=scheme, codec=codec, test_cfg=test_cfg, image_size=image_size,
            name=name, dtype=dtype, **kwargs,
        )  # fmt: skip
        self.neck = neck
        self.head_config = head

    @staticmethod
    def _build_head(features, num_keypoints, *, neck, head, dtype):
        """Adds neck and head to the graph: features (list of NHWC maps) → heatmaps.

        Subclasses with another head layout (Hourglass's CPMHead) override this.
        """
        x = concat_neck(features, dtype=dtype) if neck == "concat" else features[-1]
        return heatmap_head(x, num_keypoints, dtype=dtype, **head)

    # -- decoding ---------------------------------------------------------------
    def _decoder(self):
        (in_w, in_h), (hm_w, hm_h) = self.codec["input_size"], self.codec["heatmap_size"]
        return HeatmapDecoder(
            unbiased=self.codec["unbiased"],
            blur_kernel_size=self.codec["blur_kernel_size"],
            scale=(in_w / hm_w, in_h / hm_h),
            name="decode",
        )

    def _merge_flipped(self):
        from keras_facelm.layers.flip_test import HeatmapFlipMerge

        return HeatmapFlipMerge(
            flip_indices=get_scheme(self.scheme).flip_indices,
            shift_heatmap=self.test_cfg["shift_heatmap"],
            name="flip_merge",
        )

    # -- serialisation ----------------------------------------------------------
    def get_config(self):
        return {**super().get_config(), "neck": self.neck, "head": copy.deepcopy(self.head_config)}
