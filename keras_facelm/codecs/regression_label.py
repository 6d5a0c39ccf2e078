"""Normalised coordinate targets, MMPose's ``RegressionLabel`` codec (encode side)."""

from __future__ import annotations

import numpy as np

__all__ = ["RegressionLabel"]


class RegressionLabel:
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
        keypoints = np.asarray(keypoints)
        if keypoints.ndim != 2 or keypoints.shape[-1] != 2:
            raise ValueError(
                f"keypoints must have shape (K, 2) in input pixels, got {keypoints.shape}"
            )
        k = keypoints.shape[0]
        if visible is None:
            visible = np.ones((k,), np.float32)
        visible = np.asarray(visible, dtype=np.float32)
        if visible.shape != (k,):
            raise ValueError(f"visible must have shape ({k},), got {visible.shape}")
        w, h = self.input_size
        valid = ((keypoints >= 0) & (keypoints <= [w - 1, h - 1])).all(axis=-1) & (
            visible > 0.5
        )
        coords = (keypoints / np.array([w, h])).astype(np.float32)
        weights = np.where(valid, 1.0, 0.0).astype(np.float32)
        return coords, weights

    def encode_tf(self, keypoints, visible):
        """:meth:`encode` as a TensorFlow op for ``tf.data`` (shapes kept)."""
        import tensorflow as tf

        coords, weights = tf.numpy_function(
            self.encode, [keypoints, visible], [tf.float32, tf.float32],
            stateful=False,
        )
        k = keypoints.shape[0]
        coords.set_shape((k, 2))
        weights.set_shape((k,))
        return coords, weights
