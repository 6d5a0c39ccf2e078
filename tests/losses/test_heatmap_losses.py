"""KeypointMSELoss and AdaptiveWingLoss against MMPose's values and autograd."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from loss_autodiff import value_and_grad

from keras_facelm.losses import AdaptiveWingLoss, KeypointMSELoss

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"


@pytest.fixture(scope="module")
def ref():
    """MMPose's values (tests/parity/make_codec_loss_metric_fixtures.py)."""
    return dict(np.load(PARITY / "losses.npz"))


def nhwc(x):
    return np.ascontiguousarray(np.transpose(x, (0, 2, 3, 1)))


@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("name, loss_cls", [("mse", KeypointMSELoss), ("awing", AdaptiveWingLoss)])
def test_matches_mmpose_value_and_gradient(ref, name, loss_cls, weighted):
    tag = "weighted" if weighted else "plain"
    w = ref["hm_w"] if weighted else None
    value, grad = value_and_grad(loss_cls(), nhwc(ref["hm_gt"]), nhwc(ref["hm_pred"]), w)
    np.testing.assert_allclose(value, ref[f"{name}_{tag}"], rtol=1e-6)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, nhwc(ref[f"grad_{name}_{tag}"]), rtol=1e-5, atol=1e-10)


def spec_inputs():
    i = np.arange(2 * 3 * 8 * 8).reshape(2, 3, 8, 8)
    pred = (0.6 * np.sin(0.37 * i) + 0.3).astype(np.float32)
    gt = ((np.cos(0.11 * i) + 1) / 2).astype(np.float32)
    w = np.array([[1, 0, 1], [1, 1, 0]], np.float32)
    return nhwc(gt), nhwc(pred), w


def test_spec_reference_values():
    """Cross-check against values computed with MMPose 1.3.2."""
    gt, pred, w = spec_inputs()
    np.testing.assert_allclose(float(KeypointMSELoss()(gt, pred, w)), 0.2235017, rtol=1e-6)
    np.testing.assert_allclose(float(AdaptiveWingLoss()(gt, pred, w)), 2.6779230, rtol=1e-6)
    np.testing.assert_allclose(float(AdaptiveWingLoss()(gt, pred)), 3.9785175, rtol=1e-6)


def test_zero_weight_channels_count_in_the_mean():
    gt, pred, _ = spec_inputs()
    w = np.zeros((2, 3), np.float32)
    w[0, 0] = 1.0
    full = float(KeypointMSELoss()(gt[:1, ..., :1], pred[:1, ..., :1]))
    np.testing.assert_allclose(float(KeypointMSELoss()(gt, pred, w)), full / 6, rtol=1e-6)


def test_loss_weight_scales():
    gt, pred, w = spec_inputs()
    base = float(AdaptiveWingLoss()(gt, pred, w))
    np.testing.assert_allclose(
        float(AdaptiveWingLoss(loss_weight=2.5)(gt, pred, w)), 2.5 * base, rtol=1e-6
    )


def test_bad_weight_shape_raises():
    gt, pred, _ = spec_inputs()
    with pytest.raises(ValueError, match=r"\(N, K\)"):
        KeypointMSELoss()(gt, pred, np.ones((2,), np.float32))
    with pytest.raises(ValueError, match="channels-last"):
        KeypointMSELoss()(gt[0], pred[0])
