"""HeatmapDecoder against MMPose's MSRAHeatmap decode (plain and DARK).

References: ``tests/data/parity/decoding_*.npz``, written by
``tests/parity/make_decoding_fixtures.py`` with MMPose 1.3.2 (its
``HeatmapHead.predict`` with an identity head). Tolerances: 0.01 input px for
keypoints, 1e-6 for scores. The one exception is a DARK maximum so flat that
MMPose's own result moves when its input changes at float32 rounding level:
the fixtures store that movement ``s`` (``dark_*_sensitivity``, in px), and such
keypoints may differ by ``0.01 + 2 s`` (one keypoint of the edge set, s = 0.005).
"""

from __future__ import annotations

import subprocess

import keras
import numpy as np
import pytest

from keras_facelm.layers import HeatmapDecoder, HeatmapFlipMerge
from tests.conftest import REPO, TEST_DATA, mmpose_env, mmpose_python

SETS = ("wflw", "300w", "aflw", "edge")
PX_TOL = 0.01
SCORE_TOL = 1e-6


def load_set(name, directory=None):
    directory = directory or TEST_DATA / "parity"
    with np.load(directory / f"decoding_{name}.npz") as data:
        return {key: data[key] for key in data.files}


def decoder_for(data, mode):
    scale = tuple(float(s) for s in data["input_size"] / data["heatmap_size"])
    return HeatmapDecoder(
        unbiased=mode == "dark",
        blur_kernel_size=int(data["blur_kernel_size"]),
        scale=scale,
    )


def assert_matches(out, data, key):
    keypoints = keras.ops.convert_to_numpy(out["keypoints"])
    scores = keras.ops.convert_to_numpy(out["scores"])
    ref = data[f"{key}_keypoints"]
    assert keypoints.dtype == np.float32 and keypoints.shape == ref.shape
    tolerance = PX_TOL + 2 * data.get(f"{key}_sensitivity", 0.0)
    err = np.abs(keypoints - ref).max(axis=-1)
    worst = np.unravel_index(np.argmax(err - tolerance), err.shape)
    assert np.all(err <= tolerance), (
        f"{key}: error {err[worst]:.4g} px at (n, k) = {worst}: "
        f"ours {keypoints[worst]}, MMPose {ref[worst]}"
    )
    np.testing.assert_allclose(scores, data[f"{key}_scores"], rtol=0, atol=SCORE_TOL)


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("mode", ["plain", "dark"])
def test_decode_matches_mmpose(name, mode):
    data = load_set(name)
    out = decoder_for(data, mode)(data["heatmaps"])
    assert_matches(out, data, f"{mode}_noflip")


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("mode", ["plain", "dark"])
def test_flip_test_decode_matches_mmpose(name, mode):
    data = load_set(name)
    merged = HeatmapFlipMerge(data["flip_indices"])([data["heatmaps"], data["heatmaps_flip"]])
    assert_matches(decoder_for(data, mode)(merged), data, f"{mode}_flip")


def _compiled(fn, backend):
    if backend == "jax":
        import jax

        return jax.jit(fn)
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    pytest.skip("torch has no cheap whole-graph compile here; eager torch is tested above")


@pytest.mark.parametrize("mode", ["plain", "dark"])
def test_compiled_decode_matches_mmpose(mode, backend):
    data = load_set("edge")  # the edge set also takes DARK's log-floor branch
    decoder = decoder_for(data, mode)
    fn = _compiled(lambda h: decoder(h), backend)
    assert_matches(fn(data["heatmaps"]), data, f"{mode}_noflip")


@pytest.mark.parametrize("mode", ["plain", "dark"])
def test_symbolic_model_with_dynamic_batch(mode):
    data = load_set("aflw")
    _, h, w, k = data["heatmaps"].shape
    inputs = keras.Input((h, w, k))
    outputs = decoder_for(data, mode)(inputs)
    assert outputs["keypoints"].shape == (None, k, 2)
    assert outputs["scores"].shape == (None, k)
    model = keras.Model(inputs, outputs)
    for n in (1, 3):
        out = model.predict(data["heatmaps"][:n], batch_size=n, verbose=0)
        sliced = {key: value[:n] for key, value in data.items() if key.startswith(f"{mode}_noflip")}
        assert_matches(out, sliced, f"{mode}_noflip")


def test_tf_function_with_unknown_batch(backend):
    if backend != "tensorflow":
        pytest.skip("tf.function input signatures need the TensorFlow backend")
    import tensorflow as tf

    data = load_set("300w")
    decoder = decoder_for(data, "dark")
    spec = tf.TensorSpec((None,) + data["heatmaps"].shape[1:], tf.float32)
    fn = tf.function(lambda h: decoder(h), input_signature=[spec])
    assert_matches(fn(data["heatmaps"]), data, "dark_noflip")


def test_ties_pick_the_first_maximum_in_row_major_order():
    # two equal maxima: (x=5, y=1) comes first in row-major order, (x=1, y=3) later
    heat = np.zeros((1, 6, 7, 2), np.float32)
    heat[0, 1, 5, 0] = heat[0, 3, 1, 0] = 1.0
    heat[0, :, :, 1] = 0.5  # constant map: first element
    out = HeatmapDecoder(scale=(1.0, 1.0))(heat)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out["keypoints"]), [[[5, 1], [0, 0]]])


def test_config_round_trip_and_serialization():
    layer = HeatmapDecoder(unbiased=True, blur_kernel_size=7, scale=(4.0, 2.0), name="decode")
    config = layer.get_config()
    assert {k: config[k] for k in ("unbiased", "blur_kernel_size", "scale", "name")} == {
        "unbiased": True,
        "blur_kernel_size": 7,
        "scale": [4.0, 2.0],
        "name": "decode",
    }
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(clone) is HeatmapDecoder and clone.get_config() == config


def test_saved_model_file_round_trip(tmp_path):
    data = load_set("300w")
    inputs = keras.Input(data["heatmaps"].shape[1:])
    model = keras.Model(inputs, decoder_for(data, "dark")(inputs))
    path = tmp_path / "decoder.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert_matches(loaded.predict(data["heatmaps"], verbose=0), data, "dark_noflip")


def test_invalid_arguments_are_named():
    with pytest.raises(ValueError, match="blur_kernel_size"):
        HeatmapDecoder(unbiased=True, blur_kernel_size=10)
    with pytest.raises(ValueError, match="scale"):
        HeatmapDecoder(scale=(4.0,))
    with pytest.raises(ValueError, match=r"\(N, H, W, K\)"):
        HeatmapDecoder()(np.zeros((2, 64, 64), np.float32))


@pytest.mark.mmpose
def test_regenerated_fixtures_match_committed_inputs_and_our_layers(tmp_path):
    script = REPO / "tests" / "parity" / "make_decoding_fixtures.py"
    subprocess.run(
        [str(mmpose_python()), str(script), "--output", str(tmp_path)],
        check=True,
        capture_output=True,
        cwd=REPO,
        env=mmpose_env(),
    )
    for name in SETS:
        fresh, committed = load_set(name, tmp_path), load_set(name)
        np.testing.assert_array_equal(fresh["heatmaps"], committed["heatmaps"])
        np.testing.assert_array_equal(fresh["heatmaps_flip"], committed["heatmaps_flip"])
        for mode in ("plain", "dark"):
            decoder = decoder_for(fresh, mode)
            assert_matches(decoder(fresh["heatmaps"]), fresh, f"{mode}_noflip")
            merge = HeatmapFlipMerge(fresh["flip_indices"])
            merged = merge([fresh["heatmaps"], fresh["heatmaps_flip"]])
            assert_matches(decoder(merged), fresh, f"{mode}_flip")
