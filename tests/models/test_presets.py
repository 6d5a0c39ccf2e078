"""Preset registry: names, class-scoped names, exact class checks, recipe-only rows,
the user's checkpoint path, and a preset registered the way the docs describe."""

from __future__ import annotations

import numpy as np
import pytest

from keras_facelm.models import (
    DeepPoseResNet50,
    Hourglass52,
    Hourglass52Heatmap,
    HRNetV2W18,
    MobileNetV2,
    MobileNetV2Heatmap,
    ResNet50,
    ResNet50Heatmap,
    SCNet50Heatmap,
    from_preset,
    get_preset,
    list_presets,
    preset_class,
)
from keras_facelm.models import preset as preset_registry
from tests.models import harness

SEED_ROWS = {
    HRNetV2W18: [
        "hrnetv2_w18_300w", "hrnetv2_w18_aflw", "hrnetv2_w18_awing_wflw",
        "hrnetv2_w18_coco_wholebody_face", "hrnetv2_w18_cofw", "hrnetv2_w18_dark_aflw",
        "hrnetv2_w18_dark_coco_wholebody_face", "hrnetv2_w18_dark_wflw", "hrnetv2_w18_wflw",
    ],
    ResNet50Heatmap: ["res50_coco_wholebody_face", "res50_starloss_wflw"],
    SCNet50Heatmap: ["scnet50_coco_wholebody_face"],
    MobileNetV2Heatmap: ["mobilenetv2_coco_wholebody_face"],
    Hourglass52Heatmap: ["hourglass52_coco_wholebody_face"],
    DeepPoseResNet50: [
        "deeppose_res50_softwingloss_wflw", "deeppose_res50_wflw", "deeppose_res50_wingloss_wflw",
    ],
}  # fmt: skip


def test_each_class_owns_exactly_its_presets():
    for cls, names in SEED_ROWS.items():
        assert list_presets(cls=cls) == names
        assert sorted(cls.presets) == names
        assert all(preset_class(n) is cls for n in names)
    assert sum(len(v) for v in SEED_ROWS.values()) == len(list_presets())


def test_old_names_are_aliases_of_the_heatmap_detectors():
    assert ResNet50 is ResNet50Heatmap and MobileNetV2 is MobileNetV2Heatmap
    assert Hourglass52 is Hourglass52Heatmap


def test_hashes_urls_and_published_numbers():
    p = get_preset("hrnetv2_w18_300w")
    assert p.sha256_prefix == "eea53406" and p.model_kwargs["codec"]["sigma"] == 1.5
    assert p.checkpoint_url.endswith("hrnetv2_w18_300w_256x256-eea53406_20211019.pth")
    assert get_preset("hrnetv2_w18_dark_wflw").model_kwargs["codec"]["unbiased"] is True
    res = get_preset("res50_coco_wholebody_face")
    assert res.sha256_prefix == "5128edf5" and res.published_nme == {"val": 0.0582}
    wing = get_preset("deeppose_res50_wingloss_wflw")
    assert wing.sha256_prefix == "f82a5e53" and wing.published_nme["test"] == 4.64
    assert get_preset("deeppose_res50_softwingloss_wflw").published_nme == {"test": 4.44}
    for name in list_presets():
        p = get_preset(name)
        assert p.weights_license and p.dataset_terms, name


def test_a_subclass_is_not_its_parents_preset():
    # MobileNetV2Heatmap and ResNet50Heatmap share a parent; neither loads the other's row.
    with pytest.raises(ValueError, match="is a MobileNetV2Heatmap preset, not a ResNet50Heatmap"):
        ResNet50Heatmap.from_preset("mobilenetv2_coco_wholebody_face")
    with pytest.raises(ValueError, match="SCNet50Heatmap short names: coco_wholebody_face"):
        SCNet50Heatmap.from_preset("wflw")
    with pytest.raises(ValueError, match="short names: softwingloss_wflw, wflw, wingloss_wflw"):
        DeepPoseResNet50.from_preset("awing")
    with pytest.raises(ValueError, match="res50_coco_wholebody_face"):
        from_preset("res50_no_such_preset")


def test_star_recipe_is_trainable_only_and_explains_itself():
    assert "res50_starloss_wflw" in list_presets(with_weights=False)
    assert get_preset("res50_starloss_wflw").train_loss == "STARLoss"
    with pytest.raises(ValueError, match="recipe-only.*STARLoss.*save_to_preset"):
        ResNet50Heatmap.from_preset("starloss_wflw")


def test_user_checkpoint_from_a_file_url_converts_a_legacy_0x_file():
    preset = "hrnetv2_w18_dark_wflw"
    record, arrays, images = harness.load_model_fixture(preset)
    tiny = harness.tiny_preset_model(preset)
    v0 = harness.MODEL_FIXTURES / record["checkpoints"]["v0"]
    model = HRNetV2W18.from_preset(
        "dark_wflw", checkpoint=v0.as_uri(), backbone=tiny.backbone, head=tiny.head_config
    )
    out = model.predict_landmarks(images, flip_test=True)
    stable = arrays["keypoints_flip_stable"]
    err = np.abs(out["keypoints"] - arrays["keypoints_flip"]).max(-1)[stable]
    assert err.max() < 0.01


def test_wrong_architecture_checkpoint_is_refused_naming_keys():
    record = harness.load_model_fixture("res50_coco_wholebody_face")[0]
    ckpt = harness.MODEL_FIXTURES / record["checkpoints"]["v1"]
    with pytest.raises(
        ValueError,
        match=r"not a checkpoint of preset 'hrnetv2_w18_coco_wholebody_face'.*unused \(backbone\.layer",
    ):
        HRNetV2W18.from_preset("coco_wholebody_face", checkpoint=str(ckpt))


def test_a_preset_registered_beside_a_new_class_loads(tmp_path, monkeypatch):
    """What ARCHITECTURE.md tells a newcomer to do: declare presets, register them on the class."""
    monkeypatch.setattr(preset_registry, "_REGISTRY", dict(preset_registry._REGISTRY))
    record = harness.load_model_fixture("hrnetv2_w18_aflw")[0]
    ckpt = harness.MODEL_FIXTURES / record["checkpoints"]["v1"]

    class TinyAFLW(HRNetV2W18):
        preset_prefix = "tiny_"

    tiny = harness.tiny_preset_model("hrnetv2_w18_aflw")
    preset_registry.register_presets(TinyAFLW, [
        preset_registry.Preset(
            name="tiny_aflw", mmpose_config="aflw/tiny.py", checkpoint_url=ckpt.as_uri(),
            sha256_prefix=None, train_loss="KeypointMSELoss", published_nme={},
            nme_unit="percent",
            model_kwargs=dict(num_keypoints=19, scheme="aflw", backbone=tiny.backbone,
                              head=tiny.head_config),
        ),
    ])  # fmt: skip
    monkeypatch.setenv("KERAS_FACELM_HOME", str(tmp_path))
    model = TinyAFLW.from_preset("aflw")
    assert type(model) is TinyAFLW and "tiny_aflw" in list_presets(cls=TinyAFLW)
    assert "tiny_aflw" not in HRNetV2W18.presets
    with pytest.raises(ValueError, match="is a TinyAFLW preset, not a HRNetV2W18"):
        HRNetV2W18.from_preset("tiny_aflw")


def test_a_compiled_model_saves_a_preset_that_loads_without_training_classes(tmp_path):
    import json

    import keras

    model = harness.tiny_preset_model("hrnetv2_w18_aflw")
    model.compile(optimizer="adam", loss=keras_facelm_loss())
    preset_dir = model.save_to_preset(tmp_path / "trained")
    assert "compile_config" not in json.loads((preset_dir / "config.json").read_text())
    assert type(HRNetV2W18.from_preset(preset_dir)) is HRNetV2W18
    # A directory written with the compile config (older versions) loads too.
    config = json.loads((preset_dir / "config.json").read_text())
    config["compile_config"] = {"loss": {"class_name": "NoSuchLoss", "config": {}}}
    (preset_dir / "config.json").write_text(json.dumps(config))
    assert type(HRNetV2W18.from_preset(preset_dir)) is HRNetV2W18
    del keras


def keras_facelm_loss():
    from keras_facelm.losses import KeypointMSELoss

    return KeypointMSELoss()


def test_weights_reload_after_predict_landmarks(tmp_path):
    model = harness.tiny_preset_model("hrnetv2_w18_aflw")
    images = np.zeros((1, 256, 256, 3), "float32")
    before = model.predict_landmarks(images, flip_test=True)["keypoints"]
    model.save_weights(tmp_path / "w.weights.h5")
    model.load_weights(tmp_path / "w.weights.h5")  # used to recurse through the cached model
    np.testing.assert_array_equal(
        model.predict_landmarks(images, flip_test=True)["keypoints"], before
    )
