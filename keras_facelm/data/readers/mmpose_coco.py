"""MMPose's COCO-style face annotation files (``mmpose/datasets/datasets/face/``).

MMPose 1.x reads these JSON files with ``xtcocotools`` and parses each
annotation with the dataset class of its dataset. This module reproduces those
parsers record for record:

* **center/scale datasets** (WFLW, 300W, AFLW; ``wflw_dataset.py``,
  ``face_300w_dataset.py``, ``aflw_dataset.py``): ``center`` and ``scale`` come
  from the annotation; the box is ``bbox_cs2xyxy(center, scale * 200)``
  computed in float32, and the JSON ``bbox`` field is ignored, as in MMPose.
* **xywh datasets** (COFW; ``BaseCocoStyleDataset.parse_data_info``): the box
  is the JSON ``bbox`` (x, y, w, h) clipped to ``[0, W-1] x [0, H-1]`` of the
  image size in the JSON; no center/scale (NaN).
* **COCO-WholeBody-Face** (``coco_wholebody_face_dataset.py``): annotations
  with ``face_valid`` false or ``max(face_kpts) <= 0`` are dropped; the box is
  ``face_box`` clipped as above; keypoints are ``face_kpts``.

In every case ``visibility = min(1, v)`` and samples failing MMPose's
``_is_valid_instance`` (crowd, ``num_keypoints == 0``, empty box, all
coordinates <= 0) are dropped. Records come in MMPose's order: images in the
order of the JSON ``images`` list, annotations of an image in file order.
Keys are the annotation ``id``.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
from collections.abc import Iterator

import numpy as np

from keras_facelm.data.readers.entries import MalformedEntry, OnMalformed, parse_entries
from keras_facelm.data.readers.text_file import open_text

__all__ = [
    "PIXEL_STD",
    "bbox_cs2xyxy",
    "clip_xywh",
    "load_coco_json",
    "read_aflw_json",
    "read_coco_wholebody_face_json",
    "read_cofw_json",
    "read_center_scale_json",
    "read_wflw_json",
    "read_300w_json",
]

PIXEL_STD = 200.0
"""MMPose's unit of ``scale`` for WFLW/300W/AFLW: ``bbox_scale = scale * 200`` px."""

_NAN2 = np.full((2,), np.nan, np.float32)


def load_coco_json(path: str | os.PathLike) -> dict:
    """Load a COCO-style JSON file and check its top-level lists.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the file is not JSON or lacks ``images``/``annotations`` lists.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"annotation file {path!r} not found")
    with open_text(path) as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"annotation file {path!r} is not valid JSON: {e}") from e
        except RecursionError:
            raise ValueError(f"annotation file {path!r} is nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError(f"annotation file {path!r}: expected a JSON object at the top")
    for field in ("images", "annotations"):
        if not isinstance(data.get(field), list):
            raise ValueError(
                f"annotation file {path!r}: expected a COCO-style list field {field!r}"
            )
    return data


def bbox_cs2xyxy(center: np.ndarray, scale: float) -> np.ndarray:
    """MMPose's box from center and scale, in float32 as MMPose computes it.

    Args:
        center: ``(2,)`` box centre in pixels.
        scale: box side in units of :data:`PIXEL_STD` (200 px).

    Returns:
        ``(4,)`` float32 ``(x1, y1, x2, y2)`` in pixels: ``center -/+ scale*200/2``.
    """
    center = np.asarray(center, np.float32)
    wh = np.array([scale, scale], dtype=np.float32) * PIXEL_STD
    xy = center - 0.5 * wh
    return np.concatenate([xy, xy + wh]).astype(np.float32)


def clip_xywh(box, width: int, height: int) -> np.ndarray:
    """MMPose's base parser: xywh box to xyxy, clipped to the image.

    Returns:
        ``(4,)`` float32 ``(x1, y1, x2, y2)`` with x in ``[0, width-1]`` and y in
        ``[0, height-1]`` (pixels).
    """
    x, y, w, h = box
    x1 = np.clip(x, 0, width - 1)
    y1 = np.clip(y, 0, height - 1)
    x2 = np.clip(x + w, 0, width - 1)
    y2 = np.clip(y + h, 0, height - 1)
    return np.array([x1, y1, x2, y2], dtype=np.float32)


def _keypoints(flat, num_keypoints: int, path: str, ann_id) -> tuple[np.ndarray, np.ndarray]:
    arr = np.array(flat, dtype=np.float32)
    if arr.size != 3 * num_keypoints:
        raise MalformedEntry(
            f"{path}: annotation id {ann_id} has {arr.size} keypoint values, "
            f"expected {3 * num_keypoints} ({num_keypoints} x [x, y, v])"
        )
    arr = arr.reshape(num_keypoints, 3)
    return arr[:, :2].copy(), arr[:, 2].copy()


def _is_valid_instance(record: dict, iscrowd, num_keypoints) -> bool:
    """MMPose's ``BaseCocoStyleDataset._is_valid_instance``."""
    if iscrowd:
        return False
    if num_keypoints == 0:
        return False
    x1, y1, x2, y2 = record["bbox"]
    if x2 - x1 <= 0 or y2 - y1 <= 0:
        return False
    return bool(np.max(record["keypoints"]) > 0)


@contextlib.contextmanager
def _fields_of(path: str, ann):
    """Turns a missing or wrongly typed field into an error naming the file.

    For one annotation (``ann`` a value of the ``annotations`` list) the error is
    a :class:`MalformedEntry` with the annotation's id; for the lists as a
    whole (``ann=None``) a plain ``ValueError``.
    """
    error = ValueError if ann is None else MalformedEntry
    ann_id = ann.get("id") if isinstance(ann, dict) else None
    try:
        yield
    except MalformedEntry:
        raise
    except (KeyError, TypeError, IndexError, AttributeError, OverflowError) as e:
        raise error(
            f"{path}: annotation id {ann_id!r}: missing or malformed field "
            f"({type(e).__name__}: {e})"
        ) from None
    except ValueError as e:
        raise error(f"{path}: annotation id {ann_id!r}: bad value ({e})") from None


def _parsed_annotations(path: str, parse, on_malformed: OnMalformed):
    """Records of one file: ``parse(img, ann)`` over (image, annotation) pairs.

    Pairs come in xtcocotools' order (images in list order, each image's
    annotations in file order). ``parse`` returns a record or ``None`` (an
    annotation MMPose drops); a damaged annotation is a :class:`MalformedEntry`
    handled as ``on_malformed`` says.
    """
    data = load_coco_json(path)
    by_image = collections.defaultdict(list)
    with _fields_of(path, None):
        for ann in data["annotations"]:
            by_image[ann["image_id"]].append(ann)
        pairs = [(img, ann) for img in data["images"] for ann in by_image.get(img["id"], ())]

    def parse_pair(pair):
        img, ann = pair
        with _fields_of(path, ann):
            return parse(img, ann)

    return parse_entries(pairs, parse_pair, on_malformed)


def _base_record(img: dict, ann: dict, image_dir: str) -> dict:
    return {
        "key": str(ann["id"]),
        "image_path": os.path.join(image_dir, img["file_name"]),
        "image/filename": img["file_name"],
    }


def read_center_scale_json(
    path: str | os.PathLike,
    image_dir: str | os.PathLike,
    num_keypoints: int,
    on_malformed: OnMalformed = None,
) -> Iterator[dict]:
    """Records of a WFLW/300W/AFLW-style file (center and scale given).

    Args:
        path: the JSON file.
        image_dir: MMPose's ``data_prefix['img']``; ``file_name`` is relative to it.
        num_keypoints: K.
        on_malformed: ``None`` to raise on a malformed annotation, or a callable
            that receives its :class:`MalformedEntry` while reading goes on.

    Yields:
        records with ``keypoints``, ``visibility``, ``bbox``, ``center``,
        ``scale`` (see :mod:`keras_facelm.data.readers`), plus ``box_size``
        (float32, pixels; NaN if absent) when the annotation has one.
    """
    path, image_dir = os.fspath(path), os.fspath(image_dir)

    def parse(img, ann):
        for field in ("center", "scale", "keypoints"):
            if field not in ann:
                raise MalformedEntry(f"{path}: annotation id {ann.get('id')} lacks {field!r}")
        keypoints, v = _keypoints(ann["keypoints"], num_keypoints, path, ann["id"])
        center = np.array(ann["center"], dtype=np.float32).reshape(2)
        scale = np.float32(ann["scale"])
        record = _base_record(img, ann, image_dir)
        record.update(
            keypoints=keypoints,
            visibility=np.minimum(1, v).astype(np.float32),
            bbox=bbox_cs2xyxy(center, scale),
            center=center,
            scale=scale,
        )
        if "box_size" in ann:
            record["box_size"] = np.float32(ann["box_size"])
        valid = _is_valid_instance(record, ann.get("iscrowd", 0), ann.get("num_keypoints"))
        return record if valid else None

    return _parsed_annotations(path, parse, on_malformed)


def read_wflw_json(path, image_dir, on_malformed: OnMalformed = None) -> Iterator[dict]:
    """MMPose's ``face_landmarks_wflw_*.json`` (98 points). See :func:`read_center_scale_json`."""
    return read_center_scale_json(path, image_dir, 98, on_malformed)


def read_300w_json(path, image_dir, on_malformed: OnMalformed = None) -> Iterator[dict]:
    """MMPose's ``face_landmarks_300w_*.json`` (68 points). See :func:`read_center_scale_json`."""
    return read_center_scale_json(path, image_dir, 68, on_malformed)


def read_aflw_json(path, image_dir, on_malformed: OnMalformed = None) -> Iterator[dict]:
    """MMPose's ``face_landmarks_aflw_*.json`` (19 points), with ``box_size``.

    ``box_size`` (pixels, AFLW's NME normaliser) is NaN when the file has none
    (MMPose requires it only in test mode).
    """
    for record in read_center_scale_json(path, image_dir, 19, on_malformed):
        record.setdefault("box_size", np.float32(np.nan))
        yield record


def read_cofw_json(path, image_dir, on_malformed: OnMalformed = None) -> Iterator[dict]:
    """MMPose's ``cofw_{train,test}.json`` (29 points, xywh box).

    ``parse_cofw_dataset.py`` writes ``v = 2 - occlusion_flag``: 2 visible,
    1 occluded. ``visibility`` is MMPose's ``min(1, v)`` (all ones) and the
    flag is kept as ``occluded`` (``(29,)`` bool, ``v == 1``). ``on_malformed``
    as for :func:`read_center_scale_json`.
    """
    path, image_dir = os.fspath(path), os.fspath(image_dir)

    def parse(img, ann):
        if "bbox" not in ann or "keypoints" not in ann:
            return None
        record, keypoints, v = _box_only_record(
            img, ann, image_dir, path, ann["keypoints"], 29, ann["bbox"]
        )
        record["occluded"] = v == 1
        num = ann.get("num_keypoints", np.count_nonzero(keypoints.max(axis=1)))
        return record if _is_valid_instance(record, ann.get("iscrowd", 0), num) else None

    return _parsed_annotations(path, parse, on_malformed)


def _box_only_record(img, ann, image_dir, path, flat_keypoints, num_keypoints, xywh):
    """A record of a format with a face box and no center/scale (COFW, COCO-WholeBody).

    Returns ``(record, keypoints (K, 2), v (K,))`` with ``visibility = min(1, v)``,
    the box clipped to the image as MMPose does, and NaN center/scale.
    """
    keypoints, v = _keypoints(flat_keypoints, num_keypoints, path, ann["id"])
    record = _base_record(img, ann, image_dir)
    record.update(
        keypoints=keypoints,
        visibility=np.minimum(1, v).astype(np.float32),
        bbox=clip_xywh(xywh, img["width"], img["height"]),
        center=_NAN2.copy(),
        scale=np.float32(np.nan),
    )
    return record, keypoints, v


def read_coco_wholebody_face_json(
    path, image_dir, on_malformed: OnMalformed = None
) -> Iterator[dict]:
    """Faces of ``coco_wholebody_{train,val}_v1.0.json`` (68 points, ``face_box``).

    One record per annotation with ``face_valid`` true and ``max(face_kpts) > 0``;
    ``num_keypoints`` is the number of points with ``max(x, y) > 0`` as in
    MMPose. ``visibility = min(1, v)``; no center/scale (NaN). ``on_malformed``
    as for :func:`read_center_scale_json`.
    """
    path, image_dir = os.fspath(path), os.fspath(image_dir)

    def parse(img, ann):
        if not ann.get("face_valid") or max(ann["face_kpts"]) <= 0:
            return None
        record, keypoints, _ = _box_only_record(
            img, ann, image_dir, path, ann["face_kpts"], 68, ann["face_box"]
        )
        num = np.count_nonzero(keypoints.max(axis=1))
        return record if _is_valid_instance(record, ann.get("iscrowd", 0), num) else None

    return _parsed_annotations(path, parse, on_malformed)
