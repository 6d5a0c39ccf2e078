"""``RegressionDecoder``: normalised coordinates → input pixels.

MMPose's ``RegressionLabel.decode``.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_facelm.layers.keypoint_decoder import KeypointDecoder

__all__ = ["RegressionDecoder"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class RegressionDecoder(KeypointDecoder):
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

    def num_keypoints(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] != 2:
            raise ValueError(f"RegressionDecoder expects (N, K, 2) coordinates, got {input_shape}")
        return input_shape[1]

    def call(self, coords):
        self.num_keypoints(tuple(coords.shape))
        coords = ops.cast(coords, "float32")
        size = ops.convert_to_tensor(self.input_size, dtype="float32")
        return {"keypoints": coords * size, "scores": ops.ones_like(coords[..., 0])}

    def get_config(self):
        config = super().get_config()
        config["input_size"] = self.input_size
        return config
