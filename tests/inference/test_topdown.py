"""The one crop path: boxes → crops → keypoints in image pixels, batched across images."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.data import transforms as T
from keras_facelm.inference.topdown import (
    boxes_to_center_scale,
    check_boxes,
    crop_faces,
    crops_to_image,
    predict_in_images,
)

INPUT_SIZE = (64, 48)  # (width, height): a non-square model input


def _image(h=120, w=160, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_center_scale_is_mmposes_get_bbox_center_scale():
    boxes = np.array([[10, 20, 50, 90], [0, 0, 8, 4]], np.float32)
    centers, scales = boxes_to_center_scale(boxes, padding=1.25)
    for box, c, s in zip(boxes, centers, scales, strict=True):
        ref_c, ref_s = T.bbox_xyxy_to_center_scale(box, padding=1.25)
        np.testing.assert_array_equal(c, ref_c)
        np.testing.assert_array_equal(s, ref_s)


def test_crop_then_back_to_image_is_the_identity_for_keypoints():
    image = _image()
    boxes = np.array([[30, 25, 90, 100], [100, 10, 150, 60]], np.float32)
    centers, scales = boxes_to_center_scale(boxes)
    crops = crop_faces(image, centers, scales, INPUT_SIZE)
    assert crops.shape == (2, 48, 64, 3) and crops.dtype == np.uint8
    points = np.array([[40.0, 50.0], [70.5, 80.25]], np.float32)
    in_crop = np.stack(
        [
            T.warp_to_crop(image, points, c, s, 0.0, INPUT_SIZE)[1]
            for c, s in zip(centers, scales, strict=True)
        ]
    )
    back = crops_to_image(in_crop, centers, scales, INPUT_SIZE)
    np.testing.assert_allclose(back, np.stack([points, points]), atol=1e-3)


def _fake_predictor(calls):
    """Returns the crop's mean grey level as every keypoint's x, so crops are traceable."""

    def predict(crops):
        calls.append(len(crops))
        level = crops.reshape(len(crops), -1).mean(axis=1)
        kp = np.stack([np.stack([level, np.full_like(level, 24.0)], -1)] * 3, axis=1)
        return {
            "keypoints": kp.astype(np.float32),
            "scores": np.ones((len(crops), 3), np.float32),
        }

    return predict


def test_all_faces_of_all_images_are_batched_and_split_back():
    images = [_image(seed=1), _image(seed=2), _image(seed=3)]
    boxes = [
        np.array([[10, 10, 60, 70], [80, 20, 140, 90]]),
        np.zeros((0, 4)),
        np.array([[5, 5, 100, 110]]),
    ]
    calls = []
    results = predict_in_images(_fake_predictor(calls), INPUT_SIZE, images, boxes, batch_size=2)
    assert calls == [2, 1]  # three faces in chunks of two, across images
    assert [len(r["keypoints"]) for r in results] == [2, 0, 1]
    # Each face equals running it alone.
    for image, b, r in zip(images, boxes, results, strict=True):
        for j in range(len(b)):
            alone = predict_in_images(_fake_predictor([]), INPUT_SIZE, [image], [b[j : j + 1]])
            np.testing.assert_array_equal(r["keypoints"][j], alone[0]["keypoints"][0])
            np.testing.assert_array_equal(r["boxes"][j], b[j])


def test_bad_boxes_name_the_image_and_box():
    image = _image()
    with pytest.raises(ValueError, match=r"boxes of image 0\[1\] = .* zero or negative size"):
        predict_in_images(_fake_predictor([]), INPUT_SIZE, [image], [[[0, 0, 9, 9], [5, 5, 5, 9]]])
    with pytest.raises(ValueError, match=r"outside the 160x120"):
        check_boxes([[200, 10, 260, 50]], image.shape)
    with pytest.raises(ValueError, match="not finite"):
        check_boxes([[0, 0, np.nan, 9]])
    with pytest.raises(ValueError, match=r"shape \(F, 4\)"):
        check_boxes([[0, 0, 9]])
    with pytest.raises(ValueError, match="2 images but 1 box arrays"):
        predict_in_images(_fake_predictor([]), INPUT_SIZE, [image, image], [[[0, 0, 9, 9]]])
    # A box partly outside the image is cropped with a black border, as in MMPose.
    out = predict_in_images(_fake_predictor([]), INPUT_SIZE, [image], [[[-20, -20, 30, 30]]])
    assert out[0]["keypoints"].shape == (1, 3, 2)
