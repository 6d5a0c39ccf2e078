"""300W builder on ``dummy_data/`` (iBUG .pts folders; one .pts has no image)."""

import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from . import face300w_dataset_builder  # noqa: E402


class Face300wTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = face300w_dataset_builder.Builder
    OVERLAPPING_SPLITS = ["common", "challenge", "full"]
    SPLITS = {"train": 3, "common": 2, "challenge": 1, "full": 3, "test": 2}


if __name__ == "__main__":
    tfds.testing.test_main()
