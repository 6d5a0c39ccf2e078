"""Detector task models, the preset registry and ``from_preset``.

``keras_facelm.models.from_preset(name_or_dir)`` returns the right detector class;
``keras_facelm.models.HRNetV2W18.from_preset("wflw")`` is the class-scoped form.
"""

from keras_facelm.models.deeppose import DeepPoseResNet50
from keras_facelm.models.detector import HeatmapLandmarkDetector
from keras_facelm.models.hourglass import Hourglass52
from keras_facelm.models.hrnet import HRNetV2W18
from keras_facelm.models.mobilenet_v2 import MobileNetV2
from keras_facelm.models.presets import PRESETS, Preset, get_preset, list_presets
from keras_facelm.models.regression_detector import RegressionLandmarkDetector
from keras_facelm.models.resnet import ResNet50
from keras_facelm.models.scnet import SCNet50
from keras_facelm.models.task import LandmarkTask

#: Detector classes by name, as referenced by :class:`Preset.class_name`.
DETECTOR_CLASSES = {
    "HRNetV2W18": HRNetV2W18,
    "ResNet50": ResNet50,
    "SCNet50": SCNet50,
    "MobileNetV2": MobileNetV2,
    "Hourglass52": Hourglass52,
    "DeepPoseResNet50": DeepPoseResNet50,
}

__all__ = [
    "DETECTOR_CLASSES",
    "DeepPoseResNet50",
    "HRNetV2W18",
    "Hourglass52",
    "HeatmapLandmarkDetector",
    "LandmarkTask",
    "MobileNetV2",
    "PRESETS",
    "Preset",
    "RegressionLandmarkDetector",
    "ResNet50",
    "SCNet50",
    "from_preset",
    "get_preset",
    "list_presets",
]


def from_preset(preset, *, checkpoint=None, **overrides):
    """Loads any preset (registry name or preset directory) as its detector class."""
    return LandmarkTask.from_preset(preset, checkpoint=checkpoint, **overrides)
