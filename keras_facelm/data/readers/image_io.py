"""Read and verify image files without TensorFlow.

The TFDS builders store each image's bytes exactly as released; this module
checks that those bytes decode (OpenCV) and reports the image size, so that a
corrupt or missing file is found while building, with its name, instead of
crashing a training run later.
"""

from __future__ import annotations

import dataclasses
import os

import cv2
import numpy as np

__all__ = [
    "CorruptImageError",
    "ImageFile",
    "encode_png",
    "read_image",
    "verify_image_bytes",
]

_JPEG_SOI = b"\xff\xd8"
_JPEG_SOS = b"\xff\xda"
_JPEG_EOI = b"\xff\xd9"


class CorruptImageError(ValueError):
    """An image file exists but its bytes do not decode to a complete image."""


@dataclasses.dataclass(frozen=True)
class ImageFile:
    """Encoded image bytes and their decoded size.

    Attributes:
        data: the encoded bytes, unchanged.
        height: image height in pixels.
        width: image width in pixels.
        channels: decoded channels (1 for grayscale, 3 for colour, 4 with alpha).
    """

    data: bytes
    height: int
    width: int
    channels: int


def verify_image_bytes(data: bytes, name: str) -> ImageFile:
    """Decode ``data`` to check it and return it with its size.

    Args:
        data: encoded image (JPEG, PNG, BMP, ...).
        name: file name used in error messages.

    Raises:
        CorruptImageError: the bytes are empty, do not decode, or are a JPEG
            whose entropy-coded scan is not closed by an end-of-image marker
            (a truncated file: OpenCV decodes it partially with only a warning,
            TensorFlow's decoder rejects it).
    """
    if not data:
        raise CorruptImageError(f"image file {name!r} is empty")
    if data[:2] == _JPEG_SOI:
        sos = data.rfind(_JPEG_SOS)
        if sos < 0 or data.find(_JPEG_EOI, sos) < 0:
            raise CorruptImageError(
                f"image file {name!r} is a truncated JPEG (no end-of-image marker "
                "after the last scan)"
            )
    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None or array.size == 0:
        raise CorruptImageError(f"image file {name!r} does not decode as an image")
    channels = 1 if array.ndim == 2 else int(array.shape[2])
    return ImageFile(
        data=data,
        height=int(array.shape[0]),
        width=int(array.shape[1]),
        channels=channels,
    )


def read_image(path: str | os.PathLike) -> ImageFile:
    """Read an image file's bytes and verify that they decode.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        CorruptImageError: the file does not decode (see :func:`verify_image_bytes`).
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"image file {path!r} not found")
    with open(path, "rb") as f:
        data = f.read()
    return verify_image_bytes(data, path)


def encode_png(rgb: np.ndarray) -> bytes:
    """Encode a uint8 image, ``(H, W)`` gray or ``(H, W, 3)`` RGB, losslessly as PNG."""
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim not in (2, 3) or (rgb.ndim == 3 and rgb.shape[2] != 3):
        raise ValueError(f"expected a uint8 (H, W) or (H, W, 3) image, got {rgb.dtype} {rgb.shape}")
    bgr = rgb if rgb.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", bgr)
    if not ok:
        raise ValueError(f"PNG encoding failed for an image of shape {rgb.shape}")
    return buf.tobytes()
