"""Shared parts of the face-landmark TFDS builders (features, image checks).

Every builder in ``tfds_builders/`` parses its raw files with a reader of
:mod:`keras_facelm.data.readers` (plain dict records) and hands the records to
:meth:`FaceLandmarkBuilder._generate_from_records`, which reads and verifies
each image, skips missing or corrupt ones (logging each file and a final
count) and maps the record to these features. Readers get
:meth:`FaceLandmarkBuilder.skip_malformed` as ``on_malformed``, so a malformed
annotation entry (a bad line, row, JSON annotation or ``.pts`` file) is logged
with its file and entry, counted in the same summary, and the build goes on.

* ``image``: the image file's bytes as released (JPEG or PNG, not re-encoded;
  COFW's pixel arrays are stored as lossless PNG), decoded to ``(H, W, 3)``
  uint8 RGB (gray images are expanded to three channels when decoded).
* ``image/filename``: the image's name as the annotation file spells it.
* ``image/size``: ``(2,)`` int32 ``(height, width)`` of the decoded image.
* ``keypoints``: ``(K, 2)`` float32 ``(x, y)`` in original-image pixels, 0-based.
* ``visibility``: ``(K,)`` float32, MMPose's ``keypoints_visible``.
* ``bbox``: ``(4,)`` float32 face box ``(x1, y1, x2, y2)`` in pixels.
* ``center``: ``(2,)`` float32 pixels and ``scale``: float32 in units of
  200 px, MMPose's ``bbox_center`` and ``bbox_scale / 200`` where the
  annotation provides them; NaN otherwise.
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Iterable, Iterator

import numpy as np
import tensorflow_datasets as tfds

from keras_facelm.data.readers import image_io

__all__ = ["FaceLandmarkBuilder", "existing", "missing_files_error"]

logger = logging.getLogger(__name__)


def existing(*paths: str | os.PathLike) -> bool:
    """True when every path exists."""
    return all(os.path.exists(p) for p in paths)


def missing_files_error(name: str, manual_dir, instructions: str) -> FileNotFoundError:
    """The error raised when ``manual_dir`` holds none of the expected layouts."""
    return FileNotFoundError(
        f"{name}: no annotation files found in manual_dir {os.fspath(manual_dir)!r}. "
        f"Expected one of these layouts:\n{instructions}"
    )


def record_features(num_keypoints, image):
    """The features every face record has (``image`` is the image feature).

    Keypoints are ``(K, 2)`` image pixels; ``scale`` is the annotation's box size in
    units of 200 px (NaN where the format has none), ``bbox`` ``(x1, y1, x2, y2)`` pixels.
    """
    k = num_keypoints
    return {
        "image": image,
        "image/filename": tfds.features.Text(),
        "image/size": tfds.features.Tensor(shape=(2,), dtype=np.int32),
        "keypoints": tfds.features.Tensor(shape=(k, 2), dtype=np.float32),
        "visibility": tfds.features.Tensor(shape=(k,), dtype=np.float32),
        "bbox": tfds.features.Tensor(shape=(4,), dtype=np.float32),
        "center": tfds.features.Tensor(shape=(2,), dtype=np.float32),
        "scale": tfds.features.Tensor(shape=(), dtype=np.float32),
    }


class FaceLandmarkBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Base of the face-landmark builders: common features and example writing.

    Subclasses set ``NUM_KEYPOINTS``, ``HOMEPAGE``, and override
    :meth:`_extra_features` / :meth:`_extra_example` for dataset-specific fields.
    """

    NUM_KEYPOINTS: int = 0
    HOMEPAGE: str = ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._malformed = collections.Counter()

    def skip_malformed(self, split: str):
        """The ``on_malformed`` callback for the readers of ``split``: log the entry, count it."""

        def skip(error):
            self._malformed[split] += 1
            logger.warning("%s/%s: skipping malformed annotation: %s", self.name, split, error)

        return skip

    def _extra_features(self) -> dict:
        """Dataset-specific features, merged into the common ones."""
        return {}

    def _extra_example(self, record: dict) -> dict:
        """Dataset-specific feature values of one record."""
        return {}

    def _warn_missing(self, split: str, path: str) -> None:
        """Log that ``split`` is left out because its annotation file is absent."""
        logger.warning("%s: no %r split, %s not found", self.name, split, path)

    def _file_splits(self, pattern: str, suffixes: dict[str, str], read) -> dict:
        """One split per annotation file that exists; the others are left out with a warning.

        Args:
            pattern: the annotation path with a ``{}`` for the file's suffix.
            suffixes: split name → suffix (``{"test": "test"}``).
            read: ``(path, on_malformed, split) -> records`` (a reader of
                :mod:`keras_facelm.data.readers`).
        """
        splits = {}
        for split, suffix in suffixes.items():
            path = pattern.format(suffix)
            if existing(path):
                records = read(path, self.skip_malformed(split), split)
                splits[split] = self._generate_examples(records, split)
            else:
                self._warn_missing(split, path)
        return splits

    def _info(self) -> tfds.core.DatasetInfo:
        features = record_features(self.NUM_KEYPOINTS, tfds.features.Image(shape=(None, None, 3)))
        features.update(self._extra_features())
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(features), homepage=self.HOMEPAGE
        )

    def _generate_examples(self, records: Iterable[dict], split: str):
        """TFDS entry point: see :meth:`_generate_from_records`."""
        yield from self._generate_from_records(records, split)

    def _generate_from_records(
        self, records: Iterable[dict], split: str
    ) -> Iterator[tuple[str, dict]]:
        """``(key, example)`` pairs; images that are missing or do not decode are skipped.

        Each skipped file is logged with the reason, and a summary with the
        counts (skipped images, and malformed annotations that the readers
        skipped through :meth:`skip_malformed`) is logged when the split is done.
        """
        written = skipped = 0
        for record in records:
            try:
                if record.get("image_bytes") is not None:
                    image = image_io.verify_image_bytes(
                        record["image_bytes"], record["image/filename"]
                    )
                else:
                    image = image_io.read_image(record["image_path"])
            except (FileNotFoundError, image_io.CorruptImageError) as e:
                skipped += 1
                logger.warning("%s/%s: skipping example %s: %s", self.name, split, record["key"], e)
                continue
            example = {
                "image": image.data,
                "image/filename": record["image/filename"],
                "image/size": np.array([image.height, image.width], np.int32),
                "keypoints": np.asarray(record["keypoints"], np.float32),
                "visibility": np.asarray(record["visibility"], np.float32),
                "bbox": np.asarray(record["bbox"], np.float32),
                "center": np.asarray(record["center"], np.float32),
                "scale": np.float32(record["scale"]),
            }
            example.update(self._extra_example(record))
            written += 1
            yield record["key"], example
        malformed = self._malformed[split]
        if skipped or malformed:
            logger.warning(
                "%s/%s: skipped %d example(s) with missing or corrupt images and %d malformed "
                "annotation(s); wrote %d",
                self.name,
                split,
                skipped,
                malformed,
                written,
            )
        else:
            logger.info("%s/%s: wrote %d examples", self.name, split, written)
