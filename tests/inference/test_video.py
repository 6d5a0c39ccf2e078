"""Video: One-Euro smoothing, IoU tracking with stable ids, clip in -> video + JSON lines out."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from keras_facelm.inference.landmarker import FaceLandmarker
from keras_facelm.inference.smoothing import OneEuroFilter, OneEuroParams
from keras_facelm.inference.tracking import FaceTracker
from keras_facelm.inference.video import keypoint_jitter, landmark_video, landmark_video_to_folder
from keras_facelm.utils.atomic_write import OutputExistsError


class CropGridPredictor:
    """68 keypoints fixed in the crop frame: they follow the box exactly, so box
    noise becomes keypoint noise (the worst case for a real model)."""

    input_size = (64, 64)
    scheme = "300w"

    def predict(self, crops):
        grid = np.stack(np.meshgrid(np.linspace(12, 52, 17), np.linspace(16, 48, 4)), -1)
        kp = grid.reshape(-1, 2)[:68].astype(np.float32)
        n = len(crops)
        return {
            "keypoints": np.repeat(kp[None], n, 0),
            "scores": np.ones((n, 68), np.float32),
        }


def write_clip(path, frames, fps=30):
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()


def test_one_euro_filter_smooths_still_and_follows_motion():
    rng = np.random.default_rng(0)
    f = OneEuroFilter(OneEuroParams(min_cutoff=1.0, beta=5.0))
    still = [f(100 + rng.normal(0, 2, (5, 2)), t / 30, scale=100) for t in range(60)]
    assert np.std(np.diff(np.array(still)[20:], axis=0)) < np.sqrt(2) * 2 / 3
    g = OneEuroFilter()
    ramp = [g(np.array([300.0 * t / 30]), t / 30, scale=100)[0] for t in range(31)]
    assert 300 - ramp[-1] < 30  # at 3 face sizes per second, lag stays < 0.3 face size
    with pytest.raises(ValueError, match="time must increase"):
        g(np.array([1.0]), 0.5)
    with pytest.raises(ValueError, match="min_cutoff > 0"):
        OneEuroParams(min_cutoff=0)


def test_two_crossing_faces_keep_their_ids():
    tracker = FaceTracker(smoothing=None)
    seen = {"a": set(), "b": set()}
    for frame in range(40):
        xa, xb = 20 + 8 * frame, 332 - 8 * frame  # cross at frame 19-20
        a = [xa, 100, xa + 60, 160]
        b = [xb, 115, xb + 70, 185]
        order = [b, a] if frame % 2 else [a, b]  # detector order changes
        ids = tracker.update(order, frame)
        ida, idb = (ids[1], ids[0]) if frame % 2 else (ids[0], ids[1])
        seen["a"].add(int(ida))
        seen["b"].add(int(idb))
    assert seen == {"a": {0}, "b": {1}}


def test_tracks_end_after_max_missed_and_new_faces_get_new_ids():
    tracker = FaceTracker(max_missed=2, smoothing=None)
    assert tracker.update([[0, 0, 50, 50]], 0).tolist() == [0]
    assert tracker.update(np.zeros((0, 4)), 1).tolist() == []
    assert tracker.update([[2, 0, 52, 50]], 3).tolist() == [0]  # back within 2 frames
    tracker.update(np.zeros((0, 4)), 4)
    tracker.update(np.zeros((0, 4)), 6)
    assert tracker.update([[2, 0, 52, 50], [200, 0, 250, 50]], 7).tolist() == [1, 2]


def test_still_face_with_noisy_boxes_smoothing_cuts_jitter(tmp_path, test_data):
    from keras_facelm.data.transforms import load_image

    face = load_image(test_data / "public_domain_faces" / "grace_hopper.jpg")[::2, ::2]
    frames = [np.ascontiguousarray(face[..., ::-1])] * 60
    write_clip(tmp_path / "still.mp4", frames)
    rng = np.random.default_rng(1)
    true_box = np.array([90.0, 80, 190, 180])

    def noisy_detector(image):
        return true_box + rng.normal(0, 3.0, 4), np.array([0.9])

    lm = FaceLandmarker(CropGridPredictor(), detector=noisy_detector)
    summary = landmark_video(
        lm,
        tmp_path / "still.mp4",
        output_video=tmp_path / "out.mp4",
        output_jsonl=tmp_path / "out.jsonl",
        frames_per_batch=7,
    )
    assert summary.frames == 60 and summary.tracks == 1 and summary.fps == 30
    assert summary.jitter_raw > 0.01
    print(f"jitter raw {summary.jitter_raw:.4f} smoothed {summary.jitter_smoothed:.4f}")
    assert summary.jitter_raw / summary.jitter_smoothed >= 3
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert len(lines) == 60
    rec = json.loads(lines[5])
    assert rec["frame"] == 5 and rec["faces"][0]["track_id"] == 0
    assert len(rec["faces"][0]["keypoints"]) == 68 and len(rec["faces"][0]["keypoints_raw"]) == 68
    out = cv2.VideoCapture(str(tmp_path / "out.mp4"))
    assert out.isOpened() and int(out.get(cv2.CAP_PROP_FRAME_COUNT)) == 60
    off = landmark_video(lm, tmp_path / "still.mp4", smoothing=None, max_frames=10)
    assert off.frames == 10 and off.jitter_raw == pytest.approx(off.jitter_smoothed, rel=1e-6)
    into = landmark_video_to_folder(lm, tmp_path / "still.mp4", tmp_path / "folder", max_frames=3)
    assert into.frames == 3
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == [
        "still.jsonl",
        "still.landmarks.mp4",
    ]


def test_unopenable_video_and_bad_output_name(tmp_path):
    lm = FaceLandmarker(CropGridPredictor(), detector=lambda im: np.zeros((0, 4)))
    with pytest.raises(ValueError, match="cannot open video"):
        landmark_video(lm, tmp_path / "missing.mp4")
    (tmp_path / "fake.mp4").write_text("not a video")
    with pytest.raises(ValueError, match="cannot open video"):
        landmark_video(lm, tmp_path / "fake.mp4")
    write_clip(tmp_path / "ok.mp4", [np.zeros((32, 32, 3), np.uint8)] * 2)
    with pytest.raises(ValueError, match="use a .mp4 or .avi"):
        landmark_video(lm, tmp_path / "ok.mp4", output_video=tmp_path / "x.gif")


def test_outputs_appear_whole_or_not_at_all(tmp_path):
    write_clip(tmp_path / "clip.mp4", [np.full((48, 48, 3), 90, np.uint8)] * 12)
    outputs = dict(output_video=tmp_path / "out.mp4", output_jsonl=tmp_path / "out.jsonl")
    frames = []

    def detector_failing_at_frame_8(image):
        frames.append(image)
        if len(frames) == 8:
            raise RuntimeError("detector crashed")
        return np.array([[8.0, 8, 40, 40]]), np.array([0.9])

    lm = FaceLandmarker(CropGridPredictor(), detector=detector_failing_at_frame_8)
    with pytest.raises(RuntimeError, match="detector crashed"):
        landmark_video(lm, tmp_path / "clip.mp4", frames_per_batch=1, **outputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]  # no partial file left

    frames.clear()
    frames.extend([None] * 100)  # the detector no longer fails
    landmark_video(lm, tmp_path / "clip.mp4", **outputs)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 12
    with pytest.raises(OutputExistsError, match="out.mp4 already exists.*--overwrite"):
        landmark_video(lm, tmp_path / "clip.mp4", max_frames=2, **outputs)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 12  # kept as it was
    landmark_video(lm, tmp_path / "clip.mp4", max_frames=2, overwrite=True, **outputs)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 2
    written = cv2.VideoCapture(str(tmp_path / "out.mp4"))
    assert int(written.get(cv2.CAP_PROP_FRAME_COUNT)) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


def test_jitter_counts_only_consecutive_frames():
    kp0, kp1 = np.zeros((2, 2)), np.full((2, 2), 3.0)
    assert keypoint_jitter({0: [(0, kp0, 10.0), (1, kp1, 10.0)]}) == pytest.approx(
        np.hypot(3, 3) / 10
    )
    assert np.isnan(keypoint_jitter({0: [(0, kp0, 10.0), (5, kp1, 10.0)]}))
