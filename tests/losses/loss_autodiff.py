"""Backend-native value-and-gradient of a Keras loss w.r.t. ``y_pred`` (test helper)."""

from __future__ import annotations

import keras
import numpy as np
import pytest


def value_and_grad(loss, y_true, y_pred, sample_weight=None):
    """Returns ``(value, d value / d y_pred)`` as numpy, via the backend's autodiff."""
    backend = keras.backend.backend()
    dtype = loss.dtype
    y_true = keras.ops.convert_to_tensor(y_true, dtype=dtype)
    y_pred = keras.ops.convert_to_tensor(y_pred, dtype=dtype)
    if sample_weight is not None:
        sample_weight = keras.ops.convert_to_tensor(sample_weight, dtype=dtype)
    if backend == "jax":
        import jax

        fn = jax.jit(jax.value_and_grad(lambda p, t, w: loss(t, p, w)))
        value, grad = fn(y_pred, y_true, sample_weight)
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(y_pred)
            value = loss(y_true, y_pred, sample_weight)
        grad = tape.gradient(value, y_pred)
    elif backend == "torch":
        y_pred = y_pred.detach().clone().requires_grad_(True)
        value = loss(y_true, y_pred, sample_weight)
        value.backward()
        grad = y_pred.grad
    else:
        pytest.skip(f"no gradient helper for backend {backend!r}")
    return (
        np.asarray(keras.ops.convert_to_numpy(value)),
        np.asarray(keras.ops.convert_to_numpy(grad)),
    )
