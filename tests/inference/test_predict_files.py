"""predict_files: photos, videos and folders in; JSON, overlays, JSON lines out."""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest

from keras_facelm.inference.landmarker import FaceLandmarker
from keras_facelm.inference.predict_files import expand_inputs, predict_files
from keras_facelm.utils.atomic_write import OutputExistsError
from tests.inference.test_video import CropGridPredictor, write_clip


def test_folder_with_good_and_bad_inputs(tmp_path, test_data):
    src = tmp_path / "in"
    src.mkdir()
    photos = test_data / "public_domain_faces"
    for name in ("grace_hopper.jpg", "camera.png"):
        (src / name).write_bytes((photos / name).read_bytes())
    (src / "broken.jpg").write_bytes((photos / "grace_hopper.jpg").read_bytes()[:5000])
    (src / "notes.txt").write_text("ignored: not an image suffix")
    frame = cv2.imread(str(photos / "grace_hopper.jpg"))[::2, ::2]
    write_clip(src / "clip.mp4", [np.ascontiguousarray(frame)] * 5)
    log = io.StringIO()
    lm = FaceLandmarker(CropGridPredictor())
    report = predict_files(
        lm,
        [src, tmp_path / "missing.png"],
        tmp_path / "out",
        log=log,
        images_per_batch=2,
    )
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "camera.json",
        "camera.png",
        "clip.jsonl",
        "clip.landmarks.mp4",
        "grace_hopper.json",
        "grace_hopper.png",
    ]
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and len(report.failed) == 2
    assert "broken.jpg" in lines[0] and "truncated JPEG" in lines[0]
    assert "missing.png" in lines[1] and "not found" in lines[1]
    record = json.loads((out / "grace_hopper.json").read_text())
    assert (record["width"], record["height"]) == (512, 600) and len(record["faces"]) == 1
    face = record["faces"][0]
    assert set(face) == {"box", "detector_score", "keypoints", "scores"}
    kp = np.array(face["keypoints"])
    assert kp.shape == (68, 2) and np.all((kp >= 0) & (kp < [512, 600]))
    assert len((out / "clip.jsonl").read_text().splitlines()) == 5
    assert report.videos[str(src / "clip.mp4")]["frames"] == 5


def test_same_stems_and_overwrite_guard(tmp_path, test_data):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "x.png").write_bytes((test_data / "public_domain_faces" / "camera.png").read_bytes())
    lm = FaceLandmarker(CropGridPredictor())
    predict_files(lm, [a / "x.png", b / "x.png"], tmp_path / "out", overlay=False)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "x.json",
        "x_2.json",
    ]
    with pytest.raises(ValueError, match="would overwrite an input"):
        predict_files(lm, [a / "x.png"], a, overwrite=True)
    # A folder with results is refused unless overwrite; no temporary file is left behind.
    with pytest.raises(OutputExistsError, match="out already exists .*--overwrite"):
        predict_files(lm, [a / "x.png"], tmp_path / "out", overlay=False)
    predict_files(lm, [b / "x.png"], tmp_path / "out", overwrite=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x.json", "x.png", "x_2.json"]
    assert expand_inputs([a]) == [a / "x.png"]
