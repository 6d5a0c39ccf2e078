"""``KeypointDecoder``: the base of the in-graph decoders (raw head output → keypoints).

Every decoder returns ``{"keypoints": (N, K, 2) float32 input pixels,
"scores": (N, K) float32}``; this class states that output once, and each
subclass says where K sits in its input (:meth:`num_keypoints`).
"""

from __future__ import annotations

import keras

__all__ = ["KeypointDecoder"]


class KeypointDecoder(keras.layers.Layer):
    """Base class: output shapes and float32 specs of ``{"keypoints", "scores"}``."""

    def num_keypoints(self, input_shape):
        """K from the raw output's shape (raises ``ValueError`` for a wrong shape)."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        n, k = input_shape[0], self.num_keypoints(input_shape)
        return {"keypoints": (n, k, 2), "scores": (n, k)}

    def compute_output_spec(self, raw):
        shapes = self.compute_output_shape(raw.shape)
        return {name: keras.KerasTensor(shape, dtype="float32") for name, shape in shapes.items()}
