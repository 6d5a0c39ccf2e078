"""The top-down training/evaluation input pipeline, backend-neutral (numpy + OpenCV).

:class:`TopdownDataset` is a ``keras.utils.PyDataset``: ``model.fit(dataset)``
works on TensorFlow, JAX and PyTorch alike. Per face it runs MMPose's face
pipelines (``configs/face_2d_keypoint/topdown_heatmap/*/td-hm_*.py``):

* train: ``GetBBoxCenterScale(1.25) → RandomFlip(0.5) → RandomBBoxTransform →
  TopdownAffine → GenerateTarget(codec)``;
* eval: ``GetBBoxCenterScale(1.25) → TopdownAffine`` (the targets are still
  encoded when a codec is given, so ``model.evaluate`` works).

Records are plain dicts (the readers' records in :mod:`keras_facelm.data.readers`,
:class:`~keras_facelm.data.synthetic_faces.SyntheticFaces` samples, or your own):

* the image: ``image`` (RGB uint8 array, encoded bytes, or a path),
  ``image_path`` or ``image_bytes``;
* ``keypoints`` ``(K, 2)`` image pixels;
* visibility: ``visible``, ``visibility`` or ``keypoints_visible`` ``(K,)``
  (all visible when absent); a NaN keypoint is allowed only where it is not
  visible, and is then set to ``(0, 0)``;
* the face box, either ``center`` ``(2,)`` pixels and ``scale`` in units of
  200 px (WFLW, 300W, AFLW: MMPose multiplies the given scale by the padding),
  or ``bbox`` ``(x1, y1, x2, y2)`` pixels (COFW, COCO-WholeBody-Face). As in
  MMPose's dataset classes, a finite ``center``/``scale`` wins over ``bbox``
  (``box_source="auto"``).

Randomness: sample ``i`` of epoch ``e`` draws from
``numpy.random.default_rng((seed, e, i))``, so batches are reproducible whatever
the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
import numpy as np

from keras_facelm.data import transforms as T
from keras_facelm.data.schemes import get_scheme

__all__ = ["TopdownDataset", "prepare_record", "topdown_sample", "FACE_BBOX_TRANSFORM"]

#: ``RandomBBoxTransform`` settings of MMPose's WFLW/300W/AFLW/COFW heatmap
#: configs (COCO-WholeBody-Face and the regression configs keep ``shift_prob=0.3``).
FACE_BBOX_TRANSFORM = dict(
    shift_factor=0.16,
    shift_prob=0.0,
    scale_factor=(0.75, 1.25),
    scale_prob=1.0,
    rotate_factor=60.0,
    rotate_prob=0.6,
)

_VISIBLE_KEYS = ("visible", "visibility", "keypoints_visible")


def _record_name(record, index):
    for key in ("key", "image_path", "image/filename"):
        if isinstance(record.get(key), str):
            return f"record {index} ({record[key]})"
    return f"record {index}"


def _image_source(record, name):
    for key in ("image", "image_path", "image_bytes"):
        value = record.get(key)
        if value is not None:
            return value
    raise ValueError(f"{name}: no image; expected an 'image', 'image_path' or 'image_bytes' field")


def _finite_center_scale(record):
    center, scale = record.get("center"), record.get("scale")
    if center is None or scale is None:
        return None
    center = np.asarray(center, np.float32).reshape(-1)
    scale = np.asarray(scale, np.float32).reshape(-1)
    if center.shape != (2,) or not (np.all(np.isfinite(center)) and np.all(np.isfinite(scale))):
        return None
    return center, scale


def prepare_record(record, *, padding=1.25, box_source="auto", index=0, load=True):
    """A record's image, keypoints and padded face box, MMPose's way.

    Args:
        record: a dict (see the module docstring).
        padding: ``GetBBoxCenterScale`` padding (1.25 for every face config).
        box_source: ``"auto"`` (center/scale when finite, else bbox),
            ``"center_scale"`` or ``"bbox"``.
        index: the record's position, for error messages.
        load: decode the image (``False`` leaves ``image`` as given).

    Returns:
        dict with ``image`` (RGB uint8 ``(H, W, 3)``), ``keypoints`` float32
        ``(K, 2)`` image pixels, ``visible`` float32 ``(K,)``, ``center`` float32
        ``(2,)`` and ``bbox_scale`` float32 ``(2,)`` (padded box size, pixels).

    Raises:
        ValueError / FileNotFoundError naming the record and field.
    """
    name = _record_name(record, index)
    if box_source not in ("auto", "center_scale", "bbox"):
        raise ValueError(f"box_source must be 'auto', 'center_scale' or 'bbox', got {box_source!r}")
    kp = record.get("keypoints")
    if kp is None:
        raise ValueError(f"{name}: no 'keypoints' field (K, 2) in pixels")
    kp = np.array(kp, dtype=np.float32)
    if kp.ndim != 2 or kp.shape[1] != 2:
        raise ValueError(f"{name}: keypoints must have shape (K, 2), got {kp.shape}")
    vis = next((record[k] for k in _VISIBLE_KEYS if record.get(k) is not None), None)
    vis = np.ones(len(kp), np.float32) if vis is None else np.array(vis, np.float32).reshape(-1)
    if vis.shape != (len(kp),):
        raise ValueError(f"{name}: visibility must have shape ({len(kp)},), got {vis.shape}")
    bad = ~np.all(np.isfinite(kp), axis=1)
    if np.any(bad & (vis > 0)):
        raise ValueError(
            f"{name}: keypoints {np.flatnonzero(bad & (vis > 0)).tolist()} are NaN or "
            "infinite but marked visible"
        )
    kp[bad] = 0.0
    cs = _finite_center_scale(record) if box_source != "bbox" else None
    try:
        if cs is not None:
            if cs[1].size != 1:
                raise ValueError(
                    f"'scale' must be one number (units of 200 px), got {cs[1].tolist()}"
                )
            center, bbox_scale = T.center_scale_from_pixel_std(cs[0], cs[1][0], padding)
        elif box_source == "center_scale":
            raise ValueError("no finite 'center' and 'scale' fields")
        elif record.get("bbox") is not None:
            center, bbox_scale = T.bbox_xyxy_to_center_scale(record["bbox"], padding)
        else:
            raise ValueError("no face box; expected 'center' + 'scale' or 'bbox'")
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None
    image = _image_source(record, name)
    if load:
        try:
            image = T.load_image(image, name=name)
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    return dict(image=image, keypoints=kp, visible=vis, center=center, bbox_scale=bbox_scale)


def topdown_sample(
    prepared,
    *,
    input_size=(256, 256),
    rng=None,
    flip_indices=None,
    flip_prob=0.5,
    bbox_transform=None,
    opencv4_exact=True,
):
    """One face through MMPose's train (``rng`` given) or val pipeline.

    Args:
        prepared: the output of :func:`prepare_record`.
        input_size: ``(width, height)`` of the crop.
        rng: ``numpy.random.Generator`` for training augmentation, or ``None``
            for the deterministic val pipeline.
        flip_indices: the scheme's flip permutation (required with ``rng``
            when ``flip_prob > 0``).
        flip_prob: ``RandomFlip`` probability.
        bbox_transform: :func:`~keras_facelm.data.transforms.random_bbox_transform`
            keyword arguments (default :data:`FACE_BBOX_TRANSFORM`).
        opencv4_exact: see :func:`~keras_facelm.data.transforms.warp_to_crop`.

    Returns:
        dict: ``image`` uint8 ``(h, w, 3)`` crop, ``keypoints`` float32 ``(K, 2)``
        crop pixels, ``visible`` ``(K,)`` (flipped order when flipped),
        ``center``/``bbox_scale`` (the crop box, pixels; ``bbox_scale`` aspect-fixed),
        ``rotation`` (degrees), ``flipped`` (bool).
    """
    image, kp, vis = prepared["image"], prepared["keypoints"], prepared["visible"]
    center, bbox_scale = prepared["center"], prepared["bbox_scale"]
    rot, flipped = 0.0, False
    if rng is not None:
        if flip_prob > 0:
            if flip_indices is None:
                raise ValueError("flip_indices are required for random flips")
            image, kp, vis, center, flipped = T.random_flip(
                image, kp, vis, center, flip_indices, rng, prob=flip_prob
            )
        settings = FACE_BBOX_TRANSFORM if bbox_transform is None else bbox_transform
        center, bbox_scale, rot = T.random_bbox_transform(center, bbox_scale, rng, **settings)
    w, h = (int(v) for v in input_size)
    crop, kp_crop = T.warp_to_crop(
        image, kp, center, bbox_scale, rot, (w, h), opencv4_exact=opencv4_exact
    )
    return dict(
        image=crop,
        keypoints=kp_crop.astype(np.float32),
        visible=np.asarray(vis, np.float32),
        center=np.asarray(center, np.float32),
        bbox_scale=T.fix_aspect_ratio(bbox_scale, w / h),
        rotation=float(rot),
        flipped=bool(flipped),
    )


class TopdownDataset(keras.utils.PyDataset):
    """Batches of top-down face crops and their targets for ``model.fit``/``evaluate``.

    Args:
        records: a sequence (or iterable, materialised into a list) of record
            dicts (see the module docstring), e.g. ``SyntheticFaces(1000)``.
        codec: the target encoder (``MSRAHeatmap``/``RegressionLabel`` or any
            object with ``encode(keypoints (K, 2), visible (K,)) -> (target,
            weights (K,))``), or ``None`` to yield images only (prediction).
        scheme: keypoint scheme name or object (flip indices; K is checked).
        input_size: ``(width, height)`` of the crops; ``None`` takes the
            codec's ``input_size`` (give it only without a codec, or equal to
            the codec's). Pass ``model.codec`` to train a model on its own
            settings.
        train: augment (flip + random box) and shuffle (each epoch).
        seed: seed of the shuffling and augmentation.
        batch_size: faces per batch.
        shuffle: override the shuffling (default: ``train``).
        padding: ``GetBBoxCenterScale`` padding.
        flip_prob: ``RandomFlip`` probability (train).
        bbox_transform: ``random_bbox_transform`` settings (train), default
            :data:`FACE_BBOX_TRANSFORM`.
        box_source: see :func:`prepare_record`.
        opencv4_exact: crops bit-identical to MMPose's (OpenCV 4 arithmetic in
            numpy, ~20x slower than ``cv2.warpAffine``); ``False`` uses the
            installed OpenCV.
        drop_remainder: drop the last incomplete batch.
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size`` of
            ``keras.utils.PyDataset``.

    A batch is ``(images, targets, weights)``: images float32 ``(B, h, w, 3)``
    RGB 0-255, targets as the codec returns them stacked (heatmaps ``(B, H, W,
    K)``), and the per-keypoint weights ``(B, K)``, which Keras passes to the
    loss as ``sample_weight``. With ``codec=None`` a batch is ``(images,)``.
    :meth:`get_batch` also returns the boxes needed to map predictions back
    to image pixels.
    """

    def __init__(
        self,
        records,
        *,
        codec,
        scheme,
        input_size=None,
        train=True,
        seed=0,
        batch_size=32,
        shuffle=None,
        padding=1.25,
        flip_prob=0.5,
        bbox_transform=None,
        box_source="auto",
        opencv4_exact=True,
        drop_remainder=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not (
            isinstance(records, Sequence)
            or (hasattr(records, "__getitem__") and hasattr(records, "__len__"))
        ):
            records = list(records)
        self.records = records
        self.scheme = get_scheme(scheme)
        self.codec = codec
        codec_size = getattr(codec, "input_size", None)
        if input_size is None and codec_size is None:
            raise ValueError("input_size (width, height) is required without a codec")
        self.input_size = tuple(int(v) for v in (input_size or codec_size))
        if len(self.input_size) != 2 or min(self.input_size) <= 0:
            raise ValueError(f"input_size must be a positive (width, height), got {input_size!r}")
        if codec_size is not None and tuple(codec_size) != self.input_size:
            raise ValueError(
                f"codec input_size {tuple(codec_size)} differs from the crop size "
                f"{self.input_size} (both are (width, height))"
            )
        if int(batch_size) <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size!r}")
        self.train = bool(train)
        self.seed = int(seed)
        self.batch_size = int(batch_size)
        self.shuffle = self.train if shuffle is None else bool(shuffle)
        self.padding = float(padding)
        self.flip_prob = float(flip_prob)
        self.bbox_transform = dict(
            FACE_BBOX_TRANSFORM if bbox_transform is None else bbox_transform
        )
        self.box_source = box_source
        self.opencv4_exact = bool(opencv4_exact)
        self.drop_remainder = bool(drop_remainder)
        self.epoch = 0
        self._order = self._make_order()

    def _make_order(self):
        n = len(self.records)
        if not self.shuffle:
            return np.arange(n)
        return np.random.default_rng((self.seed, self.epoch)).permutation(n)

    def __len__(self):
        n = len(self.records)
        return n // self.batch_size if self.drop_remainder else math.ceil(n / self.batch_size)

    def on_epoch_end(self):
        """Advances the epoch: new shuffle order and new augmentation draws."""
        self.set_epoch(self.epoch + 1)

    def set_epoch(self, epoch):
        """Jumps to ``epoch`` (0-based): its shuffle order and augmentation draws.

        Used to resume training: batch ``b`` of epoch ``e`` is the same whether
        reached by iterating or by ``set_epoch(e)``.
        """
        self.epoch = int(epoch)
        self._order = self._make_order()

    def sample(self, index):
        """Record ``index`` (not the shuffled position) through the pipeline.

        Returns the dict of :func:`topdown_sample` plus ``target`` and
        ``weights`` (when a codec is set) and the record's original
        ``image_keypoints``, ``image_visible`` (image pixels, unflipped order).
        """
        index = int(index)
        prepared = prepare_record(
            self.records[index], padding=self.padding, box_source=self.box_source, index=index
        )
        k = self.scheme.num_keypoints
        if prepared["keypoints"].shape[0] != k:
            raise ValueError(
                f"record {index}: {prepared['keypoints'].shape[0]} keypoints, but scheme "
                f"{self.scheme.name!r} has {k}"
            )
        rng = np.random.default_rng((self.seed, self.epoch, index)) if self.train else None
        out = topdown_sample(
            prepared,
            input_size=self.input_size,
            rng=rng,
            flip_indices=self.scheme.flip_indices,
            flip_prob=self.flip_prob,
            bbox_transform=self.bbox_transform,
            opencv4_exact=self.opencv4_exact,
        )
        if self.codec is not None:
            out["target"], out["weights"] = self.codec.encode(out["keypoints"], out["visible"])
        out["image_keypoints"] = prepared["keypoints"]
        out["image_visible"] = prepared["visible"]
        return out

    def get_batch(self, idx):
        """Batch ``idx`` with everything: a dict of stacked arrays.

        Keys: ``images`` float32 ``(B, h, w, 3)``; ``keypoints`` crop pixels
        ``(B, K, 2)``; ``visible`` ``(B, K)``; ``center``/``bbox_scale`` ``(B, 2)``
        (the crop boxes, for :func:`~keras_facelm.inference.topdown.crops_to_image`);
        ``rotation`` ``(B,)``; ``flipped`` ``(B,)``; ``image_keypoints``/
        ``image_visible`` (ground truth in image pixels); ``indices`` ``(B,)``
        record indices; and ``targets``/``weights`` with a codec.
        """
        if not 0 <= idx < len(self):
            raise IndexError(f"batch {idx} out of range for {len(self)} batches")
        indices = self._order[idx * self.batch_size : (idx + 1) * self.batch_size]
        samples = [self.sample(i) for i in indices]
        batch = {
            "images": np.stack([s["image"] for s in samples]).astype(np.float32),
            "indices": np.asarray(indices),
        }
        for key in (
            "keypoints",
            "visible",
            "center",
            "bbox_scale",
            "rotation",
            "flipped",
            "image_keypoints",
            "image_visible",
        ):
            batch[key] = np.stack([np.asarray(s[key]) for s in samples])
        if self.codec is not None:
            batch["targets"] = np.stack([s["target"] for s in samples]).astype(np.float32)
            batch["weights"] = np.stack([s["weights"] for s in samples]).astype(np.float32)
        return batch

    def __getitem__(self, idx):
        batch = self.get_batch(idx)
        if self.codec is None:
            return (batch["images"],)
        return batch["images"], batch["targets"], batch["weights"]
