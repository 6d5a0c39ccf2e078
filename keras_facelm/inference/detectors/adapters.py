"""Box adapters: a face detector's box convention → the face box MMPose crops from.

MMPose's face models are trained on crops built from a tight face box
(``GetBBoxCenterScale``, padding 1.25). In 300W and WFLW, whose annotations
give ``center`` and ``scale`` (units of 200 px), that box is the square whose
side is the larger side of the landmark bounding box, centred on it: on
MMPose's own test faces (``tests/data/{300w,wflw}/test_*.json`` of MMPose)
``scale * 200`` equals the larger landmark extent to within 2 %.
:func:`landmark_box` computes it.

A detector's box is smaller or larger and sits higher or lower on the face.
A :class:`BoxAdapter` maps it to that landmark box with three numbers fitted on
annotated faces (``benchmarks/fit_box_adapters.py``): the centre shift
``(dx, dy)`` and the side ``scale``, all in units of the detector box's size
``s = sqrt(w * h)``. The picture ``docs/box_adapters.png`` shows detector box,
adapted box and model crop on a real photo.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["ADAPTERS", "BoxAdapter", "landmark_box"]


def landmark_box(keypoints) -> np.ndarray:
    """The 300W/WFLW annotation box of a face from its landmarks.

    Args:
        keypoints: ``(K, 2)`` image pixels (68- or 98-point schemes).

    Returns:
        float64 ``(4,)`` ``(x1, y1, x2, y2)``: the square of side
        ``max(x extent, y extent)`` centred on the landmark bounding box.
    """
    kp = np.asarray(keypoints, np.float64).reshape(-1, 2)
    lo, hi = kp.min(0), kp.max(0)
    center, half = (lo + hi) / 2, (hi - lo).max() / 2
    return np.concatenate([center - half, center + half])


@dataclasses.dataclass(frozen=True)
class BoxAdapter:
    """Maps detector boxes to square landmark boxes.

    With ``s = sqrt(w * h)`` of a detector box centred at ``(cx, cy)``, the
    adapted box is the square of side ``scale * s`` centred at
    ``(cx + dx * s, cy + dy * s)``.

    Attributes:
        dx, dy: centre shift in units of ``s`` (``dy > 0`` moves down).
        scale: side of the adapted square in units of ``s``.
    """

    dx: float
    dy: float
    scale: float

    def __call__(self, boxes) -> np.ndarray:
        """Adapts float ``(F, 4)`` ``(x1, y1, x2, y2)`` pixel boxes; returns float32 ``(F, 4)``."""
        b = np.asarray(boxes, np.float64).reshape(-1, 4)
        wh = b[:, 2:] - b[:, :2]
        s = np.sqrt(np.clip(wh[:, 0] * wh[:, 1], 0, None))[:, None]
        center = (b[:, :2] + b[:, 2:]) / 2 + np.array([self.dx, self.dy]) * s
        half = self.scale * s / 2
        return np.concatenate([center - half, center + half], axis=1).astype(np.float32)

    @classmethod
    def fit(cls, detector_boxes, target_boxes) -> BoxAdapter:
        """Fits the three numbers as medians over matched pairs (robust to a
        few bad matches).

        Args:
            detector_boxes, target_boxes: ``(N, 4)`` matched pairs, pixels;
                targets from :func:`landmark_box`.
        """
        d = np.asarray(detector_boxes, np.float64).reshape(-1, 4)
        t = np.asarray(target_boxes, np.float64).reshape(-1, 4)
        if len(d) == 0 or len(d) != len(t):
            raise ValueError(f"need matched, non-empty box pairs, got {len(d)} and {len(t)}")
        s = np.sqrt(np.prod(d[:, 2:] - d[:, :2], axis=1))
        shift = ((t[:, :2] + t[:, 2:]) - (d[:, :2] + d[:, 2:])) / 2 / s[:, None]
        side = np.sqrt(np.prod(t[:, 2:] - t[:, :2], axis=1)) / s
        return cls(*(round(float(v), 3) for v in (*np.median(shift, 0), np.median(side))))


#: Adapters per built-in detector, fitted by ``benchmarks/fit_box_adapters.py``
#: (faces, residuals and date in ``benchmarks/RESULTS.md``).
ADAPTERS: dict[str, BoxAdapter] = {
    # 12 of the 15 fit faces detected (with 640 px tiles); IoU with the landmark
    # box, median 0.69 raw -> 0.77 adapted (dlib's 43 held-out faces: 0.70 -> 0.77).
    "blazeface_full_range": BoxAdapter(dx=0.04, dy=0.11, scale=0.948),
    # 6 of 15 (a selfie model: large faces only); fit 0.81 -> 0.89.
    "blazeface_short_range": BoxAdapter(dx=0.002, dy=0.082, scale=0.952),
    # 9 of 15; fit 0.63 -> 0.82, dlib 0.61 -> 0.78.
    "haar": BoxAdapter(dx=0.022, dy=0.144, scale=0.903),
}
