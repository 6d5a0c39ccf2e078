"""DeepPose regression: MMPose's ``GlobalAveragePooling`` neck, ``RegressionHead`` and decode.

* :func:`gap_neck`: ``AdaptiveAvgPool2d(1)`` + flatten: ``(N, h, w, C)`` → ``(N, C)``.
* :func:`regression_head`: ``head.fc`` = ``Linear(C, 2K)`` with bias, reshaped
  to ``(N, K, 2)`` with x and y interleaved (fc output ``2k`` is ``x_k``,
  ``2k + 1`` is ``y_k``), no activation: normalised coordinates (1.0 = the
  input width or height).
"""

from __future__ import annotations

import keras

from keras_facelm.backbones import blocks

__all__ = ["gap_neck", "regression_head"]


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
