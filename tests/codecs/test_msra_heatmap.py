"""MSRAHeatmap.encode against MMPose's encoder (bit for bit) and values computed with
MMPose 1.3.2."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from keras_facelm.codecs import MSRAHeatmap

PARITY = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity"
SETS = {
    "s2": (2.0, False),
    "s15": (1.5, False),
    "s2_dark": (2.0, True),
    "s15_dark": (1.5, True),
}


@pytest.fixture(scope="module")
def ref():
    """MMPose's outputs (tests/parity/make_codec_loss_metric_fixtures.py)."""
    return dict(np.load(PARITY / "codec_msra.npz"))


@pytest.mark.parametrize("name", sorted(SETS))
def test_matches_mmpose_bit_for_bit(ref, name):
    sigma, unbiased = SETS[name]
    codec = MSRAHeatmap((256, 256), (64, 64), sigma=sigma, unbiased=unbiased)
    heatmaps, weights = codec.encode(ref[f"{name}_keypoints"], ref[f"{name}_visible"])
    assert heatmaps.dtype == np.float32 and weights.dtype == np.float32
    assert heatmaps.shape == (64, 64, len(weights))
    np.testing.assert_array_equal(heatmaps, ref[f"{name}_heatmaps"].transpose(1, 2, 0))
    np.testing.assert_array_equal(weights, ref[f"{name}_weights"])


def test_fixture_covers_zeroed_weights_and_empty_maps(ref):
    for name in SETS:
        vis, w = ref[f"{name}_visible"], ref[f"{name}_weights"]
        assert ((vis == 1) & (w == 0)).any(), name  # out of range
    hm, w = ref["s15_heatmaps"], ref["s15_weights"]
    assert ((w == 1) & (hm.reshape(len(w), -1).max(1) == 0)).any()  # right == 0 case


SPEC_KP = np.array([[100.3, 57.9], [10.0, 200.2], [3.1, 3.1], [128, 128], [250.7, 5.2]], np.float32)


def argmax_px(heatmaps):
    k = heatmaps.shape[-1]
    flat = heatmaps.reshape(-1, k)
    idx = flat.argmax(0)
    return np.stack([idx % heatmaps.shape[1], idx // heatmaps.shape[1]], -1) * 4


@pytest.mark.parametrize(
    "sigma, expected",
    [
        (2.0, [[100, 56], [12, 200], [4, 4], [128, 128], [252, 4]]),
        # the sigma-1.5 truncation quirk: +1 heatmap px near the left/top border
        (1.5, [[100, 56], [16, 200], [8, 8], [128, 128], [252, 8]]),
    ],
)
def test_spec_peak_positions(sigma, expected):
    heatmaps, weights = MSRAHeatmap(sigma=sigma).encode(SPEC_KP)
    np.testing.assert_array_equal(argmax_px(heatmaps), expected)
    np.testing.assert_array_equal(weights, 1)
    assert heatmaps.max() == 1.0


def test_invisible_and_far_points_get_zero_weight_and_no_target():
    kp = np.array([[50.0, 50.0], [400.0, 10.0], [60.0, 60.0]], np.float32)
    vis = np.array([1.0, 1.0, 0.0], np.float32)
    for unbiased in (False, True):
        heatmaps, weights = MSRAHeatmap(unbiased=unbiased).encode(kp, vis)
        np.testing.assert_array_equal(weights, [1, 0, 0])
        assert heatmaps[..., 1].max() == 0 and heatmaps[..., 2].max() == 0


def test_encode_tf_in_a_dataset():
    tf = pytest.importorskip("tensorflow")
    codec = MSRAHeatmap(sigma=1.5)
    kp = np.stack([SPEC_KP, SPEC_KP[::-1] + 1.5]).astype(np.float32)
    vis = np.ones((2, 5), np.float32)
    ds = tf.data.Dataset.from_tensor_slices((kp, vis)).map(codec.encode_tf)
    assert ds.element_spec[0].shape == (64, 64, 5)
    for (h, w), k in zip(ds.as_numpy_iterator(), kp, strict=True):
        ref_h, ref_w = codec.encode(k, np.ones(5, np.float32))
        np.testing.assert_array_equal(h, ref_h)
        np.testing.assert_array_equal(w, ref_w)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match=r"\(K, 2\)"):
        MSRAHeatmap().encode(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="visible"):
        MSRAHeatmap().encode(np.zeros((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match="sigma"):
        MSRAHeatmap(sigma=0)


def test_decode_of_encode_finds_the_keypoints_and_config_round_trips():
    codec = MSRAHeatmap(input_size=(64, 64), heatmap_size=(16, 16), sigma=2.0, unbiased=True)
    keypoints = np.array([[20.0, 32.0], [41.0, 30.0]], np.float32)  # away from the border
    heatmaps, _ = codec.encode(keypoints)
    out = codec.decode(heatmaps[None])
    np.testing.assert_allclose(out["keypoints"][0], keypoints, atol=0.05)
    assert MSRAHeatmap.from_config(codec.get_config()) == codec
    assert codec.target_shape(2) == (16, 16, 2)
