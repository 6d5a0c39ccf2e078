"""Losses inside ``model.fit``/``evaluate`` with per-keypoint ``sample_weight``, and
serialisation."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_facelm.losses import (
    AdaptiveWingLoss,
    KeypointMSELoss,
    SmoothL1Loss,
    SoftWingLoss,
    STARLoss,
    WingLoss,
)


def heatmap_model(k=3):
    inputs = keras.Input((4,))
    x = keras.layers.Dense(8 * 8 * k, kernel_initializer="glorot_uniform")(inputs)
    return keras.Model(inputs, keras.layers.Reshape((8, 8, k))(x))


def data(n=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = rng.uniform(size=(n, 8, 8, k)).astype("float32")
    w = (rng.uniform(size=(n, k)) > 0.3).astype("float32")
    return x, y, w


@pytest.mark.parametrize("loss_cls", [KeypointMSELoss, AdaptiveWingLoss])
def test_evaluate_and_fit_apply_keypoint_weights_like_mmpose(loss_cls):
    keras.utils.set_random_seed(0)
    model = heatmap_model()
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss_cls())
    x, y, w = data()
    evaluated = model.evaluate(x, y, sample_weight=w, batch_size=len(x), verbose=0)
    direct = float(loss_cls()(y, model.predict(x, verbose=0), w))
    np.testing.assert_allclose(evaluated, direct, rtol=1e-5)
    unweighted = model.evaluate(x, y, batch_size=len(x), verbose=0)
    assert abs(unweighted - evaluated) > 1e-4
    history = model.fit(x, y, sample_weight=w, batch_size=3, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_fit_star_loss_with_pixel_targets():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    x = keras.layers.Dense(8 * 8 * 3, activation="softplus")(inputs)
    model = keras.Model(inputs, keras.layers.Reshape((8, 8, 3))(x))
    model.compile(optimizer="adam", loss=STARLoss(input_size=(32, 32)))
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(4, 4)).astype("float32")
    gt = rng.uniform(4, 28, size=(4, 3, 2)).astype("float32")
    history = model.fit(xs, gt, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


ALL = [
    KeypointMSELoss(loss_weight=2.0),
    AdaptiveWingLoss(alpha=2.0, omega=10.0, epsilon=0.5, theta=0.4),
    WingLoss(omega=5.0, epsilon=1.0),
    SoftWingLoss(omega1=1.0, omega2=10.0, epsilon=0.25),
    SmoothL1Loss(beta=0.5),
    STARLoss(w=0.5, dist="l1", gt_format="star_pixels", input_size=(128, 96)),
]


@pytest.mark.parametrize("loss", ALL, ids=lambda loss: type(loss).__name__)
def test_serialisation_round_trip(loss):
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()


def test_compiled_model_saves_and_reloads(tmp_path):
    model = heatmap_model()
    model.compile(optimizer="sgd", loss=AdaptiveWingLoss(theta=0.4))
    path = tmp_path / "m.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored.loss, AdaptiveWingLoss)
    assert restored.loss.theta == pytest.approx(0.4)
