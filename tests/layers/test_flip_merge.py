"""Flip-test layers against MMPose's ``flip_heatmaps`` / ``flip_coordinates``.

References: ``tests/data/parity/decoding_aflw.npz`` (``merged``: MMPose's
``flip_heatmaps(..., shift_heatmap=True)`` averaged with the original) and
``decoding_coordinate_flip.npz`` (MMPose's ``RegressionHead.predict`` with an
identity fc and flip test), both written by
``tests/parity/make_decoding_fixtures.py``. The decoded flip-test keypoints are
compared in ``test_heatmap_decoding.py``.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_facelm.data import get_scheme
from keras_facelm.layers import CoordinateFlipMerge, HeatmapFlipMerge
from tests.conftest import TEST_DATA


def load(name):
    with np.load(TEST_DATA / "parity" / f"decoding_{name}.npz") as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize(
    ("fixture", "scheme"), [("wflw", "wflw"), ("300w", "300w"), ("aflw", "aflw")]
)
def test_fixture_flip_indices_are_the_schemes(fixture, scheme):
    assert load(fixture)["flip_indices"].tolist() == list(get_scheme(scheme).flip_indices)


def test_heatmap_flip_merge_is_mmpose_exactly():
    data = load("aflw")  # non-square 48x40 maps, 19 keypoints
    merged = HeatmapFlipMerge(data["flip_indices"])([data["heatmaps"], data["heatmaps_flip"]])
    merged = keras.ops.convert_to_numpy(merged)
    assert merged.dtype == np.float32
    np.testing.assert_array_equal(merged, data["merged"])


def test_heatmap_flip_merge_in_a_model_with_dynamic_batch():
    data = load("aflw")
    shape = data["heatmaps"].shape[1:]
    a, b = keras.Input(shape), keras.Input(shape)
    model = keras.Model([a, b], HeatmapFlipMerge(data["flip_indices"])([a, b]))
    out = model.predict([data["heatmaps"][:2], data["heatmaps_flip"][:2]], verbose=0)
    np.testing.assert_array_equal(out, data["merged"][:2])


def test_heatmap_flip_merge_without_shift():
    # shift_heatmap=False: only the W flip and the channel permutation
    heat = np.arange(2 * 3 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 2)
    flipped = np.random.default_rng(0).normal(size=heat.shape).astype(np.float32)
    merged = HeatmapFlipMerge([1, 0], shift_heatmap=False)([heat, flipped])
    expected = (heat + flipped[:, :, ::-1, ::-1]) * 0.5
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(merged), expected)


@pytest.mark.parametrize("shift", [True, False])
def test_coordinate_flip_merge_matches_mmpose_regression_head(shift):
    data = load("coordinate_flip")
    width = int(data["input_size"][0])
    merge = CoordinateFlipMerge(data["flip_indices"], input_width=width, shift_coords=shift)
    merged = keras.ops.convert_to_numpy(merge([data["coords"], data["coords_flip"]]))
    keypoints = merged * data["input_size"].astype(np.float32)
    ref = data["shift_keypoints" if shift else "noshift_keypoints"]
    np.testing.assert_allclose(keypoints, ref, rtol=0, atol=1e-4)


def test_configs_round_trip():
    layers = [
        HeatmapFlipMerge([2, 1, 0], shift_heatmap=False, name="merge"),
        CoordinateFlipMerge([1, 0], input_width=192, shift_coords=False, name="coords"),
    ]
    for layer in layers:
        config = layer.get_config()
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(clone) is type(layer) and clone.get_config() == config
    assert layers[0].get_config()["flip_indices"] == [2, 1, 0]
    assert layers[0].get_config()["shift_heatmap"] is False
    assert layers[1].get_config()["input_width"] == 192


def test_invalid_inputs_are_named():
    with pytest.raises(ValueError, match="permutation"):
        HeatmapFlipMerge([0, 0, 1])
    with pytest.raises(ValueError, match="input_width"):
        CoordinateFlipMerge([0], input_width=0)
    heat = np.zeros((1, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match="3 keypoints"):
        HeatmapFlipMerge([1, 0])([heat, heat])
    with pytest.raises(ValueError, match=r"\(N, K, 2\)"):
        CoordinateFlipMerge([1, 0], input_width=8)([np.zeros((1, 2, 3)), np.zeros((1, 2, 3))])
