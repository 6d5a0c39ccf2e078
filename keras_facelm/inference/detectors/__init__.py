"""Face detectors that work offline: image → tight face boxes for the landmark crop.

``get_face_detector(spec)`` resolves what :class:`~keras_facelm.inference.FaceLandmarker`
accepts as ``detector=``:

* ``"default"`` — :data:`DEFAULT_DETECTOR` (chosen from the measured recall
  and speed in ``benchmarks/RESULTS.md``);
* ``"blazeface_full_range"``, ``"blazeface_short_range"`` — MediaPipe's
  BlazeFace models, bundled (:mod:`.blazeface`);
* ``"haar"`` — OpenCV's frontal-face Haar cascade (needs an OpenCV build with
  ``CascadeClassifier``, :mod:`.haar`);
* a :class:`FaceDetector`;
* any callable ``f(rgb_uint8_image) -> boxes`` or ``-> (boxes, scores)`` with
  ``boxes`` ``(F, 4)`` ``(x1, y1, x2, y2)`` pixels, taken as tight face boxes
  unless an ``adapter`` is given to :class:`CallableDetector`.

Every detector returns boxes already adapted (:mod:`.adapters`) to the tight
face box that :func:`keras_facelm.inference.topdown.boxes_to_center_scale`
pads by 1.25. Numpy, OpenCV and ``ai_edge_litert`` only: no Keras.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from keras_facelm.inference.detectors.adapters import ADAPTERS, BoxAdapter, landmark_box
from keras_facelm.inference.detectors.blazeface import BlazeFaceDetector, Detections
from keras_facelm.inference.detectors.haar import HaarCascadeDetector

__all__ = [
    "DEFAULT_DETECTOR",
    "DETECTORS",
    "BoxAdapter",
    "CallableDetector",
    "Detections",
    "FaceDetector",
    "get_face_detector",
    "landmark_box",
]


class FaceDetector:
    """A raw detector (``.detect(image) -> Detections``) and its box adapter.

    Args:
        raw: :class:`~.blazeface.BlazeFaceDetector`, :class:`~.haar.HaarCascadeDetector`
            or anything with the same ``detect``.
        adapter: :class:`~.adapters.BoxAdapter`, or ``None`` to keep the raw boxes.
        name: for messages and JSON records.
    """

    def __init__(self, raw, adapter: BoxAdapter | None, name: str):
        self.raw, self.adapter, self.name = raw, adapter, name

    def __call__(self, image) -> Detections:
        """Faces in an RGB uint8 ``(H, W, 3)`` image: adapted boxes (pixels),
        scores, and the detector's keypoints (or ``None``)."""
        found = self.raw.detect(image)
        boxes = found.boxes if self.adapter is None else self.adapter(found.boxes)
        return Detections(
            np.asarray(boxes, np.float32).reshape(-1, 4), found.scores, found.keypoints
        )

    def __repr__(self):
        return f"FaceDetector({self.name!r}, adapter={self.adapter})"


class CallableDetector:
    """Wraps a user function ``f(image) -> boxes`` or ``-> (boxes, scores)``.

    ``boxes`` is ``(F, 4)`` ``(x1, y1, x2, y2)`` pixels; without scores every
    face scores 1.0. Used as the ``raw`` of a :class:`FaceDetector`.
    """

    def __init__(self, fn: Callable):
        self.fn = fn

    def detect(self, image) -> Detections:
        out = self.fn(image)
        boxes, scores = out if isinstance(out, tuple) else (out, None)
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        scores = (
            np.ones(len(boxes), np.float32)
            if scores is None
            else np.asarray(scores, np.float32).reshape(-1)
        )
        if len(scores) != len(boxes):
            raise ValueError(
                f"detector callable returned {len(boxes)} boxes but {len(scores)} scores"
            )
        return Detections(boxes, scores)


#: Built-in detectors: name → factory of the raw detector.
DETECTORS: dict[str, Callable] = {
    # Images over 960 px are also searched in 640 px tiles (small faces).
    "blazeface_full_range": lambda: BlazeFaceDetector("full_range", tile_size=640),
    "blazeface_short_range": lambda: BlazeFaceDetector("short_range"),
    "haar": lambda: HaarCascadeDetector("frontalface_default"),
}

#: What ``detector="default"`` means.
DEFAULT_DETECTOR = "blazeface_full_range"


def get_face_detector(spec="default") -> FaceDetector:
    """Resolves a detector spec (see the module docstring) to a :class:`FaceDetector`.

    Raises:
        ValueError: an unknown name, or a spec that is neither a name nor callable.
    """
    if isinstance(spec, FaceDetector):
        return spec
    if isinstance(spec, str):
        name = DEFAULT_DETECTOR if spec == "default" else spec
        if name not in DETECTORS:
            raise ValueError(
                f"unknown face detector {spec!r}; expected 'default', one of "
                f"{sorted(DETECTORS)}, or a callable image -> boxes"
            )
        return FaceDetector(DETECTORS[name](), ADAPTERS.get(name), name)
    if callable(spec):
        return FaceDetector(CallableDetector(spec), None, getattr(spec, "__name__", "callable"))
    raise ValueError(
        f"detector must be a name, a FaceDetector or a callable, got {type(spec).__name__}"
    )
