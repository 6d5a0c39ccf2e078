"""STARLoss against the official STAR ``STARLoss_v2`` outputs and autograd gradients.

References: ``tests/data/parity/star_loss.npz`` from
``tests/parity/make_star_fixtures.py`` (official code run on the same inputs).
"""

from __future__ import annotations

import pathlib

import keras
import numpy as np
import pytest
from loss_autodiff import value_and_grad

from keras_facelm.codecs import MSRAHeatmap
from keras_facelm.losses import STARLoss
from keras_facelm.losses.eigh2x2 import eigh_2x2

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"


@pytest.fixture(scope="module")
def ref():
    return dict(np.load(PARITY / "star_loss.npz"))


def nhwc(x):
    return np.ascontiguousarray(np.transpose(x, (0, 2, 3, 1)))


def float64_supported():
    if keras.backend.backend() != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)


def test_spec_inputs_value_and_gradient(ref):
    loss = STARLoss(gt_format="normalized")
    value, grad = value_and_grad(loss, ref["spec_gt"], nhwc(ref["spec_heat"]))
    np.testing.assert_allclose(value, ref["spec_value"], rtol=1e-6)
    np.testing.assert_allclose(value, 1.7249908, rtol=1e-6)  # computed with MMPose 1.3.2
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, nhwc(ref["grad_spec"]), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "dist, w", [("smoothl1", 1.0), ("smoothl1", 0.5), ("l1", 1.0), ("l2", 1.0)]
)
def test_blob_heatmaps_value(ref, dist, w):
    loss = STARLoss(w=w, dist=dist, gt_format="normalized")
    value = float(loss(ref["blobs_gt"], nhwc(ref["blobs_heat"])))
    np.testing.assert_allclose(value, ref[f"blobs_{dist}_w{w:g}_f32"], rtol=1e-6)


def test_blob_heatmaps_gradient_float32(ref):
    loss = STARLoss(gt_format="normalized")
    value, grad = value_and_grad(loss, ref["blobs_gt"], nhwc(ref["blobs_heat"]))
    np.testing.assert_allclose(value, ref["blobs_smoothl1_w1_f32"], rtol=1e-6)
    assert np.all(np.isfinite(grad))
    expected = nhwc(ref["grad_blobs_smoothl1_w1_f32"])
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


def test_blob_heatmaps_gradient_float64(ref):
    if not float64_supported():
        pytest.skip("JAX without jax_enable_x64 computes float64 in float32")
    loss = STARLoss(gt_format="normalized", dtype="float64")
    value, grad = value_and_grad(loss, ref["blobs_gt"], nhwc(ref["blobs_heat"]))
    np.testing.assert_allclose(value, ref["blobs_smoothl1_w1_f64"], rtol=1e-12)
    np.testing.assert_allclose(grad, nhwc(ref["grad_blobs_smoothl1_w1_f64"]), rtol=1e-9, atol=1e-12)


def test_gt_formats_convert_as_documented(ref):
    heat = nhwc(ref["blobs_heat"])
    n = ref["blobs_gt"].astype(np.float64)
    expected = float(STARLoss(gt_format="normalized")(n, heat))
    px = (n + 1) / 2 * 63 * 4  # inverse of (p / 4) / 63 * 2 - 1
    star_px = ((n + 1) * 256 - 1) / 2  # inverse of (2 p + 1) / 256 - 1
    np.testing.assert_allclose(float(STARLoss()(px, heat)), expected, rtol=1e-5)
    np.testing.assert_allclose(
        float(STARLoss(gt_format="star_pixels")(star_px, heat)), expected, rtol=1e-5
    )


def test_pixel_gt_at_encoded_target_has_no_translation_error():
    """With ``gt_format='pixels'`` a target encoded by MSRAHeatmap sits at the mean."""
    kp = np.array([[100.0, 60.0], [128.0, 140.0], [40.0, 200.0]], np.float32)
    heat, _ = MSRAHeatmap(sigma=2.0).encode(kp)
    heat, gt = heat[None], kp[None]
    star = STARLoss(w=0.0)
    assert float(star(gt, heat)) < 1e-6
    assert float(star(gt + 4.0, heat)) > 0.5


def test_eigh_2x2_matches_numpy():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(50, 2, 2))
    m = m @ np.swapaxes(m, 1, 2) + 0.1 * np.eye(2)
    a, b, c = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
    lam0, lam1, v0, v1 = (
        keras.ops.convert_to_numpy(t)
        if not isinstance(t, tuple)
        else np.stack([keras.ops.convert_to_numpy(u) for u in t], -1)
        for t in eigh_2x2(a.astype("float32"), b.astype("float32"), c.astype("float32"))
    )
    ref_vals, ref_vecs = np.linalg.eigh(m)
    np.testing.assert_allclose(np.stack([lam0, lam1], -1), ref_vals, rtol=1e-4, atol=1e-5)
    # eigenvectors up to sign: |<v, v_ref>| = 1
    np.testing.assert_allclose(np.abs(np.sum(v0 * ref_vecs[:, :, 0], -1)), 1, atol=1e-4)
    np.testing.assert_allclose(np.abs(np.sum(v1 * ref_vecs[:, :, 1], -1)), 1, atol=1e-4)


def test_isotropic_gradient_is_finite():
    heat, _ = MSRAHeatmap(sigma=2.0).encode(np.array([[128.0, 128.0]], np.float32))
    _, grad = value_and_grad(STARLoss(), np.array([[[130.0, 125.0]]], np.float32), heat[None])
    assert np.all(np.isfinite(grad))


def test_weights_scale_landmarks_and_keep_the_denominator(ref):
    heat = nhwc(ref["blobs_heat"])
    gt = ref["blobs_gt"]
    loss = STARLoss(gt_format="normalized")
    w = np.zeros(gt.shape[:2], np.float32)
    w[0, 1] = 1.0
    single = float(loss(gt[:1, 1:2], heat[:1, ..., 1:2]))
    np.testing.assert_allclose(float(loss(gt, heat, w)), single / w.size, rtol=1e-5)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="gt_format"):
        STARLoss(gt_format="unit")
    with pytest.raises(ValueError, match="dist"):
        STARLoss(dist="wing")
    with pytest.raises(ValueError, match=r"\(N, K, 2\)"):
        STARLoss()(np.zeros((1, 3)), np.zeros((1, 8, 8, 3)))
