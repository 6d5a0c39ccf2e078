"""Helpers for the builder tests: arrange real fixtures into a manual_dir and build."""

from __future__ import annotations

import json
import os
import pathlib
import shutil

import numpy as np
import tensorflow_datasets as tfds

REAL_DATA = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data"
"""``tests/data`` of the repository (real fixtures with their licence notes)."""


def place(src: str | os.PathLike, dst: str | os.PathLike) -> pathlib.Path:
    """Copy one fixture file to ``dst`` (creating folders) and return ``dst``."""
    dst = pathlib.Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def build(builder_cls, manual_dir, data_dir, skip_image_decoding=False) -> dict[str, list[dict]]:
    """Build ``builder_cls`` from ``manual_dir`` with the Python API; examples per split.

    Returns:
        split name -> list of numpy examples, sorted by ``image/filename`` then
        the first keypoint, so that tests can index them deterministically.
        With ``skip_image_decoding`` the ``image`` feature is the stored bytes.
    """
    builder = builder_cls(data_dir=os.fspath(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=os.fspath(manual_dir))
    )
    decoders = {"image": tfds.decode.SkipDecoding()} if skip_image_decoding else None
    out = {}
    for split in builder.info.splits:
        examples = list(tfds.as_numpy(builder.as_dataset(split=split, decoders=decoders)))
        examples.sort(key=lambda e: (e["image/filename"], tuple(e["keypoints"][0])))
        out[split] = examples
    return out


def json_keypoints(path, ann_id, field="keypoints") -> np.ndarray:
    """``(K, 2)`` float32 keypoints of one annotation of a COCO-style JSON file."""
    for ann in json.loads(pathlib.Path(path).read_text())["annotations"]:
        if ann["id"] == ann_id:
            return np.array(ann[field], np.float32).reshape(-1, 3)[:, :2]
    raise KeyError(f"annotation id {ann_id} not in {path}")
