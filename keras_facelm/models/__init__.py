"""Detector task models and their presets.

Pixels → keypoints, one class per MMPose architecture (each module declares
its presets in ``<module>_presets.py`` beside it):

* :class:`HRNetV2W18` (HRNetV2-W18 + concat neck + heatmap head);
* :class:`ResNet50Heatmap`, :class:`SCNet50Heatmap`, :class:`MobileNetV2Heatmap`
  (SimpleBaseline deconvolution heads);
* :class:`Hourglass52Heatmap` (Hourglass + CPMHead);
* :class:`DeepPoseResNet50` (coordinate regression).

``keras_facelm.models.from_preset(name_or_dir)`` returns the right class;
``keras_facelm.models.HRNetV2W18.from_preset("wflw")`` is the class-scoped form.
The names ``ResNet50``, ``SCNet50``, ``MobileNetV2`` and ``Hourglass52`` are
kept as aliases of the heatmap detector classes (they are the same objects).
"""

from keras_facelm.models.deeppose import DeepPoseResNet50
from keras_facelm.models.heatmap_detector import HeatmapLandmarkDetector
from keras_facelm.models.hourglass import Hourglass52Heatmap
from keras_facelm.models.hrnet import HRNetV2W18
from keras_facelm.models.preset import Preset, get_preset, list_presets, preset_class
from keras_facelm.models.preset_io import build_preset_model
from keras_facelm.models.regression_detector import RegressionLandmarkDetector
from keras_facelm.models.simple_baseline import (
    MobileNetV2Heatmap,
    ResNet50Heatmap,
    SCNet50Heatmap,
    SimpleBaselineDetector,
)
from keras_facelm.models.task import LandmarkTask

#: Aliases: the heatmap detectors under their backbone names.
ResNet50 = ResNet50Heatmap
SCNet50 = SCNet50Heatmap
MobileNetV2 = MobileNetV2Heatmap
Hourglass52 = Hourglass52Heatmap

__all__ = [
    "DeepPoseResNet50",
    "HRNetV2W18",
    "HeatmapLandmarkDetector",
    "Hourglass52",
    "Hourglass52Heatmap",
    "LandmarkTask",
    "MobileNetV2",
    "MobileNetV2Heatmap",
    "Preset",
    "RegressionLandmarkDetector",
    "ResNet50",
    "ResNet50Heatmap",
    "SCNet50",
    "SCNet50Heatmap",
    "SimpleBaselineDetector",
    "build_preset_model",
    "from_preset",
    "get_preset",
    "list_presets",
    "preset_class",
]


def from_preset(preset, *, checkpoint=None, **overrides):
    """Loads any preset (registry name or preset directory) as its detector class."""
    return LandmarkTask.from_preset(preset, checkpoint=checkpoint, **overrides)
