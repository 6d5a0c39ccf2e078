"""MobileNetV2 backbone: MMPose parity on seeded weights, channel rounding, config."""

from __future__ import annotations

import pytest

from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone, make_divisible
from tests.parity.backbone_fixtures import check_backbone_parity


def test_matches_mmpose_tiny():
    check_backbone_parity("mobilenetv2_tiny", MobileNetV2Backbone)


@pytest.mark.slow
def test_matches_mmpose_full():
    check_backbone_parity("mobilenetv2_full", MobileNetV2Backbone)


@pytest.mark.parametrize(
    "value, expected",
    # MMPose make_divisible(c * widen, 8): 0.25 → 8, 8, 8, 8, 16, 24, 40, 80; 0.1 → 8;
    # 1.0 keeps 24; 0.35 * 96 = 33.6 rounds to 32 (>= 0.9 * 33.6); 0.3 * 24 = 7.2 → 8.
    [
        (32 * 0.25, 8),
        (16 * 0.25, 8),
        (24 * 0.25, 8),
        (96 * 0.25, 24),
        (160 * 0.25, 40),
        (320 * 0.1, 32),
        (24, 24),
        (96 * 0.35, 32),
        (24 * 0.3, 8),
        (100 * 0.5, 48),
    ],
)
def test_make_divisible_matches_mmpose(value, expected):
    assert make_divisible(value, 8) == expected


def test_output_width_and_config():
    model = MobileNetV2Backbone(widen_factor=0.1)
    assert model.outputs[0].shape[-1] == 1280  # MMPose keeps 1280 for widen_factor <= 1
    config = model.get_config()
    assert config["widen_factor"] == 0.1
    assert MobileNetV2Backbone.from_config(config).get_config() == config


def test_rejects_non_positive_width():
    with pytest.raises(ValueError, match="widen_factor"):
        MobileNetV2Backbone(widen_factor=0)
