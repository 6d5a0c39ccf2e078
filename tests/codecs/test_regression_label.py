"""RegressionLabel.encode against MMPose's encoder and values computed with MMPose 1.3.2."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from keras_facelm.codecs import RegressionLabel

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"


def test_matches_mmpose():
    ref = np.load(PARITY / "codec_regression.npz")
    coords, weights = RegressionLabel((256, 256)).encode(ref["keypoints"], ref["visible"])
    assert coords.dtype == np.float32 and weights.dtype == np.float32
    np.testing.assert_array_equal(coords, ref["labels"])
    np.testing.assert_array_equal(weights, ref["weights"])
    assert 0 < weights.sum() < len(weights)


def test_spec_values():
    kp = np.array([[100.3, 57.9], [-1, 5], [255, 255], [256, 3]], np.float32)
    coords, weights = RegressionLabel().encode(kp)
    np.testing.assert_allclose(coords[0], [0.39180, 0.22617], atol=5e-6)
    np.testing.assert_allclose(coords[2], [0.99609, 0.99609], atol=5e-6)
    np.testing.assert_array_equal(weights, [1, 0, 1, 0])


def test_encode_tf_in_a_dataset():
    tf = pytest.importorskip("tensorflow")
    codec = RegressionLabel()
    kp = np.array([[[10.0, 20.0], [300.0, 4.0]]], np.float32)
    vis = np.ones((1, 2), np.float32)
    ds = tf.data.Dataset.from_tensor_slices((kp, vis)).map(codec.encode_tf)
    coords, weights = next(ds.as_numpy_iterator())
    np.testing.assert_allclose(coords, kp[0] / 256)
    np.testing.assert_array_equal(weights, [1, 0])


def test_bad_shape_raises():
    with pytest.raises(ValueError, match=r"\(K, 2\)"):
        RegressionLabel().encode(np.zeros((1, 5, 2)))
