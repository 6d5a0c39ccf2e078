"""COFW's ``COFW_train_color.mat`` / ``COFW_test_color.mat`` (MATLAB v7.3 = HDF5).

Fields (train / test): ``IsTr`` / ``IsT`` a cell array of images, ``phisTr`` /
``phisT`` the landmarks, ``bboxesTr`` / ``bboxesT`` the face boxes. Read with
h5py, MATLAB's column-major arrays appear transposed:

* ``phis``: ``(87, N)``; column ``i`` is ``x1..x29, y1..y29, o1..o29`` with
  1-based coordinates and occlusion flags ``o`` (1 = occluded).
* ``bboxes``: ``(4, N)``; column ``i`` is ``x, y, w, h`` in pixels.
* ``Is``: ``(1, N)`` object references; each image is ``(3, W, H)`` (colour)
  or ``(W, H)`` (gray) uint8, transposed to ``(H, W, 3)`` / ``(H, W)``.

Conventions follow MMPose's ``tools/dataset_converters/parse_cofw_dataset.py``:
1 is subtracted from the coordinates (MATLAB to 0-based), the box is **not**
shifted, negative box values and coordinates are set to 0, images are
numbered ``000001`` onwards continuously across train then test. The box is
then clipped to the image as MMPose's COFW dataset class does (xywh to xyxy).
``visibility`` is MMPose's (``min(1, 2 - o)``, all ones) and the flag is kept
as ``occluded``.

The images are pixel arrays, not files; each record carries them as
losslessly encoded PNG bytes (``image_bytes``), with ``image_path`` ``None``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import h5py
import numpy as np

from keras_facelm.data.readers.entries import (
    MalformedEntry,
    OnMalformed,
    entry_errors,
    parse_entries,
)
from keras_facelm.data.readers.image_io import encode_png
from keras_facelm.data.readers.mmpose_coco import clip_xywh

__all__ = ["NUM_KEYPOINTS", "cofw_mat_size", "read_cofw_mat"]

NUM_KEYPOINTS = 29

_FIELDS = {"train": ("IsTr", "phisTr", "bboxesTr"), "test": ("IsT", "phisT", "bboxesT")}


def _fields(mat: h5py.File, path: str) -> tuple[str, str, str]:
    for names in _FIELDS.values():
        if all(n in mat for n in names):
            return names
    raise ValueError(
        f"{path}: expected COFW fields IsTr/phisTr/bboxesTr or IsT/phisT/bboxesT, "
        f"found {sorted(mat.keys())}"
    )


def _open(path: str) -> h5py.File:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"COFW .mat file {path!r} not found")
    try:
        return h5py.File(path, "r")
    except (OSError, RuntimeError, ValueError) as e:
        raise ValueError(
            f"{path}: not a MATLAB v7.3 (HDF5) file; COFW's *_color.mat files are v7.3 ({e})"
        ) from e


@contextlib.contextmanager
def _hdf5_errors(path: str):
    """Turns h5py's errors on a damaged file into a ``ValueError`` naming it."""
    try:
        yield
    except ValueError as e:
        if path in str(e):
            raise
        raise ValueError(f"{path}: damaged COFW .mat file ({e})") from e
    except (
        OSError,
        RuntimeError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
    ) as e:
        raise ValueError(f"{path}: damaged COFW .mat file ({type(e).__name__}: {e})") from e


def _max_read_bytes(path: str) -> int:
    """Most bytes one dataset may decode to: 1 GiB, or 100x the file if larger.

    A damaged header can declare a dataset far larger than the file; reading it
    would exhaust memory before HDF5 notices the missing data.
    """
    return max(1 << 30, 100 * os.path.getsize(path))


def _checked(dataset, name: str, path: str, limit: int):
    size = int(np.prod(dataset.shape, dtype=np.float64)) * dataset.dtype.itemsize
    if size > limit:
        raise ValueError(
            f"{path}: {name} declares shape {dataset.shape} ({size} bytes), more "
            "than the file can hold; the file is damaged"
        )
    return dataset


def cofw_mat_size(path: str | os.PathLike) -> int:
    """Number of faces in a COFW ``.mat`` file."""
    path = os.fspath(path)
    with _open(path) as mat, _hdf5_errors(path):
        shape = mat[_fields(mat, path)[1]].shape
        if len(shape) != 2:
            raise ValueError(f"{path}: landmark field has shape {shape}, expected 2-D")
        return int(shape[1])


def read_cofw_mat(
    path: str | os.PathLike, first_index: int = 1, on_malformed: OnMalformed = None
) -> Iterator[dict]:
    """Records of one COFW ``.mat`` file.

    Args:
        path: ``COFW_train_color.mat`` or ``COFW_test_color.mat``.
        first_index: MMPose's image number of the first face (1 for train,
            1 + the number of training faces for test, so that
            ``image/filename`` and ``key`` match MMPose's ``000001.jpg``...
            numbering, with a ``.png`` extension here).
        on_malformed: ``None`` to raise on a damaged face, or a callable that
            receives its :class:`~keras_facelm.data.readers.entries.MalformedEntry`
            while reading goes on with the next face.

    Yields:
        records with ``image_bytes`` (PNG), ``keypoints`` ``(29, 2)``,
        ``visibility``, ``bbox`` (xyxy), NaN ``center``/``scale`` and
        ``occluded`` ``(29,)`` bool.

    Raises:
        FileNotFoundError / ValueError: missing file, not HDF5, missing fields
            or wrongly shaped arrays (naming the file and field).
        MalformedEntry: one face's image is unreadable or not uint8 (naming the
            file and the face).
    """
    path = os.fspath(path)
    limit = _max_read_bytes(path)
    with _open(path) as mat:
        with _hdf5_errors(path):
            images_name, phis_name, boxes_name = _fields(mat, path)
            images, phis, boxes = mat[images_name], mat[phis_name], mat[boxes_name]
            if len(phis.shape) != 2 or phis.shape[0] != 3 * NUM_KEYPOINTS:
                raise ValueError(f"{path}: {phis_name} has shape {phis.shape}, expected (87, N)")
            n = phis.shape[1]
            if boxes.shape != (4, n) or images.size != n:
                raise ValueError(
                    f"{path}: {boxes_name} {boxes.shape} / {images_name} {images.shape} "
                    f"do not match {n} faces in {phis_name}"
                )
            refs = np.asarray(_checked(images, images_name, path, limit)).reshape(-1)
            phis_all = np.asarray(_checked(phis, phis_name, path, limit), np.float64)
            boxes_all = np.asarray(_checked(boxes, boxes_name, path, limit), np.float64)

        def parse(idx):
            name = f"image {idx} of {images_name}"
            with entry_errors(), _hdf5_errors(path):
                pixels = np.asarray(_checked(mat[refs[idx]], name, path, limit)).transpose()
            number = first_index + idx
            return _face_record(path, name, number, pixels, phis_all[:, idx], boxes_all[:, idx])

        yield from parse_entries(range(n), parse, on_malformed)


def _face_record(path, name, number, pixels, phis_column, box_column) -> dict:
    """The record of face ``number`` from its pixels, ``phis`` column and box column."""
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3) or pixels.shape[2:] not in ((), (3,)):
        raise MalformedEntry(
            f"{path}: {name} is {pixels.dtype} {pixels.shape}, expected uint8 (H, W) or (H, W, 3)"
        )
    height, width = pixels.shape[:2]
    points = phis_column.reshape(3, NUM_KEYPOINTS).T.copy()
    points[:, :2] -= 1
    points[points < 0] = 0
    box = box_column.copy()
    box[box < 0] = 0
    return {
        "key": f"{number:06d}",
        "image_path": None,
        "image_bytes": encode_png(pixels),
        "image/filename": f"{number:06d}.png",
        "keypoints": points[:, :2].astype(np.float32),
        "visibility": np.minimum(1, 2 - points[:, 2]).astype(np.float32),
        "bbox": clip_xywh(box, width, height),
        "center": np.full((2,), np.nan, np.float32),
        "scale": np.float32(np.nan),
        "occluded": points[:, 2] == 1,
    }
