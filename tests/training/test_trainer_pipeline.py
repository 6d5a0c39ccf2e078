"""``train(pipeline=...)``: tf.data and the PyDataset train on the same batches.

The argument checks fail before any model is built. The equality run (``slow``: about
50 s) trains ``synthetic_quick`` for one epoch of three steps at 64x64 crops, once per
pipeline, on TensorFlow; the fast ``test_trainer.py`` run already goes through tf.data
there (``"auto"``).
"""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from keras_facelm.training.trainer import train

SMALL = dict(
    epochs=1, batch_size=8, train_limit=20, test_limit=4, input_size=64, workers=2, verbose=0
)


def test_unknown_pipeline_is_named(tmp_path):
    with pytest.raises(
        ValueError, match="pipeline must be 'auto', 'tf.data' or 'pydataset', got 'grain'"
    ):
        train("synthetic_quick", output=tmp_path / "run", pipeline="grain")
    assert not (tmp_path / "run").exists()


def test_tf_data_needs_the_tensorflow_backend(tmp_path):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        pytest.skip("tf.data is allowed on TensorFlow")
    with pytest.raises(ValueError, match=f"'tf.data' needs the TensorFlow backend, not {backend}"):
        train("synthetic_quick", output=tmp_path / "run", pipeline="tf.data")
    assert not (tmp_path / "run").exists()


def _run(out, pipeline):
    metrics = train("synthetic_quick", output=out, pipeline=pipeline, **SMALL)
    with np.load(out / "state" / "model_weights.npz") as f:
        weights = [f[k] for k in sorted(f.files, key=lambda k: int(k.split("_")[1]))]
    return metrics, weights


@pytest.mark.slow
def test_tf_data_trains_the_weights_of_the_pydataset(tmp_path):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("tf.data runs on the TensorFlow backend")
    metrics, tf_weights = _run(tmp_path / "tf_data", "auto")  # auto: tf.data on TensorFlow
    assert metrics["pipeline"] == "tf.data" and metrics["steps_per_epoch"] == 3  # last batch 4
    assert json.loads((tmp_path / "tf_data" / "metrics.json").read_text())["pipeline"] == "tf.data"
    metrics, py_weights = _run(tmp_path / "pydataset", "pydataset")
    assert metrics["pipeline"] == "pydataset"
    for a, b in zip(tf_weights, py_weights, strict=True):
        np.testing.assert_array_equal(a, b)
