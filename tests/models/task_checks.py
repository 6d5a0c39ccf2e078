"""Checks every detector class must pass: ``.keras`` round trip, one ``fit`` step, presets."""

from __future__ import annotations

import keras
import numpy as np


def check_keras_round_trip(model, tmp_path, images):
    """Saves ``model`` as ``.keras``, reloads it, and compares class, config and outputs."""
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert loaded.get_config() == model.get_config()
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model(images, training=False)),
        keras.ops.convert_to_numpy(loaded(images, training=False)),
    )
    return loaded


def check_one_fit_step(model, images, targets, layer_name):
    """One ``fit`` step with MSE: finite loss, and layer ``layer_name``'s kernel moves."""
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    kernel = model.get_layer(layer_name).kernel
    before = keras.ops.convert_to_numpy(kernel).copy()
    history = model.fit(images, targets, epochs=1, batch_size=len(images), verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.array_equal(before, keras.ops.convert_to_numpy(kernel))


def trainable_count(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))
