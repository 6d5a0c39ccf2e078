"""Hourglass-52 presets (registered by :mod:`keras_facelm.models.hourglass`)."""

from __future__ import annotations

from keras_facelm.models.simple_baseline_presets import wholebody_face_preset

__all__ = ["HOURGLASS52_HEATMAP_PRESETS"]

HOURGLASS52_HEATMAP_PRESETS = (
    wholebody_face_preset(
        "hourglass52_coco_wholebody_face",
        "hourglass52_8xb32-60e_coco-wholebody-face-256x256.py",
        "hourglass/hourglass52_coco_wholebody_face_256x256-6994cf2e_20210909.pth",
        0.0587,
    ),
)
