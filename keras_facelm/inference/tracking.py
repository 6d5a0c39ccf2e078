"""Face tracking across video frames by box IoU, with stable ids and one
One-Euro filter per face (numpy only).

Each frame, every live track predicts its box with constant velocity (the last
box moved by its smoothed per-frame motion), and the frame's face boxes are
matched to the predictions greedily by IoU (highest first, IoU at least
``iou_threshold``). A matched face keeps the track's id; an unmatched face
starts a new track with the next id; a track unmatched for more than
``max_missed`` frames ends. Predicting the motion keeps ids right when two
faces cross: each face's box is matched to where its own track was heading.

Each track owns a :class:`~keras_facelm.inference.smoothing.OneEuroFilter`
for its keypoints, so smoothing one face never mixes in another.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from keras_facelm.inference.boxes import box_iou
from keras_facelm.inference.smoothing import OneEuroFilter, OneEuroParams

__all__ = ["FaceTracker", "Track"]


@dataclasses.dataclass
class Track:
    """One tracked face.

    Attributes:
        id: stable integer id, from 0 in order of appearance.
        box: float64 ``(4,)`` last matched box, pixels.
        velocity: float64 ``(4,)`` smoothed box motion per frame, pixels.
        frame: index of the last matched frame.
        filter: the track's keypoint filter (``None`` without smoothing).
    """

    id: int
    box: np.ndarray
    velocity: np.ndarray
    frame: int
    filter: OneEuroFilter | None

    def predicted_box(self, frame: int) -> np.ndarray:
        return self.box + self.velocity * (frame - self.frame)


class FaceTracker:
    """Assigns stable ids to face boxes frame by frame and smooths keypoints.

    Args:
        iou_threshold: least IoU between a face box and a track's predicted
            box to continue the track.
        max_missed: frames a track survives without a matching face.
        smoothing: :class:`OneEuroParams` for the per-face keypoint filters, or
            ``None`` for no smoothing.
        velocity_momentum: weight of the previous velocity when updating it
            (0: last motion only).
    """

    def __init__(
        self,
        *,
        iou_threshold: float = 0.3,
        max_missed: int = 10,
        smoothing: OneEuroParams | None = OneEuroParams(),  # noqa: B008
        velocity_momentum: float = 0.5,
    ):
        self.iou_threshold = float(iou_threshold)
        self.max_missed = int(max_missed)
        self.smoothing = smoothing
        self.velocity_momentum = float(velocity_momentum)
        self.tracks: dict[int, Track] = {}
        self._next_id = 0

    def update(self, boxes, frame: int) -> np.ndarray:
        """Matches one frame's face boxes to tracks.

        Args:
            boxes: ``(F, 4)`` ``(x1, y1, x2, y2)`` pixels.
            frame: frame index, increasing.

        Returns:
            int ``(F,)`` track ids, in the order of ``boxes``.
        """
        boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
        live = list(self.tracks.values())
        ids = np.full(len(boxes), -1, int)
        if live and len(boxes):
            predicted = np.array([t.predicted_box(frame) for t in live])
            iou = box_iou(boxes, predicted)
            for flat in np.argsort(-iou, axis=None, kind="stable"):
                f, k = np.unravel_index(flat, iou.shape)
                if iou[f, k] < self.iou_threshold:
                    break
                if ids[f] < 0 and live[k].id not in ids:
                    ids[f] = live[k].id
        m = self.velocity_momentum
        for f, box in enumerate(boxes):
            if ids[f] >= 0:
                track = self.tracks[ids[f]]
                step = (box - track.box) / (frame - track.frame)
                track.velocity = m * track.velocity + (1 - m) * step
                track.box, track.frame = box, frame
            else:
                ids[f] = self._next_id
                self.tracks[ids[f]] = Track(
                    self._next_id,
                    box,
                    np.zeros(4),
                    frame,
                    None if self.smoothing is None else OneEuroFilter(self.smoothing),
                )
                self._next_id += 1
        for tid in [t.id for t in live if frame - t.frame > self.max_missed]:
            del self.tracks[tid]
        return ids

    def smooth(self, track_id: int, keypoints, t: float) -> np.ndarray:
        """The track's filtered keypoints at time ``t`` (seconds); the face
        size ``sqrt(w * h)`` of the track's last box sets the speed unit.
        Returns ``keypoints`` unchanged without smoothing."""
        track = self.tracks[int(track_id)]
        if track.filter is None:
            return np.asarray(keypoints, np.float64)
        w, h = track.box[2:] - track.box[:2]
        return track.filter(keypoints, t, scale=float(np.sqrt(max(w * h, 1e-9))))
