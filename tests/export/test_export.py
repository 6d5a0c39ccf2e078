"""export() and ExportedLandmarker on a tiny detector: one LiteRT export, checked
end to end (built-in ops, sidecar, keypoints against the Keras path on a real
photo, Keras-free runtime), and the bad-input errors.

Under JAX and PyTorch the export runs through the TensorFlow subprocess, so this
file also tests that path.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from keras_facelm.export import export
from keras_facelm.export.files import staged_export
from keras_facelm.export.tflite_ops import read_metadata, tflite_operators
from keras_facelm.inference import ExportedLandmarker
from keras_facelm.inference.predict import predict_faces
from tests.export.runners import tensor_types_by_operator
from tests.export.tiny_models import tiny_model

REPO = pathlib.Path(__file__).resolve().parents[2]
PHOTO = REPO / "tests/data/mmpose_faces/300w/indoor_029.png"
PHOTO_BOX = [
    223.73,
    217.38,
    223.73 + 531.24,
    217.38 + 571.45,
]  # xyxy from its xywh label


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny ResNet with flip test and uint8 input, exported to LiteRT.

    Plain decoding: DARK's Newton step on random-weight heatmaps is ill-conditioned
    (float32 noise moves keypoints by pixels); the architecture sweep checks DARK.
    """
    model = tiny_model("ResNet50")
    path = tmp_path_factory.mktemp("export") / "tiny.tflite"
    export(model, path, format="litert", flip_test=True, input_dtype="uint8")
    return model, path


def test_int8_keeps_input_mirror_normalisation_and_decoding_in_float(tmp_path):
    model = tiny_model("ResNet50")
    crops = np.random.default_rng(0).uniform(0, 255, (8, 64, 64, 3)).astype(np.float32)
    path = tmp_path / "int8.tflite"
    export(model, path, quantize="int8", representative_data=crops, flip_test=True)
    types = tensor_types_by_operator(path.read_bytes())
    assert types["REVERSE_V2"] <= {"FLOAT32", "INT32"}  # the flip test's mirror
    assert types["SUB"] <= {"FLOAT32", "INT32"}  # normalisation; decoding subtracts too
    assert types["REDUCE_MAX"] <= {"FLOAT32", "INT32"}  # decoding
    assert "INT8" in types["CONV_2D"] and "FLOAT32" not in types["CONV_2D"]
    out = ExportedLandmarker(path).predict_landmarks(crops)
    assert np.isfinite(out["keypoints"]).all() and out["keypoints"].shape == (8, 68, 2)


def test_litert_export_has_builtin_ops_sidecar_and_metadata(exported):
    model, path = exported
    ops = tflite_operators(path.read_bytes())
    assert {
        "CONV_2D",
        "REVERSE_V2",
        "REDUCE_MAX",
    } <= ops  # flip test and decoding in graph
    assert not [op for op in ops if op.startswith("CUSTOM")], ops
    facts = json.loads(pathlib.Path(f"{path}.json").read_text())
    assert facts["scheme"] == "coco_wholebody_face" and facts["num_keypoints"] == 68
    assert facts["input"] == {
        "name": "images",
        "height": 64,
        "width": 64,
        "dtype": "uint8",
        "layout": "NHWC",
        "color_order": "RGB",
        "value_range": [0, 255],
        "batch": 1,  # LiteRT's default: static shapes let XNNPACK run the transposed convs
    }
    assert facts["crop"]["padding"] == 1.25 and facts["crop"]["aspect_ratio"] == 1.0
    assert facts["decoding"] == {
        "flip_test": True,
        "unbiased": False,
        "blur_kernel_size": 11,
    }
    assert [0, 16] in facts["flip_pairs"] and len(facts["keypoint_names"]) == 68
    assert json.loads(read_metadata(path.read_bytes())) == facts


def test_exported_landmarker_equals_keras_on_a_real_photo(exported):
    model, path = exported
    landmarker = ExportedLandmarker(path)
    import cv2

    image = cv2.imread(str(PHOTO))[..., ::-1]
    boxes = np.array([PHOTO_BOX, [50, 60, 400, 420]], np.float32)
    got = landmarker.predict(image, boxes)
    want = predict_faces(model, image, boxes, flip_test=True)
    # keypoints in image pixels: 0.01 crop px is 0.01 * box size / 64 image px
    tol = 0.01 * (boxes[:, 2:] - boxes[:, :2]).max() * 1.25 / 64
    np.testing.assert_allclose(got["keypoints"], want["keypoints"], atol=tol)
    np.testing.assert_allclose(got["scores"], want["scores"], atol=1e-4)


def test_fixed_and_dynamic_batch_exports_agree(exported, tmp_path):
    """Batch 1 (default), batch 2 (last chunk padded) and dynamic give the same keypoints."""
    model, one = exported
    two, dynamic = tmp_path / "two.tflite", tmp_path / "dynamic.tflite"
    for path, batch_size in ((two, 2), (dynamic, "dynamic")):
        export(model, path, flip_test=True, input_dtype="uint8", batch_size=batch_size)
    # A dynamic batch computes TRANSPOSE_CONV's output shape at run time (SHAPE op),
    # which XNNPACK does not delegate; a fixed batch makes it a constant.
    assert "TRANSPOSE_CONV" in tflite_operators(one.read_bytes())
    assert "SHAPE" not in tflite_operators(one.read_bytes())
    assert "SHAPE" in tflite_operators(dynamic.read_bytes())
    crops = np.random.default_rng(5).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    runs = [ExportedLandmarker(p) for p in (one, two, dynamic)]
    assert [r.fixed_batch for r in runs] == [1, 2, None]
    outs = [r.predict_landmarks(crops) for r in runs]
    for out in outs[1:]:
        assert out["keypoints"].shape == (3, 68, 2)
        np.testing.assert_allclose(out["keypoints"], outs[0]["keypoints"], atol=1e-3)
        np.testing.assert_allclose(out["scores"], outs[0]["scores"], atol=1e-5)


def test_runtime_loads_no_deep_learning_framework(exported):
    _, path = exported
    code = f"""
import sys, numpy as np
from keras_facelm.inference import ExportedLandmarker
out = ExportedLandmarker({str(path)!r}).predict(np.zeros((90, 80, 3), np.uint8), [10, 10, 60, 70])
assert out["keypoints"].shape == (1, 68, 2)
print(sorted(m for m in ("keras", "tensorflow", "jax", "torch") if m in sys.modules))
"""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_runtime_bad_inputs_fail_with_one_line(exported, tmp_path):
    _, path = exported
    landmarker = ExportedLandmarker(path)
    image = np.zeros((90, 80, 3), np.uint8)
    with pytest.raises(ValueError, match="dtype float32"):
        landmarker.predict(image.astype(np.float32), [10, 10, 60, 70])
    with pytest.raises(ValueError, match=r"shape \(H, W\)"):
        landmarker.predict(np.zeros((90, 80, 2), np.uint8), [10, 10, 60, 70])
    with pytest.raises(ValueError, match="outside the 80x90"):
        landmarker.predict(image, [100, 100, 150, 150])
    with pytest.raises(ValueError, match=r"crops must be \(N, 64, 64, 3\)"):
        landmarker.predict_landmarks(np.zeros((1, 32, 32, 3), np.uint8))
    data = path.read_bytes()
    for name, content in [
        ("truncated", data[: len(data) // 2]),
        ("junk", b"not a model" * 9),
    ]:
        bad = tmp_path / f"{name}.tflite"
        bad.write_bytes(content)
        pathlib.Path(f"{bad}.json").write_text(pathlib.Path(f"{path}.json").read_text())
        with pytest.raises(ValueError, match=f"{name}.tflite: not a loadable litert model"):
            ExportedLandmarker(bad)
    onnx = tmp_path / "cut.onnx"
    onnx.write_bytes(b"\x08\x07\x12" + b"\xff" * 40)
    pathlib.Path(f"{onnx}.json").write_text(pathlib.Path(f"{path}.json").read_text())
    with pytest.raises(ValueError, match="cut.onnx: not a loadable onnx model"):
        ExportedLandmarker(onnx)
    lone = tmp_path / "lone.tflite"
    lone.write_bytes(data)
    with pytest.raises(FileNotFoundError, match="lone.tflite.json: sidecar missing"):
        ExportedLandmarker(lone)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(format="tflite"), ValueError, "unknown format='tflite'"),
        (dict(quantize="int4"), ValueError, "unknown quantize='int4'"),
        (dict(quantize="int8"), ValueError, "int8' needs representative_data"),
        (
            dict(format="onnx", quantize="fp16"),
            ValueError,
            "only available for format='litert'",
        ),
        (dict(outputs="boxes"), ValueError, "unknown outputs='boxes'"),
        (dict(input_dtype="int8"), ValueError, "unknown input_dtype='int8'"),
        (dict(batch_size=0), ValueError, "batch_size must be None, 'dynamic' or an int >= 1"),
    ],
)
def test_bad_export_arguments_write_nothing(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        export("hrnetv2_w18_wflw", tmp_path / "m.tflite", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_wrong_suffix_and_existing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="output folder .*nowhere does not exist"):
        export("hrnetv2_w18_wflw", tmp_path / "nowhere" / "m.tflite")
    with pytest.raises(ValueError, match="must end in '.onnx'"):
        export("hrnetv2_w18_wflw", tmp_path / "m.tflite", format="onnx")
    (tmp_path / "m.tflite").write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export("hrnetv2_w18_wflw", tmp_path / "m.tflite")
    assert (tmp_path / "m.tflite").read_bytes() == b"old"


def test_failed_export_leaves_nothing_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "m.tflite"
    with pytest.raises(RuntimeError, match="converter broke"):
        with staged_export(target, is_dir=False, overwrite=True) as (tmp, sidecar):
            tmp.write_bytes(b"half")
            raise RuntimeError("converter broke")
    assert list(tmp_path.iterdir()) == []
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with staged_export(target, is_dir=False, overwrite=True) as (tmp, sidecar):
            tmp.write_bytes(b"half")
            sidecar({"a": 1})
            raise RuntimeError("converter broke")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.tflite"]
    assert target.read_bytes() == b"old"
    with staged_export(target, is_dir=False, overwrite=True) as (tmp, sidecar):
        tmp.write_bytes(b"new")
        sidecar({"a": 1})
    assert target.read_bytes() == b"new" and json.loads(pathlib.Path(f"{target}.json").read_text())


def test_export_command_arguments(tmp_path):
    import argparse

    from keras_facelm.cli.export import add_arguments, run

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--preset",
            "p",
            "--output",
            "m.tflite",
            "--quantize",
            "int8",
            "--representative",
            "synthetic_faces:train",
            "--no-flip-test",
        ]
    )
    assert (args.format, args.quantize, args.flip_test) == ("litert", "int8", False)
    assert parser.parse_args(["--preset", "p", "--output", "m"]).flip_test is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--preset", "p", "--output", "m", "--format", "tflite"])
    args = parser.parse_args(
        ["--preset", "hrnetv2_w18_wflw", "--output", str(tmp_path / "x" / "m.tflite")]
    )
    with pytest.raises(FileNotFoundError, match="output folder"):
        run(args)
