"""HRNetV2W18: architecture, serialisation, training step, presets and converter errors."""

import dataclasses
import json

import keras
import numpy as np
import pytest

from keras_facelm.backbones.hrnet import HRNetBackbone
from keras_facelm.checkpoints import StateDictMismatchError, port_state_dict
from keras_facelm.models import HRNetV2W18, from_preset, get_preset
from keras_facelm.models import preset as preset_registry
from tests.checkpoints.mmpose_layout import mmpose_state_dict
from tests.models.harness import MODEL_FIXTURES, load_model_fixture, tiny_preset_model
from tests.models.tiny_hrnet import TINY_HRNET_STAGES


def _replace_preset(monkeypatch, spec, **changes):
    """Registers a changed copy of ``spec`` for the test's duration."""
    monkeypatch.setitem(
        preset_registry._REGISTRY,
        spec.name,
        (HRNetV2W18, dataclasses.replace(spec, **changes)),
    )


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def _tiny(k=19, scheme="aflw", **kw):
    return HRNetV2W18(k, scheme=scheme, backbone=HRNetBackbone(stages=TINY_HRNET_STAGES), **kw)


@pytest.mark.parametrize("k,scheme,expected", [(98, "wflw", 9_662_528), (19, "aflw", 9_641_119)])
def test_w18_trainable_parameters_equal_mmpose(k, scheme, expected):
    # MMPose 1.3.2's trainable parameter counts.
    model = HRNetV2W18(k, scheme=scheme)
    assert _trainable(model) == expected
    assert model.output_shape == (None, 64, 64, k)


def test_widths_are_configurable():
    from keras_facelm.backbones.hrnet import hrnet_stages

    model = HRNetV2W18(19, scheme="aflw", backbone=HRNetBackbone(hrnet_stages(32)))
    assert model.get_layer("head-conv_layers-0").filters == 32 * 15  # 480 = 32+64+128+256


def test_config_round_trip_equals_constructor_arguments():
    args = dict(
        num_keypoints=19,
        scheme="aflw",
        codec={"sigma": 2.0, "unbiased": True},
        test_cfg={"flip_test": False},
        name="tiny",
    )
    model = _tiny(**{k: v for k, v in args.items() if k not in ("num_keypoints", "scheme")})
    config = model.get_config()
    assert config["num_keypoints"] == 19 and config["scheme"] == "aflw"
    assert config["codec"]["unbiased"] is True and config["codec"]["sigma"] == 2.0
    assert config["test_cfg"] == {"flip_test": False, "shift_heatmap": True}
    from keras_facelm.utils.config import as_tuples

    assert config["backbone"]["config"]["stages"] == as_tuples(TINY_HRNET_STAGES)
    clone = HRNetV2W18.from_config(config)
    assert clone.get_config() == config


def test_predict_landmarks_shapes_and_bad_input():
    model = _tiny()
    x = np.random.default_rng(3).uniform(0, 255, (2, 256, 256, 3)).astype("float32")
    out = model.predict_landmarks(x)
    assert out["keypoints"].shape == (2, 19, 2) and out["scores"].shape == (2, 19)
    assert out["keypoints"].dtype == np.float32
    single = model.predict_landmarks(x[0].astype("uint8"), flip_test=False)
    assert single["keypoints"].shape == (1, 19, 2)
    with pytest.raises(ValueError, match="256x256"):
        model.predict_landmarks(np.zeros((1, 128, 128, 3)))
    with pytest.raises(ValueError, match="RGB"):
        model.predict_landmarks(np.zeros((1, 256, 256)))


def test_preset_directory_round_trip_and_class_checks(tmp_path):
    model = _tiny(name="tiny_aflw")
    model.save_to_preset(tmp_path / "p")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    meta = json.loads((tmp_path / "p" / "metadata.json").read_text())
    assert meta["class_name"] == "HRNetV2W18"
    for loaded in (
        from_preset(tmp_path / "p"),
        HRNetV2W18.from_preset(str(tmp_path / "p")),
    ):
        for a, b in zip(model.weights, loaded.weights, strict=True):
            np.testing.assert_array_equal(
                keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b)
            )
    with pytest.raises(FileNotFoundError, match="model.weights.h5"):
        (tmp_path / "p" / "model.weights.h5").unlink()
        from_preset(tmp_path / "p")


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="short names: .*dark_wflw"):
        HRNetV2W18.from_preset("no_such_thing")
    with pytest.raises(ValueError, match="hrnetv2_w18_wflw"):
        from_preset("bogus")


def test_port_rejects_wrong_architecture_naming_keys():
    src = _tiny()
    sd = mmpose_state_dict(src)
    dst = _tiny()
    port_state_dict(dst, sd)  # round trip of our own layout works
    sd_bad = dict(sd)
    sd_bad["head.final_layer.weight"] = np.zeros((98, 60, 1, 1), "float32")
    sd_bad["backbone.extra.weight"] = np.zeros((3,), "float32")
    del sd_bad["backbone.conv1.weight"]
    with pytest.raises(StateDictMismatchError) as e:
        port_state_dict(dst, sd_bad)
    msg = str(e.value)
    assert "\n" not in msg
    assert "head.final_layer.weight" in msg and "backbone.extra.weight" in msg
    assert "backbone.conv1.weight" in msg


def test_truncated_checkpoint_gives_one_line_error_and_no_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_FACELM_HOME", str(tmp_path / "home"))
    bad = tmp_path / "hrnetv2_w18_aflw_256x256-f2bbc62b_20210125.pth"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 50)
    with pytest.raises(ValueError) as e:
        HRNetV2W18.from_preset("aflw", checkpoint=bad.as_uri())
    assert "\n" not in str(e.value)
    presets = tmp_path / "home" / "presets"
    assert not presets.exists() or not any(presets.iterdir())


def test_registered_preset_download_conversion_and_cache(tmp_path, monkeypatch):
    """A registered preset resolves through a file:// URL, converts, caches atomically."""
    from keras_facelm.utils.download import sha256_of_file

    record, arrays, images = load_model_fixture("hrnetv2_w18_aflw")
    v1 = MODEL_FIXTURES / record["checkpoints"]["v1"]
    tiny = tiny_preset_model("hrnetv2_w18_aflw")
    monkeypatch.setenv("KERAS_FACELM_HOME", str(tmp_path / "home"))
    spec = get_preset("hrnetv2_w18_aflw")
    _replace_preset(
        monkeypatch,
        spec,
        checkpoint_url=v1.as_uri(),
        sha256_prefix=sha256_of_file(v1)[:8],
        model_kwargs={
            **spec.model_kwargs,
            "backbone": tiny.backbone,
            "head": tiny.head_config,
        },
    )
    model = HRNetV2W18.from_preset("aflw")
    cached = tmp_path / "home" / "presets" / "hrnetv2_w18_aflw"
    assert (cached / "config.json").is_file()
    v1.rename(tmp_path / "moved.pth")  # a cache hit must not need the checkpoint
    try:
        again = HRNetV2W18.from_preset("aflw")
    finally:
        (tmp_path / "moved.pth").rename(v1)
    np.testing.assert_array_equal(
        model.predict(images, verbose=0), again.predict(images, verbose=0)
    )
    out = again.predict_landmarks(images, flip_test=True)
    stable = arrays["keypoints_flip_stable"]
    assert np.abs(out["keypoints"] - arrays["keypoints_flip"]).max(-1)[stable].max() < 0.01


def test_sha_mismatch_leaves_nothing_in_the_cache(tmp_path, monkeypatch):
    record = load_model_fixture("hrnetv2_w18_aflw")[0]
    v1 = MODEL_FIXTURES / record["checkpoints"]["v1"]
    monkeypatch.setenv("KERAS_FACELM_HOME", str(tmp_path / "home"))
    _replace_preset(
        monkeypatch,
        get_preset("hrnetv2_w18_aflw"),
        checkpoint_url=v1.as_uri(),
        sha256_prefix="00000000",
    )
    with pytest.raises(ValueError, match="00000000"):
        HRNetV2W18.from_preset("aflw")
    leftovers = [p for p in (tmp_path / "home").rglob("*") if p.is_file()]
    assert leftovers == []
