"""The CSV annotation files of HRNet-Facial-Landmark-Detection.

Header ``image_name,scale,center_w,center_h,original_0_x,original_0_y,...``
(AFLW's files add ``box_size`` after ``scale``). ``scale`` is the box side in
units of 200 px and ``center_w, center_h`` its centre, the same numbers
MMPose's JSON files carry as ``center`` and ``scale`` (its JSONs were made
from these CSVs). Records therefore match :mod:`mmpose_coco`'s: the box is
``bbox_cs2xyxy(center, scale * 200)`` and every point is visible.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator

import numpy as np

from keras_facelm.data.readers.entries import MalformedEntry, OnMalformed, parse_entries
from keras_facelm.data.readers.mmpose_coco import bbox_cs2xyxy
from keras_facelm.data.readers.text_file import open_text

__all__ = ["read_hrnet_csv"]

_REQUIRED = ("image_name", "scale", "center_w", "center_h")


def read_hrnet_csv(
    path: str | os.PathLike,
    image_dir: str | os.PathLike,
    num_keypoints: int,
    on_malformed: OnMalformed = None,
) -> Iterator[dict]:
    """Records of one HRNet CSV file.

    Args:
        path: e.g. ``face_landmarks_300w_test.csv``.
        image_dir: the folder ``image_name`` is relative to (HRNet's
            ``data/300w/images``).
        num_keypoints: K; the file must have exactly ``2 K`` coordinate columns.
        on_malformed: ``None`` to raise on a malformed row, or a callable that
            receives its :class:`~keras_facelm.data.readers.entries.MalformedEntry`
            while reading goes on with the next row.

    Yields:
        records keyed by the 0-based data row (``"00041"``), with ``box_size``
        (float32 pixels) when the file has that column.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: missing columns or a wrong number of coordinate columns in
            the header; the message names the file.
        MalformedEntry: a row with the wrong number of values or a non-numeric
            value; the message names the file and the line.
    """
    path, image_dir = os.fspath(path), os.fspath(image_dir)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"HRNet CSV file {path!r} not found")
    with open_text(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ValueError(f"{path}: empty file, expected a header line")
    columns = _Columns(path, rows[0], num_keypoints)
    yield from parse_entries(
        enumerate(rows[1:]), lambda numbered: columns.record(image_dir, *numbered), on_malformed
    )


class _Columns:
    """Where each field sits in the rows of one file (checked from its header)."""

    def __init__(self, path: str, header: list[str], num_keypoints: int):
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise ValueError(
                f"{path}, line 1: missing columns {missing}; header is {header[:6]}..."
            )
        self.path, self.width, self.num_keypoints = path, len(header), num_keypoints
        self.index = {c: header.index(c) for c in _REQUIRED}
        self.box_size = header.index("box_size") if "box_size" in header else None
        named = set(self.index.values()) | ({self.box_size} - {None})
        self.coords = [i for i in range(len(header)) if i not in named]
        if len(self.coords) != 2 * num_keypoints:
            raise ValueError(
                f"{path}, line 1: expected {2 * num_keypoints} coordinate columns for "
                f"{num_keypoints} points, got {len(self.coords)}"
            )

    def record(self, image_dir: str, row_no: int, row: list[str]) -> dict | None:
        """The record of data row ``row_no`` (0-based), ``None`` for a blank row."""
        if not row:
            return None
        where = f"{self.path}, line {row_no + 2}"
        if len(row) != self.width:
            raise MalformedEntry(f"{where}: {len(row)} values, header has {self.width} columns")
        index = self.index
        try:
            coords = np.array([float(row[i]) for i in self.coords], np.float64)
            center = np.array(
                [float(row[index["center_w"]]), float(row[index["center_h"]])], np.float32
            )
            scale = np.float32(float(row[index["scale"]]))
            box_size = None if self.box_size is None else np.float32(float(row[self.box_size]))
        except ValueError as e:
            raise MalformedEntry(f"{where}: non-numeric value ({e})") from e
        name = row[index["image_name"]]
        record = {
            "key": f"{row_no:05d}",
            "image_path": os.path.join(image_dir, name),
            "image/filename": name,
            "keypoints": coords.reshape(self.num_keypoints, 2).astype(np.float32),
            "visibility": np.ones((self.num_keypoints,), np.float32),
            "bbox": bbox_cs2xyxy(center, scale),
            "center": center,
            "scale": scale,
        }
        if box_size is not None:
            record["box_size"] = box_size
        return record
