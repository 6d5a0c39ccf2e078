"""The heatmap landmark detector task: normalise → backbone → (neck) → heatmap head.

One generic task model underneath every heatmap architecture (HRNetV2-W18,
SimpleBaseline ResNet/MobileNetV2/SCNet, Hourglass); the architecture classes
only choose a backbone and head defaults, as KerasHub's task subclasses do.
"""

from __future__ import annotations

import keras

from keras_facelm.codecs.msra_heatmap import MSRAHeatmap
from keras_facelm.data.schemes import get_scheme
from keras_facelm.heads.heatmap import concat_neck, heatmap_head
from keras_facelm.layers.flip_merge import HeatmapFlipMerge
from keras_facelm.models.task import LandmarkTask
from keras_facelm.utils.config import as_tuples

__all__ = ["HeatmapLandmarkDetector", "DEFAULT_TEST_CFG"]

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
        backbone: a :class:`~keras_facelm.backbones.Backbone` (named
            ``"backbone"``) mapping normalised images to a list of feature maps.
        num_keypoints: K.
        neck: ``None`` (use the last feature map) or ``"concat"`` (HRNetV2:
            resize all maps to the first one's size and concatenate).
        head: HeatmapHead settings, keys ``deconv_out_channels``,
            ``deconv_kernel_sizes``, ``conv_out_channels``, ``conv_kernel_sizes``.
        scheme: keypoint scheme name (flip indices, NME normaliser), e.g. ``"wflw"``.
        codec: an :class:`~keras_facelm.codecs.MSRAHeatmap` or its settings as a
            dict (``input_size`` ``(w, h)`` pixels, default 256x256; ``sigma``;
            ``unbiased`` for DARK; ``heatmap_size``, default the head's output
            size). The input size of the model is the codec's.
        test_cfg: ``flip_test`` and ``shift_heatmap`` as MMPose's ``test_cfg``.

    Call: ``(N, H, W, 3)`` RGB float, 0-255 → raw heatmaps ``(N, h, w, K)``,
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
        settings = as_tuples(
            codec.get_config() if isinstance(codec, MSRAHeatmap) else dict(codec or {})
        )
        stated_heatmap_size = settings.pop("heatmap_size", None)
        test_cfg = as_tuples({**DEFAULT_TEST_CFG, **(test_cfg or {})})
        heatmap_shape = []

        def build_output(features):
            x = concat_neck(features, dtype=dtype) if neck == "concat" else features[-1]
            heatmaps = self._build_head(x, num_keypoints, head=head, dtype=dtype)
            heatmap_shape.extend(heatmaps.shape[1:3])
            return heatmaps

        self._build_task(
            backbone,
            num_keypoints,
            build_output,
            scheme=scheme,
            codec=MSRAHeatmap(**settings),
            test_cfg=test_cfg,
            name=name,
            dtype=dtype,
            **kwargs,
        )
        # The heatmap size is the head's output size; a stated one must agree.
        actual = (int(heatmap_shape[1]), int(heatmap_shape[0]))
        if stated_heatmap_size is not None and tuple(stated_heatmap_size) != actual:
            raise ValueError(
                f"codec heatmap_size {tuple(stated_heatmap_size)} (w, h) does not match "
                f"the head's output {actual} (w, h) for input size {self.codec.input_size}"
            )
        self.codec = MSRAHeatmap(**{**settings, "heatmap_size": actual})
        self.neck = neck
        self.head_config = head

    @staticmethod
    def _build_head(x, num_keypoints, *, head, dtype):
        """Adds the head to the graph: neck output (NHWC) → heatmaps.

        Subclasses with another head layout (Hourglass's CPMHead) override this.
        """
        return heatmap_head(x, num_keypoints, dtype=dtype, **head)

    def _merge_flipped(self):
        return HeatmapFlipMerge(
            flip_indices=get_scheme(self.scheme).flip_indices,
            shift_heatmap=self.test_cfg["shift_heatmap"],
            name="flip_merge",
        )

    def get_config(self):
        return {
            **super().get_config(),
            "neck": self.neck,
            "head": as_tuples(self.head_config),
        }
