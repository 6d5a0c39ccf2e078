"""``FaceLandmarker``: photos in, face boxes and landmarks in image pixels out.

.. code-block:: python

    from keras_facelm.inference import FaceLandmarker

    landmarker = FaceLandmarker("hrnetv2_w18_wflw")        # detector="default"
    for face in landmarker.detect("photo.jpg"):
        face.box, face.detector_score, face.keypoints, face.scores

Pipeline: each image is read (:func:`read_image`), a face detector
(:mod:`keras_facelm.inference.detectors`, BlazeFace by default) gives tight face
boxes unless boxes are passed in, and :func:`keras_facelm.inference.topdown.predict_in_images`
crops every face of every image, runs the landmark predictor on the crops in
chunks of ``batch_size``, and maps the keypoints back to image pixels.

Errors: a single image that cannot be read, or a bad box, raises a one-line
``ValueError``/``FileNotFoundError``. In a list, such an image gets
:attr:`ImageResult.error` set and no faces, and the other images are processed
(``raise_errors=True`` raises instead). An image with no face is not an error:
its result is an empty list of faces.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from keras_facelm.data.readers.image_io import verify_image_bytes
from keras_facelm.data.schemes import get_scheme
from keras_facelm.data.transforms import encoded_image, load_image, to_rgb_uint8
from keras_facelm.inference.detectors import get_face_detector
from keras_facelm.inference.predictor import as_predictor
from keras_facelm.inference.topdown import (
    DEFAULT_PADDING,
    check_boxes,
    predict_in_images,
)

__all__ = ["Face", "FaceLandmarker", "ImageResult", "read_image"]


def read_image(source, *, color: str = "rgb", name: str | None = None) -> np.ndarray:
    """Reads one image to RGB uint8 ``(H, W, 3)``.

    Args:
        source: a file path, encoded bytes (JPEG, PNG, BMP, PPM, TIFF, WebP...),
            a numpy array (uint8 or uint16; grayscale, 3 or 4 channels), or a
            Pillow image. Files and bytes are decoded by OpenCV, which applies
            the EXIF orientation, expands palette and grayscale images to
            three channels, drops alpha and reduces 16-bit images to 8 bits.
        color: channel order of a 3/4-channel numpy array, ``"rgb"`` or
            ``"bgr"`` (OpenCV's); ignored for files, bytes and Pillow images.
        name: what to call the image in error messages.

    Raises:
        FileNotFoundError: a path that does not exist.
        ValueError: an empty file, a truncated JPEG, bytes that are not an
            image, or an unsupported array; the message names the image.
    """
    if color not in ("rgb", "bgr"):
        raise ValueError(f"color must be 'rgb' or 'bgr', got {color!r}")
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)):
        data, name = encoded_image(source, name=name)
        verify_image_bytes(data, name)
        return load_image(data, name=name)
    if hasattr(source, "convert") and hasattr(source, "mode"):  # a Pillow image
        return to_rgb_uint8(np.asarray(source.convert("RGB")), name=name or "image")
    array = np.asarray(source)
    if color == "bgr" and array.ndim == 3 and array.shape[-1] in (3, 4):
        array = np.concatenate([array[..., 2::-1], array[..., 3:]], axis=-1)
    return to_rgb_uint8(array, name=name or "image")


@dataclasses.dataclass
class Face:
    """One face of one image.

    Attributes:
        box: float32 ``(4,)`` ``(x1, y1, x2, y2)`` image pixels: the tight face
            box the crop was built from (the detector's box after its adapter,
            or the box passed in).
        detector_score: the detector's score in [0, 1], or ``None`` for a box
            passed in.
        keypoints: float32 ``(K, 2)`` ``(x, y)`` image pixels.
        scores: float32 ``(K,)`` per-keypoint confidence (heatmap maximum, or
            the model's score for regression models).
        names: the ``K`` keypoint names of the scheme.
        track_id: a stable id across video frames (``None`` for photos).
    """

    box: np.ndarray
    detector_score: float | None
    keypoints: np.ndarray
    scores: np.ndarray
    names: tuple[str, ...]
    track_id: int | None = None

    def to_json(self) -> dict:
        """JSON-ready dict: box, detector_score, keypoints, scores (and track_id)."""
        record = {
            "box": [round(float(v), 2) for v in self.box],
            "detector_score": None
            if self.detector_score is None
            else round(float(self.detector_score), 4),
            "keypoints": np.round(self.keypoints.astype(np.float64), 2).tolist(),
            "scores": np.round(self.scores.astype(np.float64), 4).tolist(),
        }
        if self.track_id is not None:
            record["track_id"] = int(self.track_id)
        return record


@dataclasses.dataclass
class ImageResult:
    """The faces of one image; iterates, indexes and ``len()``s like its faces.

    Attributes:
        image: the path, or ``"image i"`` for arrays and bytes (i: position in
            the call).
        width, height: image size in pixels (after EXIF orientation), or
            ``None`` when it could not be read.
        faces: list of :class:`Face`, best detector score first.
        scheme: the keypoint scheme name.
        error: a one-line message when the image could not be processed
            (``faces`` is then empty), else ``None``.
    """

    image: str
    width: int | None
    height: int | None
    faces: list
    scheme: str
    error: str | None = None

    def __iter__(self):
        return iter(self.faces)

    def __len__(self):
        return len(self.faces)

    def __getitem__(self, index):
        return self.faces[index]

    def to_json(self) -> dict:
        """The record ``keras-facelm predict`` writes: image, width, height,
        scheme, faces (and error when set)."""
        record = {
            "image": self.image,
            "width": self.width,
            "height": self.height,
            "scheme": self.scheme,
            "faces": [f.to_json() for f in self.faces],
        }
        if self.error is not None:
            record["error"] = self.error
        return record


def _source_name(source, index):
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else f"image {index}"


class FaceLandmarker:
    """Face detection + landmark model, on photos of any size.

    Args:
        model: a preset name or directory, a Keras task model, an exported
            model file with a registered runtime, or any
            :class:`~keras_facelm.inference.predictor.LandmarkPredictor`
            (see :func:`~keras_facelm.inference.predictor.as_predictor`).
        detector: ``"default"`` (BlazeFace full range), another built-in name,
            a callable ``image -> boxes``, or ``None`` (then every call must
            pass ``boxes``). See :func:`~keras_facelm.inference.detectors.get_face_detector`.
        batch_size: face crops per forward pass, across images.
        padding: box padding of the crop (MMPose's face configs: 1.25).
        min_detector_score: detections scoring below this are dropped.
        max_faces: keep at most this many faces per image (best scores), or
            ``None`` for all.
        flip_test: for Keras models, ``None`` for the preset's ``test_cfg``.
    """

    def __init__(
        self,
        model,
        detector="default",
        *,
        batch_size: int = 32,
        padding: float = DEFAULT_PADDING,
        min_detector_score: float = 0.0,
        max_faces: int | None = None,
        flip_test=None,
    ):
        self.predictor = as_predictor(model, flip_test=flip_test, batch_size=batch_size)
        self.scheme = get_scheme(self.predictor.scheme)
        self.detector = None if detector is None else get_face_detector(detector)
        self.batch_size = int(batch_size)
        self.padding = float(padding)
        self.min_detector_score = float(min_detector_score)
        self.max_faces = max_faces

    def find_faces(self, image):
        """Detector boxes of one RGB uint8 image: ``(boxes (F, 4), scores (F,))``
        after ``min_detector_score`` and ``max_faces``."""
        if self.detector is None:
            raise ValueError("this FaceLandmarker has no detector (detector=None): pass boxes")
        found = self.detector(image)
        keep = np.flatnonzero(found.scores >= self.min_detector_score)
        keep = keep[np.argsort(-found.scores[keep], kind="stable")][: self.max_faces]
        return found.boxes[keep], found.scores[keep]

    def detect(self, images, boxes=None, *, color: str = "rgb", raise_errors=None, names=None):
        """Faces and landmarks of one image or a list of images.

        Args:
            images: one image or a list (paths, bytes, numpy arrays, Pillow
                images; see :func:`read_image`).
            boxes: ``None`` to run the detector; for one image an ``(F, 4)``
                array of tight ``(x1, y1, x2, y2)`` face boxes in pixels; for a
                list, one such array (or ``None`` to detect) per image.
            color: ``"rgb"`` or ``"bgr"`` for numpy arrays.
            raise_errors: raise on the first unreadable image or bad box
                (default: only for a single image; a list records the error in
                :attr:`ImageResult.error` and goes on).
            names: what to call each image in results and messages (default:
                its path, or ``"image i"``); one name, or one per image.

        Returns:
            An :class:`ImageResult` for one image, a list of them for a list.
        """
        single = not isinstance(images, (list, tuple))
        if single:
            images, boxes, names = [images], [boxes], None if names is None else [names]
        elif boxes is None:
            boxes = [None] * len(images)
        if len(boxes) != len(images):
            raise ValueError(f"got {len(images)} images but {len(boxes)} box arrays")
        strict = single if raise_errors is None else bool(raise_errors)
        results, todo = [], []  # todo: (result index, rgb, boxes, detector scores)
        if names is not None and len(names) != len(images):
            raise ValueError(f"got {len(images)} images but {len(names)} names")
        for i, (source, given) in enumerate(zip(images, boxes, strict=True)):
            name = _source_name(source, i) if names is None else str(names[i])
            result = ImageResult(name, None, None, [], self.scheme.name)
            results.append(result)
            try:
                rgb = read_image(source, color=color, name=name)
                result.height, result.width = rgb.shape[:2]
                if given is None:
                    face_boxes, det_scores = self.find_faces(rgb)
                else:
                    face_boxes = check_boxes(given, rgb.shape, name=f"boxes of {name}")
                    det_scores = [None] * len(face_boxes)
            except (OSError, ValueError) as e:
                if strict:
                    raise
                result.error = str(e)
                continue
            todo.append((i, rgb, face_boxes, det_scores))
        predicted = predict_in_images(
            self.predictor.predict,
            self.predictor.input_size,
            [rgb for _, rgb, _, _ in todo],
            [b for _, _, b, _ in todo],
            padding=self.padding,
            batch_size=self.batch_size,
        )
        point_names = self.scheme.keypoint_names
        for (i, _, _, det_scores), out in zip(todo, predicted, strict=True):
            results[i].faces = [
                Face(box, None if s is None else float(s), kp, sc, point_names)
                for box, s, kp, sc in zip(
                    out["boxes"],
                    det_scores,
                    out["keypoints"],
                    out["scores"],
                    strict=True,
                )
            ]
        return results[0] if single else results
