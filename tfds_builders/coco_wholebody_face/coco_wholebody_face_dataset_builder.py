"""COCO-WholeBody-Face: the 68 face points of COCO-WholeBody v1.0 (Jin et al., ECCV 2020)."""

from __future__ import annotations

import os

import tensorflow_datasets as tfds

from keras_facelm.data.readers import mmpose_coco
from tfds_builders._face_builder import (
    FaceLandmarkBuilder,
    existing,
    missing_files_error,
)

SPLIT_FILES = {"train": ("train", "train2017"), "validation": ("val", "val2017")}
"""Split -> (annotation file infix, COCO 2017 image folder)."""

_INSTRUCTIONS = """\
COCO-WholeBody v1.0 annotations with the COCO 2017 images (MMPose's layout):
  <manual_dir>/annotations/coco_wholebody_train_v1.0.json
  <manual_dir>/annotations/coco_wholebody_val_v1.0.json
  <manual_dir>/train2017/000000000009.jpg ...
  <manual_dir>/val2017/000000000139.jpg ...
One example per person annotation with face_valid true and some face point > 0.
A split whose annotation file is absent is left out (with a warning)."""


class Builder(FaceLandmarkBuilder):
    """COCO-WholeBody-Face with the train and validation splits."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Download coco_wholebody_{train,val}_v1.0.json from "
        "https://github.com/jin-s13/COCO-WholeBody and the COCO 2017 train/val images "
        "from https://cocodataset.org, then lay them out as:\n" + _INSTRUCTIONS
    )
    NUM_KEYPOINTS = 68
    HOMEPAGE = "https://github.com/jin-s13/COCO-WholeBody"

    def _split_generators(self, dl_manager):
        manual_dir = os.fspath(dl_manager.manual_dir)
        pattern = os.path.join(manual_dir, "annotations", "coco_wholebody_{}_v1.0.json")
        if not any(existing(pattern.format(infix)) for infix, _ in SPLIT_FILES.values()):
            raise missing_files_error(self.name, manual_dir, _INSTRUCTIONS)
        return self._file_splits(
            pattern,
            {split: infix for split, (infix, _) in SPLIT_FILES.items()},
            lambda path, skip, split: mmpose_coco.read_coco_wholebody_face_json(
                path, os.path.join(manual_dir, SPLIT_FILES[split][1]), skip
            ),
        )
