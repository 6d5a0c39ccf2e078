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

from keras_facelm.data.readers.mmpose_coco import bbox_cs2xyxy
from keras_facelm.data.readers.text_file import open_text

__all__ = ["read_hrnet_csv"]

_REQUIRED = ("image_name", "scale", "center_w", "center_h")


def read_hrnet_csv(
    path: str | os.PathLike, image_dir: str | os.PathLike, num_keypoints: int
) -> Iterator[dict]:
    """Records of one HRNet CSV file.

    Args:
        path: e.g. ``face_landmarks_300w_test.csv``.
        image_dir: the folder ``image_name`` is relative to (HRNet's
            ``data/300w/images``).
        num_keypoints: K; the file must have exactly ``2 K`` coordinate columns.

    Yields:
        records keyed by the 0-based data row (``"00041"``), with ``box_size``
        (float32 pixels) when the file has that column.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: missing columns, a wrong number of coordinate columns, or a
            non-numeric value; the message names the file and the line.
    """
    path, image_dir = os.fspath(path), os.fspath(image_dir)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"HRNet CSV file {path!r} not found")
    with open_text(path, newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError(f"{path}: empty file, expected a header line") from None
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise ValueError(
                f"{path}, line 1: missing columns {missing}; header is {header[:6]}..."
            )
        index = {c: header.index(c) for c in _REQUIRED}
        has_box_size = "box_size" in header
        named = set(index.values()) | ({header.index("box_size")} if has_box_size else set())
        coord_cols = [i for i in range(len(header)) if i not in named]
        if len(coord_cols) != 2 * num_keypoints:
            raise ValueError(
                f"{path}, line 1: expected {2 * num_keypoints} coordinate columns for "
                f"{num_keypoints} points, got {len(coord_cols)}"
            )
        for row_no, row in enumerate(reader):
            if not row:
                continue
            where = f"{path}, line {row_no + 2}"
            if len(row) != len(header):
                raise ValueError(f"{where}: {len(row)} values, header has {len(header)} columns")
            try:
                coords = np.array([float(row[i]) for i in coord_cols], np.float64)
                center = np.array(
                    [float(row[index["center_w"]]), float(row[index["center_h"]])],
                    np.float32,
                )
                scale = np.float32(float(row[index["scale"]]))
                box_size = (
                    np.float32(float(row[header.index("box_size")])) if has_box_size else None
                )
            except ValueError as e:
                raise ValueError(f"{where}: non-numeric value ({e})") from e
            name = row[index["image_name"]]
            record = {
                "key": f"{row_no:05d}",
                "image_path": os.path.join(image_dir, name),
                "image/filename": name,
                "keypoints": coords.reshape(num_keypoints, 2).astype(np.float32),
                "visibility": np.ones((num_keypoints,), np.float32),
                "bbox": bbox_cs2xyxy(center, scale),
                "center": center,
                "scale": scale,
            }
            if box_size is not None:
                record["box_size"] = box_size
            yield record
