"""HRNetV2-W18 presets vs MMPose: raw heatmaps, keypoints (flip/no flip, plain/DARK), 0.x and 1.x.

Each of the nine presets is built from the registry (its codec, DARK flag, flip
settings and scheme) with the reduced-width HRNet of the MMPose fixture, filled
from MMPose's randomised checkpoints, and compared with MMPose's outputs
(``tests/parity/make_mmpose_model_fixtures.py``). The full-width check
regenerates fixtures with MMPose on demand (``-m "slow and mmpose"``).
"""

import pathlib
import subprocess

import numpy as np
import pytest

from keras_facelm.backbones.hrnet import HRNetBackbone
from keras_facelm.models import HRNetV2W18
from keras_facelm.models.preset_loader import build_preset_model
from tests.models import mmpose_parity
from tests.models.mmpose_parity import check_preset_parity, load_model_fixture

NINE = [
    "hrnetv2_w18_300w", "hrnetv2_w18_aflw", "hrnetv2_w18_dark_aflw", "hrnetv2_w18_cofw",
    "hrnetv2_w18_wflw", "hrnetv2_w18_dark_wflw", "hrnetv2_w18_awing_wflw",
    "hrnetv2_w18_coco_wholebody_face", "hrnetv2_w18_dark_coco_wholebody_face",
]  # fmt: skip


def _stages(extra):
    return {k: v for k, v in extra.items() if k.startswith("stage")}


def model_from_fixture(preset, variant="tiny"):
    """The preset's detector with the fixture's HRNet widths."""
    record = load_model_fixture(preset, variant)[0]
    extra, head = record["model"]["backbone"]["extra"], record["model"]["head"]
    assert extra["upsample"] == {"mode": "bilinear", "align_corners": False}
    return build_preset_model(
        preset,
        backbone=HRNetBackbone(stages=_stages(extra)),
        head=dict(deconv_out_channels=(), deconv_kernel_sizes=(),
                  conv_out_channels=tuple(head["conv_out_channels"]),
                  conv_kernel_sizes=tuple(head["conv_kernel_sizes"])),
    )  # fmt: skip


@pytest.mark.parametrize("preset", NINE)
def test_preset_matches_mmpose(preset):
    model = model_from_fixture(preset)
    record = check_preset_parity(model, preset)
    assert model.codec["unbiased"] == record["codec"].get("unbiased", False)
    assert model.codec["sigma"] == record["codec"]["sigma"]


def test_from_preset_converts_a_legacy_0x_checkpoint_from_a_file_url():
    """The user path: ``from_preset(name, checkpoint=...)`` on MMPose's 0.x legacy file."""
    preset = "hrnetv2_w18_dark_wflw"
    record, arrays, images = load_model_fixture(preset)
    tiny = model_from_fixture(preset)
    v0 = mmpose_parity.MODEL_FIXTURES / record["checkpoints"]["v0"]
    model = HRNetV2W18.from_preset(
        "dark_wflw", checkpoint=v0.as_uri(), backbone=tiny.backbone,
        head=tiny.head_config,
    )  # fmt: skip
    out = model.predict_landmarks(images, flip_test=True)
    stable = arrays["keypoints_flip_stable"]
    err = np.abs(out["keypoints"] - arrays["keypoints_flip"]).max(-1)[stable]
    assert err.max() < 0.01


def test_wrong_architecture_checkpoint_is_refused_naming_keys():
    record = load_model_fixture("res50_coco_wholebody_face")[0]
    ckpt = mmpose_parity.MODEL_FIXTURES / record["checkpoints"]["v1"]
    with pytest.raises(ValueError, match=r"not a checkpoint of preset 'hrnetv2_w18_coco_wholebody_face'.*unused \(backbone\.layer"):
        HRNetV2W18.from_preset("coco_wholebody_face", checkpoint=str(ckpt))


@pytest.mark.slow
@pytest.mark.mmpose
@pytest.mark.parametrize("preset", ["hrnetv2_w18_wflw", "hrnetv2_w18_dark_coco_wholebody_face"])
def test_full_width_w18_matches_mmpose(preset, tmp_path, monkeypatch):
    """Regenerates the full W18 fixture with MMPose, then checks the full model."""
    from tests.conftest import mmpose_env, mmpose_python

    script = pathlib.Path(__file__).parents[1] / "parity" / "make_mmpose_model_fixtures.py"
    subprocess.run(
        [str(mmpose_python()), str(script), "--variant", "full", "--preset", preset,
         "--out", str(tmp_path)], check=True, env=mmpose_env(),
    )  # fmt: skip
    monkeypatch.setattr(mmpose_parity, "MODEL_FIXTURES", tmp_path)
    model = build_preset_model(preset)
    check_preset_parity(model, preset, variant="full")
