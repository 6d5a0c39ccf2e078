"""The mean-shape baseline of a training run, and the keypoint-count check of its data."""

from __future__ import annotations

import numpy as np

from keras_facelm.data import transforms as T
from keras_facelm.data.schemes import get_scheme

__all__ = ["MeanShapePredictor", "check_keypoint_count"]


def check_keypoint_count(records, num_keypoints, what):
    """Raises ValueError when the records' K differs from ``num_keypoints``."""
    if records:
        k = np.asarray(records[0]["keypoints"]).shape[0]
        if k != num_keypoints:
            raise ValueError(
                f"{what} has {k} keypoints per face, the recipe's model {num_keypoints}"
            )


class MeanShapePredictor:
    """A "model" that predicts the mean training shape for every face.

    The mean is taken in crop pixels of the val pipeline (box → padded square
    crop, rotation 0) over the visible training keypoints; evaluated with
    :func:`keras_facelm.evaluation.evaluate` it gives the mean-shape NME
    baseline.

    Args:
        records: training records.
        scheme: keypoint scheme name.
        image_size: ``(height, width)`` of the crops.
    """

    def __init__(self, records, scheme, image_size):
        from keras_facelm.data.pipeline import prepare_record

        self.scheme = scheme
        self.image_size = tuple(int(v) for v in image_size)
        h, w = self.image_size
        total = np.zeros((get_scheme(scheme).num_keypoints, 2))
        count = np.zeros((get_scheme(scheme).num_keypoints, 1))
        for i, rec in enumerate(records):
            p = prepare_record(rec, index=i, load=False)
            s = T.fix_aspect_ratio(p["bbox_scale"], w / h)
            crop = (p["keypoints"] - p["center"] + 0.5 * s) / s * (w, h)
            vis = (p["visible"] > 0)[:, None]
            total += np.where(vis, crop, 0.0)
            count += vis
        self.mean_shape = (total / np.maximum(count, 1)).astype(np.float32)

    def predict_landmarks(self, images, flip_test=None, batch_size=None):
        n = len(images)
        return {
            "keypoints": np.repeat(self.mean_shape[None], n, axis=0),
            "scores": np.ones((n, self.mean_shape.shape[0]), np.float32),
        }
