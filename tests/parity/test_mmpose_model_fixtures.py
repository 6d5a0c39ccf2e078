"""Integrity of the committed MMPose model fixtures (tests/data/parity/models).

These check the fixture files themselves, not keras_facelm: every preset has
its outputs, they agree with the shared inputs and the dataset keypoint
count, and each 0.x checkpoint holds exactly the 1.x checkpoint's tensors.
The slow test regenerates one preset with MMPose and compares.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile

import numpy as np
import pytest
import torch

from tests.conftest import REPO, TEST_DATA, mmpose_env, mmpose_python

pytestmark = pytest.mark.backend_independent

FIXTURES = TEST_DATA / "parity" / "models"
SCRIPT = REPO / "tests" / "parity" / "make_mmpose_model_fixtures.py"
PRESETS = sorted(p.name[: -len("_tiny.json")] for p in FIXTURES.glob("*_tiny.json"))


def _record(preset: str) -> dict:
    return json.loads((FIXTURES / f"{preset}_tiny.json").read_text())


def _tensor_digests(state_dict) -> list[str]:
    return sorted(
        hashlib.sha256(f"{v.dtype}{tuple(v.shape)}".encode() + v.numpy().tobytes()).hexdigest()
        for v in state_dict.values()
    )


def test_all_fourteen_presets_present():
    assert len(PRESETS) == 14, PRESETS


@pytest.mark.parametrize("preset", PRESETS)
def test_outputs_match_inputs_and_keypoint_count(preset):
    rec = _record(preset)
    inputs = np.load(FIXTURES / "inputs.npz")
    images = inputs["images_rgb"]
    assert images.shape == (3, 256, 256, 3) and images.dtype == np.float32
    digest = hashlib.sha256(np.ascontiguousarray(images).tobytes()).hexdigest()
    out = np.load(FIXTURES / f"{preset}_tiny.npz")
    assert str(out["inputs_sha256"]) == digest == rec["inputs"]["sha256"]
    k = rec["num_keypoints"]
    assert out["flip_indices"].shape == (k,)
    for mode in ("flip", "noflip"):
        assert out[f"keypoints_{mode}"].shape == (3, k, 2)
        assert out[f"scores_{mode}"].shape == (3, k)
        assert out[f"keypoints_{mode}_stable"].dtype == bool
        assert out[f"keypoints_{mode}_stable"].mean() > 0.9
    if rec["codec"]["type"] == "RegressionLabel":
        assert out["raw_output"].shape == (3, k, 2)
    else:
        chans = out["raw_output_channels"]
        assert out["raw_output"].shape == (3, 64, 64, len(chans))
        assert out["raw_output_channel_max"].shape == (3, k)
        np.testing.assert_array_equal(
            out["raw_output"].max(axis=(1, 2)), out["raw_output_channel_max"][:, chans]
        )


@pytest.mark.parametrize("preset", PRESETS)
def test_v0_checkpoint_holds_the_v1_tensors(preset):
    rec = _record(preset)
    v1_path = FIXTURES / rec["checkpoints"]["v1"]
    v0_path = FIXTURES / rec["checkpoints"]["v0"]
    assert zipfile.is_zipfile(v1_path) and not zipfile.is_zipfile(v0_path)
    v1 = torch.load(v1_path, map_location="cpu", weights_only=True)["state_dict"]
    v0 = torch.load(v0_path, map_location="cpu", weights_only=True)["state_dict"]
    assert len(v1) == len(v0) == rec["state_dict_tensors"]
    assert all(not k.startswith("keypoint_head.") for k in v1)
    assert any(k.startswith("head.") for k in v1)
    assert all(not k.startswith("head.") for k in v0)
    assert any(k.startswith("keypoint_head.") for k in v0)
    assert _tensor_digests(v1) == _tensor_digests(v0)
    params = sum(
        v.numel()
        for k, v in v1.items()
        if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))
    )
    assert params == rec["params"]["total"]


@pytest.mark.slow
@pytest.mark.mmpose
def test_tiny_fixture_regenerates_with_mmpose(tmp_path):
    preset = "hrnetv2_w18_dark_wflw"
    subprocess.run(
        [
            str(mmpose_python()),
            str(SCRIPT),
            "--variant",
            "tiny",
            "--preset",
            preset,
            "--out",
            str(tmp_path),
        ],
        check=True,
        cwd=REPO,
        capture_output=True,
        env=mmpose_env(),
    )
    old, new = (
        np.load(FIXTURES / f"{preset}_tiny.npz"),
        np.load(tmp_path / f"{preset}_tiny.npz"),
    )
    assert sorted(old.files) == sorted(new.files)
    scale = float(old["raw_output_scale"])
    np.testing.assert_allclose(new["raw_output"], old["raw_output"], rtol=0, atol=1e-5 * scale)
    for mode in ("flip", "noflip"):
        stable = old[f"keypoints_{mode}_stable"]
        np.testing.assert_allclose(
            new[f"keypoints_{mode}"][stable],
            old[f"keypoints_{mode}"][stable],
            atol=1e-3,
        )
    rec = _record(preset)
    v1_old = torch.load(FIXTURES / rec["checkpoints"]["v1"], weights_only=True)["state_dict"]
    v1_new = torch.load(tmp_path / rec["checkpoints"]["v1"], weights_only=True)["state_dict"]
    for key, value in v1_old.items():
        torch.testing.assert_close(v1_new[key], value, rtol=1e-5, atol=1e-6)
