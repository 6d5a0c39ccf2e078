"""Tests of the synthetic_faces TFDS builder (tiny config: 8 train / 4 test)."""

import numpy as np
import tensorflow_datasets as tfds

from keras_facelm.data.synthetic_faces import generate_face

from . import synthetic_faces_dataset_builder


class SyntheticFacesTest(tfds.testing.DatasetBuilderTestCase):
    """The standard TFDS checks: registration, splits, counts, disjoint splits."""

    DATASET_CLASS = synthetic_faces_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["tiny"]
    SPLITS = {"train": 8, "test": 4}
    SKIP_CHECKSUMS = True  # nothing is downloaded


def test_examples_match_the_generator(tmp_path):
    """The stored values are the generator's, decoded exactly (PNG is lossless)."""
    # Importing the package registered the name with TFDS.
    builder = tfds.builder("synthetic_faces/tiny", data_dir=str(tmp_path))
    assert isinstance(builder, synthetic_faces_dataset_builder.Builder)
    builder.download_and_prepare()
    assert builder.info.splits["train"].num_examples == 8
    for split, seed in (("train", 0), ("test", 1)):
        examples = list(tfds.as_numpy(builder.as_dataset(split=split)))
        by_name = {ex["image/filename"].decode(): ex for ex in examples}
        assert len(by_name) == len(examples)
        for index in (0, len(examples) - 1):
            ex = by_name[f"{split}/{index:06d}.png"]
            ref = generate_face(index, seed=seed)
            np.testing.assert_array_equal(ex["image"], ref["image"])
            np.testing.assert_array_equal(ex["keypoints"], ref["keypoints"])
            np.testing.assert_array_equal(ex["visibility"], ref["keypoints_visible"])
            np.testing.assert_array_equal(ex["bbox"], ref["bbox"])
            np.testing.assert_array_equal(ex["center"], ref["center"])
            assert ex["scale"] == ref["scale"]
            np.testing.assert_array_equal(ex["image/size"], [256, 256])
            assert ex["attributes"]["yaw"] == ref["attributes"]["yaw"]
            np.testing.assert_array_equal(
                ex["attributes"]["keypoints_occluded"],
                ref["attributes"]["keypoints_occluded"].astype(np.int8),
            )
        # Values, not only shapes: landmarks in the image, boxes around them.
        for ex in examples:
            kp, vis = ex["keypoints"], ex["visibility"]
            inside = (kp >= 0).all(1) & (kp <= 255).all(1)
            np.testing.assert_array_equal(vis, inside.astype(np.float32))
            np.testing.assert_allclose(ex["bbox"][:2], kp.min(0), atol=1e-4)
            np.testing.assert_allclose(ex["bbox"][2:], kp.max(0), atol=1e-4)
            side = max(ex["bbox"][2] - ex["bbox"][0], ex["bbox"][3] - ex["bbox"][1])
            assert abs(float(ex["scale"]) - side / 200) < 1e-5
            assert float(ex["image"].std()) > 5.0


if __name__ == "__main__":
    tfds.testing.test_main()
