"""STAR loss (Zhou et al., CVPR 2023) as ``STARLoss_v2`` of the official repository.

Reimplemented from the description of github.com/ZhenglinZhou/STAR
``lib/loss/starLoss_v2.py`` (its default ``STARLoss_v2(w=1, dist='smoothl1')``)
and checked against that code's outputs and autograd gradients
(``tests/parity/make_star_fixtures.py``).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_facelm.losses.base import KeypointWeightedLoss, mean_all
from keras_facelm.losses.eigh2x2 import eigh_2x2

__all__ = ["STARLoss"]

_GT_FORMATS = ("pixels", "star_pixels", "normalized")


def _star_grid(n):
    """STAR's ``torch.arange(n).float() / (n - 1) * 2 - 1``, float32 numpy."""
    one = np.float32(1)
    return np.arange(n, dtype=np.float32) / np.float32(n - 1) * np.float32(2) - one


def _spatial_sum(x):
    """Sum over H then W of ``(N, H, W, K)``: two short sums keep float32 error low."""
    return ops.sum(ops.sum(x, axis=2), axis=1)


_DISTS = ("smoothl1", "l1", "l2")


@keras.saving.register_keras_serializable(package="keras_facelm")
class STARLoss(KeypointWeightedLoss):
    """Self-adaptive ambiguity reduction loss, official ``STARLoss_v2``.

    ``loss(y_true, y_pred, sample_weight=None)`` with ``y_pred`` heatmaps
    ``(N, H, W, K)`` (channels-last, non-negative as STAR's fusion heatmaps)
    and ``y_true`` ground-truth landmarks ``(N, K, 2)`` as ``(x, y)``.

    Per landmark, the heatmap is normalised to sum 1 (``P = h / max(sum h,
    1e-6)``) on the grid ``gx[j] = 2 j / (W - 1) - 1``, ``gy[i] = 2 i / (H - 1)
    - 1``; its mean ``mu`` and unbiased weighted covariance ``S = sum P (g - mu)
    (g - mu)^T / (V1 - V2 / V1)`` (``V1 = sum P + 1e-5``, ``V2 = sum P**2 +
    1e-5``) are eigen-decomposed into ``lam0 <= lam1`` with vectors ``v0, v1``.
    With ``e = gt - mu``::

        l = dist(v0 . e) / sqrt(lam0 + 1e-5) + dist(v1 . e) / sqrt(lam1 + 1e-5)
            + w * (|lam0| + |lam1|)

    where ``dist`` is STAR's smooth L1 (scale 0.01: ``50 e**2`` if ``|e| <
    0.01`` else ``|e| - 0.005``, with ``|e|`` floored at 1e-3), ``|e|`` (``"l1"``)
    or ``e**2`` (``"l2"``). The loss is the mean of ``l`` over ``N*K``, times
    ``loss_weight``. With ``sample_weight`` ``(N, K)`` (not part of STAR) each
    ``l`` is multiplied by its weight and the mean still counts all ``N*K``
    landmarks, MMPose's convention for target weights. A landmark with a NaN or
    infinite coordinate contributes ``l = 0`` and no gradient (it still counts).

    Ground-truth coordinates (``gt_format``), for input size ``(Win, Hin)``
    and heatmap size ``(W, H)`` taken from ``y_pred``:

    * ``"pixels"`` (default): input pixels in MMPose's convention, where
      heatmap pixel ``j`` is input pixel ``j * Win / W``. Converted as
      ``x_n = (x * W / Win) / (W - 1) * 2 - 1`` (likewise y), so a heatmap
      centred on the encoded target has zero translation error.
    * ``"star_pixels"``: input pixels normalised as STAR's data loader does
      (``align_corners=False`` on the input image): ``x_n = (2 x + 1) / Win - 1``.
      Reproduces the official training targets, including their
      half-pixel mismatch with the heatmap grid.
    * ``"normalized"``: already in [-1, 1] as STAR's loss receives them; used
      unchanged.

    Args:
        w: weight of the eigenvalue restriction, STAR's default 1.
        dist: ``"smoothl1"`` (default), ``"l1"`` or ``"l2"``.
        gt_format: ``"pixels"``, ``"star_pixels"`` or ``"normalized"``.
        input_size: ``(width, height)`` of the network input, for the pixel
            formats.
        epsilon: STAR's ``EPSILON`` 1e-5.
        loss_weight: multiplier, default 1.0.
        name, dtype: as :class:`keras.losses.Loss`.
    """

    def __init__(
        self,
        w=1.0,
        dist="smoothl1",
        gt_format="pixels",
        input_size=(256, 256),
        epsilon=1e-5,
        loss_weight=1.0,
        name="star_loss",
        dtype=None,
    ):
        super().__init__(loss_weight=loss_weight, name=name, dtype=dtype)
        if dist not in _DISTS:
            raise ValueError(f"dist must be one of {_DISTS}, got {dist!r}")
        if gt_format not in _GT_FORMATS:
            raise ValueError(f"gt_format must be one of {_GT_FORMATS}, got {gt_format!r}")
        if len(input_size) != 2:
            raise ValueError(f"input_size must be (width, height), got {input_size!r}")
        self.w = float(w)
        self.dist = dist
        self.gt_format = gt_format
        self.input_size = tuple(int(v) for v in input_size)
        self.epsilon = float(epsilon)

    def get_config(self):
        return {
            **super().get_config(),
            "w": self.w,
            "dist": self.dist,
            "gt_format": self.gt_format,
            "input_size": self.input_size,
            "epsilon": self.epsilon,
        }

    def normalize_gt(self, gt, heatmap_size):
        """Maps ``gt`` ``(N, K, 2)`` to STAR's [-1, 1] grid coordinates.

        Args:
            gt: landmarks in the units of ``gt_format``.
            heatmap_size: ``(W, H)`` of the heatmaps.
        """
        if self.gt_format == "normalized":
            return gt
        win, hin = self.input_size
        wh, hh = heatmap_size
        if self.gt_format == "star_pixels":
            size = ops.convert_to_tensor([float(win), float(hin)], dtype=gt.dtype)
            return (gt * 2.0 + 1.0) / size - 1.0
        factor = ops.convert_to_tensor(
            [wh / win / (wh - 1) * 2.0, hh / hin / (hh - 1) * 2.0], dtype=gt.dtype
        )
        return gt * factor - 1.0

    def _dist(self, e):
        if self.dist == "l1":
            return ops.abs(e)
        if self.dist == "l2":
            return ops.square(e)
        scale = 0.01
        d2 = ops.square(e)
        d = ops.sqrt(ops.where(d2 > 1e-6, d2, 1e-6))
        return ops.where(d2 < scale * scale, 0.5 / scale * d2, d - 0.5 * scale)

    def compute(self, y_true, y_pred, weights):
        if len(y_pred.shape) != 4 or len(y_true.shape) != 3 or y_true.shape[-1] != 2:
            raise ValueError(
                "STARLoss expects heatmaps (N, H, W, K) as y_pred and landmarks "
                f"(N, K, 2) as y_true; got y_pred {tuple(y_pred.shape)} and y_true "
                f"{tuple(y_true.shape)}"
            )
        h, w = int(y_pred.shape[1]), int(y_pred.shape[2])
        # A damaged landmark (NaN/inf coordinate) adds nothing to the loss or its gradient,
        # as in the other losses: it is computed on a finite stand-in, then zeroed (still
        # counting in the mean's denominator, like a landmark of weight 0).
        finite = ops.isfinite(y_true)
        valid = ops.all(finite, axis=-1)  # (N, K)
        gt = self.normalize_gt(ops.where(finite, y_true, ops.zeros_like(y_true)), (w, h))
        dtype = y_pred.dtype
        # STAR builds its grid in float32 arithmetic whatever the heatmap dtype.
        gx = ops.convert_to_tensor(_star_grid(w), dtype=dtype)
        gy = ops.convert_to_tensor(_star_grid(h), dtype=dtype)
        gx = gx[None, None, :, None]
        gy = gy[None, :, None, None]

        total = _spatial_sum(y_pred)[:, None, None, :]
        # torch.clamp(min=1e-6); ops.maximum would downcast float64 on torch.
        total = ops.where(total > 1e-6, total, 1e-6)
        p = y_pred / total
        mx = _spatial_sum(p * gx)  # (N, K)
        my = _spatial_sum(p * gy)
        dx = gx - mx[:, None, None, :]
        dy = gy - my[:, None, None, :]
        v1 = _spatial_sum(p) + self.epsilon
        v2 = _spatial_sum(ops.square(p)) + self.epsilon
        denom = v1 - v2 / v1
        sxx = _spatial_sum(p * dx * dx) / denom
        sxy = _spatial_sum(p * dx * dy) / denom
        syy = _spatial_sum(p * dy * dy) / denom

        lam0, lam1, (n_x, n_y), (t_x, t_y) = eigh_2x2(sxx, sxy, syy)
        ex = gt[..., 0] - mx
        ey = gt[..., 1] - my
        trans = self._dist(n_x * ex + n_y * ey) / ops.sqrt(lam0 + self.epsilon)
        trans = trans + self._dist(t_x * ex + t_y * ey) / ops.sqrt(lam1 + self.epsilon)
        per_landmark = trans + self.w * (ops.abs(lam0) + ops.abs(lam1))
        per_landmark = ops.where(valid, per_landmark, ops.zeros_like(per_landmark))
        if weights is not None:
            per_landmark = per_landmark * weights
        return mean_all(per_landmark)
