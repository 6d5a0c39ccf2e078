"""topdown_tf_dataset: the tf.data pipeline yields TopdownDataset's batches bit for bit.

It needs TensorFlow but no Keras backend in particular (the batches are numpy made by
TopdownDataset), so scripts/test.sh runs it once.
"""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from keras_facelm.codecs import MSRAHeatmap, RegressionLabel  # noqa: E402
from keras_facelm.data.pipeline import TopdownDataset  # noqa: E402
from keras_facelm.data.synthetic_faces import SyntheticFaces  # noqa: E402
from keras_facelm.data.tf_pipeline import topdown_tf_dataset  # noqa: E402

pytestmark = pytest.mark.backend_independent

CODEC = MSRAHeatmap(input_size=(64, 64), heatmap_size=(16, 16), sigma=2.0)


@pytest.fixture(scope="module")
def faces():
    return list(SyntheticFaces(7, seed=3, image_size=(96, 96)))


def _dataset(faces, **kwargs):
    kwargs = {"codec": CODEC, "scheme": "300w", "batch_size": 3, "seed": 0, **kwargs}
    return TopdownDataset(faces, **kwargs)


def _assert_same_batches(ds, epoch, start, tf_data):
    ds.set_epoch(epoch)
    expected = [ds[i] for i in range(start, len(ds))]
    got = [tuple(t.numpy() for t in element) for element in tf_data]
    assert len(got) == len(expected) == tf_data.cardinality().numpy()
    for want, have in zip(expected, got, strict=True):
        assert len(want) == len(have)
        for a, b in zip(want, have, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "seed, epoch, start, calls",
    [(0, 0, 0, None), (1, 2, 1, 2), (5, 1, 2, 1), (2, 0, 3, 3)],
)
def test_batches_equal_the_pydataset(faces, seed, epoch, start, calls):
    # 7 faces in batches of 3: the last batch holds one face.
    ds = _dataset(faces, seed=seed)
    tf_data = topdown_tf_dataset(ds, epoch, start, parallel_calls=calls)
    _assert_same_batches(_dataset(faces, seed=seed), epoch, start, tf_data)


def test_static_shapes(faces):
    spec = topdown_tf_dataset(_dataset(faces), 0).element_spec
    assert [s.shape.as_list() for s in spec] == [[None, 64, 64, 3], [None, 16, 16, 68], [None, 68]]
    assert all(s.dtype == tf.float32 for s in spec)
    # Every batch full: the batch dimension is static too.
    full = topdown_tf_dataset(_dataset(faces, drop_remainder=True), 0).element_spec
    assert full[0].shape.as_list() == [3, 64, 64, 3]
    assert len(list(topdown_tf_dataset(_dataset(faces, drop_remainder=True), 0))) == 2


def test_coordinate_targets(faces):
    ds = _dataset(faces, codec=RegressionLabel((64, 64)), seed=6)
    tf_data = topdown_tf_dataset(ds, 1)
    assert tf_data.element_spec[1].shape.as_list() == [None, 68, 2]
    _assert_same_batches(ds, 1, 0, tf_data)


def test_eval_and_image_only_batches(faces):
    ds = _dataset(faces, train=False, batch_size=4)
    _assert_same_batches(ds, 0, 0, topdown_tf_dataset(ds, 0))
    images_only = _dataset(faces, codec=None, input_size=(48, 32), train=False)
    (images,) = next(iter(topdown_tf_dataset(images_only, 0)))
    np.testing.assert_array_equal(images.numpy(), images_only[0][0])
    assert images.shape == (3, 32, 48, 3)


def test_the_dataset_is_not_changed(faces):
    ds = _dataset(faces, seed=4)
    order = ds._order.copy()
    tf_data = topdown_tf_dataset(ds, 3)
    assert ds.epoch == 0
    np.testing.assert_array_equal(ds._order, order)
    ds.set_epoch(1)  # later epoch changes do not reach the pinned pipeline
    _assert_same_batches(_dataset(faces, seed=4), 3, 0, tf_data)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(epoch=-1), "epoch must be >= 0, got -1"),
        (dict(epoch=0, start=4), r"start must be in \[0, 3\].*got 4"),
        (dict(epoch=0, start=-1), r"start must be in \[0, 3\].*got -1"),
        (dict(epoch=0, parallel_calls=0), "parallel_calls must be >= 1 or None.*got 0"),
    ],
)
def test_errors(faces, kwargs, message):
    with pytest.raises(ValueError, match=message):
        topdown_tf_dataset(_dataset(faces), **kwargs)


def test_start_at_the_end_is_empty(faces):
    ds = _dataset(faces)
    assert len(list(topdown_tf_dataset(ds, 0, start=len(ds)))) == 0


def test_missing_tensorflow_is_a_clear_error(faces, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tensorflow(name, *args, **kwargs):
        if name == "tensorflow" or name.startswith("tensorflow."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorflow)
    with pytest.raises(ImportError, match="needs TensorFlow.*pass the TopdownDataset"):
        topdown_tf_dataset(_dataset(faces), 0)
