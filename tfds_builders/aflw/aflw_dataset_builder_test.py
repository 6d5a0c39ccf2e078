"""AFLW builder on ``dummy_data/`` (a 6-row ``AFLWinfo_release.mat``; one image missing).

The protocol's train split is the first 20,000 rows of ``ra``; the dummy file
has 6, so the test uses the first 3.
"""

from unittest import mock

import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing
pytest.importorskip("scipy")

from . import aflw_dataset_builder  # noqa: E402


class AflwTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = aflw_dataset_builder.Builder
    OVERLAPPING_SPLITS = ["test_frontal"]
    SPLITS = {"train": 2, "test": 3, "test_frontal": 2}  # train row 5 has no image

    @classmethod
    def setUpClass(cls):
        cls._num_train = mock.patch.object(aflw_dataset_builder.Builder, "NUM_TRAIN", 3)
        cls._num_train.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._num_train.stop()


if __name__ == "__main__":
    tfds.testing.test_main()
