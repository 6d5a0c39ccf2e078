"""WFLW builder on ``dummy_data/`` (original txt lists, one missing and one corrupt image)."""

import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from . import wflw_dataset_builder  # noqa: E402


class WflwTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = wflw_dataset_builder.Builder
    OVERLAPPING_SPLITS = [f"test_{a}" for a in wflw_dataset_builder.wflw_txt.ATTRIBUTES]
    SPLITS = {
        "train": 3,  # 4 lines, one image missing
        "test": 3,  # 4 lines, one image corrupt
        "test_pose": 1,
        "test_expression": 1,
        "test_illumination": 1,
        "test_makeup": 1,
        "test_occlusion": 1,
        "test_blur": 1,
    }


if __name__ == "__main__":
    tfds.testing.test_main()
