"""WFLW: 10,000 faces with 98 landmarks and six attribute flags (Wu et al., CVPR 2018)."""

from __future__ import annotations

import logging
import os

import numpy as np
import tensorflow_datasets as tfds

from keras_facelm.data.readers import mmpose_coco, wflw_txt
from tfds_builders._face_builder import (
    FaceLandmarkBuilder,
    existing,
    missing_files_error,
)

SUBSETS = {
    "pose": "largepose",
    "expression": "expression",
    "illumination": "illumination",
    "makeup": "makeup",
    "occlusion": "occlusion",
    "blur": "blur",
}
"""Attribute name -> suffix of MMPose's subset file ``face_landmarks_wflw_test_<suffix>.json``."""

logger = logging.getLogger(__name__)

_TXT_DIRS = (os.path.join("WFLW_annotations", "list_98pt_rect_attr_train_test"), "")

_INSTRUCTIONS = """\
Either MMPose's layout (used first when present):
  <manual_dir>/annotations/face_landmarks_wflw_train.json
  <manual_dir>/annotations/face_landmarks_wflw_test.json
  <manual_dir>/annotations/face_landmarks_wflw_test_{largepose,expression,illumination,makeup,occlusion,blur}.json (optional)
  <manual_dir>/images/<file_name of the JSON>      (e.g. images/0--Parade/0_Parade_marchingband_1_116.jpg)
or WFLW's original release (WFLW_annotations.tar.gz and WFLW_images.tar.gz unpacked):
  <manual_dir>/WFLW_annotations/list_98pt_rect_attr_train_test/list_98pt_rect_attr_{train,test}.txt
  <manual_dir>/WFLW_images/<image path of the list>  (e.g. WFLW_images/51--Dresscode/51_Dresscode_....jpg)
  (the two .txt files may also sit directly in <manual_dir>).
A split whose annotation file is absent is left out (with a warning)."""


class Builder(FaceLandmarkBuilder):
    """WFLW with the train/test splits and the six attribute test subsets."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: original txt lists or MMPose JSON."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Register and download WFLW from https://wywu.github.io/projects/LAB/WFLW.html "
        "(or MMPose's wflw_annotations.tar with the images), then lay it out as:\n" + _INSTRUCTIONS
    )
    NUM_KEYPOINTS = 98
    HOMEPAGE = "https://wywu.github.io/projects/LAB/WFLW.html"

    def _extra_features(self):
        flag = tfds.features.Tensor(shape=(), dtype=np.int8)
        return {"attributes": tfds.features.FeaturesDict({a: flag for a in wflw_txt.ATTRIBUTES})}

    def _extra_example(self, record):
        return {"attributes": {a: np.int8(v) for a, v in record["attributes"].items()}}

    def _split_generators(self, dl_manager):
        manual_dir = os.fspath(dl_manager.manual_dir)
        ann = os.path.join(manual_dir, "annotations")
        if any(
            existing(os.path.join(ann, f"face_landmarks_wflw_{s}.json")) for s in ("train", "test")
        ):
            return self._mmpose_splits(ann, os.path.join(manual_dir, "images"))
        for sub in _TXT_DIRS:
            txt = os.path.join(manual_dir, sub, "list_98pt_rect_attr_{}.txt")
            if any(existing(txt.format(s)) for s in ("train", "test")):
                return self._txt_splits(txt, os.path.join(manual_dir, "WFLW_images"))
        raise missing_files_error(self.name, manual_dir, _INSTRUCTIONS)

    def _txt_splits(self, txt_pattern, image_dir):
        splits = {}
        for split in ("train", "test"):
            path = txt_pattern.format(split)
            if not existing(path):
                self._warn_missing(split, path)
                continue
            records = wflw_txt.read_wflw_txt(path, image_dir, self.skip_malformed(split))
            splits[split] = self._generate_examples(records, split)
            if split == "test":
                for attribute in wflw_txt.ATTRIBUTES:
                    subset = f"test_{attribute}"
                    records = wflw_txt.read_wflw_txt(path, image_dir, self.skip_malformed(subset))
                    splits[subset] = self._generate_examples(_with_flag(records, attribute), subset)
        return splits

    def _mmpose_splits(self, ann_dir, image_dir):
        def path(suffix):
            return os.path.join(ann_dir, f"face_landmarks_wflw_{suffix}.json")

        subset_files = {a: path(f"test_{s}") for a, s in SUBSETS.items()}
        splits = {}
        train = path("train")
        if existing(train):
            records = mmpose_coco.read_wflw_json(train, image_dir, self.skip_malformed("train"))
            records = _with_attributes(records, None)
            splits["train"] = self._generate_examples(records, "train")
        else:
            self._warn_missing("train", train)
        test = path("test")
        if existing(test):
            records = mmpose_coco.read_wflw_json(test, image_dir, self.skip_malformed("test"))
            records = _with_attributes(records, subset_files, True)
            splits["test"] = self._generate_examples(records, "test")
        else:
            self._warn_missing("test", test)
        for attribute, subset in subset_files.items():
            if existing(subset):
                split = f"test_{attribute}"
                records = mmpose_coco.read_wflw_json(subset, image_dir, self.skip_malformed(split))
                records = _with_attributes(records, subset_files)
                splits[split] = self._generate_examples(records, split)
        return splits


def _with_flag(records, attribute):
    """The records whose ``attribute`` flag is 1 (a function, so the name binds now)."""
    return (r for r in records if r["attributes"][attribute] == 1)


def _ignore(error):
    """Malformed faces of a subset file match no record; the subset's own split logs them."""


def _membership_key(record):
    return record["image/filename"], np.asarray(record["keypoints"], np.float32).tobytes()


def _with_attributes(records, subset_files, warn_unmatched=False):
    """Attach the six flags to MMPose-JSON records.

    A flag is 1 when the face (same image file and identical keypoints) is in
    MMPose's subset file of that attribute, 0 when it is not, and -1 (unknown)
    when the subset file is absent or ``subset_files`` is ``None`` (the train
    split: MMPose ships no attribute files for it). With ``warn_unmatched``
    (the full test split), subset faces found in no record are logged.
    """
    members = {}
    for attribute, path in (subset_files or {}).items():
        if existing(path):
            members[attribute] = {
                _membership_key(r)
                for r in mmpose_coco.read_wflw_json(path, os.path.dirname(path), _ignore)
            }
    seen = set()
    for record in records:
        key = _membership_key(record)
        seen.add(key)
        record["attributes"] = {
            a: (int(key in members[a]) if a in members else -1) for a in wflw_txt.ATTRIBUTES
        }
        yield record
    for attribute, keys in members.items() if warn_unmatched else ():
        unmatched = len(keys - seen)
        if unmatched:
            logger.warning(
                "wflw: %d face(s) of %s match no face of the split (file name and "
                "keypoints differ); their flag %r could not be set",
                unmatched,
                subset_files[attribute],
                attribute,
            )
