"""Bundled face detectors: anchors, decoding, NMS, adapters, and real photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from keras_facelm.data.transforms import load_image
from keras_facelm.inference.boxes import box_iou, nms, weighted_nms
from keras_facelm.inference.detectors import (
    BoxAdapter,
    FaceDetector,
    get_face_detector,
    landmark_box,
)
from keras_facelm.inference.detectors.blazeface import (
    BlazeFaceDetector,
    ssd_anchor_centers,
)
from keras_facelm.inference.detectors.haar import HaarCascadeDetector
from tests.inference.scenes import SMALL_FACE_CORNERS, small_faces_scene


@pytest.fixture(scope="module")
def blazeface():
    return get_face_detector("blazeface_full_range")


def test_box_iou_known_values():
    a = np.array([[0, 0, 10, 10], [0, 0, 0, 5]])
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(box_iou(a, b), [[50 / 150, 0], [0, 0]])


def test_nms_and_weighted_nms():
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [50, 50, 60, 60]], float)
    scores = np.array([0.6, 0.9, 0.7])
    assert nms(boxes, scores, 0.3).tolist() == [1, 2]
    merged, s, kp = weighted_nms(boxes, scores, 0.3, extra=boxes[:, :2].copy())
    # Cluster {1, 0}: score-weighted mean of x1 = (0.9*1 + 0.6*0) / 1.5 = 0.6.
    np.testing.assert_allclose(merged[0], [0.6, 0, 10.6, 10])
    np.testing.assert_allclose(s, [0.9, 0.7])
    np.testing.assert_allclose(kp[0], [0.6, 0])
    empty = weighted_nms(np.zeros((0, 4)), np.zeros(0), extra=np.zeros((0, 6, 2)))
    assert empty[0].shape == (0, 4) and empty[2].shape == (0, 6, 2)


def test_ssd_anchors_match_mediapipe_counts():
    short = ssd_anchor_centers(128, (8, 16, 16, 16), True)
    full = ssd_anchor_centers(192, (4,), False)
    assert short.shape == (896, 2) and full.shape == (2304, 2)
    # stride 8: 16x16 cells, 2 anchors each, offset 0.5 cell
    np.testing.assert_allclose(short[:3], [[0.5 / 16, 0.5 / 16]] * 2 + [[1.5 / 16, 0.5 / 16]])
    np.testing.assert_allclose(short[512], [0.5 / 8, 0.5 / 8])  # first stride-16 anchor
    np.testing.assert_allclose(full[48], [0.5 / 48, 1.5 / 48])  # second row


def test_decode_box_relative_to_anchor():
    det = BlazeFaceDetector("short_range")
    raw = np.zeros((896, 16), np.float32)
    logits = np.full(896, -10.0, np.float32)
    raw[600, :4] = [12.8, -6.4, 32.0, 25.6]  # dx, dy, w, h in input pixels (128)
    raw[600, 4:6] = [3.2, 3.2]
    logits[600] = 2.0
    found = det.decode(raw, logits)
    ax, ay = det.anchors[600]
    cx, cy = ax + 0.1, ay - 0.05
    np.testing.assert_allclose(
        found.boxes, [[cx - 0.125, cy - 0.1, cx + 0.125, cy + 0.1]], atol=1e-6
    )
    np.testing.assert_allclose(found.scores, [1 / (1 + np.exp(-2.0))], rtol=1e-6)
    np.testing.assert_allclose(found.keypoints[0, 0], [ax + 0.025, ay + 0.025], atol=1e-6)


def test_blazeface_finds_the_face_and_undoes_the_letterbox(test_data):
    image = load_image(test_data / "public_domain_faces" / "grace_hopper.jpg")
    det = BlazeFaceDetector("full_range")
    found = det.detect(image)
    assert len(found.boxes) == 1 and found.scores[0] > 0.8
    x1, y1, x2, y2 = found.boxes[0]
    right_eye, left_eye = found.keypoints[0, :2]
    assert x1 < right_eye[0] < left_eye[0] < x2 and y1 < right_eye[1] < y2
    # Black padding on the right and bottom changes the letterbox, not the face.
    padded = cv2.copyMakeBorder(image, 0, 200, 0, 300, cv2.BORDER_CONSTANT)
    again = det.detect(padded)
    assert len(again.boxes) == 1
    assert box_iou(found.boxes, again.boxes)[0, 0] > 0.85


def test_default_detector_recall_on_dlib_photos(test_data, blazeface):
    from xml.etree import ElementTree as ET

    found = total = 0
    for xml in ("training_with_face_landmarks.xml", "testing_with_face_landmarks.xml"):
        for node in ET.parse(test_data / "dlib_faces" / xml).getroot().iter("image"):
            image = load_image(test_data / "dlib_faces" / node.get("file"))
            targets = np.array(
                [
                    landmark_box([[float(p.get("x")), float(p.get("y"))] for p in box.iter("part")])
                    for box in node.iter("box")
                ]
            )
            boxes = blazeface(image).boxes
            total += len(targets)
            found += int((box_iou(targets, boxes).max(axis=1) >= 0.3).sum())
    assert total == 43
    assert found >= 41  # 43 measured (benchmarks/RESULTS.md); 90 % is the requirement


def test_no_face_gives_empty_result(blazeface):
    gradient = np.tile(np.linspace(0, 255, 320, dtype=np.uint8)[None, :, None], (240, 1, 3))
    found = blazeface(gradient)
    assert found.boxes.shape == (0, 4) and found.scores.shape == (0,)


def test_landmark_box_and_adapter_fit():
    kp = np.array([[10, 20], [50, 20], [30, 80]])
    np.testing.assert_allclose(landmark_box(kp), [0, 20, 60, 80])
    true = BoxAdapter(dx=0.05, dy=0.1, scale=0.9)
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 300, (20, 2))
    wh = rng.uniform(30, 100, (20, 1)) * [1, 1.1]
    det = np.concatenate([xy, xy + wh], 1)
    fitted = BoxAdapter.fit(det, true(det))
    np.testing.assert_allclose([fitted.dx, fitted.dy, fitted.scale], [0.05, 0.1, 0.9], atol=2e-3)
    with pytest.raises(ValueError, match="matched"):
        BoxAdapter.fit(det, det[:3])


def test_callable_detectors_and_bad_specs():
    image = np.zeros((50, 60, 3), np.uint8)
    det = get_face_detector(lambda im: [[1, 2, 30, 40]])
    assert isinstance(det, FaceDetector)
    out = det(image)
    np.testing.assert_allclose(out.boxes, [[1, 2, 30, 40]])
    np.testing.assert_allclose(out.scores, [1.0])
    with_scores = get_face_detector(lambda im: (np.array([[1, 2, 30, 40]]), [0.4]))
    np.testing.assert_allclose(with_scores(image).scores, [0.4])
    with pytest.raises(ValueError, match="1 boxes but 2 scores"):
        get_face_detector(lambda im: ([[1, 2, 30, 40]], [0.4, 0.5]))(image)
    with pytest.raises(ValueError, match="unknown face detector 'yolo'"):
        get_face_detector("yolo")
    with pytest.raises(ValueError, match="must be a name"):
        get_face_detector(42)


@pytest.mark.skipif(
    not hasattr(cv2, "CascadeClassifier"),
    reason="this OpenCV build has no CascadeClassifier (OpenCV 5 moved it to contrib)",
)
def test_haar_cascade_finds_the_face(test_data):
    image = load_image(test_data / "public_domain_faces" / "grace_hopper.jpg")
    found = get_face_detector("haar")(image)
    blaze = get_face_detector("blazeface_full_range")(image)
    assert len(found.boxes) >= 1
    assert box_iou(found.boxes[:1], blaze.boxes)[0, 0] > 0.5  # both adapted to one convention


@pytest.mark.skipif(hasattr(cv2, "CascadeClassifier"), reason="OpenCV has CascadeClassifier")
def test_haar_without_cascade_classifier_says_what_to_install():
    with pytest.raises(RuntimeError, match="opencv-contrib-python-headless"):
        HaarCascadeDetector()


def test_tiles_find_small_faces_in_a_large_image(test_data):
    big = small_faces_scene(load_image(test_data / "public_domain_faces" / "grace_hopper.jpg"))
    assert len(BlazeFaceDetector("full_range").detect(big).boxes) == 0  # ~10 px after letterbox
    found = get_face_detector("default")(big)  # tiles of 640 px
    assert len(found.boxes) == 6
    centres = (found.boxes[:, :2] + found.boxes[:, 2:]) / 2
    for x, y in SMALL_FACE_CORNERS:
        assert np.min(np.hypot(*(centres - [x + 64, y + 75]).T)) < 20
