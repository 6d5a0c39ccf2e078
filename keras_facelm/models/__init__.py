"""Detector task models, the preset registry and ``from_preset``.

``keras_facelm.models.from_preset(name_or_dir)`` returns the right detector class;
``keras_facelm.models.HRNetV2W18.from_preset("wflw")`` is the class-scoped form.
"""

from keras_facelm.models.detector import HeatmapLandmarkDetector
from keras_facelm.models.hrnet import HRNetV2W18
from keras_facelm.models.presets import PRESETS, Preset, get_preset, list_presets
from keras_facelm.models.task import LandmarkTask

#: Detector classes by name, as referenced by :class:`Preset.class_name`.
DETECTOR_CLASSES = {
    "HRNetV2W18": HRNetV2W18,
}

__all__ = [
    "DETECTOR_CLASSES",
    "HRNetV2W18",
    "HeatmapLandmarkDetector",
    "LandmarkTask",
    "PRESETS",
    "Preset",
    "from_preset",
    "get_preset",
    "list_presets",
]


def from_preset(preset, *, checkpoint=None, **overrides):
    """Loads any preset (registry name or preset directory) as its detector class."""
    return LandmarkTask.from_preset(preset, checkpoint=checkpoint, **overrides)
