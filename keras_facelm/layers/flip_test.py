"""Flip test (test-time horizontal flip) exactly as MMPose's ``test_cfg``.

* :func:`flip_images`: mirror NHWC images along W (MMPose flips the normalised
  input tensor, ``inputs.flip(-1)``; normalisation is per channel, so flipping
  before or after it is the same).
* :class:`HeatmapFlipMerge`: ``mmpose/models/utils/tta.py: flip_heatmaps`` with
  ``flip_mode='heatmap'`` then ``HeatmapHead.predict``'s average
  (MMPOSE_SPEC.md §5.6): flip W, permute channels by ``flip_indices``, shift right
  by one heatmap pixel keeping column 0 (``shift_heatmap=True``), then
  ``(original + flipped) * 0.5``.
* :class:`CoordinateFlipMerge`: ``tta.flip_coordinates`` then
  ``RegressionHead.predict``'s average (§5.7), on normalised coordinates:
  ``x' = 1 - x``, ``x' -= 1 / input_width`` when ``shift_coords``, permute by
  ``flip_indices``, then ``(original + flipped) * 0.5``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = ["flip_images", "HeatmapFlipMerge", "CoordinateFlipMerge"]


def flip_images(images):
    """Mirror ``(N, H, W, C)`` images along W (the horizontal flip of the flip test)."""
    return ops.flip(images, axis=2)


def _check_flip_indices(flip_indices, name):
    indices = [int(i) for i in flip_indices]
    if sorted(indices) != list(range(len(indices))):
        raise ValueError(f"{name}: flip_indices must be a permutation of 0..K-1, got {indices}")
    return indices


@keras.saving.register_keras_serializable(package="keras_facelm")
class HeatmapFlipMerge(keras.layers.Layer):
    """Average heatmaps with the un-flipped heatmaps of the mirrored input.

    Args:
        flip_indices: length-K permutation; channel ``i`` of the mirrored
            input's heatmaps is keypoint ``flip_indices[i]`` of the original
            (the scheme's ``flip_indices``).
        shift_heatmap: shift the un-flipped heatmaps right by one heatmap pixel
            (column 0 keeps its value), MMPose's ``test_cfg.shift_heatmap``
            (``True`` in every face config).

    Call:
        inputs: ``[heatmaps, heatmaps_of_flipped_input]``, each
            ``(N, H, W, K)`` channels-last, heatmap pixels.

    Returns:
        ``(N, H, W, K)``: ``(heatmaps + unflipped) * 0.5`` in float32.
    """

    def __init__(self, flip_indices, shift_heatmap=True, **kwargs):
        super().__init__(**kwargs)
        self.flip_indices = _check_flip_indices(flip_indices, "HeatmapFlipMerge")
        self.shift_heatmap = bool(shift_heatmap)

    def _check(self, shape, flipped_shape):
        if tuple(shape) != tuple(flipped_shape) or len(shape) != 4:
            raise ValueError(
                "HeatmapFlipMerge expects two (N, H, W, K) heatmaps of the same shape, "
                f"got {shape} and {flipped_shape}"
            )
        if shape[-1] != len(self.flip_indices):
            raise ValueError(
                f"HeatmapFlipMerge: heatmaps have {shape[-1]} channels but flip_indices "
                f"has {len(self.flip_indices)} entries"
            )

    def compute_output_shape(self, input_shape):
        shape, flipped_shape = input_shape
        self._check(shape, flipped_shape)
        return tuple(shape)

    def call(self, inputs):
        heatmaps, flipped = inputs
        self._check(heatmaps.shape, flipped.shape)
        heatmaps = ops.cast(heatmaps, "float32")
        flipped = ops.flip(ops.cast(flipped, "float32"), axis=2)
        flipped = ops.take(flipped, np.asarray(self.flip_indices, np.int32), axis=3)
        if self.shift_heatmap:
            flipped = ops.concatenate([flipped[:, :, :1], flipped[:, :, :-1]], axis=2)
        return (heatmaps + flipped) * 0.5

    def get_config(self):
        config = super().get_config()
        config.update({"flip_indices": list(self.flip_indices), "shift_heatmap": self.shift_heatmap})
        return config


@keras.saving.register_keras_serializable(package="keras_facelm")
class CoordinateFlipMerge(keras.layers.Layer):
    """Average normalised coordinates with those of the mirrored input.

    Args:
        flip_indices: length-K permutation (the scheme's ``flip_indices``).
        input_width: the model's input width in pixels (MMPose's
            ``input_size[0]``), used by the shift.
        shift_coords: subtract ``1 / input_width`` after mirroring, MMPose's
            ``test_cfg.shift_coords`` (default ``True``).

    Call:
        inputs: ``[coords, coords_of_flipped_input]``, each ``(N, K, 2)``
            ``(x, y)`` normalised to [0, 1] by the input size.

    Returns:
        ``(N, K, 2)`` float32 normalised coordinates.
    """

    def __init__(self, flip_indices, input_width, shift_coords=True, **kwargs):
        super().__init__(**kwargs)
        self.flip_indices = _check_flip_indices(flip_indices, "CoordinateFlipMerge")
        if int(input_width) <= 0:
            raise ValueError(f"CoordinateFlipMerge: input_width must be > 0, got {input_width}")
        self.input_width = int(input_width)
        self.shift_coords = bool(shift_coords)

    def _check(self, shape, flipped_shape):
        if tuple(shape) != tuple(flipped_shape) or len(shape) != 3 or shape[-1] != 2:
            raise ValueError(
                "CoordinateFlipMerge expects two (N, K, 2) coordinate tensors of the "
                f"same shape, got {shape} and {flipped_shape}"
            )
        if shape[1] != len(self.flip_indices):
            raise ValueError(
                f"CoordinateFlipMerge: {shape[1]} keypoints but flip_indices has "
                f"{len(self.flip_indices)} entries"
            )

    def compute_output_shape(self, input_shape):
        shape, flipped_shape = input_shape
        self._check(shape, flipped_shape)
        return tuple(shape)

    def call(self, inputs):
        coords, flipped = inputs
        self._check(coords.shape, flipped.shape)
        coords = ops.cast(coords, "float32")
        flipped = ops.cast(flipped, "float32")
        x = 1.0 - flipped[..., 0]
        if self.shift_coords:
            x = x - np.float32(1.0 / self.input_width)
        flipped = ops.stack([x, flipped[..., 1]], axis=-1)
        flipped = ops.take(flipped, np.asarray(self.flip_indices, np.int32), axis=1)
        return (coords + flipped) * 0.5

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "flip_indices": list(self.flip_indices),
                "input_width": self.input_width,
                "shift_coords": self.shift_coords,
            }
        )
        return config
