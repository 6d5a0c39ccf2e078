"""evaluate(): val crops → predictions → image pixels → MMPose NME."""

import cv2
import numpy as np
import pytest

from keras_facelm.data import transforms as T
from keras_facelm.data.synthetic_faces import SyntheticFaces
from keras_facelm.evaluation import evaluate, face_box_sizes


class OraclePredictor:
    """Stands in for a detector: returns the ground truth in crop pixels, plus ``offset``.

    It knows the records, and evaluate() processes them in order, so call ``k``
    of ``predict_landmarks`` covers faces ``k*B .. k*B + B - 1``. Crop positions
    come from MMPose's warp matrix (``get_warp_matrix``, tested against MMPose)
    applied with ``cv2.transform``.
    """

    scheme = "300w"

    def __init__(self, records, image_size=(256, 256), offset=(0.0, 0.0)):
        self.records, self.image_size = records, image_size
        self.offset = np.asarray(offset, np.float32)
        self.seen, self.flip_args = 0, []

    def predict_landmarks(self, images, flip_test=None, batch_size=32):
        self.flip_args.append(flip_test)
        assert images.shape[1:3] == self.image_size and images.dtype == np.float32
        h, w = self.image_size
        out = []
        for r in self.records[self.seen : self.seen + len(images)]:
            if "center" in r:
                center, scale = T.center_scale_from_pixel_std(r["center"], r["scale"])
            else:
                center, scale = T.bbox_xyxy_to_center_scale(r["bbox"])
            width = max(scale[0], scale[1] * w / h)  # the aspect-fixed box width
            m = T.get_warp_matrix(center, (width, width * h / w), 0.0, (w, h))
            out.append(cv2.transform(r["keypoints"][None], m)[0] + self.offset)
        self.seen += len(images)
        kp = np.stack(out).astype(np.float32)
        return {"keypoints": kp, "scores": np.ones(kp.shape[:2], np.float32)}


@pytest.fixture(scope="module")
def faces():
    return list(SyntheticFaces(5, seed=11, image_size=(128, 128)))


def test_perfect_predictions_give_zero_nme(faces):
    model = OraclePredictor(faces)
    result = evaluate(model, faces, batch_size=2, progress=False, flip_test=False)
    assert model.seen == 5 and model.flip_args == [False] * 3
    assert result["nme"] < 1e-5
    np.testing.assert_allclose(
        result["keypoints"], np.stack([f["keypoints"] for f in faces]), atol=2e-3
    )
    assert result["failure_rate"] == 0.0 and result["auc"] > 0.99
    assert result["per_image_nme"].shape == (5,) and result["scores"].shape == (5, 68)


def test_known_crop_offset_gives_known_nme(faces):
    """A (3, 4) crop-pixel error is 5 * S / 256 image pixels, over the eye distance."""
    result = evaluate(
        OraclePredictor(faces, offset=(3.0, 4.0)), faces, batch_size=4, progress=False
    )
    kp = np.stack([f["keypoints"] for f in faces]).astype(np.float64)
    side = np.array([f["scale"] * 200 * 1.25 for f in faces])
    iod = np.linalg.norm(kp[:, 36] - kp[:, 45], axis=1)
    per_image = 5.0 * side / 256 / iod
    vis = np.stack([f["keypoints_visible"] for f in faces]) > 0
    np.testing.assert_allclose(result["per_image_nme"], per_image, rtol=1e-4)
    expected = (per_image[:, None] * vis).sum() / vis.sum()
    assert result["nme"] == pytest.approx(expected, rel=1e-4)


def test_non_square_input_and_box_records(faces):
    """bbox-only records (COFW/COCO path) and a 4:3 crop map back exactly too."""
    records = [
        {
            "image": f["image"],
            "keypoints": f["keypoints"],
            "visible": f["keypoints_visible"],
            "bbox": f["bbox"],
        }
        for f in faces
    ]
    model = OraclePredictor(records, image_size=(256, 192))
    result = evaluate(model, records, batch_size=8, progress=False)
    assert result["nme"] < 1e-5


def test_box_normalised_scheme_uses_box_sizes(faces):
    sizes = face_box_sizes(faces)
    np.testing.assert_allclose(sizes, [f["scale"] * 200 for f in faces], rtol=1e-6)
    assert face_box_sizes([{"bbox": [0, 0, 30, 40]}])[0] == 40
    assert face_box_sizes([{"box_size": 12.0, "scale": 1.0}])[0] == 12
    with pytest.raises(ValueError, match="record 0"):
        face_box_sizes([{}])


def test_empty_records_raise():
    with pytest.raises(ValueError, match="empty"):
        evaluate(OraclePredictor([]), [], progress=False)
