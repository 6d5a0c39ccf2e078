"""predict_faces: a Keras detector on whole images equals crop → predict_landmarks → back."""

from __future__ import annotations

import cv2
import numpy as np

from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.inference.predict import predict_faces
from keras_facelm.inference.topdown import (
    boxes_to_center_scale,
    crop_faces,
    crops_to_image,
)
from keras_facelm.models import DeepPoseResNet50


def _model():
    backbone = ResNetBackbone(depth=18, base_channels=2, stem_channels=4)
    return DeepPoseResNet50(98, backbone=backbone, codec=dict(input_size=(64, 64)))


def test_whole_image_prediction_equals_the_manual_crop_path(tmp_path):
    model = _model()
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)
    boxes = np.array([[10, 10, 60, 70], [50, 20, 110, 80]], np.float32)
    out = predict_faces(model, image, boxes, flip_test=False)
    centers, scales = boxes_to_center_scale(boxes)
    crops = crop_faces(image, centers, scales, (64, 64))
    manual = model.predict_landmarks(crops, flip_test=False)
    expected = crops_to_image(manual["keypoints"], centers, scales, (64, 64))
    np.testing.assert_allclose(out["keypoints"], expected, atol=1e-4)
    assert out["keypoints"].shape == (2, 98, 2) and out["scores"].shape == (2, 98)

    # A path to a grayscale PNG and a list of images give the same faces.
    gray = image[..., 0]
    path = tmp_path / "gray.png"
    cv2.imwrite(str(path), gray)
    both = predict_faces(
        model,
        [str(path), np.repeat(gray[..., None], 3, -1)],
        [boxes, boxes],
        flip_test=False,
    )
    np.testing.assert_allclose(both[0]["keypoints"], both[1]["keypoints"], atol=1e-5)
