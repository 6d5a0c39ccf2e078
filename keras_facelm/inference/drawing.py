"""Landmark overlays: points coloured by face region (optionally numbered), the
iBUG 68-point contours, face boxes with labels, and writing PNG/JPEG files.

Numpy and OpenCV only.
"""

from __future__ import annotations

import cv2
import numpy as np

from keras_facelm.data.schemes import get_scheme
from keras_facelm.data.transforms import to_rgb_uint8

__all__ = [
    "IBUG68_CONTOURS",
    "REGION_COLORS",
    "draw_faces",
    "draw_landmarks",
    "prediction_grid",
    "write_image",
]

#: RGB colour of each region of :attr:`KeypointScheme.regions`.
REGION_COLORS = {
    "contour": (0, 200, 255),
    "brows": (255, 170, 0),
    "eyes": (0, 255, 0),
    "nose": (255, 0, 255),
    "mouth": (255, 60, 60),
}

#: iBUG 68-point (300W, COCO-WholeBody-Face, synthetic faces) contour polylines:
#: ``(first, last + 1, closed)`` index ranges (jaw, brows, nose bridge, nostrils,
#: eyes, outer and inner lips).
IBUG68_CONTOURS = (
    (0, 17, False),
    (17, 22, False),
    (22, 27, False),
    (27, 31, False),
    (31, 36, False),
    (36, 42, True),
    (42, 48, True),
    (48, 60, True),
    (60, 68, True),
)

_SHIFT = 4  # sub-pixel bits for OpenCV's drawing functions


def _fixed(points):
    return np.round(np.asarray(points, np.float64) * (1 << _SHIFT)).astype(np.int32)


def _point_colors(num, color, scheme):
    """One RGB colour per point: by region of ``scheme``, else ``color``."""
    colors = [tuple(int(c) for c in color)] * num
    if scheme is not None:
        scheme = get_scheme(scheme)
        if scheme.num_keypoints != num:
            raise ValueError(
                f"scheme {scheme.name!r} has {scheme.num_keypoints} points, got K={num}"
            )
        for region, idx in scheme.regions.items():
            for i in idx:
                colors[i] = REGION_COLORS[region]
    return colors


def draw_landmarks(
    image,
    keypoints,
    *,
    visible=None,
    radius=2,
    color=(0, 255, 0),
    contours=False,
    line_color=None,
    thickness=1,
    scheme=None,
    indices=False,
    font_scale=0.3,
):
    """Draws landmarks on a copy of ``image``.

    Args:
        image: RGB image, uint8 (or anything :func:`~keras_facelm.data.transforms.to_rgb_uint8`
            accepts: grayscale, RGBA, uint16).
        keypoints: ``(K, 2)`` ``(x, y)`` in the image's pixels (pixel centres at
            integer coordinates); drawn with sub-pixel precision.
        visible: ``(K,)``; points with ``visible <= 0`` (and non-finite points)
            are not drawn. ``None`` draws all.
        radius: dot radius in pixels (filled, anti-aliased).
        color: RGB dot colour (when ``scheme`` is ``None``).
        contours: also draw the iBUG 68-point contour lines (K must be 68).
        scheme: a scheme name: dots coloured by region (:data:`REGION_COLORS`,
            regions of :attr:`~keras_facelm.data.schemes.KeypointScheme.regions`).
        indices: write each point's index next to it.
        font_scale: OpenCV font scale of the indices.
        line_color: RGB line colour (default: ``color``).
        thickness: line thickness in pixels.

    Returns:
        RGB uint8 ``(H, W, 3)``, a new array; ``image`` is not modified.

    Raises:
        ValueError: keypoints not ``(K, 2)``, visibility of the wrong length,
            ``contours=True`` with K != 68, or a scheme with another K.
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
                    cv2.line(
                        canvas,
                        tuple(p),
                        tuple(q),
                        lc,
                        int(thickness),
                        cv2.LINE_AA,
                        _SHIFT,
                    )
    colors = _point_colors(len(kp), colour, scheme)
    for i in np.flatnonzero(show):
        cv2.circle(
            canvas,
            tuple(_fixed(kp[i])),
            int(round(radius * (1 << _SHIFT))),
            colors[i],
            -1,
            cv2.LINE_AA,
            _SHIFT,
        )
        if indices:
            x, y = (int(round(v)) for v in kp[i])
            cv2.putText(
                canvas,
                str(i),
                (x + radius + 1, y - radius - 1),
                cv2.FONT_HERSHEY_SIMPLEX,
                font_scale,
                colors[i],
                1,
                cv2.LINE_AA,
            )
    return canvas


def draw_faces(
    image,
    faces,
    *,
    scheme=None,
    boxes=True,
    indices=False,
    radius=None,
    box_color=(255, 255, 0),
):
    """Draws several faces: box, label and region-coloured landmarks.

    Args:
        image: RGB image (see :func:`draw_landmarks`).
        faces: objects with ``box`` ``(4,)`` and ``keypoints`` ``(K, 2)`` in
            image pixels, and optionally ``detector_score`` and ``track_id``
            (e.g. :class:`keras_facelm.inference.Face`).
        scheme: scheme name for the region colours (``None``: one colour).
        boxes: draw each face box with its label (``#track_id``, detector score).
        indices: number the points.
        radius: dot radius in pixels; ``None`` scales it with the face (1-4 px).
        box_color: RGB box colour.

    Returns:
        RGB uint8 ``(H, W, 3)``, a new array.
    """
    canvas = to_rgb_uint8(image).copy()
    for face in faces:
        x1, y1, x2, y2 = (float(v) for v in face.box)
        r = radius if radius is not None else float(np.clip((x2 - x1) / 80, 1, 4))
        canvas = draw_landmarks(canvas, face.keypoints, radius=r, scheme=scheme, indices=indices)
        if boxes:
            p, q = _fixed([[x1, y1], [x2, y2]])
            cv2.rectangle(canvas, tuple(p), tuple(q), box_color, 1, cv2.LINE_AA, _SHIFT)
            label = " ".join(
                t
                for t in (
                    None if getattr(face, "track_id", None) is None else f"#{face.track_id}",
                    None
                    if getattr(face, "detector_score", None) is None
                    else f"{face.detector_score:.2f}",
                )
                if t
            )
            if label:
                cv2.putText(
                    canvas,
                    label,
                    (int(x1), max(int(y1) - 4, 10)),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.4,
                    box_color,
                    1,
                    cv2.LINE_AA,
                )
    return canvas


def prediction_grid(images, predicted, ground_truth, *, columns=4, radius=1.5):
    """Faces side by side, ground truth in red and predictions in green.

    Predictions of the 68-point iBUG scheme are joined by its contours.

    Args:
        images: sequence of ``N`` RGB images ``(H, W, 3)`` of one size.
        predicted, ground_truth: ``(N, K, 2)`` keypoints in image pixels.
        columns: faces per row (empty tiles fill the last row).

    Returns:
        One RGB uint8 image of ``ceil(N / columns)`` rows by ``columns`` tiles.
    """
    tiles = [
        draw_landmarks(draw_landmarks(img, gt, color=(255, 40, 40), radius=radius),
                       pred, color=(40, 255, 40), radius=radius, contours=len(pred) == 68)
        for img, pred, gt in zip(images, predicted, ground_truth, strict=True)
    ]  # fmt: skip
    if not tiles:
        raise ValueError("prediction_grid needs at least one image")
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % columns)
    rows = [np.concatenate(tiles[r : r + columns], axis=1) for r in range(0, len(tiles), columns)]
    return np.concatenate(rows, axis=0)


def write_image(path, image) -> None:
    """Writes an RGB image to ``path`` (format from the suffix: ``.png``, ``.jpg``...).

    Raises:
        ValueError: OpenCV cannot write that file (unknown suffix, missing folder).
    """
    rgb = to_rgb_uint8(image)
    try:
        written = cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]))
    except cv2.error:
        written = False
    if not written:
        raise ValueError(f"cannot write image {str(path)!r} (unknown suffix or missing folder)")
