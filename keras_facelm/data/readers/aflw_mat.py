"""The AFLW-19 protocol file ``AFLWinfo_release.mat`` (MATLAB v5, scipy).

Released with the AFLW-19 benchmark (Zhu et al., CVPR 2016) and used as is by
the SAN, LAB, HRNet-era and FaRL loaders. Fields (24,386 faces):

* ``data``: ``(N, 38)`` landmarks ``x1..x19, y1..y19`` in pixels;
* ``mask_new``: ``(N, 19)`` 1 where the point is annotated/visible, else 0;
* ``bbox``: ``(N, 4)`` face box ``left, right, top, bottom`` in pixels;
* ``nameList``: ``(N, 1)`` cell of image paths relative to AFLW's
  ``data/flickr/`` (``"3/image00035.jpg"``);
* ``ra``: ``(1, N)`` a 1-based permutation of the rows. The protocol's train
  split is ``ra[:20000]``, the full test split ``ra[20000:]`` (4,386 faces)
  and the frontal test split the test rows whose 19 points all have
  ``mask_new == 1`` (1,165 faces in the papers).

Records keep the coordinates as stored (no 1-based shift: the loaders above
use them unchanged), ``visibility = mask_new``, ``bbox = (left, top, right,
bottom)`` and ``box_size = sqrt(w * h)`` of that box (SAN's ``GTB`` face
size, the NME normaliser). The file has no center/scale (NaN).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import numpy as np

from keras_facelm.data.readers.mat5_check import check_mat5

__all__ = [
    "AFLW19_NUM_TRAIN",
    "NUM_KEYPOINTS",
    "aflw19_split_rows",
    "load_aflw_mat",
    "read_aflw_mat",
]

NUM_KEYPOINTS = 19
AFLW19_NUM_TRAIN = 20000
"""Rows ``ra[:20000]`` form the AFLW-19 training split."""

_FIELDS = ("data", "mask_new", "bbox", "nameList", "ra")


def load_aflw_mat(path: str | os.PathLike) -> dict:
    """Load and check ``AFLWinfo_release.mat``.

    Returns:
        dict with ``data`` ``(N, 38)``, ``mask_new`` ``(N, 19)``, ``bbox``
        ``(N, 4)`` as float64, ``names`` (N str) and ``ra`` ``(N,)`` 0-based
        int64 row permutation.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: not a well-formed MATLAB v5 file, missing fields, wrong
            shapes or types, or ``ra`` not a permutation (names the file).
    """
    import scipy.io

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"AFLW-19 file {path!r} not found")
    with open(path, "rb") as f:
        raw = f.read()
    check_mat5(raw, path)  # scipy's reader crashes on some damaged files
    try:
        mat = scipy.io.loadmat(io.BytesIO(raw))
    except Exception as e:  # scipy's MATLAB parser has no single error type
        raise ValueError(
            f"{path}: not a MATLAB v5 file readable by scipy ({type(e).__name__}: {e})"
        ) from e
    missing = [f for f in _FIELDS if f not in mat]
    if missing:
        raise ValueError(f"{path}: missing fields {missing}; expected {list(_FIELDS)}")
    try:
        return _check_fields(mat, path)
    except (TypeError, IndexError, OverflowError) as e:
        raise ValueError(f"{path}: a field has the wrong type ({e})") from e
    except ValueError as e:
        if path in str(e):
            raise
        raise ValueError(f"{path}: a field has a bad value ({e})") from e


def _check_fields(mat: dict, path: str) -> dict:
    data = np.asarray(mat["data"], np.float64)
    if data.ndim != 2:
        raise ValueError(f"{path}: field 'data' has shape {data.shape}, expected 2-D")
    n = data.shape[0]
    out = {
        "data": data,
        "mask_new": np.asarray(mat["mask_new"], np.float64),
        "bbox": np.asarray(mat["bbox"], np.float64),
        "names": [
            str(np.asarray(s).reshape(-1)[0]) for s in np.asarray(mat["nameList"]).reshape(-1)
        ],
        "ra": np.asarray(mat["ra"]).reshape(-1).astype(np.int64) - 1,
    }
    shapes = {
        "data": (n, 2 * NUM_KEYPOINTS),
        "mask_new": (n, NUM_KEYPOINTS),
        "bbox": (n, 4),
    }
    for field, shape in shapes.items():
        if out[field].shape != shape:
            raise ValueError(
                f"{path}: field {field!r} has shape {out[field].shape}, expected {shape}"
            )
    if len(out["names"]) != n:
        raise ValueError(f"{path}: nameList has {len(out['names'])} entries, expected {n}")
    if sorted(out["ra"].tolist()) != list(range(n)):
        raise ValueError(f"{path}: field 'ra' is not a 1-based permutation of the {n} rows")
    return out


def aflw19_split_rows(info: dict, num_train: int = AFLW19_NUM_TRAIN) -> dict[str, np.ndarray]:
    """Row indices of the AFLW-19 splits ``train``, ``test`` and ``test_frontal``.

    Args:
        info: the output of :func:`load_aflw_mat`.
        num_train: size of the training split (20,000 in the protocol).
    """
    ra = info["ra"]
    test = ra[num_train:]
    frontal = np.all(info["mask_new"] == 1, axis=1)
    return {"train": ra[:num_train], "test": test, "test_frontal": test[frontal[test]]}


def read_aflw_mat(info: dict, rows, image_dir: str | os.PathLike) -> Iterator[dict]:
    """Records of the given rows of an AFLW-19 file.

    Args:
        info: the output of :func:`load_aflw_mat`.
        rows: 0-based row indices (e.g. one entry of :func:`aflw19_split_rows`).
        image_dir: AFLW's ``data/flickr`` folder (``nameList`` is relative to it).

    Yields:
        records keyed by the 0-based row (``"01234"``) with ``box_size``.
    """
    image_dir = os.fspath(image_dir)
    for row in rows:
        row = int(row)
        left, right, top, bottom = info["bbox"][row]
        name = info["names"][row]
        yield {
            "key": f"{row:05d}",
            "image_path": os.path.join(image_dir, name),
            "image/filename": name,
            "keypoints": info["data"][row].reshape(2, NUM_KEYPOINTS).T.astype(np.float32),
            "visibility": info["mask_new"][row].astype(np.float32),
            "bbox": np.array([left, top, right, bottom], np.float32),
            "center": np.full((2,), np.nan, np.float32),
            "scale": np.float32(np.nan),
            "box_size": np.float32(np.sqrt(max(right - left, 0.0) * max(bottom - top, 0.0))),
        }
