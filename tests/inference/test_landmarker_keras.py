"""FaceLandmarker with a Keras task model (a tiny MobileNetV2 SimpleBaseline), per backend.

Both tests are ``slow`` (model build and compile); ``test_landmarker.py`` covers the
rest of the pipeline with a numpy predictor in the fast suite.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
from keras_facelm.inference.landmarker import FaceLandmarker
from keras_facelm.inference.predict import predict_faces
from keras_facelm.models import MobileNetV2Heatmap


def tiny_model():
    return MobileNetV2Heatmap(
        68,
        backbone=MobileNetV2Backbone(widen_factor=0.1),
        codec=dict(input_size=(64, 64)),
        head=dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,)),
    )


def photos(test_data):
    return [
        str(test_data / "public_domain_faces" / n) for n in ("grace_hopper.jpg", "astronaut.png")
    ]


@pytest.mark.slow  # 2-38 s: JAX compiles the model under load
def test_keras_model_matches_predict_faces(test_data):
    model = tiny_model()
    photos_ = photos(test_data)
    results = FaceLandmarker(model, flip_test=False).detect(photos_)
    assert [len(r) for r in results] == [1, 1]
    expected = predict_faces(model, photos_, [[r[0].box] for r in results], flip_test=False)
    for r, e in zip(results, expected, strict=True):
        np.testing.assert_allclose(r[0].keypoints, e["keypoints"][0], atol=1e-4)
        np.testing.assert_allclose(r[0].scores, e["scores"][0], atol=1e-5)
        x1, y1, x2, y2 = r[0].box
        half = 1.25 * max(x2 - x1, y2 - y1) / 2 + 1
        centre = np.array([x1 + x2, y1 + y2]) / 2
        # Inside the crop region, except points with score <= 0, which MMPose's
        # decoder puts at heatmap cell -1 (random weights give some).
        valid = r[0].scores > 0
        assert valid.any() and np.all(np.abs(r[0].keypoints[valid] - centre) <= half)


@pytest.mark.slow
def test_preset_directory_loads_as_model(test_data, tmp_path):
    model = tiny_model()
    image = photos(test_data)[0]
    expected = FaceLandmarker(model, flip_test=False).detect(image)
    model.save_to_preset(tmp_path / "preset")
    again = FaceLandmarker(str(tmp_path / "preset"), flip_test=False).detect(image)
    np.testing.assert_allclose(again[0].keypoints, expected[0].keypoints, atol=1e-4)
