"""DepthwiseConv2D equals Keras's layer (same weights) on every backend; on JAX it takes
the shifted-sum path, elsewhere Keras's own call."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_facelm.layers import DepthwiseConv2D


@pytest.mark.parametrize(
    "size, kernel, strides, use_bias",
    [((17, 12), 3, 1, False), ((17, 12), 3, 2, True), ((9, 9), 5, 2, False), ((8, 8), 1, 1, True)],
)
def test_equals_keras_depthwise_conv(size, kernel, strides, use_bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, *size, 6)).astype("float32")
    ours = DepthwiseConv2D(kernel, strides=strides, use_bias=use_bias, activation="relu")
    reference = keras.layers.DepthwiseConv2D(
        kernel, strides=strides, use_bias=use_bias, activation="relu"
    )
    ours.build(x.shape)
    reference.build(x.shape)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in reference.get_weights()]
    ours.set_weights(weights)
    reference.set_weights(weights)
    expected = keras.ops.convert_to_numpy(reference(x))
    got = keras.ops.convert_to_numpy(ours(x))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert ours._shifted_sum_applies() == (keras.backend.backend() == "jax")


def test_other_settings_fall_back_and_config_round_trips():
    layer = DepthwiseConv2D(3, padding="same", depth_multiplier=2)
    assert not layer._shifted_sum_applies()
    x = np.ones((1, 5, 5, 2), "float32")
    assert keras.ops.convert_to_numpy(layer(x)).shape == (1, 5, 5, 4)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert type(clone) is DepthwiseConv2D and clone.get_config() == layer.get_config()
