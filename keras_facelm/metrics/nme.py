"""Normalised mean error (NME), MMPose's ``NME`` metric and per-image NMEs.

MMPose (``evaluation/metrics/keypoint_2d_metrics.py: NME`` and
``evaluation/functional/keypoint_eval.py: keypoint_nme``) reports the **global
mean over all visible keypoints of all images** of
``||pred - gt|| / norm``, as a fraction, where ``norm`` is, per image:

* the distance between two ground-truth keypoints (the scheme's
  ``norm_indices``: WFLW [60, 72], 300W and COCO-WholeBody-Face [36, 45],
  COFW [8, 9]), or
* a given per-image size (AFLW: the face box size, ``norm=``).

An image whose normaliser is 0 is left out; a negative normaliser is replaced
by 1e6. MMPose computes the inter-ocular normaliser from ``gt`` whatever the
visibility of those two keypoints: for COCO-WholeBody-Face, where unlabelled
points are (0, 0), the normaliser then becomes a distance to the origin.
``strict_norm=True`` corrects this by leaving out images whose two
normalisation keypoints are not both visible.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_facelm.data.schemes import get_scheme

__all__ = ["NME", "nme", "per_image_nme", "keypoint_distances"]


def _normalisers(gt, scheme, visible, norm, strict_norm):
    """Per-image normalisers ``(N,)`` and the per-image validity mask."""
    n = gt.shape[0]
    if norm is not None:
        norm = np.asarray(norm).reshape(-1)
        if not np.issubdtype(norm.dtype, np.floating):
            norm = norm.astype(np.float64)
        if norm.shape != (n,):
            raise ValueError(f"norm must have shape ({n},), got {np.shape(norm)}")
        return norm, np.ones((n,), bool)
    if scheme.norm_indices is None:
        raise ValueError(
            f"scheme {scheme.name!r} normalises by a per-image size (MMPose's "
            "'bbox_size'); pass norm=(N,) face box sizes in pixels"
        )
    i1, i2 = scheme.norm_indices
    norm = np.linalg.norm(gt[:, i1, :] - gt[:, i2, :], axis=1)
    keep = np.ones((n,), bool)
    if strict_norm:
        keep = visible[:, i1] & visible[:, i2]
    return norm, keep


def keypoint_distances(pred, gt, *, scheme, visible=None, norm=None, strict_norm=False):
    """Normalised keypoint distances as MMPose's ``_calc_distances`` computes them.

    Args:
        pred, gt: ``(N, K, 2)`` keypoints in pixels.
        scheme: a keypoint scheme name (``"wflw"``, ``"300w"``, ``"cofw"``,
            ``"aflw"``, ``"coco_wholebody_face"``) or scheme.
        visible: ``(N, K)``, nonzero for annotated keypoints; ``None`` = all.
        norm: optional ``(N,)`` per-image normalisers in pixels (required for
            AFLW: the face box size); overrides the scheme's keypoint pair.
        strict_norm: leave out images whose normalisation keypoints are not
            both visible (see the module docstring).

    Returns:
        ``(N, K)`` float32 distances divided by the normaliser, ``-1`` where a
        keypoint is invisible or its image is left out. A ground-truth keypoint
        with a NaN or infinite coordinate counts as invisible, and an image
        whose normaliser is NaN or infinite is left out (as one whose
        normaliser is 0), so damaged annotations never make the metric NaN; a
        NaN *prediction* of a visible keypoint does, on purpose.
    """
    scheme = get_scheme(scheme)
    pred = np.asarray(pred)
    gt = np.asarray(gt)
    if pred.ndim != 3 or pred.shape[-1] != 2 or pred.shape != gt.shape:
        raise ValueError(
            f"pred and gt must both have shape (N, K, 2); got {pred.shape} and {gt.shape}"
        )
    n, k, _ = gt.shape
    if k != scheme.num_keypoints:
        raise ValueError(f"scheme {scheme.name!r} has {scheme.num_keypoints} keypoints, got K={k}")
    if visible is None:
        mask = np.ones((n, k), bool)
    else:
        mask = np.asarray(visible).astype(bool)
        if mask.shape != (n, k):
            raise ValueError(f"visible must have shape ({n}, {k}), got {mask.shape}")
    mask = mask & np.isfinite(gt).all(axis=-1)  # NaN/inf annotation: unlabelled
    norm, keep = _normalisers(gt, scheme, mask, norm, strict_norm)
    mask = mask & keep[:, None] & ((norm != 0) & np.isfinite(norm))[:, None]
    norm = np.where(norm <= 0, 1e6, norm).astype(norm.dtype)
    distances = np.full((n, k), -1, dtype=np.float32)
    distances[mask] = np.linalg.norm(((pred - gt) / norm[:, None, None])[mask], axis=-1)
    return distances


def nme(pred, gt, *, scheme, visible=None, norm=None, strict_norm=False):
    """MMPose's NME: the mean normalised distance over all visible keypoints.

    Arguments as :func:`keypoint_distances`. Returns a Python float fraction
    (MMPose's ``NME``; papers print it times 100).
    """
    d = keypoint_distances(
        pred, gt, scheme=scheme, visible=visible, norm=norm, strict_norm=strict_norm
    )
    d = d.T  # MMPose sums keypoint-major; keeps float32 rounding identical
    valid = d[d != -1]
    return float(valid.sum() / max(1, len(valid)))


def per_image_nme(pred, gt, *, scheme, visible=None, norm=None, strict_norm=False):
    """Per-image NMEs, the errors that FR, AUC and CED are computed from.

    Arguments as :func:`keypoint_distances`. Returns ``(N,)`` float64: each
    image's mean normalised distance over its visible keypoints, NaN for an
    image with none (or left out for its normaliser).
    """
    d = keypoint_distances(
        pred, gt, scheme=scheme, visible=visible, norm=norm, strict_norm=strict_norm
    ).astype(np.float64)
    valid = d != -1
    count = valid.sum(axis=1)
    total = np.where(valid, d, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


@keras.saving.register_keras_serializable(package="keras_facelm")
class NME(keras.metrics.Metric):
    """Stateful NME with MMPose's normalisation and global mean, in backend ops.

    ``update_state(y_true, y_pred, sample_weight=None, norm=None)``:

    * ``y_true``, ``y_pred``: ``(N, K, 2)`` keypoints in pixels (ground truth,
      prediction).
    * ``sample_weight``: the keypoint visibility ``(N, K)``; nonzero counts as
      visible (MMPose's ``keypoints_visible.astype(bool)``). ``None``: all.
    * ``norm``: optional ``(N,)`` per-image normalisers in pixels; required for
      ``scheme="aflw"`` (face box size).

    ``result()`` is the sum of normalised distances of all visible keypoints
    seen so far divided by their count (a fraction), equal to :func:`nme` over
    the concatenated batches.

    In ``model.compile``, pass it as ``weighted_metrics=[NME(...)]`` so that
    the ``sample_weight`` given to ``fit``/``evaluate`` (the ``(N, K)``
    visibility or target weights) reaches it; Keras gives plain ``metrics=``
    no sample weights. Units cancel in the ratio, so a regression model's
    normalised ``[0, 1]`` coordinates give the same NME as pixels (an explicit
    ``norm`` must then be in the same units).

    Args:
        scheme: keypoint scheme name (see :func:`keypoint_distances`).
        strict_norm: leave out images whose normalisation keypoints are not
            both visible (corrects MMPose's COCO-WholeBody-Face quirk).
        name, dtype: as :class:`keras.metrics.Metric`.
    """

    def __init__(self, scheme, strict_norm=False, name="nme", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._scheme = get_scheme(scheme)
        self.scheme = self._scheme.name
        self.strict_norm = bool(strict_norm)
        self.total = self.add_variable((), initializer="zeros", name="total")
        self.count = self.add_variable((), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None, norm=None):
        gt = ops.convert_to_tensor(y_true, dtype=self.dtype)
        pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        if len(gt.shape) != 3 or gt.shape[-1] != 2:
            raise ValueError(f"NME: y_true must have shape (N, K, 2), got {gt.shape}")
        if gt.shape[1] is not None and gt.shape[1] != self._scheme.num_keypoints:
            raise ValueError(
                f"NME: scheme {self.scheme!r} has {self._scheme.num_keypoints} "
                f"keypoints, got K={gt.shape[1]}"
            )
        if sample_weight is None:
            visible = ops.ones_like(gt[..., 0], dtype="bool")
        else:
            visible = ops.not_equal(ops.convert_to_tensor(sample_weight), 0)
        # A NaN/inf ground-truth keypoint counts as unlabelled (as in nme()).
        visible = ops.logical_and(visible, ops.all(ops.isfinite(gt), axis=-1))
        keep = None
        if norm is not None:
            norm = ops.reshape(ops.convert_to_tensor(norm, dtype=self.dtype), (-1,))
        elif self._scheme.norm_indices is None:
            raise ValueError(
                f"NME: scheme {self.scheme!r} normalises by the face box size; pass "
                "norm=(N,) to update_state"
            )
        else:
            i1, i2 = self._scheme.norm_indices
            norm = ops.sqrt(ops.sum(ops.square(gt[:, i1] - gt[:, i2]), axis=-1))
            if self.strict_norm:
                keep = ops.logical_and(visible[:, i1], visible[:, i2])
        ok = ops.logical_and(ops.not_equal(norm, 0), ops.isfinite(norm))
        if keep is not None:
            ok = ops.logical_and(ok, keep)
        norm = ops.where(norm <= 0, 1e6, norm)
        dist = ops.sqrt(ops.sum(ops.square((pred - gt) / norm[:, None, None]), axis=-1))
        mask = ops.logical_and(visible, ok[:, None])
        self.total.assign_add(ops.sum(ops.where(mask, dist, 0.0)))
        self.count.assign_add(ops.cast(ops.sum(ops.cast(mask, "int32")), self.dtype))

    def result(self):
        return self.total / ops.maximum(self.count, 1.0)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)

    def get_config(self):
        return {
            "scheme": self.scheme,
            "strict_norm": self.strict_norm,
            "name": self.name,
            "dtype": self.dtype,
        }
