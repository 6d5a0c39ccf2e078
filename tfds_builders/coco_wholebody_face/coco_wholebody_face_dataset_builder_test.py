"""COCO-WholeBody-Face builder on ``dummy_data/`` (one invalid face, one corrupt and one missing image)."""

import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from . import coco_wholebody_face_dataset_builder  # noqa: E402


class CocoWholebodyFaceTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = coco_wholebody_face_dataset_builder.Builder
    SPLITS = {"train": 1, "validation": 2}


if __name__ == "__main__":
    tfds.testing.test_main()
