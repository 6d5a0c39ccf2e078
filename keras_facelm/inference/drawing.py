"""Landmark overlays: points (and the iBUG 68-point contours) drawn on an RGB image."""

from __future__ import annotations

import cv2
import numpy as np

from keras_facelm.data.transforms import to_rgb_uint8

__all__ = ["IBUG68_CONTOURS", "draw_landmarks"]

#: iBUG 68-point (300W, COCO-WholeBody-Face, synthetic faces) contour polylines:
#: ``(first, last + 1, closed)`` index ranges (jaw, brows, nose bridge, nostrils,
#: eyes, outer and inner lips).
IBUG68_CONTOURS = (
    (0, 17, False), (17, 22, False), (22, 27, False), (27, 31, False),
    (31, 36, False), (36, 42, True), (42, 48, True), (48, 60, True), (60, 68, True),
)  # fmt: skip

_SHIFT = 4  # sub-pixel bits for OpenCV's drawing functions


def _fixed(points):
    return np.round(np.asarray(points, np.float64) * (1 << _SHIFT)).astype(np.int32)


def draw_landmarks(image, keypoints, *, visible=None, radius=2, color=(0, 255, 0),
                   contours=False, line_color=None, thickness=1):  # fmt: skip
    """Draws landmarks on a copy of ``image``.

    Args:
        image: RGB image, uint8 (or anything :func:`~keras_facelm.data.transforms.to_rgb_uint8`
            accepts: grayscale, RGBA, uint16).
        keypoints: ``(K, 2)`` ``(x, y)`` in the image's pixels (pixel centres at
            integer coordinates); drawn with sub-pixel precision.
        visible: ``(K,)``; points with ``visible <= 0`` (and non-finite points)
            are not drawn. ``None`` draws all.
        radius: dot radius in pixels (filled, anti-aliased).
        color: RGB dot colour.
        contours: also draw the iBUG 68-point contour lines (K must be 68).
        line_color: RGB line colour (default: ``color``).
        thickness: line thickness in pixels.

    Returns:
        RGB uint8 ``(H, W, 3)``, a new array; ``image`` is not modified.

    Raises:
        ValueError: keypoints not ``(K, 2)``, visibility of the wrong length,
            or ``contours=True`` with K != 68.
    """
    canvas = to_rgb_uint8(image).copy()
    kp = np.asarray(keypoints, np.float64)
    if kp.ndim != 2 or kp.shape[1] != 2:
        raise ValueError(f"keypoints must have shape (K, 2) in pixels, got {kp.shape}")
    show = np.all(np.isfinite(kp), axis=1)
    if visible is not None:
        vis = np.asarray(visible).reshape(-1)
        if vis.shape != (len(kp),):
            raise ValueError(f"visible must have shape ({len(kp)},), got {vis.shape}")
        show &= vis > 0
    colour = tuple(int(c) for c in color)
    if contours:
        if len(kp) != 68:
            raise ValueError(f"contours are defined for the 68-point iBUG scheme, got K={len(kp)}")
        lc = colour if line_color is None else tuple(int(c) for c in line_color)
        for start, stop, closed in IBUG68_CONTOURS:
            idx = np.arange(start, stop)
            if closed:
                idx = np.append(idx, start)
            for a, b in zip(idx[:-1], idx[1:], strict=True):
                if show[a] and show[b]:
                    p, q = _fixed(kp[[a, b]])
                    cv2.line(canvas, tuple(p), tuple(q), lc, int(thickness), cv2.LINE_AA, _SHIFT)
    for point in _fixed(kp[show]):
        cv2.circle(canvas, tuple(point), int(round(radius * (1 << _SHIFT))), colour, -1,
                   cv2.LINE_AA, _SHIFT)  # fmt: skip
    return canvas
