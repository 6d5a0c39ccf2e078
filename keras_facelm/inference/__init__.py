"""Inference: photos and videos in, face boxes and landmarks in image pixels out.

* :mod:`~keras_facelm.inference.topdown`: the one crop path (face box → crop →
  model → image pixels), numpy and OpenCV only, shared by every runtime.
* :func:`predict_faces`: a Keras detector on whole images and given face boxes.
* :class:`FaceLandmarker`: face detector + landmark model on any photo
  (:mod:`.landmarker`); :func:`read_image` reads what it accepts.
* :func:`get_face_detector`: the bundled offline face detectors
  (:mod:`.detectors`: BlazeFace, Haar, callables).
* :func:`landmark_video`: video/webcam with tracking and One-Euro smoothing
  (:mod:`.video`, :mod:`.tracking`, :mod:`.smoothing`).
* :class:`ExportedLandmarker`: exported ``.tflite``/``.onnx`` files run with
  LiteRT or ONNX Runtime, no Keras.
* :func:`draw_landmarks`, :func:`draw_faces`, :func:`write_image`: overlays.

Importing this package loads no deep-learning framework.
"""

from keras_facelm.inference.detectors import get_face_detector
from keras_facelm.inference.drawing import (
    IBUG68_CONTOURS,
    REGION_COLORS,
    draw_faces,
    draw_landmarks,
    write_image,
)
from keras_facelm.inference.exported import ExportedLandmarker
from keras_facelm.inference.landmarker import (
    Face,
    FaceLandmarker,
    ImageResult,
    read_image,
)
from keras_facelm.inference.predict import predict_faces
from keras_facelm.inference.smoothing import OneEuroParams
from keras_facelm.inference.topdown import (
    boxes_to_center_scale,
    crop_faces,
    crops_to_image,
    predict_in_images,
)
from keras_facelm.inference.video import VideoSummary, landmark_video

__all__ = [
    "IBUG68_CONTOURS",
    "REGION_COLORS",
    "ExportedLandmarker",
    "Face",
    "FaceLandmarker",
    "ImageResult",
    "OneEuroParams",
    "VideoSummary",
    "boxes_to_center_scale",
    "crop_faces",
    "crops_to_image",
    "draw_faces",
    "draw_landmarks",
    "get_face_detector",
    "landmark_video",
    "predict_faces",
    "predict_in_images",
    "read_image",
    "write_image",
]
