"""Landmarks of faces in whole images with a Keras detector: :func:`predict_faces`.

The crops, the batching across faces and the mapping back to image pixels are
:mod:`keras_facelm.inference.topdown`'s; this module only plugs a task model
(as a :class:`~keras_facelm.inference.predictor.CropPredictor`) into it. With a
face detector instead of given boxes, use
:class:`~keras_facelm.inference.FaceLandmarker`.
"""

from __future__ import annotations

import numpy as np

from keras_facelm.data.transforms import load_image
from keras_facelm.inference.predictor import CropPredictor
from keras_facelm.inference.topdown import DEFAULT_PADDING, predict_in_images

__all__ = ["predict_faces"]


def predict_faces(model, images, boxes, *, flip_test=None, batch_size=32, padding=DEFAULT_PADDING):
    """Keypoints in image pixels of the faces in ``boxes``.

    Args:
        model: a detector (:class:`~keras_facelm.models.LandmarkTask`).
        images: one image or a list: RGB arrays (uint8, or grayscale/RGBA/16-bit
            as :func:`~keras_facelm.data.transforms.to_rgb_uint8` reads them),
            file paths or encoded bytes.
        boxes: for one image an ``(F, 4)`` array of ``(x1, y1, x2, y2)`` pixels
            (tight face boxes; padded by ``padding`` as MMPose does); for a list
            of images, one such array per image.
        flip_test: ``None`` for the model's ``test_cfg``, else a bool.
        batch_size: crops per forward pass (all faces of all images together).

    Returns:
        For one image a dict, for a list a list of dicts: ``boxes`` ``(F, 4)``,
        ``keypoints`` float32 ``(F, K, 2)`` image pixels, ``scores`` ``(F, K)``.
    """
    single = not isinstance(images, (list, tuple))
    if single:
        images, boxes = [images], [boxes]
    rgb = [load_image(im, name=f"image {i}") for i, im in enumerate(images)]
    predictor = CropPredictor(model, flip_test=flip_test, batch_size=batch_size)
    results = predict_in_images(
        predictor.predict,
        predictor.input_size,
        rgb,
        [np.asarray(b) for b in boxes],
        padding=padding,
        batch_size=batch_size,
    )
    return results[0] if single else results
