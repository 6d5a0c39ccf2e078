"""Top-down face transforms with MMPose 1.x's exact conventions (numpy + OpenCV).

Backend-neutral: nothing here imports Keras or TensorFlow. Each function is the
numerical twin of one MMPose piece (``mmpose/datasets/transforms/`` and
``mmpose/structures/bbox/transforms.py``):

* :func:`bbox_xyxy_to_center_scale` — ``GetBBoxCenterScale`` for xyxy boxes
  (COFW, COCO-WholeBody-Face); :func:`center_scale_from_pixel_std` — the same
  for WFLW/300W/AFLW annotations that give ``center`` and ``scale`` in units of
  200 px (the padding multiplies the existing scale).
* :func:`flip_horizontal` / :func:`random_flip` — ``RandomFlip``.
* :func:`random_bbox_transform` — ``RandomBBoxTransform``.
* :func:`fix_aspect_ratio`, :func:`get_warp_matrix`, :func:`warp_to_crop` —
  ``TopdownAffine`` (``use_udp=False``); :func:`warp_affine_bilinear` is
  OpenCV 4's fixed-point ``warpAffine`` in numpy, so uint8 crops equal MMPose's
  bit for bit even where OpenCV 5 (different rounding) is installed.
* :func:`crop_to_image` — ``TopdownPoseEstimator.add_pred_to_datasample``'s
  mapping of input-space predictions back to image pixels.

Conventions: keypoints are ``(x, y)`` pixels with pixel centres at integer
coordinates; a box's ``center`` is pixels and its ``bbox_scale`` is the box's
``(width, height)`` in pixels (MMPose 1.x's ``bbox_scale``). The name ``scale``
is kept for what the annotation files call it: one number in units of 200 px
(:data:`PIXEL_STD`), which :func:`center_scale_from_pixel_std` converts; sizes
passed as ``output_size``/``input_size`` are ``(width, height)`` like MMPose's
``input_size``. Images are RGB uint8 ``(H, W, 3)`` (MMPose works in BGR; every
operation here acts on channels independently, so the crops are the same with
the channels reversed).

Image inputs (:func:`to_rgb_uint8`) follow what MMPose's ``LoadImage`` (OpenCV
``IMREAD_COLOR``) does to such files: grayscale ``(H, W)``/``(H, W, 1)`` is
replicated to three channels, an alpha channel is dropped (not composited),
16-bit images are reduced to 8 bits by ``value >> 8`` (OpenCV's rule). Float and
other integer dtypes are refused: their value range is ambiguous.
"""

from __future__ import annotations

import math
import os

import cv2
import numpy as np

__all__ = [
    "PIXEL_STD",
    "bbox_center_scale_to_xyxy",
    "bbox_xyxy_to_center_scale",
    "center_scale_from_pixel_std",
    "crop_to_image",
    "encoded_image",
    "fix_aspect_ratio",
    "flip_horizontal",
    "get_warp_matrix",
    "load_image",
    "random_bbox_transform",
    "random_flip",
    "to_rgb_uint8",
    "truncated_normal",
    "warp_affine_bilinear",
    "warp_to_crop",
]

#: MMPose's (and HRNet's) unit of the ``scale`` field in WFLW/300W/AFLW files, pixels.
PIXEL_STD = 200.0


# ------------------------------------------------------------------ images


def to_rgb_uint8(image, *, name: str = "image") -> np.ndarray:
    """An image as a contiguous RGB uint8 ``(H, W, 3)`` array.

    Accepts uint8 or uint16 arrays of shape ``(H, W)``, ``(H, W, 1)``,
    ``(H, W, 3)`` (taken as RGB) or ``(H, W, 4)`` (RGBA). Grayscale is replicated
    to three channels, alpha is dropped, uint16 becomes ``value >> 8`` — the
    rules of OpenCV's ``IMREAD_COLOR`` that MMPose's ``LoadImage`` applies.

    Raises:
        ValueError: naming ``name``, for an empty image, another shape, or
            another dtype (float images are refused: 0-1 or 0-255 is ambiguous).
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"{name}: expected an image of shape (H, W), (H, W, 1), (H, W, 3) or "
            f"(H, W, 4), got {image.shape}"
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"{name}: the image is empty, shape {image.shape}")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ValueError(
            f"{name}: expected a uint8 (or uint16) image, got dtype {image.dtype}; "
            "convert float images to uint8 0-255 first"
        )
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    elif image.shape[-1] == 4:
        image = image[..., :3]
    return np.ascontiguousarray(image)


def encoded_image(source, *, name: str | None = None) -> tuple[bytes, str]:
    """``(encoded bytes, name)`` of a file path or of bytes (the name for messages).

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"image file {path!r} not found")
        with open(path, "rb") as f:
            return f.read(), name or path
    return bytes(source), name or "image bytes"


def load_image(source, *, name: str | None = None) -> np.ndarray:
    """Decodes an image to RGB uint8 ``(H, W, 3)``.

    Args:
        source: a numpy array (see :func:`to_rgb_uint8`), encoded bytes
            (JPEG/PNG/...), or a file path. Files and bytes are decoded with
            OpenCV's ``IMREAD_COLOR`` (EXIF orientation applied, alpha dropped,
            16-bit reduced to 8), as MMPose's ``LoadImage``.
        name: what to call the image in error messages.

    Raises:
        FileNotFoundError: a path that does not exist.
        ValueError: bytes that do not decode, or an unsupported array.
    """
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        source, name = encoded_image(source, name=name)
        if len(source) == 0:
            raise ValueError(f"{name}: empty, not an image")
        try:
            bgr = cv2.imdecode(np.frombuffer(source, np.uint8), cv2.IMREAD_COLOR)
        except cv2.error as e:
            raise ValueError(f"{name}: the bytes do not decode as an image ({e})") from None
        if bgr is None or bgr.size == 0:
            raise ValueError(f"{name}: the bytes do not decode as an image")
        return np.ascontiguousarray(bgr[..., ::-1])
    return to_rgb_uint8(source, name=name or "image")


# ------------------------------------------------------------------- boxes


def _finite(values, field, shape):
    """``values`` as a float32 array of ``shape`` (a leading batch of 1 allowed)."""
    arr = np.asarray(values, dtype=np.float32)
    if arr.size != int(np.prod(shape)):
        raise ValueError(f"{field} must have shape {shape}, got {np.shape(values)}")
    arr = arr.reshape(shape)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field} must be finite, got {arr.tolist()}")
    return arr


def _positive_scale(bbox_scale, field="bbox_scale"):
    bbox_scale = _finite(bbox_scale, field, (2,))
    if not np.all(bbox_scale > 0):
        raise ValueError(
            f"{field} must be a positive (width, height) in pixels, got {bbox_scale.tolist()}"
        )
    return bbox_scale


def bbox_xyxy_to_center_scale(bbox, padding: float = 1.25):
    """MMPose's ``GetBBoxCenterScale`` for an xyxy box (``bbox_xyxy2cs``).

    Args:
        bbox: ``(x1, y1, x2, y2)`` pixels, with ``x2 > x1`` and ``y2 > y1``.
        padding: box size multiplier (MMPose's face configs: 1.25).

    Returns:
        ``(center, bbox_scale)``: float32 ``(2,)`` pixels; ``bbox_scale`` is the padded
        ``(width, height)`` in pixels.

    Raises:
        ValueError: a non-finite box, or one of zero or negative size.
    """
    bbox = _finite(bbox, "bbox", (4,))
    if not (bbox[2] > bbox[0] and bbox[3] > bbox[1]):
        raise ValueError(
            f"bbox (x1, y1, x2, y2) must have x2 > x1 and y2 > y1, got {bbox.tolist()}"
        )
    bbox_scale = (bbox[2:] - bbox[:2]) * padding
    center = (bbox[2:] + bbox[:2]) * 0.5
    return center.astype(np.float32), bbox_scale.astype(np.float32)


def center_scale_from_pixel_std(center, scale, padding: float = 1.25):
    """Center/scale of WFLW/300W/AFLW annotations, as MMPose loads and pads them.

    The datasets store ``center`` (pixels) and ``scale`` in units of 200 px for a
    square box; MMPose builds ``bbox_scale = [scale, scale] * 200`` (float32) and
    ``GetBBoxCenterScale`` multiplies it by ``padding``.

    Args:
        center: ``(cx, cy)`` pixels.
        scale: a positive float, units of :data:`PIXEL_STD` (200 px).
        padding: 1.25 in MMPose's face configs.

    Returns:
        ``(center, bbox_scale)``: float32 ``(2,)`` pixels.
    """
    center = _finite(center, "center", (2,))
    s = np.float32(scale)
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"scale must be a positive number (units of 200 px), got {scale!r}")
    bbox_scale = np.array([s, s], dtype=np.float32) * PIXEL_STD
    return center, (bbox_scale * padding).astype(np.float32)


def bbox_center_scale_to_xyxy(center, bbox_scale, padding: float = 1.0):
    """MMPose's ``bbox_cs2xyxy``: ``(x1, y1, x2, y2)`` float32 pixels of a box.

    ``bbox_scale`` is divided by ``padding`` first (pass the padding that
    :func:`bbox_xyxy_to_center_scale` used to get the original box back).
    """
    center = _finite(center, "center", (2,))
    wh = _positive_scale(bbox_scale) / padding
    xy = center - 0.5 * wh
    return np.concatenate([xy, xy + wh]).astype(np.float32)


def fix_aspect_ratio(bbox_scale, aspect_ratio: float):
    """``TopdownAffine._fix_aspect_ratio``: grow the box to ``width / height = aspect_ratio``.

    Args:
        bbox_scale: ``(width, height)`` pixels.
        aspect_ratio: the network input's ``width / height``.

    Returns:
        float32 ``(2,)``: ``(w, w / a)`` if ``w > h * a`` else ``(h * a, h)``.
    """
    w, h = (np.float32(v) for v in _positive_scale(bbox_scale))
    if w > h * aspect_ratio:
        out = np.array([w, w / aspect_ratio])
    else:
        out = np.array([h * aspect_ratio, h])
    return out.astype(np.float32)


# -------------------------------------------------------------- warp matrix


def _rotate(pt, angle_rad):
    sn, cs = np.sin(angle_rad), np.cos(angle_rad)
    return np.array([[cs, -sn], [sn, cs]]) @ pt


def _third_point(a, b):
    d = a - b
    return b + np.r_[-d[1], d[0]]


def get_warp_matrix(center, bbox_scale, rot, output_size, shift=(0.0, 0.0)):
    """MMPose's ``get_warp_matrix`` (``fix_aspect_ratio=True``, forward direction).

    Three point pairs are built in float32 — the box centre, the centre plus the
    half-width vector rotated by ``rot``, and a third point at 90 degrees — and
    handed to ``cv2.getAffineTransform``, so the matrix equals MMPose's bit for
    bit. Positive ``rot`` turns the image content counter-clockwise on screen.

    Args:
        center: ``(cx, cy)`` pixels of the box centre.
        bbox_scale: ``(width, height)`` pixels of the (aspect-fixed) box; only the
            width sets the zoom.
        rot: rotation in degrees (MMPose passes a float32 from
            ``RandomBBoxTransform``; the trigonometry follows its dtype).
        output_size: ``(width, height)`` of the crop, pixels.
        shift: ``(sx, sy)`` shift of the box as a fraction of its size.

    Returns:
        float64 ``(2, 3)`` matrix mapping image pixels to crop pixels; the box
        centre goes to ``(width / 2, height / 2)``.
    """
    center = _finite(center, "center", (2,))
    bbox_scale = _positive_scale(bbox_scale)
    if not math.isfinite(float(rot)):
        raise ValueError(f"rot must be a finite angle in degrees, got {rot!r}")
    dst_w, dst_h = (float(v) for v in output_size)
    if not (dst_w > 0 and dst_h > 0):
        raise ValueError(f"output_size must be a positive (width, height), got {output_size!r}")
    shift = np.array(shift)
    rot_rad = np.deg2rad(rot)
    src_dir = _rotate(np.array([bbox_scale[0] * -0.5, 0.0]), rot_rad)
    dst_dir = np.array([dst_w * -0.5, 0.0])
    src = np.zeros((3, 2), dtype=np.float32)
    src[0] = center + bbox_scale * shift
    src[1] = center + src_dir + bbox_scale * shift
    dst = np.zeros((3, 2), dtype=np.float32)
    dst[0] = [dst_w * 0.5, dst_h * 0.5]
    dst[1] = np.array([dst_w * 0.5, dst_h * 0.5]) + dst_dir
    src[2] = _third_point(src[0], src[1])
    dst[2] = _third_point(dst[0], dst[1])
    return cv2.getAffineTransform(np.float32(src), np.float32(dst))


def _keypoints(keypoints, field="keypoints"):
    kp = np.asarray(keypoints)
    if kp.ndim != 2 or kp.shape[-1] != 2:
        raise ValueError(f"{field} must have shape (K, 2) in pixels, got {kp.shape}")
    if not np.issubdtype(kp.dtype, np.floating):
        kp = kp.astype(np.float32)
    if not np.all(np.isfinite(kp)):
        bad = np.flatnonzero(~np.all(np.isfinite(kp), axis=-1)).tolist()
        raise ValueError(
            f"{field} contain NaN or infinite values at indices {bad}; mark unlabelled "
            "points with visible=0 and finite coordinates (e.g. 0, 0)"
        )
    return kp


def warp_affine_bilinear(image, matrix, output_size):
    """OpenCV 4.x's ``warpAffine(INTER_LINEAR, BORDER_CONSTANT 0)`` for uint8, in numpy.

    MMPose's crops (and the released checkpoints' training data) come from
    OpenCV 4's fixed-point bilinear warp: the matrix is inverted in float64,
    source coordinates are rounded to 1/32 pixel
    (``AB_BITS = 10``, ``INTER_BITS = 5``), and the four taps are weighted with
    15-bit integer coefficients and rounded. OpenCV 5 changed this arithmetic
    (its uint8 results differ by up to 2 levels on ~10 % of pixels), so this
    function reproduces OpenCV 4 step by step: the crops equal MMPose's bit for
    bit whatever OpenCV is installed (checked against MMPose with OpenCV 4.11).

    Args:
        image: uint8 ``(H, W)`` or ``(H, W, C)``.
        matrix: ``(2, 3)`` forward matrix (image → output pixels).
        output_size: ``(width, height)``.

    Returns:
        uint8 ``(height, width[, C])``; pixels whose taps fall outside the image
        take 0 for those taps.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"warp_affine_bilinear needs a uint8 image, got {image.dtype}")
    w, h = (int(v) for v in output_size)
    m = [float(v) for v in np.asarray(matrix, np.float64).reshape(6)]
    # Inverse map, in OpenCV's order of float64 operations.
    det = m[0] * m[4] - m[1] * m[3]
    det = 1.0 / det if det != 0 else 0.0
    a11, a22 = m[4] * det, m[0] * det
    m[0], m[1], m[3], m[4] = a11, m[1] * -det, m[3] * -det, a22
    m[2], m[5] = -m[0] * m[2] - m[1] * m[5], -m[3] * m[2] - m[4] * m[5]
    xs, ys = np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64)
    # saturate_cast<int>(double) rounds half to even, as np.rint.
    adelta = np.rint(m[0] * xs * 1024).astype(np.int64)
    bdelta = np.rint(m[3] * xs * 1024).astype(np.int64)
    x0 = np.rint((m[1] * ys + m[2]) * 1024).astype(np.int64) + 16
    y0 = np.rint((m[4] * ys + m[5]) * 1024).astype(np.int64) + 16
    fx_all = (x0[:, None] + adelta[None, :]) >> 5  # 1/32-pixel source coordinates
    fy_all = (y0[:, None] + bdelta[None, :]) >> 5
    sx = np.clip(fx_all >> 5, -32768, 32767)  # OpenCV stores them as int16
    sy = np.clip(fy_all >> 5, -32768, 32767)
    fx, fy = (fx_all & 31).astype(np.int32), (fy_all & 31).astype(np.int32)
    src_h, src_w = image.shape[:2]
    flat = image.reshape(src_h * src_w, -1)
    acc = np.zeros((h * w, flat.shape[1]), np.int32)
    wx, wy = (32 - fx, fx), (32 - fy, fy)
    for dy in (0, 1):
        py = sy + dy
        row_ok = (py >= 0) & (py < src_h)
        for dx in (0, 1):
            px = sx + dx
            inside = row_ok & (px >= 0) & (px < src_w)
            index = np.where(inside, py * src_w + px, 0).reshape(-1)
            weight = np.where(inside, wy[dy] * wx[dx] * 32, 0).reshape(-1, 1)  # 15-bit
            acc += flat[index].astype(np.int32) * weight
    out = np.clip((acc + (1 << 14)) >> 15, 0, 255).astype(np.uint8)
    return out.reshape((h, w) + image.shape[2:])


def warp_to_crop(
    image,
    keypoints,
    center,
    bbox_scale,
    rot=0.0,
    output_size=(256, 256),
    *,
    opencv4_exact=True,
):
    """MMPose's ``TopdownAffine``: crop, rotate and resize a face box.

    The box size is first grown to the output's aspect ratio
    (:func:`fix_aspect_ratio`), then the image is warped with
    bilinear interpolation and a constant black border; a uint8 image stays
    uint8 (fixed-point bilinear, rounded), as in MMPose. By default uint8
    images go through :func:`warp_affine_bilinear` (OpenCV 4's arithmetic,
    MMPose's crops bit for bit); other dtypes, or ``opencv4_exact=False``, use
    the installed ``cv2.warpAffine`` (faster; with OpenCV 5 uint8 crops differ
    from MMPose's by up to 2 levels).
    Keypoints go through ``cv2.transform`` with the same matrix; visibility is
    not changed for points that leave the crop (the codec decides).

    Args:
        image: ``(H, W, 3)`` (or ``(H, W)``) array, any dtype OpenCV warps.
        keypoints: ``(K, 2)`` image pixels, or ``None``.
        center: ``(cx, cy)`` box centre, pixels.
        bbox_scale: ``(width, height)`` of the box, pixels (already padded).
        rot: rotation in degrees.
        output_size: ``(width, height)`` of the crop.
        opencv4_exact: see above.

    Returns:
        ``(crop, keypoints_in_crop)``: the ``(h, w, C)`` crop (input dtype) and
        ``(K, 2)`` crop pixels (``None`` when ``keypoints`` is ``None``).
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"image must be a non-empty (H, W[, C]) array, got {image.shape}")
    w, h = (int(v) for v in output_size)
    fixed = fix_aspect_ratio(bbox_scale, aspect_ratio=w / h)
    matrix = get_warp_matrix(center, fixed, rot, output_size=(w, h))
    if opencv4_exact and image.dtype == np.uint8:
        crop = warp_affine_bilinear(image, matrix, (w, h))
    else:
        crop = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR)
    if keypoints is None:
        return crop, None
    kp = _keypoints(keypoints)
    return crop, cv2.transform(kp[None], matrix)[0]


def crop_to_image(keypoints_in_crop, center, bbox_scale, input_size=(256, 256)):
    """Maps crop-pixel predictions back to image pixels (rotation 0), as MMPose.

    ``p_img = p_crop / input_size * S + center - 0.5 * S`` per axis, with ``S``
    the aspect-fixed box size (:func:`fix_aspect_ratio` is applied here, so the
    bbox_scale given to :func:`warp_to_crop` can be passed unchanged). This is
    ``TopdownPoseEstimator.add_pred_to_datasample`` and the exact inverse of the
    forward warp at rotation 0.

    Args:
        keypoints_in_crop: ``(..., K, 2)`` crop pixels.
        center: ``(cx, cy)`` pixels; bbox_scale: ``(width, height)`` pixels.
        input_size: ``(width, height)`` of the crop.

    Returns:
        float32 ``(..., K, 2)`` image pixels.
    """
    kp = np.asarray(keypoints_in_crop, dtype=np.float32)
    if kp.ndim < 2 or kp.shape[-1] != 2:
        raise ValueError(f"keypoints_in_crop must have shape (..., K, 2), got {kp.shape}")
    w, h = (int(v) for v in input_size)
    center = _finite(center, "center", (2,))
    fixed = fix_aspect_ratio(bbox_scale, aspect_ratio=w / h)
    return (kp / (w, h) * fixed + center - 0.5 * fixed).astype(np.float32)


# ------------------------------------------------------------ augmentation


def flip_horizontal(image, keypoints, visible, center, flip_indices):
    """MMPose's ``RandomFlip`` (horizontal) applied unconditionally.

    Args:
        image: ``(H, W, C)`` array (not yet cropped).
        keypoints: ``(K, 2)`` pixels; visible: ``(K,)``.
        center: ``(cx, cy)`` box centre, pixels.
        flip_indices: length-K permutation of the keypoint scheme.

    Returns:
        ``(image, keypoints, visible, center)``: ``image[:, ::-1]``; keypoints
        and visibility permuted by ``flip_indices``, then ``x' = W - 1 - x``;
        ``cx' = W - 1 - cx``.
    """
    image = np.asarray(image)
    width = image.shape[1]
    kp = _keypoints(keypoints)
    vis = np.asarray(visible)
    idx = np.asarray(flip_indices, dtype=np.int64)
    if idx.shape != (kp.shape[0],) or vis.shape != (kp.shape[0],):
        raise ValueError(
            f"flip_indices and visible must have shape ({kp.shape[0]},), got "
            f"{idx.shape} and {vis.shape}"
        )
    kp = kp.take(idx, axis=0)
    vis = vis.take(idx, axis=0)
    kp[:, 0] = width - 1 - kp[:, 0]
    center = _finite(center, "center", (2,)).copy()
    center[0] = width - 1 - center[0]
    return np.ascontiguousarray(image[:, ::-1]), kp, vis, center


def random_flip(image, keypoints, visible, center, flip_indices, rng, prob=0.5):
    """:func:`flip_horizontal` with probability ``prob`` (one ``rng.random()`` draw).

    Returns:
        ``(image, keypoints, visible, center, flipped)``; unchanged inputs (as
        arrays) and ``flipped=False`` when no flip is drawn.
    """
    if rng.random() < prob:
        return (*flip_horizontal(image, keypoints, visible, center, flip_indices), True)
    return (
        np.asarray(image),
        _keypoints(keypoints),
        np.asarray(visible),
        _finite(center, "center", (2,)),
        False,
    )


def truncated_normal(rng, size, low=-1.0, high=1.0) -> np.ndarray:
    """Standard normal samples truncated to ``[low, high]``, float32.

    MMPose draws ``scipy.stats.truncnorm.rvs(-1, 1)``; this is the same
    distribution by rejection sampling from ``rng.standard_normal`` (no SciPy),
    so the samples differ from MMPose's stream but not in law.
    """
    size = tuple(np.atleast_1d(size).astype(int).tolist())
    n = int(np.prod(size))
    out = np.empty((0,), np.float64)
    while out.size < n:
        draw = rng.standard_normal(max(16, 2 * (n - out.size)))
        out = np.concatenate([out, draw[(draw >= low) & (draw <= high)]])
    return out[:n].reshape(size).astype(np.float32)


def random_bbox_transform(
    center,
    bbox_scale,
    rng,
    *,
    shift_factor=0.16,
    shift_prob=0.3,
    scale_factor=(0.75, 1.25),
    scale_prob=1.0,
    rotate_factor=60.0,
    rotate_prob=0.6,
):
    """MMPose's ``RandomBBoxTransform`` for one box, with its distributions.

    ``t ~ TruncNormal(-1, 1)`` (4 values, :func:`truncated_normal`); then
    ``offset = t[0:2] * shift_factor`` if ``U1 < shift_prob`` else 0;
    ``s = t[2] * (smax - smin) / 2 + (smax + smin) / 2`` if ``U2 < scale_prob``
    else 1; ``rot = t[3] * rotate_factor`` degrees if ``U3 < rotate_prob`` else
    0 (``U1..U3`` uniform on [0, 1), drawn in that order). Defaults are the face
    configs' (MMPose's class defaults differ: scale (0.5, 1.5), rotate 80); the
    WFLW/300W/AFLW/COFW heatmap configs set ``shift_prob=0``.

    Args:
        center: ``(cx, cy)`` pixels; bbox_scale: ``(width, height)`` pixels.
        rng: a ``numpy.random.Generator``.

    Returns:
        ``(center + offset * bbox_scale, bbox_scale * s, rot)``: float32 ``(2,)``,
        float32 ``(2,)``, float32 degrees.
    """
    center = _finite(center, "center", (2,))
    bbox_scale = _positive_scale(bbox_scale)
    t = truncated_normal(rng, 4)
    u = rng.random(3)
    offset = t[:2] * np.float32(shift_factor) if u[0] < shift_prob else np.zeros(2, np.float32)
    smin, smax = scale_factor
    s = t[2] * np.float32((smax - smin) * 0.5) + np.float32((smax + smin) * 0.5)
    s = s if u[1] < scale_prob else np.float32(1.0)
    # float32 like MMPose's bbox_rotation: get_warp_matrix then takes sin/cos in float32.
    rot = t[3] * np.float32(rotate_factor) if u[2] < rotate_prob else np.float32(0.0)
    return (
        (center + offset * bbox_scale).astype(np.float32),
        (bbox_scale * s).astype(np.float32),
        rot,
    )
