"""SCNet50 (heatmap): MMPose parity, parameters, saving, training, presets."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.backbones.scnet import SCNetBackbone
from keras_facelm.models import SCNet50, get_preset
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

PRESET = "scnet50_coco_wholebody_face"


def tiny_from_fixture(preset):
    record = load_model_fixture(preset)[0]
    bb, head = record["model"]["backbone"], record["model"]["head"]
    backbone = SCNetBackbone(depth=bb["depth"], base_channels=bb["base_channels"],
                             stem_channels=bb["stem_channels"])
    return build_preset_model(
        preset, backbone=backbone,
        head=dict(deconv_out_channels=tuple(head["deconv_out_channels"]),
                  deconv_kernel_sizes=(4,) * len(head["deconv_out_channels"])),
    )


def test_matches_mmpose_v1_and_v0_checkpoints():
    check_preset_parity(tiny_from_fixture(PRESET), PRESET)


def test_full_model_trainable_parameters_equal_mmpose():
    model = SCNet50(68)
    assert trainable_count(model) == 34_020_356  # MMPose 1.3.2, MMPOSE_SPEC.md §8.6
    assert model.output_shape == (None, 64, 64, 68)


def test_keras_round_trip_and_one_fit_step(tmp_path):
    # Reduced width and two of the four stages (MMPose's num_stages), 64x64 input.
    backbone = SCNetBackbone(base_channels=2, stem_channels=4, num_stages=2)
    model = SCNet50(68, backbone=backbone, image_size=(64, 64),
                    head=dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,)))
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    check_keras_round_trip(model, tmp_path, images)
    targets = rng.uniform(0, 1, (2, 16, 16, 68)).astype("float32")
    check_one_fit_step(model, images, targets, "head-final_layer")


def test_preset_registry_and_scoped_names():
    spec = get_preset(PRESET)
    assert spec.class_name == "SCNet50" and spec.sha256_prefix == "a0183f5f"
    assert spec.checkpoint_url.endswith("scnet50_coco_wholebody_face_256x256-a0183f5f_20210909.pth")
    assert spec.published_nme == {"val": 0.0567}
    assert spec.mmpose_config.endswith("td-hm_scnet50_8xb32-60e_coco-wholebody-face-256x256.py")
    with pytest.raises(ValueError, match="SCNet50 short names: coco_wholebody_face"):
        SCNet50.from_preset("wflw")


@pytest.mark.slow
@pytest.mark.mmpose
def test_full_width_matches_mmpose(tmp_path, monkeypatch):
    """Regenerates the full-width fixture with MMPose, then checks the preset's full model."""
    regenerate_fixture(PRESET, "full", tmp_path)
    monkeypatch.setattr(mmpose_parity, "MODEL_FIXTURES", tmp_path)
    check_preset_parity(build_preset_model(PRESET), PRESET, variant="full")
