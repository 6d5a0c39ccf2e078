"""NME (function and Keras metric) against MMPose's ``NME`` metric outputs."""

from __future__ import annotations

import pathlib

import keras
import numpy as np
import pytest

from keras_facelm.metrics import NME, keypoint_distances, nme, per_image_nme

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"
SCHEMES = ["wflw", "300w", "cofw", "coco_wholebody_face", "aflw"]


@pytest.fixture(scope="module")
def ref():
    """MMPose's outputs (tests/parity/make_codec_loss_metric_fixtures.py)."""
    return dict(np.load(PARITY / "nme.npz"))


def inputs(ref, scheme):
    norm = None
    if scheme == "aflw":
        boxes = ref["aflw_bboxes"]
        norm = np.max(boxes[:, 2:] - boxes[:, :2], axis=1)  # MMPose's 'bbox_size'
    return ref[f"{scheme}_pred"], ref[f"{scheme}_gt"], ref[f"{scheme}_visible"], norm


@pytest.mark.parametrize("scheme", SCHEMES)
def test_function_matches_mmpose(ref, scheme):
    pred, gt, vis, norm = inputs(ref, scheme)
    d = keypoint_distances(pred, gt, scheme=scheme, visible=vis, norm=norm)
    np.testing.assert_array_equal(d, ref[f"{scheme}_distances"])
    value = nme(pred, gt, scheme=scheme, visible=vis, norm=norm)
    assert isinstance(value, float)
    np.testing.assert_allclose(value, ref[f"{scheme}_nme"], rtol=1e-6)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_keras_metric_matches_mmpose_over_batches(ref, scheme):
    pred, gt, vis, norm = inputs(ref, scheme)
    metric = NME(scheme=scheme)
    for s in (slice(0, 2), slice(2, None)):
        metric.update_state(
            gt[s], pred[s], sample_weight=vis[s], norm=None if norm is None else norm[s]
        )
    np.testing.assert_allclose(float(metric.result()), ref[f"{scheme}_nme"], rtol=1e-6)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_coco_wholebody_face_normaliser_quirk_and_correction(ref):
    pred, gt, vis, _ = inputs(ref, "coco_wholebody_face")
    d = keypoint_distances(pred, gt, scheme="coco_wholebody_face", visible=vis)
    assert (d[3] == -1).all()  # both normaliser points unlabelled: norm 0, left out
    assert (d[1] != -1).any()  # one unlabelled: kept with the distance-to-origin norm
    strict = keypoint_distances(
        pred, gt, scheme="coco_wholebody_face", visible=vis, strict_norm=True
    )
    assert (strict[[1, 2, 3]] == -1).all()
    np.testing.assert_array_equal(strict[4], d[4])
    kept = np.flatnonzero(vis[:, 36] * vis[:, 45])
    assert 3 <= len(kept) < len(vis)
    expected = nme(pred[kept], gt[kept], scheme="coco_wholebody_face", visible=vis[kept])
    value = nme(pred, gt, scheme="coco_wholebody_face", visible=vis, strict_norm=True)
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    metric = NME("coco_wholebody_face", strict_norm=True)
    metric.update_state(gt, pred, sample_weight=vis)
    np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-6)


def test_hand_computed_case():
    gt = np.zeros((2, 98, 2), np.float32)
    gt[:, 72, 0] = 10.0  # inter-ocular distance 10 px
    pred = gt.copy()
    pred[0, 0] = [3.0, 4.0]  # 5 px off: 0.5
    pred[1, 1] = [0.0, 2.0]  # 2 px off: 0.2
    pred[1, 2] = [6.0, 8.0]  # 10 px off, but invisible
    vis = np.ones((2, 98))
    vis[1, 2] = 0
    np.testing.assert_allclose(nme(pred, gt, scheme="wflw", visible=vis), 0.7 / 195, rtol=1e-6)
    np.testing.assert_allclose(
        per_image_nme(pred, gt, scheme="wflw", visible=vis),
        [0.5 / 98, 0.2 / 97],
        rtol=1e-6,
    )


def test_errors():
    x = np.zeros((1, 19, 2))
    with pytest.raises(ValueError, match="norm"):
        nme(x, x, scheme="aflw")
    with pytest.raises(ValueError, match="norm"):
        NME("aflw").update_state(x, x)
    with pytest.raises(ValueError, match="98 keypoints"):
        nme(x, x, scheme="wflw")
    with pytest.raises(ValueError, match="unknown keypoint scheme"):
        NME("helen")


def test_metric_config_round_trip():
    metric = NME("cofw", strict_norm=True, name="nme_cofw")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert restored.get_config() == metric.get_config()


def test_metric_in_compile_with_normalised_coordinates(ref):
    """Units cancel in the NME: a regression model's [0, 1] outputs work in compile.

    Visibility reaches the metric only through ``weighted_metrics``.
    """
    pred, gt, vis, _ = inputs(ref, "cofw")
    x = pred.reshape(len(pred), -1) / 256.0
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Reshape(pred.shape[1:])])
    model.compile(loss="mse", weighted_metrics=[NME("cofw")])
    result = model.evaluate(
        x, gt / 256.0, sample_weight=vis, batch_size=2, return_dict=True, verbose=0
    )
    expected = nme(pred, gt, scheme="cofw", visible=vis)
    np.testing.assert_allclose(result["nme"], expected, rtol=1e-5)


def test_damaged_annotations_never_make_the_metric_nan():
    """NaN/inf ground truth is unlabelled; a NaN/inf/zero normaliser leaves the image out."""
    gt = np.zeros((3, 98, 2), np.float32)
    gt[:, 72, 0] = 10.0  # inter-ocular distance 10 px
    pred = gt + np.float32(1.0)  # every point sqrt(2) px off
    gt[0, 5] = [np.nan, 1.0]  # one damaged point: left out
    gt[1, 60] = [np.inf, 0.0]  # damaged eye corner: the whole image left out
    gt[2, 72, 0] = 0.0  # zero inter-ocular distance: image left out
    expected = np.sqrt(2.0) / 10.0
    np.testing.assert_allclose(nme(pred, gt, scheme="wflw"), expected, rtol=1e-6)
    per_image = per_image_nme(pred, gt, scheme="wflw")
    np.testing.assert_allclose(per_image[0], expected, rtol=1e-6)
    assert np.isnan(per_image[1:]).all()  # documented: NaN for a left-out image
    metric = NME("wflw")
    metric.update_state(gt, pred)
    np.testing.assert_allclose(float(metric.result()), expected, rtol=1e-5)
    aflw = np.zeros((2, 19, 2), np.float32)
    box = np.array([np.nan, -5.0], np.float32)  # NaN and negative box sizes
    # The NaN box leaves its image out; a negative one is MMPose's 1e6 stand-in.
    np.testing.assert_allclose(
        nme(aflw + 1, aflw, scheme="aflw", norm=box), np.sqrt(2.0) / 1e6, rtol=1e-5
    )
    metric = NME("aflw")
    metric.update_state(aflw, aflw + 1, norm=box)
    assert np.isfinite(float(metric.result()))
