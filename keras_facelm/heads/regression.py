"""DeepPose regression: MMPose's ``GlobalAveragePooling`` neck, ``RegressionHead`` and decode.

* :func:`gap_neck`: ``AdaptiveAvgPool2d(1)`` + flatten: ``(N, h, w, C)`` → ``(N, C)``.
* :func:`regression_head`: ``head.fc`` = ``Linear(C, 2K)`` with bias, reshaped
  to ``(N, K, 2)`` with x and y interleaved (fc output ``2k`` is ``x_k``,
  ``2k + 1`` is ``y_k``), no activation: normalised coordinates (1.0 = the
  input width or height).
* :class:`RegressionDecoder`: MMPose's ``RegressionLabel.decode``: coordinates
  times the input size, scores all ones.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_facelm.backbones import blocks

__all__ = ["gap_neck", "regression_head", "RegressionDecoder"]


def gap_neck(x, *, dtype=None):
    """Global average pooling over H and W: ``(N, h, w, C)`` → ``(N, C)``."""
    return keras.layers.GlobalAveragePooling2D(name="neck--gap", dtype=dtype)(x)


def regression_head(x, num_keypoints, *, dtype=None):
    """Adds MMPose's RegressionHead to a graph.

    Args:
        x: pooled features ``(N, C)``.
        num_keypoints: K.

    Returns:
        ``(N, K, 2)`` normalised ``(x, y)`` coordinates.
    """
    x = keras.layers.Dense(
        2 * num_keypoints, use_bias=True, name=blocks.keras_name("head.fc"), dtype=dtype
    )(x)
    return keras.layers.Reshape((num_keypoints, 2), name="head--reshape", dtype=dtype)(x)


@keras.saving.register_keras_serializable(package="keras_facelm")
class RegressionDecoder(keras.layers.Layer):
    """Normalised coordinates → input-pixel keypoints, as ``RegressionLabel.decode``.

    Args:
        input_size: ``(width, height)`` of the network input, pixels.

    Call:
        coords: ``(N, K, 2)`` normalised ``(x, y)``.

    Returns:
        dict with ``"keypoints"``: ``(N, K, 2)`` float32 ``coords * (w, h)``
        in input pixels, and ``"scores"``: ``(N, K)`` float32 ones (a plain
        regression head predicts no confidence).
    """

    def __init__(self, input_size=(256, 256), **kwargs):
        super().__init__(**kwargs)
        if len(input_size) != 2 or min(int(v) for v in input_size) <= 0:
            raise ValueError(f"input_size must be (width, height) > 0, got {input_size!r}")
        self.input_size = (int(input_size[0]), int(input_size[1]))

    def _check_shape(self, shape):
        if len(shape) != 3 or shape[-1] != 2:
            raise ValueError(f"RegressionDecoder expects (N, K, 2) coordinates, got {shape}")

    def compute_output_shape(self, input_shape):
        self._check_shape(input_shape)
        n, k, _ = input_shape
        return {"keypoints": (n, k, 2), "scores": (n, k)}

    def compute_output_spec(self, coords):
        shapes = self.compute_output_shape(coords.shape)
        return {
            name: keras.KerasTensor(shape, dtype="float32") for name, shape in shapes.items()
        }

    def call(self, coords):
        self._check_shape(tuple(coords.shape))
        coords = ops.cast(coords, "float32")
        size = ops.convert_to_tensor(self.input_size, dtype="float32")
        return {"keypoints": coords * size, "scores": ops.ones_like(coords[..., 0])}

    def get_config(self):
        config = super().get_config()
        config["input_size"] = self.input_size
        return config
