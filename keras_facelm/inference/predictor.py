"""The crop predictor interface that :class:`~keras_facelm.inference.FaceLandmarker` runs.

A *landmark predictor* is any object with

* ``input_size``: the model's crop ``(width, height)`` in pixels;
* ``scheme``: a keypoint scheme name (``"wflw"``, ``"300w"``, ...) or
  :class:`~keras_facelm.data.schemes.KeypointScheme`;
* ``predict(crops)``: RGB uint8 crops ``(B, height, width, 3)`` →
  ``{"keypoints": (B, K, 2) float32 crop pixels (x, y), "scores": (B, K) float32}``.

:class:`CropPredictor` adapts anything with ``predict_landmarks(crops)`` and
``image_size``: a Keras task model, or an exported ``.tflite`` / ``.onnx`` file
run by :class:`~keras_facelm.inference.exported.ExportedLandmarker`. This module
imports no Keras itself.
"""

from __future__ import annotations

import os
from typing import Protocol, runtime_checkable

__all__ = ["CropPredictor", "LandmarkPredictor", "as_predictor"]


@runtime_checkable
class LandmarkPredictor(Protocol):
    """Structural type of a crop predictor (see the module docstring)."""

    input_size: tuple[int, int]
    scheme: object

    def predict(self, crops) -> dict: ...


class CropPredictor:
    """A crop model as a :class:`LandmarkPredictor`.

    Args:
        model: anything with ``predict_landmarks(crops, flip_test=, batch_size=)``
            and ``image_size`` ``(height, width)``: a
            :class:`~keras_facelm.models.LandmarkTask` or an
            :class:`~keras_facelm.inference.exported.ExportedLandmarker`.
        flip_test: ``None`` for the model's ``test_cfg``, else a bool.
        batch_size: crops per forward pass.
    """

    def __init__(self, model, *, flip_test=None, batch_size: int = 32):
        self.model, self.flip_test, self.batch_size = model, flip_test, int(batch_size)
        height, width = model.image_size
        self.input_size = (int(width), int(height))
        self.scheme = model.scheme

    def predict(self, crops) -> dict:
        return self.model.predict_landmarks(
            crops, flip_test=self.flip_test, batch_size=self.batch_size
        )


def as_predictor(model, *, flip_test=None, batch_size: int = 32) -> LandmarkPredictor:
    """Resolves what ``FaceLandmarker(model)`` accepts to a :class:`LandmarkPredictor`.

    Args:
        model: a :class:`LandmarkPredictor`; a Keras task model (anything with
            ``predict_landmarks`` and ``image_size``); an exported ``.tflite`` or
            ``.onnx`` file (with its ``.json`` sidecar); or a preset name or
            preset directory (:func:`keras_facelm.models.from_preset`).
        flip_test, batch_size: see :class:`CropPredictor` (an exported file
            has its flip test baked in at export time).

    Raises:
        FileNotFoundError: a missing exported file.
        ValueError: an object that is none of the above.
    """
    if hasattr(model, "predict_landmarks") and hasattr(model, "image_size"):
        return CropPredictor(model, flip_test=flip_test, batch_size=batch_size)
    if isinstance(model, LandmarkPredictor):
        return model
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        suffix = os.path.splitext(path)[1].lower()
        if suffix in (".tflite", ".onnx"):
            from keras_facelm.inference.exported import ExportedLandmarker

            if not os.path.isfile(path):
                raise FileNotFoundError(f"model file {path!r} not found")
            return CropPredictor(ExportedLandmarker(path), batch_size=batch_size)
        from keras_facelm.models import from_preset

        return CropPredictor(from_preset(path), flip_test=flip_test, batch_size=batch_size)
    raise ValueError(
        "model must be a preset name or directory, an exported model file, a Keras "
        f"task model or a landmark predictor, got {type(model).__name__}"
    )
