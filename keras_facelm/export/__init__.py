"""Export detectors to LiteRT (TFLite), ONNX and TensorFlow SavedModel.

``keras_facelm.export.export(model, path, format=...)`` writes the file and its
``<path>.json`` sidecar; :class:`keras_facelm.inference.ExportedLandmarker`
runs the result without Keras. Submodules import Keras/TensorFlow only when an
export runs, so the Keras-free runtime can read the sidecar helpers.
"""

import importlib

__all__ = ["FORMATS", "QUANTIZATIONS", "export"]

_LAZY = {
    "export": "keras_facelm.export.api",
    "FORMATS": "keras_facelm.export.options",
    "QUANTIZATIONS": "keras_facelm.export.options",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
