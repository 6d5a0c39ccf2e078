"""COFW: Caltech Occluded Faces in the Wild, 29 landmarks with occlusion flags.

Burgos-Artizzu et al., ICCV 2013.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow_datasets as tfds

from keras_facelm.data.readers import cofw_mat, mmpose_coco
from tfds_builders._face_builder import (
    FaceLandmarkBuilder,
    existing,
    missing_files_error,
)

_INSTRUCTIONS = """\
1. MMPose's layout (used first when present; made by tools/dataset_converters/parse_cofw_dataset.py):
  <manual_dir>/annotations/cofw_{train,test}.json
  <manual_dir>/images/000001.jpg ...
2. COFW's original MATLAB v7.3 files (COFW_color.zip):
  <manual_dir>/COFW_train_color.mat   (1,345 faces)
  <manual_dir>/COFW_test_color.mat    (507 faces)
A split whose file is absent is left out (with a warning)."""


class Builder(FaceLandmarkBuilder):
    """COFW color with the train (1,345) and test (507) splits."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: COFW *_color.mat (v7.3) or MMPose JSON."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Download COFW_color.zip from https://data.caltech.edu/records/bc0bf-nc666 "
        "(research use), or MMPose's COFW annotations with the images, then lay it out as:\n"
        + _INSTRUCTIONS
    )
    NUM_KEYPOINTS = 29
    HOMEPAGE = "https://data.caltech.edu/records/bc0bf-nc666"

    def _extra_features(self):
        return {"occluded": tfds.features.Tensor(shape=(29,), dtype=np.bool_)}

    def _extra_example(self, record):
        return {"occluded": np.asarray(record["occluded"], np.bool_)}

    def _split_generators(self, dl_manager):
        manual_dir = os.fspath(dl_manager.manual_dir)
        json_path = os.path.join(manual_dir, "annotations", "cofw_{}.json")
        mat_path = os.path.join(manual_dir, "COFW_{}_color.mat")
        if any(existing(json_path.format(s)) for s in ("train", "test")):
            image_dir = os.path.join(manual_dir, "images")
            return self._file_splits(
                json_path,
                {"train": "train", "test": "test"},
                lambda path, skip, _: mmpose_coco.read_cofw_json(path, image_dir, skip),
            )
        splits = {}
        train, test = mat_path.format("train"), mat_path.format("test")
        if not (existing(train) or existing(test)):
            raise missing_files_error(self.name, manual_dir, _INSTRUCTIONS)
        if existing(train):
            records = cofw_mat.read_cofw_mat(train, 1, self.skip_malformed("train"))
            splits["train"] = self._generate_examples(records, "train")
        else:
            self._warn_missing("train", train)
        if existing(test):
            # MMPose numbers images continuously across train then test.
            first = 1 + (cofw_mat.cofw_mat_size(train) if existing(train) else 1345)
            records = cofw_mat.read_cofw_mat(test, first, self.skip_malformed("test"))
            splits["test"] = self._generate_examples(records, "test")
        else:
            self._warn_missing("test", test)
        return splits
