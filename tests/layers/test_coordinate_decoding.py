"""RegressionDecoder: normalised coordinates → input pixels, unit scores
(RegressionLabel.decode)."""

import keras
import numpy as np
import pytest

from keras_facelm.codecs import RegressionLabel
from keras_facelm.layers import RegressionDecoder


def test_decoder_scales_by_input_size_with_unit_scores():
    coords = np.array([[[0.5, 0.25], [1.0, 0.0]]], "float32")
    out = RegressionDecoder(input_size=(256, 128))(coords)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(out["keypoints"]), [[[128.0, 32.0], [256.0, 0.0]]]
    )
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out["scores"]), [[1.0, 1.0]])
    with pytest.raises(ValueError, match="width, height"):
        RegressionDecoder(input_size=(256,))
    with pytest.raises(ValueError, match=r"\(N, K, 2\)"):
        RegressionDecoder()(np.zeros((1, 3, 3), "float32"))


def test_codec_decode_inverts_encode():
    codec = RegressionLabel(input_size=(192, 256))
    keypoints = np.array([[10.0, 20.0], [191.0, 255.0]], "float32")
    coords, _ = codec.encode(keypoints)
    out = codec.decode(coords[None])
    np.testing.assert_allclose(out["keypoints"][0], keypoints, rtol=1e-6)
