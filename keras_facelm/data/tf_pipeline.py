"""A :class:`~keras_facelm.data.pipeline.TopdownDataset` epoch as a ``tf.data.Dataset``.

The TensorFlow backend trains fastest from ``tf.data``: Keras then feeds the
step without its Python data adapter, and tf.data prepares the next batches in
its own threads while the step runs. :func:`topdown_tf_dataset` builds that
pipeline over the dataset's *batch indices*; each batch is made by
``tf.numpy_function`` calling the dataset's own ``__getitem__`` (numpy and
OpenCV), so the batches are those of the ``keras.utils.PyDataset`` bit for bit:
same shuffle order, same augmentation draws (sample ``i`` of epoch ``e`` draws
from ``numpy.random.default_rng((seed, e, i))``), same targets.

TensorFlow is imported only when the function is called: JAX and PyTorch users
do not need it and feed the ``TopdownDataset`` to ``model.fit`` directly.
"""

from __future__ import annotations

import copy

__all__ = ["topdown_tf_dataset"]


def _import_tensorflow():
    try:
        import tensorflow as tf
    except ImportError as err:
        raise ImportError(
            "topdown_tf_dataset needs TensorFlow (pip install tensorflow); on the JAX or "
            "PyTorch backend pass the TopdownDataset itself to model.fit"
        ) from err
    return tf


def topdown_tf_dataset(dataset, epoch, start=0, *, parallel_calls=None):
    """Batches ``dataset[start], dataset[start + 1], ...`` of ``epoch`` as a ``tf.data.Dataset``.

    Args:
        dataset: a :class:`~keras_facelm.data.pipeline.TopdownDataset`. It is
            not modified: the pipeline reads a shallow copy pinned to
            ``epoch`` (records, codec and settings shared), so later
            ``set_epoch`` calls on ``dataset`` do not reach batches that
            tf.data prefetches.
        epoch: 0-based epoch whose shuffle order and augmentation draws to use.
        start: first batch (to resume mid-epoch), ``0 <= start <= len(dataset)``.
        parallel_calls: batches prepared at once by tf.data's threads
            (``num_parallel_calls`` of ``map``; ``None``: ``tf.data.AUTOTUNE``).
            The output order is fixed (``deterministic=True``) whatever the value.

    Returns:
        A ``tf.data.Dataset`` of ``len(dataset) - start`` elements, prefetched.
        Each element is ``(images, targets, weights)`` as the dataset's
        ``__getitem__`` returns it: images float32 ``(B, h, w, 3)`` RGB 0-255
        (``(w, h)`` = ``dataset.input_size`` in pixels), targets float32
        ``codec.target_shape(K)`` per face (heatmaps ``(B, H, W, K)``,
        coordinates ``(B, K, 2)`` as the codec makes them, RegressionLabel's in
        ``[0, 1]`` of the input size) and per-keypoint weights
        float32 ``(B, K)``; ``(images,)`` when the dataset has no codec. ``B`` is
        ``dataset.batch_size``, static unless the epoch ends with a smaller batch.

    Raises:
        ImportError: TensorFlow is not installed.
        ValueError: ``epoch`` is negative, ``start`` is out of range or
            ``parallel_calls`` is not positive.
    """
    tf = _import_tensorflow()
    if int(epoch) < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch!r}")
    num_batches = len(dataset)
    if not 0 <= int(start) <= num_batches:
        raise ValueError(f"start must be in [0, {num_batches}] (batches per epoch), got {start!r}")
    if parallel_calls is not None and int(parallel_calls) < 1:
        raise ValueError(f"parallel_calls must be >= 1 or None (autotune), got {parallel_calls!r}")
    pinned = copy.copy(dataset)
    pinned.set_epoch(epoch)

    k = pinned.scheme.num_keypoints
    w, h = pinned.input_size
    full = pinned.drop_remainder or len(pinned.records) % pinned.batch_size == 0
    b = pinned.batch_size if full else None
    shapes = [(b, h, w, 3)]
    if pinned.codec is not None:
        target_shape = getattr(pinned.codec, "target_shape", None)
        shapes += [(b, *target_shape(k)) if target_shape else None, (b, k)]

    def load(index):
        return pinned[int(index)]

    def batch(index):
        arrays = tf.numpy_function(load, [index], [tf.float32] * len(shapes), stateful=False)
        for array, shape in zip(arrays, shapes, strict=True):
            array.set_shape(shape)
        return tuple(arrays)

    calls = tf.data.AUTOTUNE if parallel_calls is None else int(parallel_calls)
    return (
        tf.data.Dataset.range(int(start), num_batches)
        .map(batch, num_parallel_calls=calls, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )
