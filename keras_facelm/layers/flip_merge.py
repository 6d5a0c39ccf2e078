"""Flip-test merges (test-time horizontal flip), exactly as MMPose's ``test_cfg``.

The model runs on the images and on their mirror (:class:`MirrorImages`; MMPose
flips the normalised input, and normalisation is per channel, so flipping
before or after it is the same). These layers merge the two outputs:

* :class:`HeatmapFlipMerge`: ``mmpose/models/utils/tta.py: flip_heatmaps`` with
  ``flip_mode='heatmap'`` then ``HeatmapHead.predict``'s average: flip W,
  permute channels by ``flip_indices``, shift right by one heatmap pixel keeping
  column 0 (``shift_heatmap=True``), then ``(original + flipped) * 0.5``.
* :class:`CoordinateFlipMerge`: ``tta.flip_coordinates`` then
  ``RegressionHead.predict``'s average, on normalised coordinates:
  ``x' = 1 - x``, ``x' -= 1 / input_width`` when ``shift_coords``, permute by
  ``flip_indices``, then ``(original + flipped) * 0.5``.

Both compute in float32 whatever the model's dtype policy.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = ["CoordinateFlipMerge", "HeatmapFlipMerge", "MirrorImages"]


@keras.saving.register_keras_serializable(package="keras_facelm")
class MirrorImages(keras.layers.Layer):
    """Horizontal mirror of ``(N, H, W, C)`` images: the flip test's second input.

    A layer of its own (not a bare ``ops.flip``) so that exports can name it:
    full-integer int8 keeps it in float, as TFLite's int8 ``REVERSE_V2`` lost
    about 7 % NME on the README main job's model.
    """

    def call(self, images):
        return ops.flip(images, axis=2)

    def compute_output_shape(self, input_shape):
        return input_shape


class _FlipMerge(keras.layers.Layer):
    """Shared checks and config of the two merges.

    Subclasses set ``_layout`` (the expected input layout, for messages),
    ``_rank`` and ``_keypoint_axis``.
    """

    _layout: str
    _rank: int
    _keypoint_axis: int

    def __init__(self, flip_indices, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        indices = [int(i) for i in flip_indices]
        if sorted(indices) != list(range(len(indices))):
            raise ValueError(
                f"{type(self).__name__}: flip_indices must be a permutation of 0..K-1, "
                f"got {indices}"
            )
        self.flip_indices = indices

    def _check(self, shape, flipped_shape):
        name = type(self).__name__
        if tuple(shape) != tuple(flipped_shape) or len(shape) != self._rank:
            raise ValueError(
                f"{name} expects two {self._layout} tensors of the same shape, "
                f"got {shape} and {flipped_shape}"
            )
        if shape[self._keypoint_axis] != len(self.flip_indices):
            raise ValueError(
                f"{name}: {shape[self._keypoint_axis]} keypoints but flip_indices has "
                f"{len(self.flip_indices)} entries"
            )

    def compute_output_shape(self, input_shape):
        shape, flipped_shape = input_shape
        self._check(shape, flipped_shape)
        return tuple(shape)

    def _unflip(self, flipped):
        """Subclass hook: the mirrored input's output in the original's frame."""
        raise NotImplementedError

    def call(self, inputs):
        original, flipped = inputs
        self._check(original.shape, flipped.shape)
        unflipped = self._unflip(ops.cast(flipped, "float32"))
        indices = np.asarray(self.flip_indices, np.int32)
        unflipped = ops.take(unflipped, indices, axis=self._keypoint_axis)
        return (ops.cast(original, "float32") + unflipped) * 0.5

    def get_config(self):
        return {**super().get_config(), "flip_indices": list(self.flip_indices)}


@keras.saving.register_keras_serializable(package="keras_facelm")
class HeatmapFlipMerge(_FlipMerge):
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

    _layout, _rank, _keypoint_axis = "(N, H, W, K) heatmap", 4, 3

    def __init__(self, flip_indices, shift_heatmap=True, **kwargs):
        super().__init__(flip_indices, **kwargs)
        self.shift_heatmap = bool(shift_heatmap)

    def _unflip(self, flipped):
        flipped = ops.flip(flipped, axis=2)
        if self.shift_heatmap:
            flipped = ops.concatenate([flipped[:, :, :1], flipped[:, :, :-1]], axis=2)
        return flipped

    def get_config(self):
        return {**super().get_config(), "shift_heatmap": self.shift_heatmap}


@keras.saving.register_keras_serializable(package="keras_facelm")
class CoordinateFlipMerge(_FlipMerge):
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

    _layout, _rank, _keypoint_axis = "(N, K, 2) coordinate", 3, 1

    def __init__(self, flip_indices, input_width, shift_coords=True, **kwargs):
        super().__init__(flip_indices, **kwargs)
        if int(input_width) <= 0:
            raise ValueError(f"CoordinateFlipMerge: input_width must be > 0, got {input_width}")
        self.input_width = int(input_width)
        self.shift_coords = bool(shift_coords)

    def _check(self, shape, flipped_shape):
        super()._check(shape, flipped_shape)
        if shape[-1] != 2:
            raise ValueError(f"CoordinateFlipMerge expects (N, K, 2) coordinates, got {shape}")

    def _unflip(self, flipped):
        x = 1.0 - flipped[..., 0]
        if self.shift_coords:
            x = x - np.float32(1.0 / self.input_width)
        return ops.stack([x, flipped[..., 1]], axis=-1)

    def get_config(self):
        return {
            **super().get_config(),
            "input_width": self.input_width,
            "shift_coords": self.shift_coords,
        }
