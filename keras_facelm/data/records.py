"""Face records for training and evaluation: TFDS splits or embedded synthetic faces.

A record is the dict :mod:`keras_facelm.data.pipeline` takes (``image_bytes`` or
``image``, ``keypoints`` ``(K, 2)`` image pixels, ``visibility``, and the face
box as ``center``/``scale`` or ``bbox``). TFDS images stay encoded in memory
and are decoded per batch by :class:`~keras_facelm.data.pipeline.TopdownDataset`.
"""

from __future__ import annotations

import importlib
import pathlib

__all__ = ["DATASET_SCHEMES", "dataset_splits", "load_records"]

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


def _builder(dataset, data_dir):
    """The TFDS builder of ``dataset`` in ``data_dir`` (registering ours first)."""
    import tensorflow_datasets as tfds

    try:  # registers the builder (tfds_builders/<name>)
        importlib.import_module(f"tfds_builders.{dataset}")
    except ImportError:
        pass
    return tfds.builder(dataset, data_dir=str(data_dir))


def _tfds_records(dataset, split, data_dir, limit):
    import tensorflow_datasets as tfds

    builder = _builder(dataset, data_dir)
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
                **{"image/filename": ex["image/filename"].decode()},  # a name, not a path
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
        faces = SyntheticFaces(size if limit is None else min(size, int(limit)), seed=seed)
        return [faces[i] for i in range(len(faces))]
    if data_dir is None:
        raise FileNotFoundError(
            f"dataset {dataset!r} needs --data-dir, the TFDS data directory it was built into "
            f"(tfds build tfds_builders/{dataset} --data_dir DIR)"
        )
    if not pathlib.Path(data_dir).is_dir():
        raise FileNotFoundError(f"data directory {data_dir} does not exist")
    return _tfds_records(dataset, split, data_dir, limit)


def dataset_splits(dataset, data_dir=None):
    """The split names of ``dataset`` (TFDS's, or ``synthetic_faces``' in-memory ones)."""
    if dataset == "synthetic_faces" and data_dir is None:
        return sorted(SYNTHETIC_SPLITS)
    if data_dir is None or not pathlib.Path(data_dir).is_dir():
        raise FileNotFoundError(
            f"dataset {dataset!r} needs the TFDS data directory it was built into, got {data_dir!r}"
        )
    return sorted(_builder(dataset, data_dir).info.splits)
