"""iBUG ``.pts`` landmark files (300W, and the sets it merges: AFW, HELEN,
LFPW, iBUG) and the 300W folder layout.

A ``.pts`` file reads::

    version: 1
    n_points:  68
    {
    x0 y0
    ...
    }

The coordinates are 1-based (MATLAB tradition: the centre of the top-left
pixel is ``(1, 1)``). Like menpo's importer, :func:`read_pts` subtracts 1 so
that the returned points use this package's 0-based pixel convention.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from keras_facelm.data.readers.entries import OnMalformed, entry_errors, parse_entries
from keras_facelm.data.readers.text_file import open_text

__all__ = [
    "FACE300W_SPLIT_FOLDERS",
    "IMAGE_EXTENSIONS",
    "read_300w_pts_folders",
    "read_pts",
]

IMAGE_EXTENSIONS = (".jpg", ".png", ".jpeg", ".JPG", ".PNG", ".bmp")

FACE300W_SPLIT_FOLDERS = {
    "train": ("afw", "helen/trainset", "lfpw/trainset"),
    "common": ("helen/testset", "lfpw/testset"),
    "challenge": ("ibug",),
    "full": ("helen/testset", "lfpw/testset", "ibug"),
    "test": ("300W/01_Indoor", "300W/02_Outdoor"),
}
"""The standard 300W protocol, as folders of the iBUG downloads: train 3,148
(AFW 337 + HELEN-train 2,000 + LFPW-train 811), common 554, challenge 135,
full 689 = common + challenge, test 600 (the 300W private test set)."""


def read_pts(path: str | os.PathLike, expected_points: int | None = None) -> np.ndarray:
    """Read one ``.pts`` file.

    Args:
        path: the file.
        expected_points: if given, the number of points the file must hold.

    Returns:
        ``(N, 2)`` float32 ``(x, y)`` in 0-based pixels (file values minus 1).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: malformed header, braces or coordinate line, a point count
            different from ``n_points`` or ``expected_points``; the message
            names the file and the 1-based line.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f".pts file {path!r} not found")
    with open_text(path) as f:
        lines = [line.strip() for line in f]
    n_points = None
    i = 0
    while i < len(lines) and lines[i] != "{":
        text = lines[i]
        if text.startswith("n_points:"):
            try:
                n_points = int(text.split(":", 1)[1])
            except ValueError:
                raise ValueError(f"{path}, line {i + 1}: bad n_points header {text!r}") from None
        elif text and not text.startswith("version:"):
            raise ValueError(f"{path}, line {i + 1}: unexpected header line {text!r}")
        i += 1
    if i == len(lines):
        raise ValueError(f"{path}: no '{{' line opening the point list")
    if n_points is None:
        raise ValueError(f"{path}: no 'n_points:' header before line {i + 1}")
    points = []
    i += 1
    while i < len(lines) and lines[i] != "}":
        parts = lines[i].split()
        if len(parts) != 2:
            raise ValueError(f"{path}, line {i + 1}: expected 'x y', got {lines[i]!r}")
        try:
            points.append((float(parts[0]), float(parts[1])))
        except ValueError:
            raise ValueError(f"{path}, line {i + 1}: non-numeric point {lines[i]!r}") from None
        i += 1
    if i == len(lines):
        raise ValueError(f"{path}: no '}}' line closing the point list")
    if len(points) != n_points:
        raise ValueError(
            f"{path}, line {i + 1}: header says {n_points} points, found {len(points)}"
        )
    if expected_points is not None and n_points != expected_points:
        raise ValueError(f"{path}: expected {expected_points} points, the file has {n_points}")
    return np.array(points, np.float32).reshape(-1, 2) - np.float32(1.0)


def _find_image(pts_path: str) -> str | None:
    stem = os.path.splitext(pts_path)[0]
    for ext in IMAGE_EXTENSIONS:
        if os.path.isfile(stem + ext):
            return stem + ext
    return None


def read_300w_pts_folders(
    root: str | os.PathLike, folders, num_keypoints: int = 68, on_malformed: OnMalformed = None
) -> Iterator[dict]:
    """Records of the ``.pts`` files in ``root/<folder>`` for each folder.

    Images sit next to their ``.pts`` files with the same stem (``.jpg``,
    ``.png``, ...). The box is the landmark extent ``(min x, min y, max x,
    max y)``; there is no center/scale (NaN); all points are visible.
    Keys are the ``.pts`` path relative to ``root`` without extension, in
    sorted order.

    Args:
        root: the folder that holds ``folders``.
        folders: sub-folders to read, e.g. ``["lfpw/trainset", "helen/trainset"]``.
        num_keypoints: points every file must have.
        on_malformed: ``None`` to raise on a malformed ``.pts`` file, or a
            callable that receives its
            :class:`~keras_facelm.data.readers.entries.MalformedEntry` while
            reading goes on with the next file.

    Raises:
        FileNotFoundError: a folder is missing.
        MalformedEntry: a malformed ``.pts`` file (see :func:`read_pts`).
    """
    root = os.fspath(root)

    def parse(folder_and_name):
        folder, name = folder_and_name
        pts_path = os.path.join(root, folder, name)
        with entry_errors():
            keypoints = read_pts(pts_path, expected_points=num_keypoints)
        image_path = _find_image(pts_path)
        rel = os.path.join(folder, os.path.splitext(name)[0])
        return {
            "key": rel,
            "image_path": image_path or os.path.splitext(pts_path)[0] + IMAGE_EXTENSIONS[0],
            "image/filename": os.path.relpath(image_path, root) if image_path else rel,
            "keypoints": keypoints,
            "visibility": np.ones((num_keypoints,), np.float32),
            "bbox": np.concatenate([keypoints.min(axis=0), keypoints.max(axis=0)]),
            "center": np.full((2,), np.nan, np.float32),
            "scale": np.float32(np.nan),
        }

    for folder in folders:
        directory = os.path.join(root, folder)
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"300W folder {directory!r} not found")
        names = sorted(n for n in os.listdir(directory) if n.endswith(".pts"))
        yield from parse_entries([(folder, n) for n in names], parse, on_malformed)
