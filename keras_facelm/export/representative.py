"""Calibration crops for full-integer quantisation (``representative_data``)."""

from __future__ import annotations

import importlib
import itertools

import numpy as np

__all__ = ["MAX_CALIBRATION_CROPS", "calibration_crops"]

#: Crops used at most for calibration (more cost time and change little).
MAX_CALIBRATION_CROPS = 200


def calibration_crops(data, image_size, *, limit=MAX_CALIBRATION_CROPS) -> np.ndarray:
    """Model-input crops for int8 calibration as float32 ``(M, H, W, 3)``, RGB 0-255.

    Args:
        data: an array ``(M, H, W, 3)`` (or one crop ``(H, W, 3)``) of RGB crops
            at the model's input size; an iterable/generator of such crops or
            batches; or a TFDS split ``"name:split"`` (e.g.
            ``"synthetic_faces:validation"``), whose ``image`` and ``bbox``
            (``x1, y1, x2, y2`` pixels) are cropped with the model's box → crop
            convention (needs ``tensorflow_datasets`` and the built dataset).
        image_size: the model's ``(height, width)``.
        limit: at most this many crops are taken.

    Raises:
        ValueError: wrong shape or values, or no crops.
    """
    if isinstance(data, str):
        crops = _tfds_crops(data, image_size, limit)
    elif isinstance(data, np.ndarray):
        crops = data[None] if data.ndim == 3 else data
    else:
        batches = (np.asarray(b) for b in data)
        batches = (b[None] if b.ndim == 3 else b for b in batches)
        crops = np.concatenate(list(itertools.islice(batches, limit)) or [np.zeros((0,))])
    crops = np.asarray(crops)[:limit]
    height, width = image_size
    if crops.ndim != 4 or crops.shape[1:] != (height, width, 3) or len(crops) == 0:
        raise ValueError(
            f"representative_data must give RGB crops (M, {height}, {width}, 3) at the "
            f"model's input size, got shape {crops.shape}"
        )
    if not np.all(np.isfinite(crops)) or crops.min() < 0 or crops.max() > 255:
        raise ValueError("representative_data must hold finite RGB values in 0-255")
    return crops.astype(np.float32)


def _tfds_crops(name_split, image_size, limit):
    """Crops of the first ``limit`` records of a TFDS split ``"name:split"``."""
    from keras_facelm.inference.topdown import boxes_to_center_scale, crop_faces

    name, sep, split = name_split.partition(":")
    if not sep or not name or not split:
        raise ValueError(
            f"representative_data={name_split!r}: a TFDS split is 'name:split', "
            "e.g. 'synthetic_faces:validation'"
        )
    import tensorflow_datasets as tfds

    try:  # this repository's builders register themselves on import
        importlib.import_module(f"tfds_builders.{name}")
    except ImportError:
        pass

    height, width = image_size
    crops = []
    for record in tfds.as_numpy(tfds.load(name, split=split).take(limit)):
        center, scale = boxes_to_center_scale(record["bbox"][None])
        crops.append(crop_faces(record["image"], center, scale, (width, height))[0])
    return np.stack(crops) if crops else np.zeros((0, height, width, 3), np.uint8)
