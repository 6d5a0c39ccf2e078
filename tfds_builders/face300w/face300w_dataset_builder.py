"""300W: the iBUG 68-point benchmark (Sagonas et al., ICCV-W 2013 / IMAVIS 2016).

A dataset name cannot start with a digit, hence ``face300w``.
"""

from __future__ import annotations

import os

import tensorflow_datasets as tfds

from keras_facelm.data.readers import hrnet_csv, ibug_pts, mmpose_coco
from tfds_builders._face_builder import (
    FaceLandmarkBuilder,
    existing,
    missing_files_error,
)

SPLIT_FILES = {
    "train": "train",
    "common": "valid_common",
    "challenge": "valid_challenge",
    "full": "valid",
    "test": "test",
}
"""Split -> suffix of MMPose's ``face_landmarks_300w_<suffix>.json`` and HRNet's ``.csv``."""

_INSTRUCTIONS = """\
1. MMPose's layout (used first when present; 300w_annotations.tar):
  <manual_dir>/annotations/face_landmarks_300w_{train,valid_common,valid_challenge,valid,test}.json
  <manual_dir>/images/<file_name of the JSON>
2. HRNet-Facial-Landmark-Detection's CSVs (used next):
  <manual_dir>/face_landmarks_300w_{train,valid_common,valid_challenge,valid,test}.csv
  <manual_dir>/images/<image_name of the CSV>     (e.g. images/ibug/image_003_1.jpg)
3. The iBUG downloads with .pts files next to their images (used last):
  <manual_dir>/afw/  <manual_dir>/helen/{trainset,testset}/  <manual_dir>/lfpw/{trainset,testset}/
  <manual_dir>/ibug/  <manual_dir>/300W/{01_Indoor,02_Outdoor}/
Splits: train = afw + helen/trainset + lfpw/trainset (3,148), common = helen/testset +
lfpw/testset (554), challenge = ibug (135), full = common + challenge (689),
test = 300W private test set (600). A split whose files are absent is left out (with a warning)."""


class Builder(FaceLandmarkBuilder):
    """300W with the train, common, challenge, full and test splits."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: MMPose JSON, HRNet CSV or iBUG .pts."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Download 300W from https://ibug.doc.ic.ac.uk/resources/300-W/ (afw, helen, lfpw, "
        "ibug and the 300W test set, research use only), optionally with MMPose's or "
        "HRNet's annotation files, then lay it out as one of:\n" + _INSTRUCTIONS
    )
    NUM_KEYPOINTS = 68
    HOMEPAGE = "https://ibug.doc.ic.ac.uk/resources/300-W/"

    def _split_generators(self, dl_manager):
        manual_dir = os.fspath(dl_manager.manual_dir)
        image_dir = os.path.join(manual_dir, "images")
        json_path = os.path.join(manual_dir, "annotations", "face_landmarks_300w_{}.json")
        csv_path = os.path.join(manual_dir, "face_landmarks_300w_{}.csv")
        if any(existing(json_path.format(s)) for s in SPLIT_FILES.values()):
            return self._file_splits(
                json_path,
                SPLIT_FILES,
                lambda path, skip, _: mmpose_coco.read_300w_json(path, image_dir, skip),
            )
        if any(existing(csv_path.format(s)) for s in SPLIT_FILES.values()):
            return self._file_splits(
                csv_path,
                SPLIT_FILES,
                lambda path, skip, _: hrnet_csv.read_hrnet_csv(path, image_dir, 68, skip),
            )
        folders = {f for fs in ibug_pts.FACE300W_SPLIT_FOLDERS.values() for f in fs}
        if any(existing(os.path.join(manual_dir, f)) for f in folders):
            return self._pts_splits(manual_dir)
        raise missing_files_error(self.name, manual_dir, _INSTRUCTIONS)

    def _pts_splits(self, root):
        splits = {}
        for split, folders in ibug_pts.FACE300W_SPLIT_FOLDERS.items():
            absent = [f for f in folders if not existing(os.path.join(root, f))]
            if absent:
                self._warn_missing(split, ", ".join(os.path.join(root, f) for f in absent))
                continue
            records = ibug_pts.read_300w_pts_folders(
                root, folders, on_malformed=self.skip_malformed(split)
            )
            splits[split] = self._generate_examples(records, split)
        return splits
