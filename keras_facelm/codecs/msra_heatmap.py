"""MSRA Gaussian heatmap targets and their decoder, MMPose's ``MSRAHeatmap`` codec.

Plain (``unbiased=False``) and DARK (``unbiased=True``) encodings reproduce
``mmpose/codecs/utils/gaussian_heatmap.py`` value for value, including the
truncation quirk at non-integer radii (sigma 1.5: a Gaussian whose rounded
centre is <= 4 on an axis is pasted one heatmap pixel further right/down).
Heatmaps are returned channels-last, ``(H, W, K)``. :meth:`MSRAHeatmap.decoder`
is the matching in-graph decoder (quarter offset, or DARK when unbiased).

Pure numpy: usable in ``keras.utils.PyDataset``/grain pipelines directly and in
``tf.data`` through :meth:`MSRAHeatmap.encode_tf`.
"""

from __future__ import annotations

import numpy as np

from keras_facelm.codecs.base import Codec, as_keypoints

__all__ = ["MSRAHeatmap"]


class MSRAHeatmap(Codec):
    """Gaussian heatmap targets with MMPose's ``MSRAHeatmap`` conventions.

    Heatmap pixel ``j`` corresponds to input pixel ``j * input_size /
    heatmap_size`` (no half-pixel offset). MMPose's face configs use sigma 2.0
    (WFLW, AFLW, COCO-WholeBody-Face) and 1.5 (300W, COFW); each preset states
    its own.

    Args:
        input_size: ``(width, height)`` of the network input, pixels.
        heatmap_size: ``(width, height)`` of the heatmap, pixels.
        sigma: Gaussian standard deviation in heatmap pixels.
        unbiased: ``True`` for DARK's sub-pixel Gaussian over the whole map,
            ``False`` for MSRA's integer-centred, 3-sigma windowed Gaussian.
            Decoding follows: DARK's Taylor refinement when ``True``, the
            quarter-pixel offset otherwise.
        blur_kernel_size: the Gaussian blur of DARK decoding (11 in MMPose).
    """

    def __init__(
        self,
        input_size=(256, 256),
        heatmap_size=(64, 64),
        sigma=2.0,
        unbiased=False,
        blur_kernel_size=11,
    ):
        if len(input_size) != 2 or len(heatmap_size) != 2:
            raise ValueError(
                "input_size and heatmap_size must be (width, height) pairs, got "
                f"{input_size!r} and {heatmap_size!r}"
            )
        if not sigma > 0:
            raise ValueError(f"sigma must be positive, got {sigma!r}")
        self.input_size = tuple(int(v) for v in input_size)
        self.heatmap_size = tuple(int(v) for v in heatmap_size)
        self.sigma = float(sigma)
        self.unbiased = bool(unbiased)
        self.blur_kernel_size = int(blur_kernel_size)
        # MMPose: (np.array(input_size) / heatmap_size).astype(np.float32)
        self.scale_factor = (np.array(self.input_size) / np.array(self.heatmap_size)).astype(
            np.float32
        )

    def get_config(self):
        return {
            "input_size": self.input_size,
            "heatmap_size": self.heatmap_size,
            "sigma": self.sigma,
            "unbiased": self.unbiased,
            "blur_kernel_size": self.blur_kernel_size,
        }

    def target_shape(self, num_keypoints):
        """``(H, W, K)`` of the heatmap target."""
        w, h = self.heatmap_size
        return (h, w, num_keypoints)

    def decoder(self, name="decode"):
        """The in-graph decoding layer: heatmaps ``(N, H, W, K)`` → input-pixel keypoints."""
        from keras_facelm.layers.heatmap_decoding import HeatmapDecoder

        (in_w, in_h), (hm_w, hm_h) = self.input_size, self.heatmap_size
        return HeatmapDecoder(
            unbiased=self.unbiased,
            blur_kernel_size=self.blur_kernel_size,
            scale=(in_w / hm_w, in_h / hm_h),
            name=name,
            dtype="float32",
        )

    def encode(self, keypoints, visible=None):
        """Encodes one face's keypoints.

        Args:
            keypoints: ``(K, 2)`` float, ``(x, y)`` in input pixels.
            visible: ``(K,)`` visibility (>= 0.5 means labelled), or ``None``
                for all visible.

        Returns:
            ``(heatmaps, weights)``: ``(H, W, K)`` float32 in [0, 1] and ``(K,)``
            float32. A weight is the visibility value, zeroed where the
            Gaussian lies entirely outside the heatmap.
        """
        keypoints, visible = as_keypoints(keypoints, visible)
        # Same dtype promotion as MMPose: keypoints / float32 scale factor.
        uv = keypoints / self.scale_factor
        if self.unbiased:
            heatmaps, weights = self._unbiased(uv, visible)
        else:
            heatmaps, weights = self._msra(uv, visible)
        return np.ascontiguousarray(heatmaps.transpose(1, 2, 0)), weights

    def _blank_targets(self, uv, visible):
        """All-zero ``(K, H, W)`` heatmaps, weights = ``visible``, and the 3-sigma radius."""
        w, h = self.heatmap_size
        heatmaps = np.zeros((uv.shape[0], h, w), dtype=np.float32)
        return heatmaps, visible.copy(), self.sigma * 3

    def _msra(self, uv, visible):
        w, h = self.heatmap_size
        heatmaps, weights, radius = self._blank_targets(uv, visible)
        size = 2 * radius + 1
        grid = np.arange(0, size, 1, dtype=np.float32)
        centre = size // 2
        template = np.exp(
            -((grid - centre) ** 2 + (grid[:, None] - centre) ** 2) / (2 * self.sigma**2)
        )
        # MMPose's integer arithmetic, truncation toward zero included.
        mu = (uv + 0.5).astype(np.int64)
        lo = (mu - radius).astype(np.int64)
        hi = (mu + radius + 1).astype(np.int64)
        for i in np.flatnonzero(visible >= 0.5):
            left, top = lo[i]
            right, bottom = hi[i]
            if left >= w or top >= h or right < 0 or bottom < 0:
                weights[i] = 0
                continue
            x1, x2 = max(0, left), min(w, right)
            y1, y2 = max(0, top), min(h, bottom)
            if x2 <= x1 or y2 <= y1:
                continue
            heatmaps[i, y1:y2, x1:x2] = template[y1 - top : y2 - top, x1 - left : x2 - left]
        return heatmaps, weights

    def _unbiased(self, uv, visible):
        w, h = self.heatmap_size
        heatmaps, weights, radius = self._blank_targets(uv, visible)
        x = np.arange(0, w, 1, dtype=np.float32)
        y = np.arange(0, h, 1, dtype=np.float32)[:, None]
        lo = uv - radius
        hi = uv + radius + 1
        outside = (lo[:, 0] >= w) | (lo[:, 1] >= h) | (hi[:, 0] < 0) | (hi[:, 1] < 0)
        labelled = visible >= 0.5
        weights[labelled & outside] = 0
        # MMPose runs this in float32 (numpy 1.x casts the scalar centre to the
        # float32 grid's dtype); cast explicitly so numpy 2 agrees bit for bit.
        mu = uv.astype(np.float32)
        for i in np.flatnonzero(labelled & ~outside):
            heatmaps[i] = np.exp(
                -((x - mu[i, 0]) ** 2 + (y - mu[i, 1]) ** 2) / np.float32(2 * self.sigma**2)
            )
        return heatmaps, weights
