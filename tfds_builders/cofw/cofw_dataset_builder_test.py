"""COFW builder on ``dummy_data/`` (MATLAB v7.3 files written with h5py in COFW's layout)."""

import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing
pytest.importorskip("h5py")

from . import cofw_dataset_builder  # noqa: E402


class CofwTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = cofw_dataset_builder.Builder
    SPLITS = {"train": 3, "test": 2}


if __name__ == "__main__":
    tfds.testing.test_main()
