"""The runnable examples, end to end (slow: model compilation dominates)."""

import importlib.util
import json

import numpy as np
import pytest

from keras_facelm.data import transforms as T
from keras_facelm.data.readers.image_io import encode_png
from tests.conftest import REPO


def _load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_train_synthetic_smoke_run_and_predict_image_round_trip(tmp_path):
    train = _load("train_synthetic")
    out = tmp_path / "run"
    metrics = train.main(
        [
            "--steps",
            "4",
            "--batch-size",
            "4",
            "--train-size",
            "8",
            "--test-size",
            "4",
            "--input-size",
            "64",
            "--width",
            "4",
            "--exact-crops",
            "--output",
            str(out),
        ]
    )
    assert metrics["steps"] == 4
    assert np.isfinite(metrics["nme_before"]) and np.isfinite(metrics["nme_after"])
    for name in (
        "model.keras",
        "preset/config.json",
        "preset/model.weights.h5",
        "overlay.png",
        "metrics.json",
    ):
        assert (out / name).is_file(), name
    assert json.loads((out / "metrics.json").read_text())["steps"] == 4

    # predict_image on a test face, with the saved preset, lands where evaluate()
    # put that face's landmarks (same crop box, same weights).
    from keras_facelm.data.synthetic_faces import SyntheticFaces

    face = SyntheticFaces(1, seed=1000)[0]
    image_path = tmp_path / "face.png"
    image_path.write_bytes(encode_png(face["image"]))
    center, scale = T.center_scale_from_pixel_std(face["center"], face["scale"], padding=1.0)
    bbox = T.bbox_center_scale_to_xyxy(center, scale)
    predict = _load("predict_image")
    keypoints, scores = predict.main(
        [
            "--preset",
            str(out / "preset"),
            "--image",
            str(image_path),
            "--bbox",
            ",".join(f"{v:.6f}" for v in bbox),
            "--output",
            str(tmp_path / "o.png"),
        ]
    )
    assert keypoints.shape == (68, 2) and scores.shape == (68,)
    assert (tmp_path / "o.png").is_file()

    import keras

    from keras_facelm.evaluation import evaluate

    model = keras.saving.load_model(out / "model.keras")
    expected = evaluate(model, [face], progress=False)["keypoints"][0]
    assert np.median(np.abs(keypoints - expected)) < 0.01


@pytest.mark.slow
def test_quickstart_and_video_demo_with_a_preset_directory(tmp_path):
    import cv2

    from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
    from keras_facelm.models import MobileNetV2Heatmap

    model = MobileNetV2Heatmap(
        68,
        backbone=MobileNetV2Backbone(widen_factor=0.1),
        codec=dict(input_size=(64, 64)),
        head=dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,)),
    )
    model.save_to_preset(tmp_path / "preset")
    photo = REPO / "tests" / "data" / "public_domain_faces" / "grace_hopper.jpg"
    faces = _load("quickstart").main(
        [
            "--preset",
            str(tmp_path / "preset"),
            "--image",
            str(photo),
            "--output",
            str(tmp_path / "o.png"),
        ]
    )
    assert len(faces) == 1 and (tmp_path / "o.png").is_file()
    frame = cv2.imread(str(photo))[::2, ::2]
    writer = cv2.VideoWriter(
        str(tmp_path / "clip.mp4"),
        cv2.VideoWriter_fourcc(*"mp4v"),
        25,
        (frame.shape[1], frame.shape[0]),
    )
    for _ in range(4):
        writer.write(frame)
    writer.release()
    summary = _load("video_demo").main(
        [
            "--preset",
            str(tmp_path / "preset"),
            "--video",
            str(tmp_path / "clip.mp4"),
            "--output",
            str(tmp_path),
        ]
    )
    assert summary.frames == 4 and summary.tracks == 1
    assert len((tmp_path / "clip.jsonl").read_text().splitlines()) == 4
    # The same run through the command line: refused while the outputs exist, then replaced.
    from keras_facelm.cli import main

    demo = ["demo", "--preset", str(tmp_path / "preset"), "--video", str(tmp_path / "clip.mp4")]
    demo += ["--output", str(tmp_path), "--max-frames", "2"]
    with pytest.raises(SystemExit, match="clip.landmarks.mp4 already exists.*--overwrite"):
        main(demo)
    assert len((tmp_path / "clip.jsonl").read_text().splitlines()) == 4
    main([*demo, "--overwrite"])
    assert len((tmp_path / "clip.jsonl").read_text().splitlines()) == 2


@pytest.mark.slow
def test_folder_and_evaluation_examples_and_the_cli(tmp_path):
    from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
    from keras_facelm.cli import main as cli
    from keras_facelm.models import MobileNetV2Heatmap

    model = MobileNetV2Heatmap(
        68,
        scheme="300w",
        codec=dict(input_size=(64, 64)),
        backbone=MobileNetV2Backbone(widen_factor=0.1),
        head=dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,)),
    )
    preset = model.save_to_preset(tmp_path / "preset")
    photos = REPO / "tests" / "data" / "public_domain_faces"
    report = _load("predict_folder").main(
        [
            "--preset",
            str(preset),
            "--input",
            str(photos),
            "--output",
            str(tmp_path / "folder"),
        ]
    )
    assert report.written and not report.failed
    evaluation = f"--preset {preset} --dataset synthetic_faces --limit 4 --output".split()
    result = _load("evaluate_preset").main([*evaluation, str(tmp_path / "ced.png")])
    assert np.isfinite(result["nme"]) and (tmp_path / "ced.png").is_file()

    cli(["evaluate", *evaluation, str(tmp_path / "eval")])
    metrics = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert metrics["splits"]["test"]["faces"] == 4 and (tmp_path / "eval" / "ced.png").is_file()
    # predict goes on past a bad input, names it, and exits non-zero.
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(SystemExit) as e:
        cli(
            [
                "predict",
                str(photos / "grace_hopper.jpg"),
                str(tmp_path / "bad.jpg"),
                "--preset",
                str(preset),
                "--output",
                str(tmp_path / "pred"),
            ]
        )
    assert e.value.code == 1
    record = json.loads((tmp_path / "pred" / "grace_hopper.json").read_text())
    assert len(record["faces"]) == 1 and len(record["faces"][0]["keypoints"]) == 68
