"""In-model input normalisation: RGB pixels 0-255 → MMPose's normalised input."""

from __future__ import annotations

import keras

__all__ = ["PixelNormalization", "MMPOSE_MEAN", "MMPOSE_STD"]

#: MMPose's ``PoseDataPreprocessor`` mean and std, RGB order, pixel units.
MMPOSE_MEAN = (123.675, 116.28, 103.53)
MMPOSE_STD = (58.395, 57.12, 57.375)


@keras.saving.register_keras_serializable(package="keras_facelm")
class PixelNormalization(keras.layers.Layer):
    """``(x - mean) / std`` per channel, computed in float32 as MMPose does.

    Under a ``float64`` dtype policy (used to check training steps against
    MMPose's ``model.double()``) it computes in float64.

    Input: ``(N, H, W, 3)`` RGB, any real or integer dtype, values 0-255.
    Output: ``(N, H, W, 3)`` in the layer's compute dtype. ``mean`` and ``std``
    are constants (not weights), so checkpoints and exports never depend on them.
    """

    def __init__(self, mean=MMPOSE_MEAN, std=MMPOSE_STD, **kwargs):
        super().__init__(**kwargs)
        self.mean = tuple(float(m) for m in mean)
        self.std = tuple(float(s) for s in std)

    def call(self, images):
        dtype = "float64" if self.compute_dtype == "float64" else "float32"
        x = keras.ops.cast(images, dtype)
        x = (x - keras.ops.convert_to_tensor(self.mean, dtype)) / (
            keras.ops.convert_to_tensor(self.std, dtype)
        )
        return keras.ops.cast(x, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std}
