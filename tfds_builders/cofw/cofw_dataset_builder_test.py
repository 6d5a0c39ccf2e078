"""COFW builder: TFDS checks on ``dummy_data/`` (MATLAB v7.3 files written with h5py
in COFW's layout) and value checks on the dummy files and MMPose's real samples."""

import h5py
import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from tfds_builders import _testing  # noqa: E402

from . import cofw_dataset_builder  # noqa: E402

Builder = cofw_dataset_builder.Builder


class CofwTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = Builder
    SPLITS = {"train": 3, "test": 2}


def test_mat_values(tmp_path):
    dummy = Builder.code_path.parent / "dummy_data"
    splits = _testing.build(Builder, dummy, tmp_path)
    with h5py.File(dummy / "COFW_test_color.mat", "r") as mat:
        phis = np.asarray(mat["phisT"])
        first_image = np.asarray(mat[mat["IsT"][0, 0]]).transpose()
    by_name = {ex["image/filename"].decode(): ex for ex in splits["test"]}
    assert sorted(by_name) == [
        "000004.png",
        "000005.png",
    ]  # numbered after the 3 train faces
    ex = by_name["000004.png"]
    np.testing.assert_array_equal(ex["image"], first_image)  # lossless PNG of the .mat pixels
    x, y, occ = phis[:, 0].reshape(3, 29)
    np.testing.assert_array_equal(ex["keypoints"], np.stack([x - 1, y - 1], 1).astype(np.float32))
    np.testing.assert_array_equal(ex["occluded"], occ == 1)
    np.testing.assert_array_equal(ex["visibility"], np.ones(29, np.float32))
    gray = {ex["image/filename"].decode(): ex for ex in splits["train"]}["000002.png"]
    assert gray["image"].shape == (32, 30, 3)


def test_mmpose_json_real_samples(tmp_path):
    src = _testing.REAL_DATA / "mmpose_faces" / "cofw"
    manual = tmp_path / "manual"
    ann = _testing.place(src / "test_cofw.json", manual / "annotations" / "cofw_test.json")
    for name in ("001766.jpg", "001805.jpg"):
        _testing.place(src / name, manual / "images" / name)
    splits = _testing.build(Builder, manual, tmp_path / "data", skip_image_decoding=True)
    assert sorted(splits) == ["test"]
    first, second = splits["test"]
    assert first["image/filename"] == b"001766.jpg"
    assert first["image"] == (src / "001766.jpg").read_bytes()
    np.testing.assert_array_equal(first["keypoints"], _testing.json_keypoints(ann, 1766))
    np.testing.assert_array_equal(second["keypoints"], _testing.json_keypoints(ann, 1805))
    assert (int(first["occluded"].sum()), int(second["occluded"].sum())) == (6, 9)
    np.testing.assert_array_equal(first["bbox"], [38.0, 102.0, 143.0, 282.0])
    assert np.isnan(first["scale"])
    np.testing.assert_array_equal(first["image/size"], [322, 235])


if __name__ == "__main__":
    tfds.testing.test_main()
