"""FaceLandmarker with a numpy predictor: reading, detection, batching, bad inputs.

No Keras here (the Keras-model path is in ``test_landmarker_keras.py``).
"""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest

from keras_facelm.inference.landmarker import FaceLandmarker, read_image
from keras_facelm.inference.predictor import as_predictor


class CentrePredictor:
    """Puts 68 keypoints on a 16-px grid around the crop centre; counts calls."""

    input_size = (192, 256)  # (width, height): a non-square crop
    scheme = "300w"

    def __init__(self):
        self.batches = []

    def predict(self, crops):
        crops = np.asarray(crops)
        assert crops.dtype == np.uint8 and crops.shape[1:] == (256, 192, 3)
        self.batches.append(len(crops))
        grid = np.stack(np.meshgrid(np.arange(-4, 4), np.arange(-4, 5)), -1).reshape(-1, 2)[:68]
        kp = np.array([96.0, 128.0]) + 16.0 * grid
        return {
            "keypoints": np.repeat(kp[None], len(crops), 0).astype(np.float32),
            "scores": np.full((len(crops), 68), 0.5, np.float32),
        }


@pytest.fixture
def photos(test_data):
    return test_data / "public_domain_faces"


@pytest.fixture(scope="module")
def landmarker():
    return FaceLandmarker(CentrePredictor())


def test_boxes_in_keypoints_out_in_image_pixels():
    pred = CentrePredictor()
    lm = FaceLandmarker(pred, detector=None, batch_size=2)
    image = np.zeros((300, 400, 3), np.uint8)
    boxes = [[100, 50, 180, 130], [10, 10, 60, 80], [300, 200, 380, 290]]
    result = lm.detect(image, boxes=boxes)
    assert len(result) == 3 and pred.batches == [2, 1]  # chunks of batch_size
    for face, box in zip(result, boxes, strict=True):
        x1, y1, x2, y2 = box
        # the crop centre maps to the box centre; 16 crop px = 16 * S / 192 image px
        side = max((x2 - x1) * 1.25, (y2 - y1) * 1.25 * 192 / 256)
        np.testing.assert_allclose(face.keypoints[36], [(x1 + x2) / 2, (y1 + y2) / 2], atol=1e-3)
        np.testing.assert_allclose(
            face.keypoints[37] - face.keypoints[36], [16 * side / 192, 0], rtol=1e-5
        )
        assert face.detector_score is None and face.names[0] == "kpt-0"
        assert face.keypoints.shape == (68, 2) and face.scores.shape == (68,)


def test_detector_then_all_crops_of_all_images_batched(photos):
    pred = CentrePredictor()
    lm = FaceLandmarker(pred, batch_size=32)
    paths = [
        photos / "grace_hopper.jpg",
        photos / "astronaut.png",
        photos / "camera.png",
    ]
    results = lm.detect([str(p) for p in paths])
    assert [len(r) for r in results] == [1, 1, 1]
    assert pred.batches == [3]  # the three faces in one forward pass
    assert [(r.width, r.height, r.error) for r in results] == [
        (512, 600, None),
        (512, 512, None),
        (512, 512, None),
    ]
    for r in results:
        for face in r:
            assert 0.5 < face.detector_score <= 1
            x1, y1, x2, y2 = face.box
            assert 0 <= x1 < x2 <= r.width and 0 <= y1 < y2 <= r.height
            assert np.all((face.keypoints >= 0) & (face.keypoints < [r.width, r.height]))
    record = json.loads(json.dumps(results[0].to_json()))
    assert record["image"].endswith("grace_hopper.jpg") and record["scheme"] == "300w"
    assert set(record["faces"][0]) == {"box", "detector_score", "keypoints", "scores"}


def test_reads_grayscale_rgba_16bit_palette_bgr_and_exif(photos, tmp_path):
    rgb = read_image(photos / "grace_hopper.jpg")
    gray = read_image(photos / "camera.png")
    assert gray.shape == (512, 512, 3) and np.array_equal(gray[..., 0], gray[..., 2])
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 128, np.uint8)], -1)
    ok, png = cv2.imencode(".png", rgba[..., [2, 1, 0, 3]])  # OpenCV writes BGRA
    assert np.array_equal(read_image(png.tobytes()), rgb)
    ok, png16 = cv2.imencode(".png", rgb[..., ::-1].astype(np.uint16) * 257)
    assert np.array_equal(read_image(png16.tobytes()), rgb)
    assert np.array_equal(read_image(rgb[..., ::-1], color="bgr"), rgb)
    assert np.array_equal(read_image(rgba[..., [2, 1, 0, 3]], color="bgr"), rgb)
    Image = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    Image.fromarray(rgb).convert("P").save(buf, "PNG")
    palette = read_image(buf.getvalue())
    assert palette.shape == rgb.shape and np.abs(palette.astype(int) - rgb).mean() < 20
    # EXIF orientation 6: the stored pixels are rotated; the decoder turns them upright.
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.rot90(rgb).copy()).save(buf, "JPEG", quality=95, exif=exif.tobytes())
    upright = read_image(buf.getvalue())
    assert upright.shape == rgb.shape and np.abs(upright.astype(int) - rgb).mean() < 5


def test_bad_inputs_in_a_batch_are_named_and_the_rest_is_processed(photos, tmp_path, landmarker):
    good = photos / "grace_hopper.jpg"
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "cut.jpg").write_bytes(good.read_bytes()[:20000])
    blank = np.full((240, 320, 3), 127, np.uint8)
    inputs = [
        str(tmp_path / "missing.jpg"),
        tmp_path / "notes.txt",
        tmp_path / "empty.jpg",
        tmp_path / "cut.jpg",
        blank,
        good,
        good,
        good,
    ]
    boxes = [None] * 5 + [None, [[600, 700, 650, 760]], [[10, 10, 10, 50]]]
    results = landmarker.detect(inputs, boxes=boxes)
    errors = [r.error for r in results]
    assert "not found" in errors[0] and "missing.jpg" in errors[0]
    assert "does not decode" in errors[1] and "notes.txt" in errors[1]
    assert "is empty" in errors[2]
    assert "truncated JPEG" in errors[3]
    assert errors[4] is None and len(results[4]) == 0  # no face: an empty result
    assert errors[5] is None and len(results[5]) == 1
    assert "outside the 512x600" in errors[6]
    assert "zero or negative size" in errors[7]
    assert all("\n" not in e for e in errors if e)
    assert results[0].to_json()["error"] == errors[0]


def test_single_bad_input_raises_one_line(tmp_path, landmarker):
    with pytest.raises(FileNotFoundError, match="missing.png"):
        landmarker.detect(tmp_path / "missing.png")
    with pytest.raises(ValueError, match="is empty"):
        landmarker.detect(b"")
    with pytest.raises(ValueError, match="color must be"):
        landmarker.detect(np.zeros((8, 8, 3), np.uint8), color="rgba")
    with pytest.raises(ValueError, match="2 images but 1 box arrays"):
        landmarker.detect([b"", b""], boxes=[None])


def test_predictor_resolution(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.tflite"):
        as_predictor(tmp_path / "nothere.tflite")
    with pytest.raises(ValueError, match="got int"):
        as_predictor(3)
    pred = CentrePredictor()
    assert as_predictor(pred) is pred


def test_names_label_results_and_errors(photos, landmarker):
    data = (photos / "grace_hopper.jpg").read_bytes()
    results = landmarker.detect([b"", data], names=["gs://a.jpg", "gs://b.jpg"])
    assert [r.image for r in results] == ["gs://a.jpg", "gs://b.jpg"]
    assert "gs://a.jpg" in results[0].error and len(results[1]) == 1
    with pytest.raises(ValueError, match="2 images but 1 names"):
        landmarker.detect([data, data], names=["x"])


def test_detector_filters_pillow_input_and_missing_detector(test_data):
    image = read_image(test_data / "dlib_faces" / "2008_007676.jpg")
    everyone = FaceLandmarker(CentrePredictor()).detect(image)
    scores = [f.detector_score for f in everyone]
    assert len(everyone) == 7 and scores == sorted(scores, reverse=True)
    top = FaceLandmarker(CentrePredictor(), max_faces=2).detect(image)
    assert [f.detector_score for f in top] == scores[:2]
    sure = FaceLandmarker(CentrePredictor(), min_detector_score=0.85).detect(image)
    assert len(sure) == sum(s >= 0.85 for s in scores) < 7
    Image = pytest.importorskip("PIL.Image")
    from_pil = FaceLandmarker(CentrePredictor()).detect(Image.fromarray(image).convert("P"))
    assert len(from_pil) >= 6
    with pytest.raises(ValueError, match="no detector"):
        FaceLandmarker(CentrePredictor(), detector=None).detect(image)
