"""synthetic_faces: procedurally drawn faces with 68 landmarks (300W's iBUG scheme).

No download: every example is generated on the fly by
:func:`keras_facelm.data.synthetic_faces.generate_face`, a pure function of
``(seed, index)``; the train split uses seed 0 and the test split seed 1, so the
splits are disjoint and every config's splits are prefixes of the larger
configs' splits.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import tensorflow_datasets as tfds

from keras_facelm.data.synthetic_faces import NUM_KEYPOINTS, generate_face
from tfds_builders._face_builder import record_features

TRAIN_SEED = 0
TEST_SEED = 1


@dataclasses.dataclass
class SyntheticFacesConfig(tfds.core.BuilderConfig):
    """Split sizes and image size of a synthetic_faces config.

    Attributes:
        num_train: number of train examples (seed 0, indices 0..num_train-1).
        num_test: number of test examples (seed 1, indices 0..num_test-1).
        image_size: ``(height, width)`` of every image in pixels.
    """

    num_train: int = 2000
    num_test: int = 200
    image_size: tuple[int, int] = (256, 256)


class Builder(tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for synthetic_faces (generated, no download)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [
        SyntheticFacesConfig(
            name="default",
            description="2,000 train / 200 test faces at 256x256.",
            num_train=2000,
            num_test=200,
        ),
        SyntheticFacesConfig(
            name="tiny",
            description="8 train / 4 test faces at 256x256, for tests and CI.",
            num_train=8,
            num_test=4,
        ),
    ]
    DEFAULT_CONFIG_NAME = "default"

    def _info(self) -> tfds.core.DatasetInfo:
        k = NUM_KEYPOINTS
        h, w = self.builder_config.image_size
        flag = tfds.features.Tensor(shape=(), dtype=np.int8)
        angle = tfds.features.Tensor(shape=(), dtype=np.float32)
        features = tfds.features.FeaturesDict(
            {
                **record_features(k, tfds.features.Image(shape=(h, w, 3), encoding_format="png")),
                "attributes": tfds.features.FeaturesDict(
                    {
                        "yaw": angle,
                        "pitch": angle,
                        "roll": angle,
                        "mouth_open": tfds.features.Tensor(shape=(), dtype=np.float32),
                        "occluded": flag,
                        "truncated": flag,
                        "keypoints_occluded": tfds.features.Tensor(shape=(k,), dtype=np.int8),
                    }
                ),
            }
        )
        return self.dataset_info_from_configs(features=features)

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        del dl_manager  # Nothing to download: the faces are drawn on the fly.
        cfg = self.builder_config
        return {
            "train": self._generate_examples("train", cfg.num_train, TRAIN_SEED),
            "test": self._generate_examples("test", cfg.num_test, TEST_SEED),
        }

    def _generate_examples(self, split: str, num_examples: int, seed: int):
        """Yields ``(key, example)``; the key ``"<split>/<index:06d>.png"`` is deterministic."""
        image_size = self.builder_config.image_size
        for index in range(num_examples):
            face = generate_face(index, seed=seed, image_size=image_size)
            name = f"{split}/{index:06d}.png"
            yield name, _example(face, name)


def _example(face: dict, name: str) -> dict:
    """The TFDS example of one :func:`generate_face` sample."""
    # OpenCV's PNG encoder is ~20x faster than TFDS's TensorFlow one; TFDS
    # stores the bytes as given and decodes them to RGB.
    ok, png = cv2.imencode(".png", face["image"][:, :, ::-1])
    if not ok:
        raise ValueError(f"synthetic_faces: PNG encoding of {name} failed")
    attrs = face["attributes"]
    return {
        "image": png.tobytes(),
        "image/filename": name,
        "image/size": face["image_size"],
        "keypoints": face["keypoints"],
        "visibility": face["keypoints_visible"],
        "bbox": face["bbox"],
        "center": face["center"],
        "scale": face["scale"],
        "attributes": {
            "yaw": attrs["yaw"],
            "pitch": attrs["pitch"],
            "roll": attrs["roll"],
            "mouth_open": attrs["mouth_open"],
            "occluded": np.int8(attrs["occluded"]),
            "truncated": np.int8(attrs["truncated"]),
            "keypoints_occluded": attrs["keypoints_occluded"].astype(np.int8),
        },
    }
