"""COCO-WholeBody-Face builder: TFDS checks on ``dummy_data/`` (one invalid face, one
damaged annotation, one corrupt and one missing image) and value checks on MMPose's real samples."""

import json
import logging

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from tfds_builders import _testing  # noqa: E402

from . import coco_wholebody_face_dataset_builder  # noqa: E402

Builder = coco_wholebody_face_dataset_builder.Builder


class CocoWholebodyFaceTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = Builder
    SPLITS = {"train": 1, "validation": 2}


def test_damaged_annotation_is_skipped_by_name_and_counted(tmp_path, caplog):
    dummy = Builder.code_path.parent / "dummy_data"
    with caplog.at_level(logging.WARNING):
        splits = _testing.build(Builder, dummy, tmp_path, skip_image_decoding=True)
    assert "annotation id 901 has 201 keypoint values, expected 204" in caplog.text
    assert (
        "coco_wholebody_face/train: skipped 2 example(s) with missing or corrupt images and "
        "1 malformed annotation(s); wrote 1" in caplog.text
    )
    assert len(splits["train"]) == 1


def test_real_samples_one_example_per_valid_face(tmp_path):
    src = _testing.REAL_DATA / "mmpose_faces" / "coco"
    manual = tmp_path / "manual"
    ann = _testing.place(
        src / "test_coco_wholebody.json",
        manual / "annotations" / "coco_wholebody_val_v1.0.json",
    )
    for name in ("000000000785.jpg", "000000040083.jpg", "000000197388.jpg"):
        _testing.place(src / name, manual / "val2017" / name)
    splits = _testing.build(Builder, manual, tmp_path / "data")
    assert sorted(splits) == ["validation"]
    examples = splits["validation"]
    anns = [a for a in json.loads(ann.read_text())["annotations"] if a["face_valid"]]
    assert len(examples) == len(anns) == 4
    for a in anns:
        kpts = np.array(a["face_kpts"], np.float32).reshape(68, 3)
        (ex,) = [e for e in examples if np.array_equal(e["keypoints"], kpts[:, :2])]
        np.testing.assert_array_equal(ex["visibility"], np.minimum(1, kpts[:, 2]))
        x, y, w, h = a["face_box"]
        height, width = ex["image/size"]
        np.testing.assert_array_equal(
            ex["bbox"],
            np.float32(
                [
                    np.clip(x, 0, width - 1),
                    np.clip(y, 0, height - 1),
                    np.clip(x + w, 0, width - 1),
                    np.clip(y + h, 0, height - 1),
                ]
            ),
        )


if __name__ == "__main__":
    tfds.testing.test_main()
