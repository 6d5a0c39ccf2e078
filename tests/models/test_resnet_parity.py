"""ResNet50 (SimpleBaseline heatmap): MMPose parity, parameters, saving, training, presets."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.models import ResNet50, from_preset, get_preset, list_presets
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

PRESET = "res50_coco_wholebody_face"


def tiny_from_fixture(preset):
    record = load_model_fixture(preset)[0]
    bb, head = record["model"]["backbone"], record["model"]["head"]
    backbone = ResNetBackbone(depth=bb["depth"], base_channels=bb["base_channels"],
                              stem_channels=bb["stem_channels"])
    return build_preset_model(
        preset, backbone=backbone,
        head=dict(deconv_out_channels=tuple(head["deconv_out_channels"]),
                  deconv_kernel_sizes=(4,) * len(head["deconv_out_channels"])),
    )


def test_matches_mmpose_v1_and_v0_checkpoints():
    check_preset_parity(tiny_from_fixture(PRESET), PRESET)


def test_full_model_trainable_parameters_equal_mmpose():
    model = ResNet50(68)
    assert trainable_count(model) == 34_012_804  # MMPose 1.3.2, MMPOSE_SPEC.md §8.6
    assert model.output_shape == (None, 64, 64, 68)


def _small():
    backbone = ResNetBackbone(depth=18, base_channels=2, stem_channels=4)
    return ResNet50(68, backbone=backbone, image_size=(64, 64),
                    head=dict(deconv_out_channels=(4, 4, 4), deconv_kernel_sizes=(4, 4, 4)))


def test_keras_round_trip_and_one_fit_step(tmp_path):
    model = _small()
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    check_keras_round_trip(model, tmp_path, images)
    targets = rng.uniform(0, 1, (2, 16, 16, 68)).astype("float32")
    check_one_fit_step(model, images, targets, "head-final_layer")


def test_preset_registry_and_scoped_names():
    spec = get_preset(PRESET)
    assert spec.class_name == "ResNet50" and spec.sha256_prefix == "5128edf5"
    assert spec.checkpoint_url.endswith("res50_coco_wholebody_face_256x256-5128edf5_20210909.pth")
    assert spec.published_nme == {"val": 0.0582} and spec.nme_unit == "fraction"
    assert PRESET in list_presets(with_weights=True, class_name="ResNet50")
    with pytest.raises(ValueError, match="res50_coco_wholebody_face"):
        from_preset("res50_no_such_preset")


def test_star_recipe_is_trainable_only_and_explains_itself():
    assert "res50_starloss_wflw" in list_presets(with_weights=False)
    assert "res50_starloss_wflw" not in list_presets(with_weights=True)
    spec = get_preset("res50_starloss_wflw")
    assert spec.checkpoint_url is None and spec.train_loss == "STARLoss"
    with pytest.raises(ValueError, match="no checkpoint.*STARLoss.*save_to_preset"):
        ResNet50.from_preset("starloss_wflw")


@pytest.mark.slow
@pytest.mark.mmpose
def test_full_width_matches_mmpose(tmp_path, monkeypatch):
    """Regenerates the full-width fixture with MMPose, then checks the preset's full model."""
    regenerate_fixture(PRESET, "full", tmp_path)
    monkeypatch.setattr(mmpose_parity, "MODEL_FIXTURES", tmp_path)
    check_preset_parity(build_preset_model(PRESET), PRESET, variant="full")
