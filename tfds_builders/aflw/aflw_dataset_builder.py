"""AFLW under the AFLW-19 protocol: 24,386 faces with 19 landmarks.

Koestinger et al. 2011; Zhu et al., CVPR 2016.
"""

from __future__ import annotations

import os

import numpy as np
import tensorflow_datasets as tfds

from keras_facelm.data.readers import aflw_mat, mmpose_coco
from tfds_builders._face_builder import (
    FaceLandmarkBuilder,
    existing,
    missing_files_error,
)

SPLITS = ("train", "test", "test_frontal")

_INSTRUCTIONS = """\
1. MMPose's layout (used first when present; aflw_annotations.tar):
  <manual_dir>/annotations/face_landmarks_aflw_{train,test,test_frontal}.json
  <manual_dir>/images/<file_name of the JSON>
2. The AFLW-19 protocol file with AFLW's original images:
  <manual_dir>/AFLWinfo_release.mat
  <manual_dir>/flickr/{0,2,3}/imageXXXXX.jpg     (AFLW's aflw/data/flickr folder)
Splits: train (20,000), test = full (4,386), test_frontal (1,165). A split whose
file is absent is left out (with a warning)."""


class Builder(FaceLandmarkBuilder):
    """AFLW-19 with the train, test (full) and test_frontal splits; ``box_size`` for the NME."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: AFLWinfo_release.mat or MMPose JSON."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Register for AFLW at https://www.tugraz.at/institute/icg/research/team-bischof/"
        "lrs/downloads/aflw/ (images), get AFLWinfo_release.mat (AFLW-19 protocol) or "
        "MMPose's AFLW annotations, then lay it out as:\n" + _INSTRUCTIONS
    )
    NUM_KEYPOINTS = 19
    HOMEPAGE = "https://www.tugraz.at/institute/icg/research/team-bischof/lrs/downloads/aflw/"
    NUM_TRAIN = aflw_mat.AFLW19_NUM_TRAIN

    def _extra_features(self):
        return {"box_size": tfds.features.Tensor(shape=(), dtype=np.float32)}

    def _extra_example(self, record):
        return {"box_size": np.float32(record["box_size"])}

    def _split_generators(self, dl_manager):
        manual_dir = os.fspath(dl_manager.manual_dir)
        json_path = os.path.join(manual_dir, "annotations", "face_landmarks_aflw_{}.json")
        if any(existing(json_path.format(s)) for s in SPLITS):
            image_dir = os.path.join(manual_dir, "images")
            return self._file_splits(
                json_path,
                {s: s for s in SPLITS},
                lambda path, skip, _: mmpose_coco.read_aflw_json(path, image_dir, skip),
            )
        mat = os.path.join(manual_dir, "AFLWinfo_release.mat")
        if not existing(mat):
            raise missing_files_error(self.name, manual_dir, _INSTRUCTIONS)
        splits = {}
        info = aflw_mat.load_aflw_mat(mat)
        image_dir = os.path.join(manual_dir, "flickr")
        for split, rows in aflw_mat.aflw19_split_rows(info, self.NUM_TRAIN).items():
            records = aflw_mat.read_aflw_mat(info, rows, image_dir)
            splits[split] = self._generate_examples(records, split)
        return splits
