"""Face records for training and evaluation: TFDS splits or embedded synthetic faces.

A record is the dict :mod:`keras_facelm.data.pipeline` takes (``image_bytes`` or
``image``, ``keypoints`` ``(K, 2)`` image pixels, ``visibility``, and the face
box as ``center``/``scale`` or ``bbox``). TFDS images stay encoded in memory
and are decoded per batch by :class:`~keras_facelm.data.pipeline.TopdownDataset`.
"""

from __future__ import annotations

import importlib
import pathlib

import numpy as np

from keras_facelm.data import transforms as T
from keras_facelm.data.schemes import get_scheme

__all__ = ["DATASET_SCHEMES", "load_records", "MeanShapePredictor"]

#: Keypoint scheme of each TFDS dataset (its K and NME normaliser).
DATASET_SCHEMES = {
    "wflw": "wflw",
    "face300w": "300w",
    "aflw": "aflw",
    "cofw": "cofw",
    "coco_wholebody_face": "coco_wholebody_face",
    "synthetic_faces": "300w",
}
#: Split sizes of ``synthetic_faces`` generated in memory (its TFDS default config).
SYNTHETIC_SPLITS = {"train": (0, 2000), "test": (1, 200)}


def _tfds_records(dataset, split, data_dir, limit):
    import tensorflow_datasets as tfds

    try:  # registers the builder (tfds_builders/<name>)
        importlib.import_module(f"tfds_builders.{dataset}")
    except ImportError:
        pass
    builder = tfds.builder(dataset, data_dir=str(data_dir))
    if split not in builder.info.splits:
        raise ValueError(
            f"dataset {dataset!r} in {data_dir} has no split {split!r}; "
            f"it has {sorted(builder.info.splits)}"
        )
    ds = builder.as_dataset(split=split, decoders={"image": tfds.decode.SkipDecoding()})
    if limit is not None:
        ds = ds.take(int(limit))
    records = []
    for ex in tfds.as_numpy(ds):
        scale = float(ex["scale"])
        records.append(
            dict(
                image_bytes=ex["image"],
                image_path=ex["image/filename"].decode(),
                keypoints=ex["keypoints"],
                visibility=ex["visibility"],
                bbox=ex["bbox"],
                center=ex["center"],
                scale=scale,
            )
        )
    return records


def load_records(dataset, split, *, data_dir=None, limit=None):
    """The records of ``dataset``'s ``split``.

    ``synthetic_faces`` without ``data_dir`` is generated in memory (train: seed 0,
    2,000 faces; test: seed 1, 200 faces, as its TFDS builder); every other
    dataset is read from a prepared TFDS directory.

    Raises:
        FileNotFoundError: ``data_dir`` is missing or does not exist.
        ValueError: unknown dataset or split.
    """
    if dataset not in DATASET_SCHEMES:
        raise ValueError(
            f"unknown dataset {dataset!r}; expected one of {', '.join(sorted(DATASET_SCHEMES))}"
        )
    if dataset == "synthetic_faces" and data_dir is None:
        from keras_facelm.data.synthetic_faces import SyntheticFaces

        if split not in SYNTHETIC_SPLITS:
            raise ValueError(
                f"synthetic_faces has splits {sorted(SYNTHETIC_SPLITS)}, not {split!r}"
            )
        seed, size = SYNTHETIC_SPLITS[split]
        faces = SyntheticFaces(
            size if limit is None else min(size, int(limit)), seed=seed
        )
        return [faces[i] for i in range(len(faces))]
    if data_dir is None:
        raise FileNotFoundError(
            f"dataset {dataset!r} needs --data-dir, the TFDS data directory it was built into "
            f"(tfds build tfds_builders/{dataset} --data_dir DIR)"
        )
    if not pathlib.Path(data_dir).is_dir():
        raise FileNotFoundError(f"data directory {data_dir} does not exist")
    return _tfds_records(dataset, split, data_dir, limit)


def check_keypoint_count(records, num_keypoints, what):
    """Raises ValueError when the records' K differs from ``num_keypoints``."""
    if records:
        k = np.asarray(records[0]["keypoints"]).shape[0]
        if k != num_keypoints:
            raise ValueError(
                f"{what} has {k} keypoints per face, the recipe's model {num_keypoints}"
            )


class MeanShapePredictor:
    """A "model" that predicts the mean training shape for every face.

    The mean is taken in crop pixels of the val pipeline (box → padded square
    crop, rotation 0) over the visible training keypoints; evaluated with
    :func:`keras_facelm.evaluation.evaluate` it gives the mean-shape NME
    baseline.

    Args:
        records: training records.
        scheme: keypoint scheme name.
        image_size: ``(height, width)`` of the crops.
    """

    def __init__(self, records, scheme, image_size):
        from keras_facelm.data.pipeline import prepare_record

        self.scheme = scheme
        self.image_size = tuple(int(v) for v in image_size)
        h, w = self.image_size
        total = np.zeros((get_scheme(scheme).num_keypoints, 2))
        count = np.zeros((get_scheme(scheme).num_keypoints, 1))
        for i, rec in enumerate(records):
            p = prepare_record(rec, index=i, load=False)
            s = T.fix_aspect_ratio(p["scale"], w / h)
            crop = (p["keypoints"] - p["center"] + 0.5 * s) / s * (w, h)
            vis = (p["visible"] > 0)[:, None]
            total += np.where(vis, crop, 0.0)
            count += vis
        self.mean_shape = (total / np.maximum(count, 1)).astype(np.float32)

    def predict_landmarks(self, images, flip_test=None, batch_size=None):
        n = len(images)
        return {
            "keypoints": np.repeat(self.mean_shape[None], n, axis=0),
            "scores": np.ones((n, self.mean_shape.shape[0]), np.float32),
        }
