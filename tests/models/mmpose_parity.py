"""Model-level MMPose parity checks on the tiny fixtures of ``make_mmpose_model_fixtures.py``.

For a preset the fixture holds MMPose's seeded weights as a 1.x and a 0.x
checkpoint, MMPose's raw head output and its ``predict`` keypoints with and
without flip test on three 256x256 RGB inputs. :func:`check_preset_parity`
converts both checkpoints with the package's converter and asserts:

* raw outputs within 1e-4 of MMPose's output scale (max |raw|);
* keypoints within 0.01 input px with and without flip test (on the keypoints
  the fixture marks decode-stable: random heatmaps have near-ties that move
  under float32-level noise, which the fixture measured in MMPose itself),
  scores (heatmap maxima, or ones for regression) within 1e-4 of the raw scale;
* the 0.x checkpoint fills every weight with exactly the 1.x values.
"""

from __future__ import annotations

import json
import pathlib

import keras
import numpy as np
import pytest

from keras_facelm.convert.port import load_state_dict
from keras_facelm.convert.torch_checkpoint import load_state_dict as read_pth

MODEL_FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity" / "models"
RAW_TOL = 1e-4  # of the raw output scale
KEYPOINT_TOL_PX = 0.01


def load_model_fixture(preset: str, variant: str = "tiny"):
    """``(record, arrays, images)`` of a model fixture; skips if it was not generated."""
    json_path = MODEL_FIXTURES / f"{preset}_{variant}.json"
    if not json_path.is_file():
        pytest.skip(f"MMPose model fixture {json_path.name} not generated")
    record = json.loads(json_path.read_text())
    with np.load(MODEL_FIXTURES / f"{preset}_{variant}.npz") as data:
        arrays = {k: data[k] for k in data.files}
    with np.load(MODEL_FIXTURES / record["inputs"]["file"]) as data:
        images = data["images_rgb"]
    return record, arrays, images


def _weights(model):
    return [keras.ops.convert_to_numpy(w).copy() for w in model.weights]


def _check_keypoints(model, arrays, images, flip, raw_tol):
    mode = "flip" if flip else "noflip"
    out = model.predict_landmarks(images, flip_test=flip)
    stable = arrays[f"keypoints_{mode}_stable"]
    assert stable.mean() > 0.5, f"too few decode-stable keypoints ({mode})"
    err = np.abs(out["keypoints"] - arrays[f"keypoints_{mode}"]).max(-1)
    assert err[stable].max() < KEYPOINT_TOL_PX, f"keypoints ({mode}) off by {err[stable].max()}"
    # Heatmap scores are heatmap values: same tolerance as the raw output.
    score_err = np.abs(out["scores"] - arrays[f"scores_{mode}"])[stable].max()
    score_err /= float(arrays["raw_output_scale"])
    assert score_err < raw_tol, f"scores ({mode}) off by {score_err:.3g} of the raw scale"


def check_preset_parity(model, preset: str, variant: str = "tiny", *, raw_tol=RAW_TOL):
    """Loads the fixture's 1.x and 0.x checkpoints into ``model`` and compares with MMPose.

    ``raw_tol`` (fraction of the raw output scale) may only be raised above
    1e-4 where MMPose's own float32 output is measured to be that far from its
    float64 output on the fixture (an ill-conditioned random network).
    """
    record, arrays, images = load_model_fixture(preset, variant)
    ckpts = record["checkpoints"]
    sd_v1 = read_pth(MODEL_FIXTURES / ckpts["v1"])
    load_state_dict(model, sd_v1, strict=True)
    reference = _weights(model)

    raw = keras.ops.convert_to_numpy(model.predict(images, verbose=0))
    expected = arrays["raw_output"]
    if raw.ndim == 4:  # heatmaps: the fixture keeps a subset of channels
        raw = raw[..., arrays["raw_output_channels"]]
    assert raw.shape == expected.shape
    rel = np.abs(raw - expected).max() / float(arrays["raw_output_scale"])
    assert rel < raw_tol, f"raw output off by {rel:.3g} of scale"

    _check_keypoints(model, arrays, images, flip=True, raw_tol=raw_tol)
    _check_keypoints(model, arrays, images, flip=False, raw_tol=raw_tol)

    for w in model.weights:
        w.assign(np.zeros(w.shape, keras.backend.standardize_dtype(w.dtype)))
    load_state_dict(model, read_pth(MODEL_FIXTURES / ckpts["v0"]), strict=True)
    for before, after in zip(reference, _weights(model), strict=True):
        np.testing.assert_array_equal(before, after)
    return record


def regenerate_fixture(preset: str, variant: str, out_dir: pathlib.Path) -> None:
    """Runs ``make_mmpose_model_fixtures.py`` with MMPose's interpreter into ``out_dir``.

    For fixtures too large to commit (full widths; the tiny Hourglass, whose
    256-wide stem and ``inters.0`` make 17 MB checkpoints). Needs the MMPose
    venv: use in tests marked ``mmpose``.
    """
    import subprocess

    from tests.conftest import mmpose_env, mmpose_python

    script = pathlib.Path(__file__).parents[1] / "parity" / "make_mmpose_model_fixtures.py"
    subprocess.run(
        [str(mmpose_python()), str(script), "--variant", variant, "--preset", preset,
         "--out", str(out_dir)],
        check=True, capture_output=True, env=mmpose_env(),
    )  # fmt: skip
