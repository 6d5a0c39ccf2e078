"""keras_facelm: 2D face landmark detection for Keras 3 (TensorFlow, JAX, PyTorch).

Public sub-packages (imported on first access, so ``import keras_facelm`` stays
light and TensorFlow stays optional):

* ``keras_facelm.models``: detector task models, presets, ``from_preset``.
* ``keras_facelm.layers``: decoding (argmax + quarter offset, DARK), flip test.
* ``keras_facelm.codecs``: target encoders (MSRA heatmaps, regression labels).
* ``keras_facelm.losses`` / ``keras_facelm.metrics``: training losses, NME, FR, AUC, CED.
* ``keras_facelm.data``: keypoint schemes, transforms, readers, synthetic faces.
* ``keras_facelm.checkpoints``: the safe MMPose checkpoint reader and porter.
* ``keras_facelm.evaluation``: ``evaluate(model, records)``, MMPose's test loop and NME.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "backbones",
    "checkpoints",
    "codecs",
    "data",
    "evaluation",
    "heads",
    "inference",
    "layers",
    "losses",
    "metrics",
    "models",
    "utils",
)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
