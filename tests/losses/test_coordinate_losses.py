"""WingLoss, SoftWingLoss and SmoothL1Loss against MMPose's values and autograd."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from loss_autodiff import value_and_grad

from keras_facelm.losses import SmoothL1Loss, SoftWingLoss, WingLoss

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"
LOSSES = {"wing": WingLoss, "softwing": SoftWingLoss, "smoothl1": SmoothL1Loss}


@pytest.fixture(scope="module")
def ref():
    """MMPose's values (tests/parity/make_codec_loss_metric_fixtures.py)."""
    return dict(np.load(PARITY / "losses.npz"))


@pytest.mark.parametrize("inputs", ["px", "n"])
@pytest.mark.parametrize("weighted", [True, False])
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_matches_mmpose_value_and_gradient(ref, name, weighted, inputs):
    tag = "weighted" if weighted else "plain"
    sfx = "" if inputs == "px" else "_n"
    w = ref["co_w"] if weighted else None
    value, grad = value_and_grad(LOSSES[name](), ref[f"co_gt{sfx}"], ref[f"co_pred{sfx}"], w)
    key = f"{name}_{tag}_{inputs}"
    np.testing.assert_allclose(value, ref[key], rtol=1e-6)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, ref[f"grad_{key}"], rtol=1e-5, atol=1e-9)


def test_both_branches_are_exercised(ref):
    """The pixel-unit fixture reaches Wing's linear and SoftWing's log branch."""
    d = np.abs(ref["co_gt"] - ref["co_pred"])
    assert (d >= 10).any() and (d < 10).any()
    assert (d >= 2).any() and (d < 1).any()


def spec_inputs():
    i = np.arange(12).reshape(2, 3, 2)
    pred = (0.2 * np.sin(0.7 * i) + 0.5).astype(np.float32)
    gt = (0.3 * np.cos(0.3 * i) + 0.5).astype(np.float32)
    w = np.array([[1, 0, 1], [1, 1, 0]], np.float32)
    return gt, pred, w


@pytest.mark.parametrize(
    "loss, expected",
    [
        (SmoothL1Loss(), 0.00927871),
        (WingLoss(), 2.6501260),
        (SoftWingLoss(), 0.5557926),
    ],
)
def test_spec_reference_values(loss, expected):
    """Cross-check against values computed with MMPose 1.3.2."""
    gt, pred, w = spec_inputs()
    np.testing.assert_allclose(float(loss(gt, pred, w)), expected, rtol=1e-6)


def test_softwing_is_l1_on_normalised_coordinates():
    gt, pred, w = spec_inputs()
    l1 = np.abs((gt - pred) * w[..., None]).sum() / 2
    np.testing.assert_allclose(float(SoftWingLoss()(gt, pred, w)), l1, rtol=1e-6)


def test_rejects_heatmaps():
    with pytest.raises(ValueError, match=r"\(N, K, 2\)"):
        WingLoss()(np.zeros((1, 4, 4, 3)), np.zeros((1, 4, 4, 3)))
