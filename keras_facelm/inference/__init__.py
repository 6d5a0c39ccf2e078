"""Inference: whole images in, landmarks in image pixels out.

* :mod:`~keras_facelm.inference.topdown`: the one crop path (face box → crop →
  model → image pixels), numpy and OpenCV only, shared by every runtime.
* :func:`~keras_facelm.inference.predict.predict_faces`: a Keras detector on
  whole images and face boxes.
* :mod:`~keras_facelm.inference.drawing`: landmark overlays.

Importing this package loads no deep-learning framework.
"""

from keras_facelm.inference.drawing import IBUG68_CONTOURS, draw_landmarks
from keras_facelm.inference.predict import predict_faces
from keras_facelm.inference.topdown import (
    boxes_to_center_scale,
    crop_faces,
    crops_to_image,
    predict_in_images,
)

__all__ = [
    "IBUG68_CONTOURS",
    "boxes_to_center_scale",
    "crop_faces",
    "crops_to_image",
    "draw_landmarks",
    "predict_faces",
    "predict_in_images",
]
