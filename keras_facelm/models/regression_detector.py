"""The regression landmark detector task: normalise → backbone → GAP → RegressionHead.

MMPose's DeepPose face configs (``topdown_regression/wflw/td-reg_res50_*``):
``TopdownPoseEstimator`` with a backbone, the ``GlobalAveragePooling`` neck and
a ``RegressionHead`` (``fc`` to 2K), codec ``RegressionLabel`` and
``test_cfg=dict(flip_test=True, shift_coords=True)``.
"""

from __future__ import annotations

import keras

from keras_facelm.codecs.regression_label import RegressionLabel
from keras_facelm.data.schemes import get_scheme
from keras_facelm.heads.regression import gap_neck, regression_head
from keras_facelm.layers.flip_merge import CoordinateFlipMerge
from keras_facelm.models.task import LandmarkTask
from keras_facelm.utils.config import as_tuples

__all__ = ["RegressionLandmarkDetector", "DEFAULT_REGRESSION_TEST_CFG"]

#: MMPose's regression ``test_cfg`` of the WFLW regression configs.
DEFAULT_REGRESSION_TEST_CFG = dict(flip_test=True, shift_coords=True)


@keras.saving.register_keras_serializable(package="keras_facelm")
class RegressionLandmarkDetector(LandmarkTask):
    """Top-down coordinate-regression face landmark detector (DeepPose).

    Args:
        backbone: a :class:`~keras_facelm.backbones.Backbone` (named
            ``"backbone"``) mapping normalised images to feature maps; the last
            one is pooled.
        num_keypoints: K.
        scheme: keypoint scheme name (flip indices), e.g. ``"wflw"``.
        codec: a :class:`~keras_facelm.codecs.RegressionLabel` or its settings
            (``input_size`` ``(w, h)`` pixels, default 256x256): the model's
            input size.
        test_cfg: ``flip_test`` and ``shift_coords`` as MMPose's ``test_cfg``.

    Call: ``(N, H, W, 3)`` RGB float, 0-255 → raw coordinates ``(N, K, 2)``,
    ``(x, y)`` normalised by the input size (MMPose's head output, no
    activation, so values may leave [0, 1]). Decoding multiplies them by
    ``codec.input_size``; the scores are all ones.
    """

    def __init__(
        self,
        backbone,
        num_keypoints,
        *,
        scheme="wflw",
        codec=None,
        test_cfg=None,
        name=None,
        dtype=None,
        **kwargs,
    ):
        if not isinstance(codec, RegressionLabel):
            codec = RegressionLabel(**as_tuples(dict(codec or {})))
        test_cfg = as_tuples({**DEFAULT_REGRESSION_TEST_CFG, **(test_cfg or {})})
        unknown = set(test_cfg) - set(DEFAULT_REGRESSION_TEST_CFG)
        if unknown:
            raise ValueError(
                f"unknown regression test_cfg settings {sorted(unknown)}; expected "
                f"{sorted(DEFAULT_REGRESSION_TEST_CFG)}"
            )
        self._build_task(
            backbone,
            num_keypoints,
            lambda features: regression_head(
                gap_neck(features[-1], dtype=dtype), num_keypoints, dtype=dtype
            ),
            scheme=scheme,
            codec=codec,
            test_cfg=test_cfg,
            name=name,
            dtype=dtype,
            **kwargs,
        )

    def _merge_flipped(self):
        return CoordinateFlipMerge(
            flip_indices=get_scheme(self.scheme).flip_indices,
            input_width=self.codec.input_size[0],
            shift_coords=self.test_cfg["shift_coords"],
            name="flip_merge",
        )
