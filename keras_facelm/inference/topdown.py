"""The one crop path: image + face boxes → model crops → keypoints in image pixels.

Numpy and OpenCV only (no Keras, TensorFlow, JAX or PyTorch), so the Keras
models, the exported-file runtime and the face landmarker all share it:

1. :func:`boxes_to_center_scale`: a tight face box ``(x1, y1, x2, y2)`` →
   centre and padded box size in pixels (MMPose's ``GetBBoxCenterScale``,
   padding 1.25 in every face config).
2. :func:`crop_faces`: each box grown to the model's aspect ratio and warped
   to a ``(h, w)`` RGB crop (MMPose's ``TopdownAffine``, rotation 0).
3. a predictor maps the crops to keypoints in crop pixels (a Keras model's
   ``predict_landmarks``, or an exported LiteRT/ONNX file);
4. :func:`crops_to_image`: crop pixels → image pixels (MMPose's
   ``TopdownPoseEstimator.add_pred_to_datasample``).

:func:`predict_in_images` runs 1-4 for many images at once, batching the
crops of all faces of all images into chunks of one forward pass each.

Names: ``center`` is a box centre in image pixels; ``bbox_scale`` is the
padded box ``(width, height)`` in image pixels (MMPose 1.x's ``bbox_scale``);
``input_size`` is the model's ``(width, height)`` in pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from keras_facelm.data import transforms as T

__all__ = [
    "boxes_to_center_scale",
    "check_boxes",
    "crop_faces",
    "crops_to_image",
    "predict_in_images",
]

#: ``GetBBoxCenterScale`` padding of every MMPose face config.
DEFAULT_PADDING = 1.25


def check_boxes(boxes, image_shape=None, *, name="boxes"):
    """Validates face boxes; returns them as float32 ``(F, 4)`` ``(x1, y1, x2, y2)`` pixels.

    Args:
        boxes: ``(F, 4)`` or ``(4,)`` array-like, image pixels.
        image_shape: ``(H, W, ...)`` of the image; when given, a box that does
            not overlap the image at all is refused (a box partly outside is
            fine: the crop is padded with black, as in MMPose).
        name: what to call the boxes in error messages.

    Raises:
        ValueError: naming the box index and value, for a non-finite box, a
            zero-size or negative box, or a box entirely outside the image.
    """
    arr = np.asarray(boxes, dtype=np.float64)
    if arr.ndim == 1 and arr.shape == (4,):
        arr = arr[None]
    if arr.size == 0:
        return np.zeros((0, 4), np.float32)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{name} must have shape (F, 4) as (x1, y1, x2, y2), got {arr.shape}")
    for i, (x1, y1, x2, y2) in enumerate(arr):
        box = [float(v) for v in (x1, y1, x2, y2)]
        if not np.all(np.isfinite(box)):
            raise ValueError(f"{name}[{i}] = {box} is not finite")
        if not (x2 > x1 and y2 > y1):
            raise ValueError(
                f"{name}[{i}] = {box} has zero or negative size (need x2 > x1 and y2 > y1)"
            )
        if image_shape is not None:
            h, w = image_shape[:2]
            if x2 <= 0 or y2 <= 0 or x1 >= w or y1 >= h:
                raise ValueError(f"{name}[{i}] = {box} lies outside the {w}x{h} (WxH) image")
    return arr.astype(np.float32)


def boxes_to_center_scale(boxes, padding: float = DEFAULT_PADDING):
    """MMPose's ``GetBBoxCenterScale`` for many xyxy boxes.

    Args:
        boxes: ``(F, 4)`` ``(x1, y1, x2, y2)`` image pixels.
        padding: box scale multiplier.

    Returns:
        ``(centers, bbox_scales)``: float32 ``(F, 2)`` each, image pixels
        (``bbox_scales`` is the padded ``(width, height)``).
    """
    boxes = check_boxes(boxes)
    pairs = [T.bbox_xyxy_to_center_scale(b, padding) for b in boxes]
    centers = np.array([c for c, _ in pairs], np.float32).reshape(-1, 2)
    scales = np.array([s for _, s in pairs], np.float32).reshape(-1, 2)
    return centers, scales


def crop_faces(image, centers, bbox_scales, input_size, *, opencv4_exact=True):
    """Warps each face box to a model crop (``TopdownAffine``, rotation 0).

    Args:
        image: RGB uint8 ``(H, W, 3)``.
        centers, bbox_scales: float32 ``(F, 2)`` image pixels
            (:func:`boxes_to_center_scale`); each box is grown to the aspect
            ratio of ``input_size`` first.
        input_size: the model's ``(width, height)`` in pixels.
        opencv4_exact: MMPose's OpenCV 4 fixed-point warp (bit-exact crops);
            ``False`` uses the installed ``cv2.warpAffine`` (faster).

    Returns:
        uint8 ``(F, h, w, 3)`` crops.
    """
    w, h = (int(v) for v in input_size)
    crops = [
        T.warp_to_crop(image, None, c, s, 0.0, (w, h), opencv4_exact=opencv4_exact)[0]
        for c, s in zip(centers, bbox_scales, strict=True)
    ]
    return np.stack(crops) if crops else np.zeros((0, h, w, 3), np.uint8)


def crops_to_image(keypoints, centers, bbox_scales, input_size):
    """Maps crop-pixel keypoints back to image pixels, vectorised over faces.

    ``p_img = p_crop / input_size * S + center - S / 2`` with ``S`` the box
    scale grown to the aspect ratio of ``input_size``: the exact inverse of
    :func:`crop_faces`.

    Args:
        keypoints: ``(F, K, 2)`` crop pixels.
        centers, bbox_scales: ``(F, 2)`` image pixels, as given to :func:`crop_faces`.
        input_size: the model's ``(width, height)``.

    Returns:
        float32 ``(F, K, 2)`` image pixels.
    """
    kp = np.asarray(keypoints, np.float32)
    if kp.ndim != 3 or kp.shape[-1] != 2 or len(kp) != len(centers):
        raise ValueError(
            f"keypoints must be (F, K, 2) with F = {len(centers)} faces, got {kp.shape}"
        )
    w, h = (int(v) for v in input_size)
    out = [
        T.crop_to_image(k, c, s, (w, h)) for k, c, s in zip(kp, centers, bbox_scales, strict=True)
    ]
    return np.stack(out) if out else kp.copy()


def predict_in_images(
    predict: Callable[[np.ndarray], dict],
    input_size,
    images: Sequence[np.ndarray],
    boxes: Sequence,
    *,
    padding: float = DEFAULT_PADDING,
    batch_size: int = 32,
    opencv4_exact: bool = True,
) -> list[dict]:
    """Keypoints of every face box in every image, all crops batched together.

    Args:
        predict: maps uint8 crops ``(B, h, w, 3)`` to ``{"keypoints": (B, K, 2)
            crop pixels, "scores": (B, K)}``.
        input_size: the model's ``(width, height)``.
        images: RGB uint8 ``(H, W, 3)`` arrays.
        boxes: one ``(F_i, 4)`` array of ``(x1, y1, x2, y2)`` pixels per image
            (``F_i`` may be 0).
        padding: ``GetBBoxCenterScale`` padding.
        batch_size: crops per call of ``predict``.

    Returns:
        One dict per image: ``boxes`` float32 ``(F_i, 4)``, ``keypoints``
        float32 ``(F_i, K, 2)`` image pixels and ``scores`` float32 ``(F_i, K)``.

    Raises:
        ValueError: a bad box (naming the image and box), or images and boxes
            of different lengths.
    """
    if len(images) != len(boxes):
        raise ValueError(f"got {len(images)} images but {len(boxes)} box arrays")
    checked, faces = [], []  # faces: (image index, center, bbox_scale)
    for i, (image, b) in enumerate(zip(images, boxes, strict=True)):
        b = check_boxes(b, np.shape(image), name=f"boxes of image {i}")
        checked.append(b)
        centers, scales = boxes_to_center_scale(b, padding)
        faces += [(i, c, s) for c, s in zip(centers, scales, strict=True)]
    keypoints, scores = [], []
    for start in range(0, len(faces), batch_size):
        chunk = faces[start : start + batch_size]
        centers = np.array([c for _, c, _ in chunk], np.float32)
        scales = np.array([s for _, _, s in chunk], np.float32)
        crops = np.concatenate(
            [
                crop_faces(images[i], c[None], s[None], input_size, opencv4_exact=opencv4_exact)
                for i, c, s in chunk
            ]
        )
        out = predict(crops)
        keypoints.append(crops_to_image(out["keypoints"], centers, scales, input_size))
        scores.append(np.asarray(out["scores"], np.float32))
    if not faces:
        return [
            {
                "boxes": b,
                "keypoints": np.zeros((0, 0, 2), np.float32),
                "scores": np.zeros((0, 0), np.float32),
            }
            for b in checked
        ]
    splits = np.cumsum([len(b) for b in checked])[:-1]
    return [
        {"boxes": b, "keypoints": kp, "scores": sc}
        for b, kp, sc in zip(
            checked,
            np.split(np.concatenate(keypoints), splits),
            np.split(np.concatenate(scores), splits),
            strict=True,
        )
    ]
