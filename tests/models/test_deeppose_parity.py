"""DeepPoseResNet50 (regression): MMPose parity, decoding, saving, training, presets."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.heads.regression import RegressionDecoder
from keras_facelm.models import DeepPoseResNet50, get_preset, list_presets
from keras_facelm.models.preset_loader import build_preset_model
from tests.models import mmpose_parity
from tests.models.mmpose_parity import (
    check_preset_parity,
    load_model_fixture,
    regenerate_fixture,
)
from tests.models.task_checks import (
    check_keras_round_trip,
    check_one_fit_step,
    trainable_count,
)

PRESET = "deeppose_res50_wingloss_wflw"


def tiny_from_fixture(preset):
    record = load_model_fixture(preset)[0]
    bb = record["model"]["backbone"]
    backbone = ResNetBackbone(depth=bb["depth"], base_channels=bb["base_channels"],
                              stem_channels=bb["stem_channels"])
    return build_preset_model(preset, backbone=backbone)


def test_matches_mmpose_v1_and_v0_checkpoints():
    # Flip test here is MMPose's flip_coordinates with shift_coords.
    check_preset_parity(tiny_from_fixture(PRESET), PRESET)


def test_full_model_trainable_parameters_equal_mmpose():
    model = DeepPoseResNet50(98)
    assert trainable_count(model) == 23_909_636  # MMPose 1.3.2, MMPOSE_SPEC.md §8.6
    assert model.output_shape == (None, 98, 2)


def test_decoder_scales_by_input_size_with_unit_scores():
    coords = np.array([[[0.5, 0.25], [1.0, 0.0]]], "float32")
    out = RegressionDecoder(input_size=(256, 128))(coords)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out["keypoints"]),
                                  [[[128.0, 32.0], [256.0, 0.0]]])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out["scores"]), [[1.0, 1.0]])
    with pytest.raises(ValueError, match="width, height"):
        RegressionDecoder(input_size=(256,))


def test_keras_round_trip_and_one_fit_step(tmp_path):
    backbone = ResNetBackbone(depth=18, base_channels=2, stem_channels=4)
    model = DeepPoseResNet50(98, backbone=backbone, image_size=(64, 64))
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    check_keras_round_trip(model, tmp_path, images)
    targets = rng.uniform(0, 1, (2, 98, 2)).astype("float32")
    check_one_fit_step(model, images, targets, "head-fc")


def test_config_validation():
    backbone = ResNetBackbone(depth=18, base_channels=2, stem_channels=4)
    with pytest.raises(ValueError, match="98 keypoints"):
        DeepPoseResNet50(68, backbone=backbone)
    with pytest.raises(ValueError, match="shift_heatmap"):
        DeepPoseResNet50(98, backbone=backbone, test_cfg=dict(shift_heatmap=True))


def test_three_released_wflw_regression_rows():
    assert list_presets(class_name="DeepPoseResNet50") == [
        "deeppose_res50_softwingloss_wflw", "deeppose_res50_wflw", "deeppose_res50_wingloss_wflw",
    ]
    wing = get_preset(PRESET)
    assert wing.sha256_prefix == "f82a5e53" and wing.published_nme["test"] == 4.64
    assert wing.train_loss == "WingLoss" and wing.model_kwargs["test_cfg"]["shift_coords"]
    assert get_preset("deeppose_res50_wflw").sha256_prefix == "92d0ba7f"
    soft = get_preset("deeppose_res50_softwingloss_wflw")
    assert soft.sha256_prefix == "4d34f22a" and soft.published_nme == {"test": 4.44}
    with pytest.raises(ValueError, match="short names: softwingloss_wflw, wflw, wingloss_wflw"):
        DeepPoseResNet50.from_preset("awing")


@pytest.mark.slow
@pytest.mark.mmpose
def test_full_width_matches_mmpose(tmp_path, monkeypatch):
    """Regenerates the full-width fixture with MMPose, then checks the preset's full model."""
    regenerate_fixture(PRESET, "full", tmp_path)
    monkeypatch.setattr(mmpose_parity, "MODEL_FIXTURES", tmp_path)
    check_preset_parity(build_preset_model(PRESET), PRESET, variant="full")
