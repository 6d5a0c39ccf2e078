"""The crop predictor interface that :class:`~keras_facelm.inference.FaceLandmarker` runs.

A *landmark predictor* is any object with

* ``input_size``: the model's crop ``(width, height)`` in pixels;
* ``scheme``: a keypoint scheme name (``"wflw"``, ``"300w"``, ...) or
  :class:`~keras_facelm.data.schemes.KeypointScheme`;
* ``predict(crops)``: RGB uint8 crops ``(B, height, width, 3)`` →
  ``{"keypoints": (B, K, 2) float32 crop pixels (x, y), "scores": (B, K) float32}``.

:class:`KerasPredictor` adapts a Keras task model; exported ``.tflite`` /
``.onnx`` runtimes plug in through :func:`register_file_predictor`. This
module imports no Keras itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = [
    "FILE_PREDICTORS",
    "KerasPredictor",
    "LandmarkPredictor",
    "as_predictor",
    "register_file_predictor",
]


@runtime_checkable
class LandmarkPredictor(Protocol):
    """Structural type of a crop predictor (see the module docstring)."""

    input_size: tuple[int, int]
    scheme: object

    def predict(self, crops) -> dict: ...


class KerasPredictor:
    """A Keras task model (``keras_facelm.models``) as a :class:`LandmarkPredictor`.

    Args:
        model: a :class:`~keras_facelm.models.LandmarkTask`.
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


#: Loaders of exported model files by suffix (``".tflite"``, ``".onnx"``): each maps
#: a path to a :class:`LandmarkPredictor`. Filled by the export runtime.
FILE_PREDICTORS: dict[str, Callable[[str], LandmarkPredictor]] = {}


def register_file_predictor(suffix: str, loader: Callable[[str], LandmarkPredictor]):
    """Makes ``FaceLandmarker("model<suffix>")`` load files with ``loader(path)``."""
    FILE_PREDICTORS[suffix.lower()] = loader


def as_predictor(model, *, flip_test=None, batch_size: int = 32) -> LandmarkPredictor:
    """Resolves what ``FaceLandmarker(model)`` accepts to a :class:`LandmarkPredictor`.

    Args:
        model: a :class:`LandmarkPredictor`; a Keras task model (anything with
            ``predict_landmarks`` and ``image_size``); an exported model file
            whose suffix is in :data:`FILE_PREDICTORS`; or a preset name or
            preset directory (:func:`keras_facelm.models.from_preset`).
        flip_test, batch_size: for Keras models (see :class:`KerasPredictor`).

    Raises:
        ValueError: an exported file type with no registered runtime, or an
            object that is none of the above.
    """
    if hasattr(model, "predict_landmarks") and hasattr(model, "image_size"):
        return KerasPredictor(model, flip_test=flip_test, batch_size=batch_size)
    if isinstance(model, LandmarkPredictor):
        return model
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        suffix = os.path.splitext(path)[1].lower()
        if suffix in (".tflite", ".onnx"):
            if suffix not in FILE_PREDICTORS:
                raise ValueError(
                    f"{path!r}: no runtime is registered for {suffix} model files "
                    "(keras_facelm.inference.predictor.register_file_predictor)"
                )
            if not os.path.isfile(path):
                raise FileNotFoundError(f"model file {path!r} not found")
            return FILE_PREDICTORS[suffix](path)
        from keras_facelm.models import from_preset

        return KerasPredictor(
            from_preset(path), flip_test=flip_test, batch_size=batch_size
        )
    raise ValueError(
        "model must be a preset name or directory, an exported model file, a Keras "
        f"task model or a landmark predictor, got {type(model).__name__}"
    )
