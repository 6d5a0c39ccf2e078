"""Normalised coordinate targets and their decoding, MMPose's ``RegressionLabel`` codec."""

from __future__ import annotations

import numpy as np

from keras_facelm.codecs.base import Codec, as_keypoints

__all__ = ["RegressionLabel"]


class RegressionLabel(Codec):
    """Keypoints divided by the input size, with MMPose's validity weights.

    Args:
        input_size: ``(width, height)`` of the network input, pixels.
    """

    def __init__(self, input_size=(256, 256)):
        if len(input_size) != 2:
            raise ValueError(f"input_size must be (width, height), got {input_size!r}")
        self.input_size = tuple(int(v) for v in input_size)

    def get_config(self):
        return {"input_size": self.input_size}

    def target_shape(self, num_keypoints):
        """``(K, 2)`` of the coordinate target."""
        return (num_keypoints, 2)

    def decoder(self, name="decode"):
        """The in-graph decoding layer: normalised ``(N, K, 2)`` → input pixels, unit scores."""
        from keras_facelm.layers.coordinate_decoding import RegressionDecoder

        return RegressionDecoder(input_size=self.input_size, name=name, dtype="float32")

    def encode(self, keypoints, visible=None):
        """Encodes one face's keypoints.

        Args:
            keypoints: ``(K, 2)`` float, ``(x, y)`` in input pixels.
            visible: ``(K,)`` visibility, or ``None`` for all visible.

        Returns:
            ``(coords, weights)``: ``(K, 2)`` float32 ``keypoints / (w, h)``
            (in [0, 1] for points inside the input) and ``(K,)`` float32, 1 where
            ``0 <= x <= w - 1``, ``0 <= y <= h - 1`` and ``visible > 0.5``,
            else 0.
        """
        keypoints, visible = as_keypoints(keypoints, visible)
        w, h = self.input_size
        valid = ((keypoints >= 0) & (keypoints <= [w - 1, h - 1])).all(axis=-1) & (visible > 0.5)
        coords = (keypoints / np.array([w, h])).astype(np.float32)
        weights = np.where(valid, 1.0, 0.0).astype(np.float32)
        return coords, weights
