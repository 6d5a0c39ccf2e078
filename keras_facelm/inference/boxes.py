"""Face-box geometry in numpy: IoU, plain and weighted non-maximum suppression.

Boxes are ``(x1, y1, x2, y2)`` in one coordinate frame (image pixels, or the
0-1 normalised frame of a detector's input), float arrays of shape ``(N, 4)``.
Shared by the face detectors (:mod:`keras_facelm.inference.detectors`), the
tracker (:mod:`keras_facelm.inference.tracking`) and the detection benchmark.
"""

from __future__ import annotations

import numpy as np

__all__ = ["box_iou", "nms", "weighted_nms"]


def box_iou(a, b) -> np.ndarray:
    """Intersection over union of every box in ``a`` with every box in ``b``.

    Args:
        a: ``(N, 4)`` boxes; b: ``(M, 4)`` boxes, same frame.

    Returns:
        float64 ``(N, M)`` in [0, 1]; 0 where a box has no area.
    """
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(hi - lo, 0, None), axis=-1)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0, None), axis=-1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=-1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def _clusters(boxes, scores, iou_threshold):
    """Greedy clusters in descending score: each is the best remaining box and
    every remaining box whose IoU with it exceeds ``iou_threshold``."""
    order = np.argsort(-np.asarray(scores, np.float64), kind="stable")
    iou = box_iou(boxes, boxes)
    remaining = list(order)
    while remaining:
        best = remaining[0]
        members = [i for i in remaining if i == best or iou[best, i] > iou_threshold]
        remaining = [i for i in remaining if i not in members]
        yield best, np.array(members)


def nms(boxes, scores, iou_threshold: float = 0.3) -> np.ndarray:
    """Plain non-maximum suppression.

    Args:
        boxes: ``(N, 4)``; scores: ``(N,)``.
        iou_threshold: a box whose IoU with a better-scoring kept box exceeds
            this is dropped.

    Returns:
        int ``(M,)`` indices of the kept boxes, best score first.
    """
    return np.array([best for best, _ in _clusters(boxes, scores, iou_threshold)], int)


def weighted_nms(boxes, scores, iou_threshold: float = 0.3, extra=None):
    """MediaPipe's weighted non-maximum suppression (``NonMaxSuppressionCalculator``
    with ``algorithm: WEIGHTED``, ``mediapipe/calculators/util/
    non_max_suppression_calculator.cc``).

    Each cluster (the best remaining box and the boxes overlapping it by more
    than ``iou_threshold``) becomes one box: the score-weighted mean of its
    members' coordinates, with the best member's score.

    Args:
        boxes: ``(N, 4)``; scores: ``(N,)``.
        iou_threshold: cluster membership threshold on IoU.
        extra: optional ``(N, ...)`` float array averaged with the same
            weights (e.g. the detector's keypoints).

    Returns:
        ``(boxes (M, 4), scores (M,), extra (M, ...) or None)``, best first.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    scores = np.asarray(scores, np.float64).reshape(-1)
    out_boxes, out_scores, out_extra = [], [], []
    for best, members in _clusters(boxes, scores, iou_threshold):
        w = scores[members] / scores[members].sum()
        out_boxes.append(w @ boxes[members])
        out_scores.append(scores[best])
        if extra is not None:
            out_extra.append(np.tensordot(w, np.asarray(extra)[members], axes=1))
    n = len(out_boxes)
    stacked_extra = None
    if extra is not None:
        tail = np.shape(extra)[1:]
        stacked_extra = np.array(out_extra).reshape((n, *tail))
    return (
        np.array(out_boxes).reshape(n, 4),
        np.array(out_scores).reshape(n),
        stacked_extra,
    )
