"""``Codec``: what the heatmap and regression codecs share.

A codec states, once, how keypoints in input pixels become training targets
(``encode``, numpy, per face) and how the head's output becomes keypoints
(``decoder()``, an in-graph Keras layer, so exported models decode too). A
detector owns its codec (``model.codec``); pipelines and losses take it from
there.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Codec", "as_keypoints"]


def as_keypoints(keypoints, visible):
    """Validates one face's ``(K, 2)`` keypoints and ``(K,)`` visibility (default all 1).

    Returns:
        ``(keypoints, visible)``: floating ``(K, 2)`` (float32 unless already
        floating) and float32 ``(K,)``.
    """
    keypoints = np.asarray(keypoints)
    if keypoints.ndim != 2 or keypoints.shape[-1] != 2:
        raise ValueError(f"keypoints must have shape (K, 2) in input pixels, got {keypoints.shape}")
    if not np.issubdtype(keypoints.dtype, np.floating):
        keypoints = keypoints.astype(np.float32)
    k = keypoints.shape[0]
    visible = np.ones((k,), np.float32) if visible is None else visible
    visible = np.asarray(visible, dtype=np.float32)
    if visible.shape != (k,):
        raise ValueError(f"visible must have shape ({k},), got {visible.shape}")
    return keypoints, visible


class Codec:
    """Base class: ``input_size``, ``get_config``/``from_config``, ``encode_tf``, ``decode``.

    Subclasses set ``input_size`` (``(width, height)`` pixels), implement
    ``encode(keypoints, visible) -> (target, weights)``, ``target_shape(k)``
    and ``decoder(name)`` (the Keras layer mapping the raw head output to
    ``{"keypoints": (N, K, 2) input pixels, "scores": (N, K)}``).
    """

    input_size: tuple[int, int]

    def get_config(self) -> dict:
        raise NotImplementedError

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    def encode_tf(self, keypoints, visible):
        """:meth:`encode` as a TensorFlow op for ``tf.data`` (static shapes where K is known).

        Args:
            keypoints: ``(K, 2)`` float tensor, input pixels.
            visible: ``(K,)`` float tensor.

        Returns:
            ``(target, weights)`` float32 tensors (see ``encode``).
        """
        import tensorflow as tf

        target, weights = tf.numpy_function(
            self.encode, [keypoints, visible], [tf.float32, tf.float32], stateful=False
        )
        k = keypoints.shape[0]
        target.set_shape(self.target_shape(k))
        weights.set_shape((k,))
        return target, weights

    def decode(self, raw):
        """Decodes raw head outputs eagerly: numpy in, ``{"keypoints", "scores"}`` numpy out."""
        import keras

        out = self.decoder()(keras.ops.convert_to_tensor(np.asarray(raw, np.float32)))
        return {k: keras.ops.convert_to_numpy(v) for k, v in out.items()}
