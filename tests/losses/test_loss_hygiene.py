"""Damaged targets and empty weights give finite losses and gradients on every backend."""

from __future__ import annotations

import numpy as np
import pytest
from loss_autodiff import value_and_grad

from keras_facelm.losses import (
    AdaptiveWingLoss,
    KeypointMSELoss,
    SmoothL1Loss,
    SoftWingLoss,
    STARLoss,
    WingLoss,
)

RNG = np.random.default_rng(0)
HEATMAPS = RNG.random((2, 8, 8, 5)).astype("float32"), RNG.random((2, 8, 8, 5)).astype("float32")
COORDS = RNG.random((2, 5, 2)).astype("float32"), RNG.random((2, 5, 2)).astype("float32")
LOSSES = [
    (KeypointMSELoss, HEATMAPS), (AdaptiveWingLoss, HEATMAPS),
    (SmoothL1Loss, COORDS), (SoftWingLoss, COORDS), (WingLoss, COORDS),
]  # fmt: skip


@pytest.mark.parametrize("cls, data", LOSSES, ids=[c.__name__ for c, _ in LOSSES])
def test_all_zero_keypoint_weights_give_zero_loss_and_gradient(cls, data):
    y_true, y_pred = data
    value, grad = value_and_grad(cls(), y_true, y_pred, np.zeros((2, 5), "float32"))
    assert value == 0.0 and np.all(grad == 0)


@pytest.mark.parametrize("cls, data", LOSSES, ids=[c.__name__ for c, _ in LOSSES])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_target_adds_nothing(cls, data, bad):
    """A damaged keypoint adds zero loss and zero gradient, whatever its weight."""
    y_true, y_pred = data
    damaged = y_true.copy()
    damaged[0, ..., 1] = bad  # keypoint 1 of image 0 (every heatmap pixel or x, y)
    healed = y_true.copy()
    healed[0, ..., 1] = y_pred[0, ..., 1]  # the same keypoint with zero error
    weights = np.ones((2, 5), "float32")
    for w in (None, weights):
        value, grad = value_and_grad(cls(), damaged, y_pred, w)
        expected, expected_grad = value_and_grad(cls(), healed, y_pred, w)
        assert np.isfinite(value) and np.all(np.isfinite(grad))
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-4, atol=1e-7)


# STARLoss: heatmaps (non-negative, as STAR's) in, landmark coordinates as targets.
STAR_HEATMAPS = RNG.random((2, 8, 8, 5)).astype("float32")
STAR_LANDMARKS = RNG.uniform(0, 255, (2, 5, 2)).astype("float32")  # input pixels (256x256)


def test_star_loss_all_zero_weights_give_zero_loss_and_gradient():
    zeros = np.zeros((2, 5), "float32")
    value, grad = value_and_grad(STARLoss(), STAR_LANDMARKS, STAR_HEATMAPS, zeros)
    assert value == 0.0 and np.all(grad == 0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_star_loss_damaged_landmark_adds_nothing(bad):
    """A NaN/inf landmark adds what a landmark of weight 0 adds: nothing, finite gradients."""
    damaged = STAR_LANDMARKS.copy()
    damaged[0, 1, 0] = bad
    weights = np.ones((2, 5), "float32")
    dropped = weights.copy()
    dropped[0, 1] = 0.0
    value, grad = value_and_grad(STARLoss(), damaged, STAR_HEATMAPS, weights)
    expected, expected_grad = value_and_grad(STARLoss(), STAR_LANDMARKS, STAR_HEATMAPS, dropped)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-4, atol=1e-7)
