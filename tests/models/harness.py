"""The one test harness for detector models (in the spirit of KerasHub's ``TestCase``).

Checks every architecture runs through (``tests/models/test_architectures.py``):

* :func:`check_keras_round_trip`: config equals the constructor's, ``.keras``
  save/load gives the same class and outputs;
* :func:`check_one_fit_step`: one ``fit`` step moves the head's kernel;
* :func:`check_preset_dir_round_trip`: ``save_to_preset`` → ``from_preset`` on
  the class gives equal outputs, and another class refuses the directory;
* :func:`check_mixed_precision`: the model under a mixed policy predicts close
  to the float32 model with the same weights;
* :func:`check_preset_parity`: MMPose parity on the tiny fixtures of
  ``tests/parity/make_mmpose_model_fixtures.py`` — the fixture holds MMPose's
  seeded weights as a 1.x and a 0.x checkpoint, MMPose's raw head output and
  its ``predict`` keypoints with and without flip test on three 256x256 RGB
  inputs; raw outputs must agree within 1e-4 of MMPose's output scale,
  keypoints within 0.01 input px (on the keypoints the fixture marks
  decode-stable: random heatmaps have near-ties that move under float32-level
  noise, which the fixture measured in MMPose itself), and the 0.x checkpoint
  must fill every weight with exactly the 1.x values.

:func:`tiny_preset_model` builds a registered preset at the fixture's reduced
widths from MMPose's own model config stored in the fixture.
"""

from __future__ import annotations

import json
import pathlib
import subprocess

import keras
import numpy as np
import pytest

from keras_facelm.backbones.hourglass import HourglassBackbone
from keras_facelm.backbones.hrnet import HRNetBackbone
from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.backbones.scnet import SCNetBackbone
from keras_facelm.checkpoints import port_state_dict, read_state_dict
from keras_facelm.models import build_preset_model
from tests.conftest import TEST_DATA, mmpose_env, mmpose_python

MODEL_FIXTURES = TEST_DATA / "parity" / "models"
# Of the raw output scale. Float32 rounding through the tiny-width fixtures (BatchNorm over
# 2-4 channels amplifies it) reached 5e-5 for SCNet-50 on the dev CPU and passed 1e-4 on CI's;
# a wrong layer, weight or padding shows up at 1e-2 or more.
RAW_TOL = 3e-4
KEYPOINT_TOL_PX = 0.01


# -- building models from MMPose's model config ----------------------------------
def backbone_from_mmpose(cfg):
    """Our backbone for an MMPose backbone config dict (``type`` + its arguments)."""
    kind = cfg["type"]
    if kind == "HRNet":
        assert cfg["extra"]["upsample"] == {"mode": "bilinear", "align_corners": False}
        return HRNetBackbone(
            stages={k: v for k, v in cfg["extra"].items() if k.startswith("stage")}
        )
    if kind in ("ResNet", "SCNet"):
        cls = ResNetBackbone if kind == "ResNet" else SCNetBackbone
        return cls(
            depth=cfg["depth"],
            base_channels=cfg["base_channels"],
            stem_channels=cfg["stem_channels"],
        )
    if kind == "MobileNetV2":
        return MobileNetV2Backbone(widen_factor=cfg["widen_factor"])
    if kind == "HourglassNet":
        return HourglassBackbone(
            downsample_times=cfg.get("downsample_times", 5),
            stage_channels=cfg["stage_channels"],
            stage_blocks=cfg["stage_blocks"],
            feat_channel=cfg["feat_channel"],
        )
    raise ValueError(f"no Keras backbone for MMPose backbone type {kind!r}")


def head_from_mmpose(cfg):
    """Our ``head=`` override for an MMPose HeatmapHead config, ``{}`` for other heads."""
    if cfg["type"] != "HeatmapHead":
        return {}
    deconvs = tuple(cfg.get("deconv_out_channels") or ())
    convs = tuple(cfg.get("conv_out_channels") or ())
    return dict(
        deconv_out_channels=deconvs,
        deconv_kernel_sizes=(4,) * len(deconvs),
        conv_out_channels=convs,
        conv_kernel_sizes=tuple(cfg.get("conv_kernel_sizes") or ()),
    )


def load_model_fixture(preset: str, variant: str = "tiny", fixtures=None):
    """``(record, arrays, images)`` of a model fixture; skips if it was not generated."""
    fixtures = pathlib.Path(fixtures or MODEL_FIXTURES)
    json_path = fixtures / f"{preset}_{variant}.json"
    if not json_path.is_file():
        pytest.skip(f"MMPose model fixture {json_path.name} not generated")
    record = json.loads(json_path.read_text())
    with np.load(fixtures / f"{preset}_{variant}.npz") as data:
        arrays = {k: data[k] for k in data.files}
    with np.load(MODEL_FIXTURES / record["inputs"]["file"]) as data:
        images = data["images_rgb"]
    return record, arrays, images


def tiny_preset_model(preset: str, variant: str = "tiny", fixtures=None):
    """Preset ``preset`` built with the fixture's MMPose backbone and head sizes."""
    record = load_model_fixture(preset, variant, fixtures)[0]
    overrides = {"backbone": backbone_from_mmpose(record["model"]["backbone"])}
    head = head_from_mmpose(record["model"]["head"])
    if head:
        overrides["head"] = head
    return build_preset_model(preset, **overrides)


# -- MMPose parity ---------------------------------------------------------------
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


def check_preset_parity(model, preset, variant="tiny", *, fixtures=None, raw_tol=RAW_TOL):
    """Loads the fixture's 1.x and 0.x checkpoints into ``model`` and compares with MMPose."""
    fixtures = pathlib.Path(fixtures or MODEL_FIXTURES)
    record, arrays, images = load_model_fixture(preset, variant, fixtures)
    ckpts = record["checkpoints"]
    port_state_dict(model, read_state_dict(fixtures / ckpts["v1"]), strict=True)
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
    port_state_dict(model, read_state_dict(fixtures / ckpts["v0"]), strict=True)
    for before, after in zip(reference, _weights(model), strict=True):
        np.testing.assert_array_equal(before, after)
    return record


def regenerate_fixture(preset: str, variant: str, out_dir: pathlib.Path) -> None:
    """Runs ``make_mmpose_model_fixtures.py`` with MMPose's interpreter into ``out_dir``.

    For fixtures too large to commit (full widths). Needs the MMPose venv: use
    in tests marked ``mmpose``.
    """
    script = pathlib.Path(__file__).parents[1] / "parity" / "make_mmpose_model_fixtures.py"
    subprocess.run(
        [
            str(mmpose_python()),
            str(script),
            "--variant",
            variant,
            "--preset",
            preset,
            "--out",
            str(out_dir),
        ],
        check=True,
        capture_output=True,
        env=mmpose_env(),
    )


# -- Keras-side checks ----------------------------------------------------------
def trainable_count(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def _outputs(model, images):
    return keras.ops.convert_to_numpy(model(images, training=False))


def check_keras_round_trip(model, tmp_path, images):
    """``from_config(get_config())`` and ``.keras`` save/load give the same model."""
    config = model.get_config()
    assert type(model).from_config(config).get_config() == config
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_config() == config
    np.testing.assert_array_equal(_outputs(model, images), _outputs(loaded, images))
    return loaded


def check_one_fit_step(model, images, targets, layer_name):
    """One ``fit`` step with MSE: finite loss, and layer ``layer_name``'s kernel moves."""
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    kernel = model.get_layer(layer_name).kernel
    before = keras.ops.convert_to_numpy(kernel).copy()
    history = model.fit(images, targets, epochs=1, batch_size=len(images), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.array_equal(before, keras.ops.convert_to_numpy(kernel))


def check_preset_dir_round_trip(model, tmp_path, images, other_class):
    """``save_to_preset`` → ``type(model).from_preset(dir)``: same class, same outputs."""
    preset_dir = model.save_to_preset(tmp_path / "preset")
    loaded = type(model).from_preset(preset_dir)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(_outputs(model, images), _outputs(loaded, images))
    meta = json.loads((preset_dir / "metadata.json").read_text())
    assert meta["class_name"] == type(model).__name__
    with pytest.raises(ValueError, match=f"is a {type(model).__name__} preset, not a"):
        other_class.from_preset(preset_dir)


#: Names of the layers that produce the raw head output, per head type.
_FINAL_LAYERS = ("head-final_layer", "head-multi_final_layers-0", "head-fc")


def check_mixed_precision(build, images, policy):
    """The model built under ``policy`` computes like the float32 one with its weights.

    ``build(dtype)`` returns a fresh model. The raw head outputs must agree within
    2 % (float16, 10-bit mantissa) or 8 % (bfloat16, 7-bit) of the float32 output's
    scale, and the decoded keypoints and scores must be finite float32. (Keypoints
    themselves are not compared: on small random models the heatmaps are nearly
    flat and a rounding difference moves an argmax by whole heatmap cells.)
    """
    reference = build("float32")
    mixed = build(policy)
    assert mixed.dtype_policy.name == policy
    assert mixed.backbone.dtype_policy.name == policy
    # Eager calls: no graph compilation, so the check stays cheap on every backend.
    x = keras.ops.convert_to_tensor(images)
    # Small random models can output heatmaps of ~1e-9, below float16's range; scale
    # the final layer so the reference output is of order one, as a trained model's.
    final = next(layer for layer in reference.layers if layer.name in _FINAL_LAYERS)
    kernel = keras.ops.convert_to_numpy(final.kernel)
    final.kernel.assign(kernel / float(np.abs(keras.ops.convert_to_numpy(reference(x))).max()))
    mixed.set_weights(reference.get_weights())
    raw_ref = keras.ops.convert_to_numpy(reference(x)).astype(np.float32)
    raw = keras.ops.convert_to_numpy(keras.ops.cast(mixed(x), "float32"))
    scale = float(np.abs(raw_ref).max())
    rel = float(np.abs(raw - raw_ref).max()) / scale
    tol = 0.02 if policy == "mixed_float16" else 0.08
    assert rel < tol, f"{policy}: raw output off by {rel:.3g} of its scale"
    out = {k: keras.ops.convert_to_numpy(v) for k, v in mixed.landmark_model(True)(x).items()}
    assert out["keypoints"].dtype == np.float32 and out["scores"].dtype == np.float32
    assert np.all(np.isfinite(out["keypoints"])) and np.all(np.isfinite(out["scores"]))
