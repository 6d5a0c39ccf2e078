"""AFLW builder: TFDS checks on ``dummy_data/`` (a 6-row ``AFLWinfo_release.mat``, one
image missing) and value checks on the dummy file and MMPose's real samples.

The protocol's train split is the first 20,000 rows of ``ra``; the dummy file
has 6, so these tests use the first 3.
"""

from unittest import mock

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing
pytest.importorskip("scipy")

from keras_facelm.data.readers import aflw_mat  # noqa: E402
from tfds_builders import _testing  # noqa: E402

from . import aflw_dataset_builder  # noqa: E402

Builder = aflw_dataset_builder.Builder


class AflwTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = Builder
    OVERLAPPING_SPLITS = ["test_frontal"]
    SPLITS = {"train": 2, "test": 3, "test_frontal": 2}  # train row 5 has no image

    @classmethod
    def setUpClass(cls):
        cls._num_train = mock.patch.object(Builder, "NUM_TRAIN", 3)
        cls._num_train.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._num_train.stop()


def test_mat_values(tmp_path):
    dummy = Builder.code_path.parent / "dummy_data"
    with mock.patch.object(Builder, "NUM_TRAIN", 3):
        splits = _testing.build(Builder, dummy, tmp_path)
    info = aflw_mat.load_aflw_mat(dummy / "AFLWinfo_release.mat")
    names = {ex["image/filename"].decode() for ex in splits["test_frontal"]}
    assert names == {info["names"][1], info["names"][3]}  # row 4 has two hidden points
    by_name = {ex["image/filename"].decode(): ex for ex in splits["test"]}
    ex = by_name[info["names"][4]]
    np.testing.assert_array_equal(
        ex["keypoints"], info["data"][4].reshape(2, 19).T.astype(np.float32)
    )
    np.testing.assert_array_equal(ex["visibility"], info["mask_new"][4].astype(np.float32))
    left, right, top, bottom = info["bbox"][4]
    np.testing.assert_array_equal(ex["bbox"], [left, top, right, bottom])
    assert ex["box_size"] == np.float32(np.sqrt((right - left) * (bottom - top)))


def test_mmpose_json_real_samples(tmp_path):
    src = _testing.REAL_DATA / "mmpose_faces" / "aflw"
    manual = tmp_path / "manual"
    ann = _testing.place(
        src / "test_aflw.json", manual / "annotations" / "face_landmarks_aflw_test.json"
    )
    for name in ("image04476.jpg", "image22568.jpg"):
        _testing.place(src / name, manual / "images" / name)
    splits = _testing.build(Builder, manual, tmp_path / "data")
    assert sorted(splits) == ["test"]
    first, second = splits["test"]
    assert first["image/filename"] == b"image04476.jpg"
    np.testing.assert_array_equal(first["keypoints"], _testing.json_keypoints(ann, 68))
    np.testing.assert_array_equal(second["keypoints"], _testing.json_keypoints(ann, 3))
    assert (first["box_size"], second["box_size"]) == (128.0, 362.0)
    np.testing.assert_array_equal(second["center"], [449.0, 321.0])
    assert second["scale"] == np.float32(1.81)
    np.testing.assert_array_equal(second["bbox"], [268.0, 140.0, 630.0, 502.0])


if __name__ == "__main__":
    tfds.testing.test_main()
