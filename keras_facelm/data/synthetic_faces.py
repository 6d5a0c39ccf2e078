"""Synthetic faces: procedurally drawn, deterministic faces in the 68-point 300W scheme.

This is the embedded default data set for demos, CI training tests and examples
when no real data is present. It is **synthetic**: cartoon-like faces drawn with
OpenCV, not photographs, so numbers measured on it say nothing about real faces.

Every sample is a pure function of ``(seed, index)``: :func:`generate_face` draws
all its randomness from ``np.random.default_rng((seed, index))``. The module needs
only numpy and OpenCV (no Keras, no TensorFlow), so every backend can use it.

How a face is made
------------------
1. **Shape.** A symmetric 3-D face model is built from parametric curves
   (:func:`mean_shape_3d`): a super-ellipse jaw resampled at equal arc length,
   arched brows, almond eyes, a straight nose bridge, a nostril arc and a
   two-contour mouth, in the iBUG 68-point order of 300W (0-16 jaw, 17-21 the
   subject's right brow, 22-26 left brow, 27-30 nose bridge, 31-35 nostrils,
   36-41 right eye, 42-47 left eye, 48-59 outer lip, 60-67 inner lip; "right"
   is the subject's right, i.e. the image left). Per-face identity parameters
   (face width, eye size and spacing, nose length, mouth width, brow height)
   and an expression (mouth opening, smile) deform it; all deformations are
   left/right symmetric.
2. **Pose.** The model is rotated in 3-D by yaw (about the vertical axis: the
   nose and mouth shift and the far side is foreshortened) and pitch, projected
   orthographically, rotated in the image plane by roll, scaled and translated.
3. **Rendering.** A background (gradient, smooth noise texture or clutter),
   torso, neck, hair, the face polygon bounded by the jaw, eyes with iris and
   pupil, brows, nose lines and nostrils, lips and mouth are drawn with
   anti-aliased OpenCV primitives at sub-pixel precision, so the landmarks sit on
   visible features. Random occluders (rectangles, ellipses), a lighting ramp,
   blur and noise follow.

Coordinates and fields
----------------------
Keypoints are ``(x, y)`` in pixels of the generated image, with pixel centres at
integer coordinates (the pixel in column ``c`` covers ``[c - 0.5, c + 0.5]``), so
a horizontal flip maps ``x`` to ``W - 1 - x`` as in MMPose.

* ``keypoints_visible``: 1 for a point inside the image
  (``0 <= x <= W - 1`` and ``0 <= y <= H - 1``), 0 for a point outside it (a
  face is sometimes placed partly outside the frame). Points outside keep their
  true, out-of-image coordinates. Points hidden by an occluder stay visible = 1,
  as in 300W where every point is labelled; ``attributes["keypoints_occluded"]``
  marks them.
* ``bbox``: ``[x1, y1, x2, y2]`` pixels, the extent of all 68 keypoints (not
  clipped to the image, so it may exceed it for a truncated face).
* ``center`` and ``scale``: MMPose's 300W/WFLW convention, as written by its
  ``wflw2coco.py`` converter from the keypoint extent: ``center`` is the centre
  of ``bbox`` and ``scale = max(x2 - x1, y2 - y1) / 200`` (units of 200 px;
  MMPose's ``Face300WDataset`` turns it into a square box of side
  ``scale * 200`` pixels). Unlike the converter we do not round the side up to an
  integer.
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

__all__ = [
    "NUM_KEYPOINTS",
    "FaceParams",
    "SyntheticFaces",
    "bbox_center_scale",
    "draw_face",
    "generate_face",
    "mean_shape_3d",
    "project_face",
    "sample_face_params",
    "synthetic_face_arrays",
]

NUM_KEYPOINTS = 68

# Face model units: the jaw runs from x = -1 (point 0) to x = +1 (point 16);
# y points down, z towards the camera; the origin is near the nose bridge.
_EYE_Y = -0.22
_JAW_TOP_Y = -0.25
_SHAPE_DEFAULTS = {
    "face_width": 1.0,  # x scale of jaw and forehead
    "jaw_length": 1.25,  # chin is at _JAW_TOP_Y + jaw_length
    "jaw_squareness": 2.5,  # super-ellipse exponent of the jaw (2 = ellipse)
    "eye_spacing": 0.46,  # |x| of the eye centres
    "eye_width": 0.22,  # half width of an eye
    "eye_open": 1.0,  # lid opening multiplier
    "brow_height": 0.0,  # brow lift, model units
    "nose_length": 0.40,  # bridge top to tip
    "mouth_width": 0.42,  # |x| of the mouth corners
    "mouth_y": 0.58,
    "mouth_open": 0.0,  # 0 closed .. 1 wide open
    "smile": 0.0,  # mouth corners up (>0) or down (<0)
}


def _jaw(shape):
    """17 jaw points (x, y, z), point 0 at the subject's right ear (image left)."""
    n = shape["jaw_squareness"]
    phi = np.linspace(math.pi, 0.0, 801)  # image left -> bottom -> image right
    c, s = np.cos(phi), np.sin(phi)
    x = shape["face_width"] * np.sign(c) * np.abs(c) ** (2.0 / n)
    y = _JAW_TOP_Y + shape["jaw_length"] * np.abs(s) ** (2.0 / n)
    seg = np.hypot(np.diff(x), np.diff(y))
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    t = np.linspace(0.0, arc[-1], 17)
    xs, ys = np.interp(t, arc, x), np.interp(t, arc, y)
    zs = -0.4 * np.clip(1.0 - (ys - _JAW_TOP_Y) / shape["jaw_length"], 0.0, 1.0)
    return np.stack([xs, ys, zs], axis=-1)


def _brow(shape, side):
    """5 brow points; ``side`` -1 for the subject's right (image left) brow."""
    t = np.linspace(0.0, 1.0, 5)  # outer -> inner for side -1, inner -> outer for +1
    if side > 0:
        t = t[::-1]
    outer, inner = 0.86 * shape["face_width"], 0.13
    ax = outer + (inner - outer) * t  # |x|, from the outer end
    y = -0.42 - shape["brow_height"] + 0.05 * (1 - t) - 0.11 * np.sin(math.pi * (0.3 + 0.7 * t))
    z = 0.12 - 0.35 * ax**2
    return np.stack([side * ax, y, z], axis=-1)


def _eye(shape, side):
    """6 eye points in iBUG order.

    Right eye (``side`` -1): outer corner, two upper-lid points, inner corner,
    two lower-lid points. Left eye (+1): inner corner, upper lid, outer corner,
    lower lid. In both the contour runs clockwise in the image, starting at its
    leftmost corner.
    """
    cx, hw = side * shape["eye_spacing"], shape["eye_width"]
    up, low = 0.10 * shape["eye_open"], 0.065 * shape["eye_open"]
    xs = cx + hw * np.array([-1.0, -1 / 3, 1 / 3, 1.0, 1 / 3, -1 / 3])
    lid = math.sin(math.pi / 3) ** 0.8
    ys = _EYE_Y + np.array([0.0, -up * lid, -up * lid, 0.0, low * lid, low * lid])
    # The outer corner sits a little higher than the inner one.
    outer = -1.0 if side < 0 else 1.0
    ys = ys - 0.02 * outer * (xs - cx) / hw
    zs = 0.05 - 0.35 * xs**2
    return np.stack([xs, ys, zs], axis=-1)


def _nose(shape):
    """4 bridge points (top to tip) and 5 nostril points (image left to right)."""
    top, tip = _EYE_Y, _EYE_Y + shape["nose_length"]
    bridge = np.stack([np.zeros(4), np.linspace(top, tip, 4), np.linspace(0.12, 0.5, 4)], axis=-1)
    base = tip + 0.09
    nx = np.array([-0.2, -0.1, 0.0, 0.1, 0.2]) * (0.8 + shape["nose_length"] / 2)
    ny = base + np.array([-0.03, 0.01, 0.025, 0.01, -0.03])
    nz = np.array([0.22, 0.3, 0.36, 0.3, 0.22])
    return bridge, np.stack([nx, ny, nz], axis=-1)


def _mouth(shape):
    """12 outer and 8 inner lip points in iBUG order."""
    w, my = shape["mouth_width"], shape["mouth_y"]
    opening, smile = 0.28 * shape["mouth_open"], shape["smile"]
    corner_dy, corner_dx = -0.06 * smile, 0.04 * smile
    wc = w + corner_dx
    # Outer contour: 48 left corner, 49-53 upper lip, 54 right corner,
    # 55-59 lower lip from right to left.
    ox = np.array(
        [
            -wc,
            -0.6 * w,
            -0.22 * w,
            0.0,
            0.22 * w,
            0.6 * w,
            wc,
            0.6 * w,
            0.3 * w,
            0.0,
            -0.3 * w,
            -0.6 * w,
        ]
    )
    oy = my + np.array(
        [
            corner_dy,
            -0.08,
            -0.12,
            -0.1,
            -0.12,
            -0.08,
            corner_dy,
            0.09 + opening,
            0.13 + opening,
            0.14 + opening,
            0.13 + opening,
            0.09 + opening,
        ]
    )
    # Inner contour: 60 left corner, 61-63 upper, 64 right corner, 65-67 lower.
    wi = 0.8 * w + corner_dx
    ix = np.array([-wi, -0.4 * w, 0.0, 0.4 * w, wi, 0.4 * w, 0.0, -0.4 * w])
    iy = my + np.array(
        [
            0.005 + corner_dy,
            -0.01,
            -0.005,
            -0.01,
            0.005 + corner_dy,
            0.01 + opening,
            0.015 + opening,
            0.01 + opening,
        ]
    )
    outer = np.stack([ox, oy, 0.3 - 0.3 * ox**2], axis=-1)
    inner = np.stack([ix, iy, 0.27 - 0.3 * ix**2], axis=-1)
    return outer, inner


def mean_shape_3d(**shape) -> np.ndarray:
    """The 3-D face model: 68 points ``(x, y, z)`` in model units, iBUG order.

    Keyword arguments override the identity/expression parameters (face_width,
    jaw_length, jaw_squareness, eye_spacing, eye_width, eye_open, brow_height,
    nose_length, mouth_width, mouth_y, mouth_open, smile); with none, this is
    the neutral mean face. The jaw spans x in [-1, 1] at face_width 1; y points
    down, z towards the camera. The model is mirror-symmetric: point ``i``
    mirrored in x is point ``flip_indices[i]`` of the 300W scheme.

    Returns:
        float64 array of shape (68, 3).
    """
    unknown = set(shape) - set(_SHAPE_DEFAULTS)
    if unknown:
        raise ValueError(
            f"unknown face shape parameters {sorted(unknown)}; expected a subset "
            f"of {sorted(_SHAPE_DEFAULTS)}"
        )
    s = {**_SHAPE_DEFAULTS, **shape}
    jaw = _jaw(s)
    # Opening the mouth drops the chin: points below the mouth follow the lower lip.
    drop = 0.28 * s["mouth_open"] * np.clip((jaw[:, 1] - 0.2) / (s["jaw_length"] - 0.45), 0, 1)
    jaw[:, 1] += drop
    bridge, nostrils = _nose(s)
    outer, inner = _mouth(s)
    pts = np.concatenate(
        [
            jaw,
            _brow(s, -1),
            _brow(s, +1),
            bridge,
            nostrils,
            _eye(s, -1),
            _eye(s, +1),
            outer,
            inner,
        ]
    )
    return pts


def _head_outline(shape, scale_out):
    """Forehead arc from the right end of the jaw (x=+w) over the top to x=-w."""
    phi = np.linspace(0.0, math.pi, 25)
    w = shape["face_width"] * scale_out
    x = w * np.cos(phi)
    y = _JAW_TOP_Y - 0.95 * scale_out * np.sin(phi) ** 0.9
    z = -0.4 + 0.5 * np.sin(phi)
    return np.stack([x, y, z], axis=-1)


@dataclasses.dataclass(frozen=True)
class FaceParams:
    """Everything that fixes a face's geometry and colours (not its background).

    Angles are in degrees: ``yaw`` > 0 turns the face towards the image right
    (the nose moves right), ``pitch`` > 0 tilts it up, ``roll`` > 0 turns it
    clockwise as seen in the image. ``scale`` is pixels per model unit (half the
    jaw width at face_width 1); ``translation`` is the image position (x, y) in
    pixels of the model origin. ``shape`` holds the identity/expression
    parameters of :func:`mean_shape_3d`. Colours are RGB tuples in 0-255.
    ``occluders`` are ``(kind, cx, cy, half_w, half_h, angle_deg, rgb)`` with kind
    ``"rect"`` or ``"ellipse"``, in pixels.
    """

    yaw: float
    pitch: float
    roll: float
    scale: float
    translation: tuple[float, float]
    shape: dict
    gaze: tuple[float, float]
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: str  # "none", "short" or "long"
    brow: tuple[int, int, int]
    iris: tuple[int, int, int]
    lips: tuple[int, int, int]
    clothes: tuple[int, int, int]
    occluders: tuple = ()

    def mirrored(self, width: int) -> FaceParams:
        """The same face mirrored left-right in an image ``width`` pixels wide."""
        tx, ty = self.translation
        occ = tuple(
            (k, width - 1 - cx, cy, hw, hh, -ang, rgb)
            for k, cx, cy, hw, hh, ang, rgb in self.occluders
        )
        return dataclasses.replace(
            self,
            yaw=-self.yaw,
            roll=-self.roll,
            translation=(width - 1 - tx, ty),
            gaze=(-self.gaze[0], self.gaze[1]),
            occluders=occ,
        )


def _pose_matrix(yaw, pitch, roll):
    """2x3 linear part: yaw about y, then pitch about x, project, then roll."""
    a, b, c = (math.radians(v) for v in (yaw, pitch, roll))
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c)], [math.sin(c), math.cos(c)]])
    return rz @ (rx @ ry)[:2]


def _project(points3d, params):
    m = _pose_matrix(params.yaw, params.pitch, params.roll) * params.scale
    return points3d @ m.T + np.asarray(params.translation, np.float64)


def project_face(params: FaceParams) -> np.ndarray:
    """The 68 keypoints of ``params`` in image pixels, float64 (68, 2)."""
    return _project(mean_shape_3d(**params.shape), params)


def bbox_center_scale(keypoints: np.ndarray):
    """Keypoint-extent box and MMPose's 300W center/scale.

    Args:
        keypoints: (K, 2) pixels.

    Returns:
        ``(bbox, center, scale)``: bbox ``[x1, y1, x2, y2]`` float32 pixels (the
        extent of all points), center ``[(x1+x2)/2, (y1+y2)/2]`` float32 pixels,
        scale ``max(x2-x1, y2-y1) / 200`` float32 (units of 200 px).
    """
    kp = np.asarray(keypoints, np.float64)
    x1, y1 = kp.min(axis=0)
    x2, y2 = kp.max(axis=0)
    bbox = np.array([x1, y1, x2, y2], np.float32)
    center = np.array([(x1 + x2) / 2, (y1 + y2) / 2], np.float32)
    scale = np.float32(max(x2 - x1, y2 - y1) / 200.0)
    return bbox, center, scale


# ----------------------------------------------------------------- sampling

_SKIN_TONES = np.array(
    [
        [255, 224, 196],
        [241, 194, 160],
        [224, 172, 130],
        [198, 134, 96],
        [161, 102, 66],
        [110, 70, 45],
        [80, 52, 36],
    ],
    np.float64,
)
_HAIR_COLOURS = np.array(
    [
        [20, 16, 14],
        [60, 40, 25],
        [110, 75, 40],
        [200, 165, 100],
        [150, 60, 30],
        [170, 170, 165],
    ],
    np.float64,
)
_IRIS_COLOURS = np.array(
    [[70, 45, 25], [110, 75, 40], [70, 110, 160], [80, 120, 80], [110, 110, 115]],
    np.float64,
)


def _rgb(values):
    return tuple(int(v) for v in np.clip(np.round(values), 0, 255))


def _jitter(rng, rgb, amount):
    return _rgb(rgb + rng.normal(0.0, amount, 3))


def _sample_shape(rng):
    open_ = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.05, 1.0))
    return {
        "face_width": float(rng.uniform(0.9, 1.08)),
        "jaw_length": float(rng.uniform(1.15, 1.35)),
        "jaw_squareness": float(rng.uniform(2.0, 3.2)),
        "eye_spacing": float(rng.uniform(0.42, 0.5)),
        "eye_width": float(rng.uniform(0.18, 0.24)),
        "eye_open": float(rng.uniform(0.4, 1.3)),
        "brow_height": float(rng.uniform(-0.04, 0.08)),
        "nose_length": float(rng.uniform(0.34, 0.46)),
        "mouth_width": float(rng.uniform(0.34, 0.48)),
        "mouth_y": float(rng.uniform(0.54, 0.62)),
        "mouth_open": open_,
        "smile": float(rng.uniform(-0.4, 0.8)),
    }


def sample_face_params(
    rng: np.random.Generator, image_size=(256, 256), truncate_prob: float = 0.1
) -> FaceParams:
    """Draws a random face that fits the image.

    The face box (keypoint extent) has a side of about 25-75 % of the shorter
    image side. With probability ``1 - truncate_prob`` all 68 keypoints lie inside
    the image with a 2-pixel margin; otherwise the face is pushed partly (at most
    about a quarter of its box) outside the frame.

    Args:
        rng: the random generator to draw from.
        image_size: ``(height, width)`` in pixels.
        truncate_prob: probability of a face cut by the image border.
    """
    h, w = (int(v) for v in image_size)
    if h < 32 or w < 32:
        raise ValueError(f"image_size must be at least (32, 32) pixels, got {image_size}")
    shape = _sample_shape(rng)
    yaw = float(np.clip(rng.normal(0.0, 15.0), -40.0, 40.0))
    pitch = float(rng.uniform(-12.0, 12.0))
    roll = float(np.clip(rng.normal(0.0, 12.0), -35.0, 35.0))
    side = min(h, w)
    scale = float(side * math.exp(rng.uniform(math.log(0.12), math.log(0.36))))
    gaze = (float(rng.uniform(-0.3, 0.3)), float(rng.uniform(-0.2, 0.2)))
    skin = np.asarray(_jitter(rng, _SKIN_TONES[rng.integers(len(_SKIN_TONES))], 8), float)
    hair = np.asarray(_jitter(rng, _HAIR_COLOURS[rng.integers(len(_HAIR_COLOURS))], 10), float)
    hair_style = ("none", "short", "long")[int(rng.choice(3, p=[0.1, 0.5, 0.4]))]
    iris = _jitter(rng, _IRIS_COLOURS[rng.integers(len(_IRIS_COLOURS))], 10)
    lips = skin * np.array([0.85, 0.55, 0.55]) + np.array([30, 0, 5]) + rng.normal(0, 8, 3)
    clothes = tuple(int(v) for v in rng.integers(0, 256, 3))
    params = FaceParams(
        yaw=yaw,
        pitch=pitch,
        roll=roll,
        scale=scale,
        translation=(0.0, 0.0),
        shape=shape,
        gaze=gaze,
        skin=_rgb(skin),
        hair=_rgb(hair),
        hair_style=hair_style,
        brow=_rgb(0.6 * hair + 0.12 * skin),
        iris=iris,
        lips=_rgb(lips),
        clothes=clothes,
    )
    kp0 = project_face(params)
    x1, y1 = kp0.min(axis=0)
    x2, y2 = kp0.max(axis=0)
    lo_x, hi_x = -x1 + 2, w - 3 - x2  # translations that keep every point inside
    lo_y, hi_y = -y1 + 2, h - 3 - y2
    tx = rng.uniform(lo_x, hi_x) if hi_x > lo_x else (lo_x + hi_x) / 2
    ty = rng.uniform(lo_y, hi_y) if hi_y > lo_y else (lo_y + hi_y) / 2
    if rng.random() < truncate_prob:
        # Push a random 5-25 % of the box across one image border.
        border, frac = int(rng.integers(4)), rng.uniform(0.05, 0.25)
        if border == 0:
            tx = -x1 - frac * (x2 - x1)
        elif border == 1:
            tx = w - 1 - x2 + frac * (x2 - x1)
        elif border == 2:
            ty = -y1 - frac * (y2 - y1)
        else:
            ty = h - 1 - y2 + frac * (y2 - y1)
    params = dataclasses.replace(params, translation=(float(tx), float(ty)))
    return dataclasses.replace(params, occluders=_sample_occluders(rng, params))


def _sample_occluders(rng, params):
    if rng.random() >= 0.3:
        return ()
    kp = project_face(params)
    occ = []
    for _ in range(int(rng.integers(1, 3))):
        anchor = kp[rng.integers(NUM_KEYPOINTS)]
        size = params.scale * rng.uniform(0.2, 0.55, 2)
        occ.append(
            (
                ("rect", "ellipse")[int(rng.integers(2))],
                float(anchor[0] + rng.normal(0, 0.15 * params.scale)),
                float(anchor[1] + rng.normal(0, 0.15 * params.scale)),
                float(size[0]),
                float(size[1]),
                float(rng.uniform(-90, 90)),
                tuple(int(v) for v in rng.integers(0, 256, 3)),
            )
        )
    return tuple(occ)


# ---------------------------------------------------------------- rendering

_SHIFT = 4  # OpenCV sub-pixel bits
_ONE = 1 << _SHIFT


def _fix(points):
    """Pixel coordinates to OpenCV's fixed-point int32 polygon (N, 1, 2)."""
    return np.round(np.asarray(points) * _ONE).astype(np.int32).reshape(-1, 1, 2)


def _poly(img, points, rgb):
    cv2.fillPoly(img, [_fix(points)], tuple(float(c) for c in rgb), cv2.LINE_AA, _SHIFT)


def _line(img, points, rgb, thickness, closed=False):
    t = max(1, int(round(thickness)))
    cv2.polylines(
        img,
        [_fix(points)],
        closed,
        tuple(float(c) for c in rgb),
        t,
        cv2.LINE_AA,
        _SHIFT,
    )


def _ellipse(img, center, axes, angle, rgb, thickness=-1):
    cv2.ellipse(
        img,
        tuple(int(v) for v in np.round(np.asarray(center) * _ONE)),
        tuple(max(0, int(v)) for v in np.round(np.asarray(axes) * _ONE)),
        float(angle),
        0.0,
        360.0,
        tuple(float(c) for c in rgb),
        thickness,
        cv2.LINE_AA,
        _SHIFT,
    )


def _shade(rgb, factor):
    return tuple(float(np.clip(c * factor, 0, 255)) for c in rgb)


def _composite(img, layer, mask):
    """Copies ``layer`` into ``img`` where the uint8 ``mask`` is set (AA blend)."""
    a = mask.astype(np.float32)[..., None] / 255.0
    img[...] = np.round(img * (1 - a) + layer * a).astype(np.uint8)


def _occluder_polygon(occ):
    kind, cx, cy, hw, hh, ang, _ = occ
    if kind == "rect":
        return cv2.boxPoints(((cx, cy), (2 * hw, 2 * hh), ang))
    pts = cv2.ellipse2Poly((0, 0), (1000, int(1000 * hh / max(hw, 1e-6))), 0, 0, 360, 10)
    pts = pts.astype(np.float64) * (hw / 1000.0)
    a = math.radians(ang)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return pts @ rot.T + np.array([cx, cy])


def draw_face(canvas: np.ndarray, params: FaceParams) -> np.ndarray:
    """Draws the face of ``params`` (and its occluders) onto a copy of ``canvas``.

    Args:
        canvas: uint8 (H, W, 3) RGB background.
        params: the face, in the pixel frame of ``canvas``.

    Returns:
        uint8 (H, W, 3) RGB image.
    """
    img = np.array(canvas, dtype=np.uint8, copy=True)
    s = {**_SHAPE_DEFAULTS, **params.shape}
    kp = project_face(params)
    px = params.scale  # pixels per model unit
    skin = params.skin

    # Torso and neck.
    torso = np.array(
        [
            [-2.6, 3.4, -0.6],
            [-2.3, 2.0, -0.6],
            [-0.9, 1.55, -0.5],
            [0.9, 1.55, -0.5],
            [2.3, 2.0, -0.6],
            [2.6, 3.4, -0.6],
        ]
    )
    torso[:, 1] += s["jaw_length"] - 1.25
    _poly(img, _project(torso, params), params.clothes)
    neck = np.array([[-0.55, 0.4, -0.5], [0.55, 0.4, -0.5], [0.6, 1.9, -0.5], [-0.6, 1.9, -0.5]])
    neck[:, 1] += s["jaw_length"] - 1.25
    _poly(img, _project(neck, params), _shade(skin, 0.78))

    # Hair behind the head.
    if params.hair_style != "none":
        outline = _head_outline(s, 1.16)
        if params.hair_style == "long":
            drop = [
                [-1.2 * s["face_width"], 1.0, -0.5],
                [1.2 * s["face_width"], 1.0, -0.5],
            ]
            outline = np.concatenate([[drop[1]], outline, [drop[0]]])
        else:
            ends = [
                [-1.12 * s["face_width"], 0.05, -0.5],
                [1.12 * s["face_width"], 0.05, -0.5],
            ]
            outline = np.concatenate([[ends[1]], outline, [ends[0]]])
        _poly(img, _project(outline, params), params.hair)

    # Face: jaw (0..16) then the forehead arc back over the top.
    forehead = _project(_head_outline(s, 1.0)[1:-1], params)
    face = np.concatenate([kp[:17], forehead])
    _poly(img, face, skin)
    _line(img, kp[:17], _shade(skin, 0.7), px * 0.025)
    if params.hair_style == "short":
        fringe = _head_outline(s, 1.0)
        fringe[:, 1] = np.minimum(fringe[:, 1], _JAW_TOP_Y - 0.55 + 0.25 * np.abs(fringe[:, 0]))
        _poly(img, _project(fringe, params), params.hair)

    # Brows: a thick line, thicker at the inner end.
    for idx in ((17, 18, 19, 20, 21), (26, 25, 24, 23, 22)):
        pts = kp[list(idx)]
        for a, b, frac in zip(pts[:-1], pts[1:], (0.05, 0.06, 0.07, 0.08), strict=True):
            _line(img, [a, b], params.brow, px * frac)

    # Eyes: sclera, iris and pupil clipped to the eye, lid lines.
    for lo in (36, 42):
        eye = kp[lo : lo + 6]
        layer = img.copy()
        _poly(layer, eye, (245, 243, 238))
        centre = eye.mean(axis=0)
        width = np.linalg.norm(eye[3] - eye[0])
        iris_c = centre + np.array(params.gaze) * width * 0.3
        r = 0.42 * np.linalg.norm(eye[3] - eye[0]) / 2 * 1.0
        _ellipse(layer, iris_c, (r, r), 0, params.iris)
        _ellipse(layer, iris_c, (0.45 * r, 0.45 * r), 0, (10, 10, 10))
        mask = np.zeros(img.shape[:2], np.uint8)
        _poly(mask, eye, (255,))
        _composite(img, layer, mask)
        _line(img, eye[[0, 1, 2, 3]], (25, 20, 20), px * 0.03)
        _line(img, eye[[3, 4, 5, 0]], _shade(skin, 0.55), px * 0.015)

    # Nose: bridge shadow, nostril arc and nostrils.
    _line(img, kp[27:31], _shade(skin, 0.8), px * 0.03)
    _line(img, kp[[31, 32, 33, 34, 35]], _shade(skin, 0.55), px * 0.025)
    for i in (32, 34):
        _ellipse(
            img,
            kp[i] - [0, 0.015 * px],
            (0.035 * px, 0.02 * px),
            params.roll,
            _shade(skin, 0.3),
        )

    # Mouth: lips, then the opening (dark with teeth) or the lip seam.
    _poly(img, kp[48:60], params.lips)
    inner = kp[60:68]
    if s["mouth_open"] > 0.05:
        layer = img.copy()
        _poly(layer, inner, (60, 15, 20))
        _line(
            layer,
            kp[[60, 61, 62, 63, 64]],
            (235, 232, 220),
            px * 0.06 * s["mouth_open"] + 1,
        )
        mask = np.zeros(img.shape[:2], np.uint8)
        _poly(mask, inner, (255,))
        _composite(img, layer, mask)
    _line(img, inner, _shade(params.lips, 0.45), px * 0.02, closed=True)

    for occ in params.occluders:
        _poly(img, _occluder_polygon(occ), occ[-1])
    return img


def _occluded_keypoints(params, keypoints, image_size):
    h, w = image_size
    mask = np.zeros((h, w), np.uint8)
    for occ in params.occluders:
        _poly(mask, _occluder_polygon(occ), (255,))
    ij = np.round(keypoints).astype(np.int64)
    inside = (ij[:, 0] >= 0) & (ij[:, 0] < w) & (ij[:, 1] >= 0) & (ij[:, 1] < h)
    out = np.zeros(len(keypoints), bool)
    out[inside] = mask[ij[inside, 1], ij[inside, 0]] > 127
    return out


def _background(rng, image_size):
    h, w = image_size
    kind = int(rng.integers(3))
    c1, c2 = rng.integers(0, 256, (2, 3)).astype(np.float32)
    if kind == 0:  # linear gradient
        a = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = (xx * math.cos(a) + yy * math.sin(a)) / max(h, w)
        t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
        img = c1 + (c2 - c1) * t[..., None]
    elif kind == 1:  # smooth noise texture
        cells = int(rng.integers(3, 24))
        low = rng.random((cells, cells, 3)).astype(np.float32)
        t = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
        img = c1 + (c2 - c1) * np.clip(t, 0, 1)
    else:  # clutter
        img = np.empty((h, w, 3), np.float32)
        img[...] = c1
        img = img.astype(np.uint8)
        for _ in range(int(rng.integers(4, 16))):
            rgb = tuple(float(v) for v in rng.integers(0, 256, 3))
            x, y = rng.uniform(0, w), rng.uniform(0, h)
            size = rng.uniform(0.05, 0.35) * min(h, w)
            if rng.random() < 0.5:
                _ellipse(
                    img,
                    (x, y),
                    (size, size * rng.uniform(0.3, 1)),
                    rng.uniform(0, 180),
                    rgb,
                )
            else:
                _poly(
                    img,
                    cv2.boxPoints(
                        (
                            (x, y),
                            (size, size * rng.uniform(0.2, 1.5)),
                            rng.uniform(0, 90),
                        )
                    ),
                    rgb,
                )
        return img
    return np.clip(img, 0, 255).astype(np.uint8)


def _degrade(rng, img):
    h, w = img.shape[:2]
    out = img.astype(np.float32)
    # Lighting: a linear ramp, plus brightness and contrast jitter.
    a = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = ((xx - w / 2) * math.cos(a) + (yy - h / 2) * math.sin(a)) / max(h, w)
    out *= (1.0 + rng.uniform(0, 0.6) * ramp)[..., None]
    out = (out - 128) * rng.uniform(0.7, 1.2) + 128 + rng.uniform(-30, 30)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.5, 2.0)))
    if rng.random() < 0.25:  # sensor noise (rare: it triples the PNG size)
        out += rng.normal(0, rng.uniform(1, 6), out.shape).astype(np.float32)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def generate_face(index: int, *, seed: int = 0, image_size=(256, 256)) -> dict:
    """One synthetic face, a pure function of ``(seed, index)``.

    Args:
        index: sample number, a non-negative int.
        seed: data set seed (non-negative int); different seeds give disjoint
            random streams.
        image_size: ``(height, width)`` of the image in pixels.

    Returns:
        A dict with:

        * ``image``: uint8 (H, W, 3) RGB.
        * ``keypoints``: float32 (68, 2) ``(x, y)`` image pixels, iBUG order.
        * ``keypoints_visible``: float32 (68,), 1 inside the image, 0 outside.
        * ``bbox``: float32 (4,) ``[x1, y1, x2, y2]`` pixels, keypoint extent.
        * ``center``: float32 (2,) pixels; ``scale``: float32 scalar, units of
          200 px (see the module docstring).
        * ``image_size``: int32 (2,) ``(height, width)``.
        * ``attributes``: ``yaw``/``pitch``/``roll`` (float32, degrees),
          ``mouth_open`` (float32, 0-1), ``occluded`` (bool: an occluder covers
          at least one keypoint), ``keypoints_occluded`` (bool (68,)),
          ``truncated`` (bool: at least one keypoint outside the image).
    """
    if int(index) < 0 or int(seed) < 0:
        raise ValueError(f"index and seed must be non-negative ints, got {index=}, {seed=}")
    h, w = (int(v) for v in image_size)
    rng = np.random.default_rng((int(seed), int(index)))
    params = sample_face_params(rng, (h, w))
    background = _background(rng, (h, w))
    image = _degrade(rng, draw_face(background, params))
    kp = project_face(params)
    visible = (kp[:, 0] >= 0) & (kp[:, 0] <= w - 1) & (kp[:, 1] >= 0) & (kp[:, 1] <= h - 1)
    occluded = _occluded_keypoints(params, kp, (h, w))
    bbox, center, scale = bbox_center_scale(kp)
    return {
        "image": image,
        "keypoints": kp.astype(np.float32),
        "keypoints_visible": visible.astype(np.float32),
        "bbox": bbox,
        "center": center,
        "scale": scale,
        "image_size": np.array([h, w], np.int32),
        "attributes": {
            "yaw": np.float32(params.yaw),
            "pitch": np.float32(params.pitch),
            "roll": np.float32(params.roll),
            "mouth_open": np.float32(params.shape["mouth_open"]),
            "occluded": bool(occluded.any()),
            "keypoints_occluded": occluded,
            "truncated": bool(not visible.all()),
        },
    }


class SyntheticFaces:
    """A sequence of ``num_samples`` synthetic faces (see :func:`generate_face`).

    Indexable (``faces[i]``), sized and iterable; samples are generated on
    access, so memory stays flat. To feed Keras, wrap it in a
    ``keras.utils.PyDataset`` that crops and batches, or use
    :func:`synthetic_face_arrays` for a small in-memory set.

    Args:
        num_samples: number of faces.
        seed: data set seed; use different seeds for disjoint splits.
        image_size: ``(height, width)`` in pixels.
    """

    def __init__(self, num_samples: int, *, seed: int = 0, image_size=(256, 256)):
        if int(num_samples) < 0:
            raise ValueError(f"num_samples must be >= 0, got {num_samples}")
        self.num_samples = int(num_samples)
        self.seed = int(seed)
        self.image_size = tuple(int(v) for v in image_size)

    def __len__(self):
        return self.num_samples

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.num_samples))]
        i = int(index)
        if i < 0:
            i += self.num_samples
        if not 0 <= i < self.num_samples:
            raise IndexError(f"index {index} out of range for {self.num_samples} faces")
        return generate_face(i, seed=self.seed, image_size=self.image_size)

    def __iter__(self):
        for i in range(self.num_samples):
            yield self[i]


def synthetic_face_arrays(num_samples: int, *, seed: int = 0, image_size=(256, 256)) -> dict:
    """A small in-memory data set as stacked numpy arrays.

    Returns:
        dict with ``images`` uint8 (N, H, W, 3), ``keypoints`` float32 (N, 68, 2)
        pixels, ``keypoints_visible`` float32 (N, 68), ``bbox`` float32 (N, 4)
        xyxy pixels, ``center`` float32 (N, 2) pixels, ``scale`` float32 (N,)
        units of 200 px.
    """
    samples = list(SyntheticFaces(num_samples, seed=seed, image_size=image_size))
    h, w = (int(v) for v in image_size)
    if not samples:
        return {
            "images": np.zeros((0, h, w, 3), np.uint8),
            "keypoints": np.zeros((0, NUM_KEYPOINTS, 2), np.float32),
            "keypoints_visible": np.zeros((0, NUM_KEYPOINTS), np.float32),
            "bbox": np.zeros((0, 4), np.float32),
            "center": np.zeros((0, 2), np.float32),
            "scale": np.zeros((0,), np.float32),
        }
    return {
        "images": np.stack([s["image"] for s in samples]),
        "keypoints": np.stack([s["keypoints"] for s in samples]),
        "keypoints_visible": np.stack([s["keypoints_visible"] for s in samples]),
        "bbox": np.stack([s["bbox"] for s in samples]),
        "center": np.stack([s["center"] for s in samples]),
        "scale": np.stack([s["scale"] for s in samples]),
    }
