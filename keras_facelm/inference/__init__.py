"""Inference: photos and videos in, face boxes and landmarks out.

* :class:`FaceLandmarker` — detector + landmark model on any photo
  (:mod:`.landmarker`); :func:`read_image` reads what it accepts.
* :func:`get_face_detector` — the bundled offline face detectors
  (:mod:`.detectors`: BlazeFace, Haar, callables).
* :func:`landmark_video` — video/webcam with tracking and One-Euro smoothing
  (:mod:`.video`, :mod:`.tracking`, :mod:`.smoothing`).
* :func:`draw_landmarks`, :func:`draw_faces`, :func:`write_image` — overlays.
"""

from keras_facelm.inference.detectors import get_face_detector
from keras_facelm.inference.drawing import (
    IBUG68_CONTOURS,
    REGION_COLORS,
    draw_faces,
    draw_landmarks,
    write_image,
)
from keras_facelm.inference.landmarker import (
    Face,
    FaceLandmarker,
    ImageResult,
    read_image,
)
from keras_facelm.inference.smoothing import OneEuroParams
from keras_facelm.inference.video import VideoSummary, landmark_video

__all__ = [
    "IBUG68_CONTOURS",
    "REGION_COLORS",
    "Face",
    "FaceLandmarker",
    "ImageResult",
    "OneEuroParams",
    "VideoSummary",
    "draw_faces",
    "draw_landmarks",
    "get_face_detector",
    "landmark_video",
    "read_image",
    "write_image",
]
