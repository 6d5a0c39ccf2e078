"""WFLW's original annotation lists ``list_98pt_rect_attr_{train,test}.txt``.

One face per line, whitespace separated, 207 fields:

* 196 numbers: the 98 landmarks as ``x0 y0 x1 y1 ... x97 y97`` (pixels of the
  original WIDER image, used unchanged by MMPose's ``wflw2coco.py``);
* 4 numbers: the face rectangle ``x_min y_min x_max y_max`` (pixels);
* 6 flags (0/1): pose, expression, illumination, make-up, occlusion, blur;
* the image path relative to ``WFLW_images/`` (e.g. ``51--Dresscode/51_...jpg``).

The rectangle becomes ``bbox``; the format has no center/scale (NaN). The
six flags are what the WFLW test subsets select (``attribute == 1``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from keras_facelm.data.readers.entries import MalformedEntry, OnMalformed, parse_entries
from keras_facelm.data.readers.text_file import open_text

__all__ = ["ATTRIBUTES", "NUM_FIELDS", "read_wflw_txt"]

ATTRIBUTES = ("pose", "expression", "illumination", "makeup", "occlusion", "blur")
"""The six attribute flags, in file order."""

NUM_FIELDS = 196 + 4 + len(ATTRIBUTES) + 1


def read_wflw_txt(
    path: str | os.PathLike, image_dir: str | os.PathLike, on_malformed: OnMalformed = None
) -> Iterator[dict]:
    """Records of one WFLW list file.

    Args:
        path: ``list_98pt_rect_attr_train.txt`` or ``..._test.txt``.
        image_dir: the ``WFLW_images/`` folder.
        on_malformed: ``None`` to raise on a malformed line, or a callable that
            receives its :class:`~keras_facelm.data.readers.entries.MalformedEntry`
            while reading goes on with the next line.

    Yields:
        records (see :mod:`keras_facelm.data.readers`) keyed by the 0-based
        line number (``"00042"``), with ``attributes``: dict of the six flags
        as ints.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not UTF-8 text.
        MalformedEntry: a line has the wrong number of fields or a non-numeric
            or non-0/1 value; the message names the file and the 1-based line.
    """
    path, image_dir = os.fspath(path), os.fspath(image_dir)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"WFLW annotation list {path!r} not found")
    with open_text(path) as f:
        lines = list(enumerate(f))
    yield from parse_entries(
        lines, lambda numbered: _parse_line(path, image_dir, *numbered), on_malformed
    )


def _parse_line(path: str, image_dir: str, line_no: int, line: str) -> dict | None:
    """The record of one line (0-based ``line_no``), ``None`` for a blank line."""
    fields = line.split()
    if not fields:
        return None
    where = f"{path}, line {line_no + 1}"
    if len(fields) != NUM_FIELDS:
        raise MalformedEntry(
            f"{where}: expected {NUM_FIELDS} fields (196 coordinates, 4 box "
            f"values, 6 attribute flags, image name), got {len(fields)}"
        )
    try:
        numbers = np.array([float(x) for x in fields[:200]], np.float64)
        flags = [int(x) for x in fields[200:206]]
    except ValueError as e:
        raise MalformedEntry(f"{where}: non-numeric value ({e})") from e
    if any(v not in (0, 1) for v in flags):
        raise MalformedEntry(f"{where}: attribute flags must be 0 or 1, got {flags}")
    name = fields[206]
    return {
        "key": f"{line_no:05d}",
        "image_path": os.path.join(image_dir, name),
        "image/filename": name,
        "keypoints": numbers[:196].reshape(98, 2).astype(np.float32),
        "visibility": np.ones((98,), np.float32),
        "bbox": numbers[196:200].astype(np.float32),
        "center": np.full((2,), np.nan, np.float32),
        "scale": np.float32(np.nan),
        "attributes": dict(zip(ATTRIBUTES, flags, strict=True)),
    }
