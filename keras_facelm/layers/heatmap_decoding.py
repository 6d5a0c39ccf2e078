"""Heatmaps → keypoints, exactly as MMPose's ``MSRAHeatmap.decode`` (in-graph).

:class:`HeatmapDecoder` reproduces ``mmpose/codecs/msra_heatmap.py`` decode
(``mmpose/codecs/utils/post_processing.py`` and ``refinement.py``) with
``keras.ops`` only, vectorised over batch and
keypoints, so it runs under ``jax.jit``, ``tf.function`` (XLA included) and
torch, and is part of exported graphs:

1. ``get_heatmap_maximum``: the first maximum in row-major (y-major) order, like
   ``numpy.argmax`` (the first row whose maximum is the map's maximum, then the
   first column of that row equal to it, so ties never depend on a backend's
   ``argmax``); ``score`` = that maximum;
   a score ``<= 0`` gives ``(x, y) = (-1, -1)``.
2. ``unbiased=False`` (``refine_keypoints``): move by ±0.25 heatmap px towards
   the larger neighbour: ``dx = h[y, x+1] - h[y, x-1]`` only when
   ``1 < x < W-1 and 0 < y < H``, ``dy = h[y+1, x] - h[y-1, x]`` only when
   ``1 < y < H-1 and 0 < x < W`` (MMPose's conditions, ``x = 1`` excluded).
3. ``unbiased=True`` (``refine_keypoints_dark``): per-channel zero-padded
   Gaussian blur (``cv2.GaussianBlur`` with ``ksize`` = ``blur_kernel_size`` and
   ``sigma = 0.3 ((ksize - 1) / 2 - 1) + 0.8``), rescaled to the channel's
   original maximum, ``L = log(max(blurred, 1e-10))``, and one Newton step
   ``-Hess⁻¹ ∇L`` from finite differences at the un-blurred argmax, only when
   ``1 < x < W-2 and 1 < y < H-2`` and ``det(Hess) != 0``.
4. ``(x, y) * scale`` (MMPose's ``scale_factor = input_size / heatmap_size``).

Speed: the maps are read once (row maxima); DARK needs the blurred map only at
13 points around each maximum, so the blur is one ``(S², 25)`` matrix product on
the gathered ``S x S`` patch around it (``S = blur_kernel_size + 4``) instead of
a blur of the whole map. The rescale factor ``c = max(h) / max(blur(h))`` is ≥ 1 and only
shifts ``L`` by the constant ``log c``, which cancels in every derivative,
unless the ``1e-10`` floor is active at one of those points; only then (any such
keypoint in the batch) is the full-map blur computed, inside ``keras.ops.cond``.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_facelm.layers.keypoint_decoder import KeypointDecoder

__all__ = ["HeatmapDecoder", "gaussian_kernel_1d"]

_LOG_FLOOR = 1e-10
# A blurred value above this cannot fall to the floor after the rescale by c >= 1
# (c can be below 1 only by float rounding of the kernel sum, ~1e-7).
_FLOOR_SAFE = 2e-10


def gaussian_kernel_1d(kernel_size: int) -> np.ndarray:
    """OpenCV's ``getGaussianKernel(kernel_size, 0)`` as float32, shape ``(kernel_size,)``.

    This is the separable kernel ``cv2.GaussianBlur(ksize, sigmaX=0)`` applies to
    float32 images: binomial tables up to size 9, otherwise a sampled Gaussian
    with ``sigma = 0.3 ((kernel_size - 1) / 2 - 1) + 0.8`` (2.0 for 11).
    """
    import cv2

    if kernel_size < 3 or kernel_size % 2 != 1:
        raise ValueError(f"blur_kernel_size must be an odd integer >= 3, got {kernel_size}")
    return cv2.getGaussianKernel(kernel_size, 0, ktype=cv2.CV_32F).ravel().astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_facelm")
class HeatmapDecoder(KeypointDecoder):
    """Decode channels-last heatmaps to keypoints like MMPose's ``MSRAHeatmap``.

    Args:
        unbiased: ``False`` for argmax + quarter offset, ``True`` for DARK.
        blur_kernel_size: odd size of DARK's modulation blur (MMPose's
            ``blur_kernel_size``, 11 for sigma-2 targets). Ignored when
            ``unbiased=False``.
        scale: ``(sx, sy)`` input pixels per heatmap pixel
            (``input_size / heatmap_size``; ``(4.0, 4.0)`` for 256 → 64).

    Call:
        heatmaps: ``(N, H, W, K)`` float (cast to float32); ``N`` may be dynamic,
            ``H, W, K`` must be static.

    Returns:
        dict with ``"keypoints"``: ``(N, K, 2)`` float32 ``(x, y)`` in input
        pixels (``heatmap index * scale``, no half-pixel offset; ``(-1, -1) *
        scale`` where the score is ``<= 0``), and ``"scores"``: ``(N, K)``
        float32, the heatmap maximum (before any blur).
    """

    def __init__(self, unbiased=False, blur_kernel_size=11, scale=(4.0, 4.0), **kwargs):
        super().__init__(**kwargs)
        if len(scale) != 2:
            raise ValueError(f"scale must be (sx, sy), got {scale!r}")
        self.unbiased = bool(unbiased)
        self.blur_kernel_size = int(blur_kernel_size)
        self.scale = (float(scale[0]), float(scale[1]))
        self._kernel = gaussian_kernel_1d(self.blur_kernel_size)
        self._radius = self.blur_kernel_size // 2
        # Patch half-size: 2 px of finite differences plus the blur radius.
        self._half = self._radius + 2
        # (S², 25) matrix, S = 2 half + 1: the zero-padded separable blur of an
        # S x S patch evaluated on the 5x5 grid around its centre, row-major.
        span = 2 * self._half + 1
        band = np.zeros((span, 5), np.float64)
        for j in range(5):
            band[j : j + self.blur_kernel_size, j] = self._kernel
        self._blur_matrix = (
            np.einsum("yi,xj->yxij", band, band).reshape(span * span, 25).astype(np.float32)
        )

    def _check_shape(self, shape):
        if len(shape) != 4 or any(d is None for d in shape[1:]):
            raise ValueError(
                f"HeatmapDecoder expects heatmaps (N, H, W, K) with static H, W, K; got {shape}"
            )

    def num_keypoints(self, input_shape):
        self._check_shape(input_shape)
        return input_shape[-1]

    def call(self, heatmaps):
        self._check_shape(tuple(heatmaps.shape))
        _, h, w, k = tuple(heatmaps.shape)
        heatmaps = ops.cast(heatmaps, "float32")
        flat = ops.reshape(heatmaps, (-1, h * w, k))

        # 1. first maximum in row-major order: first row holding the maximum,
        # then first column in that row (one pass over the maps, the rest is
        # small; ties never depend on a backend's argmax)
        row_max = ops.max(heatmaps, axis=2)  # (N, H, K)
        # An identity gather: XLA would otherwise fuse the full-map reduction
        # into both consumers below and read the maps twice.
        row_max = ops.take(row_max, np.arange(h, dtype=np.int32), axis=1)
        scores = ops.max(row_max, axis=1)  # (N, K)
        rows = ops.reshape(ops.arange(h, dtype="int32"), (1, h, 1))
        yi = ops.min(ops.where(ops.equal(row_max, ops.expand_dims(scores, 1)), rows, h), axis=1)
        cols = ops.reshape(ops.arange(w, dtype="int32"), (1, w, 1))
        row = ops.take_along_axis(flat, ops.expand_dims(yi, 1) * w + cols, axis=1)  # (N, W, K)
        xi = ops.min(ops.where(ops.equal(row, ops.expand_dims(scores, 1)), cols, w), axis=1)
        valid = ops.greater(scores, 0.0)
        xi = ops.where(valid, xi, -1)
        yi = ops.where(valid, yi, -1)

        if self.unbiased:
            offset_x, offset_y = self._dark_offsets(heatmaps, scores, xi, yi, h, w)
        else:
            offset_x, offset_y = self._quarter_offsets(flat, xi, yi, h, w)

        x = (ops.cast(xi, "float32") + offset_x) * self.scale[0]
        y = (ops.cast(yi, "float32") + offset_y) * self.scale[1]
        return {"keypoints": ops.stack([x, y], axis=-1), "scores": scores}

    @staticmethod
    def _gather(flat, xi, yi, dxs, dys, h, w):
        """Values at ``(yi + dy, xi + dx)`` for each offset pair, 0 outside the map.

        Returns ``(N, P, K)`` for ``P = len(dxs)`` offsets.
        """
        dx = ops.reshape(ops.convert_to_tensor(np.asarray(dxs, np.int32)), (1, -1, 1))
        dy = ops.reshape(ops.convert_to_tensor(np.asarray(dys, np.int32)), (1, -1, 1))
        px = ops.expand_dims(xi, 1) + dx  # (N, P, K)
        py = ops.expand_dims(yi, 1) + dy
        inside = (px >= 0) & (px < w) & (py >= 0) & (py < h)
        idx = ops.where(inside, py * w + px, 0)
        values = ops.take_along_axis(flat, idx, axis=1)
        return ops.where(inside, values, 0.0)

    def _quarter_offsets(self, flat, xi, yi, h, w):
        # neighbours: (x+1, y), (x-1, y), (x, y+1), (x, y-1)
        nb = self._gather(flat, xi, yi, (1, -1, 0, 0), (0, 0, 1, -1), h, w)
        dx = nb[:, 0] - nb[:, 1]
        dy = nb[:, 2] - nb[:, 3]
        use_x = (xi > 1) & (xi < w - 1) & (yi > 0) & (yi < h)
        use_y = (yi > 1) & (yi < h - 1) & (xi > 0) & (xi < w)
        offset_x = ops.where(use_x, 0.25 * ops.sign(dx), 0.0)
        offset_y = ops.where(use_y, 0.25 * ops.sign(dy), 0.0)
        return offset_x, offset_y

    def _patch(self, heatmaps, xi, yi, h, w):
        """The ``S x S`` patch (``S = 2 half + 1``) around each maximum.

        Returns ``(N, K, S * S)`` (row-major patch per keypoint) with the values
        at ``(yi + i - half, xi + j - half)`` and 0 outside the map, like the
        zero padding MMPose adds before blurring.
        """
        half = self._half
        span = 2 * half + 1
        k = heatmaps.shape[-1]
        offsets = ops.reshape(ops.arange(-half, half + 1, dtype="int32"), (1, 1, span))
        px = ops.expand_dims(xi, 2) + offsets  # (N, K, S)
        py = ops.expand_dims(yi, 2) + offsets
        col_inside = ops.cast((px >= 0) & (px < w), "float32")
        row_inside = ops.cast((py >= 0) & (py < h), "float32")
        channel = ops.reshape(ops.arange(k, dtype="int32"), (1, k, 1))
        # flat index into one sample's (H, W, K) map; clipped, so always valid
        row_part = ops.expand_dims(ops.clip(py, 0, h - 1) * (w * k), 3)  # (N, K, S, 1)
        col_part = ops.expand_dims(ops.clip(px, 0, w - 1) * k + channel, 2)  # (N, K, 1, S)
        index = ops.reshape(row_part + col_part, (-1, k * span * span))
        patch = ops.take_along_axis(ops.reshape(heatmaps, (-1, h * w * k)), index, axis=1)
        patch = ops.reshape(patch, (-1, k, span, span))
        mask = ops.expand_dims(row_inside, 3) * ops.expand_dims(col_inside, 2)
        return ops.reshape(patch * mask, (-1, k, span * span))

    def _dark_offsets(self, heatmaps, scores, xi, yi, h, w):
        patch = self._patch(heatmaps, xi, yi, h, w)
        # blurred map on the 5x5 grid around (x, y): (N, K, 25), row-major
        blurred = ops.matmul(patch, ops.convert_to_tensor(self._blur_matrix))

        refine = (xi > 1) & (xi < w - 2) & (yi > 1) & (yi < h - 2)
        local_min = ops.min(blurred, axis=2)
        floor_reached = ops.any(refine & (local_min <= _FLOOR_SAFE))

        def rescale_factor():
            # MMPose's modulation: heat *= max(heat) / max(blur(heat)), per channel.
            return scores / ops.max(self._full_blur(heatmaps), axis=(1, 2))

        def unit_factor():
            return ops.ones_like(scores)

        factor = ops.cond(floor_reached, rescale_factor, unit_factor)  # (N, K)
        logs = ops.log(ops.maximum(blurred * ops.expand_dims(factor, 2), _LOG_FLOOR))

        def at(i, j):  # L at (y + i, x + j)
            return logs[:, :, (i + 2) * 5 + j + 2]

        dx = 0.5 * (at(0, 1) - at(0, -1))
        dy = 0.5 * (at(1, 0) - at(-1, 0))
        dxx = 0.25 * (at(0, 2) - 2 * at(0, 0) + at(0, -2))
        dyy = 0.25 * (at(2, 0) - 2 * at(0, 0) + at(-2, 0))
        dxy = 0.25 * (at(1, 1) - at(-1, 1) - at(1, -1) + at(-1, -1))
        det = dxx * dyy - dxy * dxy
        use = refine & ops.not_equal(det, 0.0)
        safe_det = ops.where(use, det, 1.0)
        offset_x = ops.where(use, -(dyy * dx - dxy * dy) / safe_det, 0.0)
        offset_y = ops.where(use, -(dxx * dy - dxy * dx) / safe_det, 0.0)
        return offset_x, offset_y

    def _full_blur(self, heatmaps):
        """Per-channel zero-padded blur of the whole ``(N, H, W, K)`` map."""
        k = heatmaps.shape[-1]
        g = self._kernel.reshape(-1, 1, 1, 1)
        kernel_y = ops.convert_to_tensor(np.tile(g, (1, 1, k, 1)))
        kernel_x = ops.convert_to_tensor(np.tile(g.reshape(1, -1, 1, 1), (1, 1, k, 1)))
        out = ops.depthwise_conv(heatmaps, kernel_x, padding="same", data_format="channels_last")
        return ops.depthwise_conv(out, kernel_y, padding="same", data_format="channels_last")

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "unbiased": self.unbiased,
                "blur_kernel_size": self.blur_kernel_size,
                "scale": list(self.scale),
            }
        )
        return config
