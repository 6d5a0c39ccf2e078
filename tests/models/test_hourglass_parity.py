"""Hourglass52 (CPMHead): MMPose parity, parameters, saving, training, presets."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.backbones.hourglass import HourglassBackbone
from keras_facelm.models import Hourglass52, get_preset
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

PRESET = "hourglass52_coco_wholebody_face"


def tiny_from_fixture(preset):
    record = load_model_fixture(preset)[0]
    bb = record["model"]["backbone"]
    backbone = HourglassBackbone(
        downsample_times=bb.get("downsample_times", 5), stage_channels=bb["stage_channels"],
        stage_blocks=bb["stage_blocks"], feat_channel=bb["feat_channel"],
    )
    return build_preset_model(preset, backbone=backbone)


def test_tiny_matches_mmpose_v1_and_v0_checkpoints():
    # MMPose's Hourglass stem is always 256 wide and inters.0 is a 256-wide block,
    # so even the tiny checkpoints are 17 MB each; they are committed (the
    # generator is deterministic: state_dict_sha256 in the JSON) and hold the
    # never-run inters.0, which strict loading needs.
    check_preset_parity(tiny_from_fixture(PRESET), PRESET)


def test_full_model_trainable_parameters_equal_mmpose():
    model = Hourglass52(68)
    assert trainable_count(model) == 94_860_996  # MMPose 1.3.2, incl. inters.0
    assert model.output_shape == (None, 64, 64, 68)


# inters.0 never runs, so it has no gradient (as in MMPose); Keras warns about it.
@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
def test_keras_round_trip_and_one_fit_step(tmp_path):
    backbone = HourglassBackbone(downsample_times=1, stage_channels=(256, 8),
                                 stage_blocks=(1, 1), feat_channel=8)
    model = Hourglass52(68, backbone=backbone, image_size=(32, 32))
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    check_keras_round_trip(model, tmp_path, images)
    targets = rng.uniform(0, 1, (2, 8, 8, 68)).astype("float32")
    check_one_fit_step(model, images, targets, "head-multi_final_layers-0")


def test_rejects_a_neck_or_head_override():
    with pytest.raises(ValueError, match="fixed CPMHead"):
        Hourglass52(68, head=dict(deconv_out_channels=(256,)))


def test_preset_registry():
    spec = get_preset(PRESET)
    assert spec.class_name == "Hourglass52" and spec.sha256_prefix == "6994cf2e"
    assert spec.checkpoint_url.endswith(
        "hourglass52_coco_wholebody_face_256x256-6994cf2e_20210909.pth")
    assert spec.published_nme == {"val": 0.0587}


@pytest.mark.slow
@pytest.mark.mmpose
def test_full_width_matches_mmpose(tmp_path, monkeypatch):
    """Regenerates the full-width fixture with MMPose, then checks the preset's full model."""
    regenerate_fixture(PRESET, "full", tmp_path)
    monkeypatch.setattr(mmpose_parity, "MODEL_FIXTURES", tmp_path)
    check_preset_parity(build_preset_model(PRESET), PRESET, variant="full")
