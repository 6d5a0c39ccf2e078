"""Every recipe's settings equal its MMPose config's, read by mmengine.

Reference: ``tests/data/parity/recipe_configs.json`` (written by
``tests/parity/make_lr_schedule_fixtures.py`` from ``mmengine.Config.fromfile``
of each config).
"""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from keras_facelm.models.heatmap_detector import DEFAULT_TEST_CFG
from keras_facelm.models.regression_detector import DEFAULT_REGRESSION_TEST_CFG
from keras_facelm.training import TorchAdam, get_recipe
from keras_facelm.training.recipes import RECIPES

MMPOSE_RECIPES = sorted(n for n in RECIPES if n != "synthetic_quick")


@pytest.fixture(scope="module")
def configs():
    from tests.conftest import TEST_DATA

    return json.loads((TEST_DATA / "parity" / "recipe_configs.json").read_text())


@pytest.mark.parametrize("name", MMPOSE_RECIPES)
def test_recipe_equals_mmpose_config(configs, name):
    r, c = get_recipe(name), configs[name]
    assert c["optimizer"] == {"type": "Adam", "lr": r.schedule.base_lr}
    warm, steps = c["param_scheduler"]
    assert warm == dict(
        type="LinearLR",
        begin=0,
        end=r.schedule.warmup_iters,
        start_factor=r.schedule.warmup_start_factor,
        by_epoch=False,
    )
    assert steps == dict(
        type="MultiStepLR",
        begin=0,
        end=r.schedule.decay_end,
        milestones=list(r.schedule.milestones),
        gamma=r.schedule.gamma,
        by_epoch=True,
    )
    assert c["max_epochs"] == r.epochs
    assert c["val_interval"] == r.val_interval
    assert c["batch_per_gpu"] == r.batch_per_gpu
    assert r.schedule.reference_batch == r.batch_size == 8 * c["batch_per_gpu"]
    if c["random_bbox_transform"] is not None:  # not in the hand-copied STAR config
        rbt = c["random_bbox_transform"]
        assert r.bbox_transform["shift_prob"] == rbt.get("shift_prob", 0.3)
        assert r.bbox_transform["rotate_factor"] == rbt["rotate_factor"]
        assert tuple(r.bbox_transform["scale_factor"]) == tuple(rbt["scale_factor"])
        assert r.bbox_transform["shift_factor"] == 0.16  # MMPose's default
        assert r.bbox_transform["rotate_prob"] == 0.6 and r.bbox_transform["scale_prob"] == 1.0
    if c["loss"] is not None:
        assert c["loss"] == {"type": r.loss, "use_target_weight": True}
        codec = dict(c["codec"])
        if codec.pop("type") == "MSRAHeatmap":
            assert r.target == "heatmap"
            assert float(codec["sigma"]) == r.model_kwargs["codec"]["sigma"]
            assert codec.get("unbiased", False) == r.model_kwargs["codec"]["unbiased"]
        else:
            assert r.target == "coordinates"
        test_cfg = dict(c["test_cfg"])
        test_cfg.pop("flip_mode", None)
        default = DEFAULT_TEST_CFG if r.target == "heatmap" else DEFAULT_REGRESSION_TEST_CFG
        assert test_cfg == dict(r.model_kwargs.get("test_cfg", default))
        assert c["checkpoint"]["save_best"] == "NME" and c["checkpoint"]["rule"] == "less"
        assert c["checkpoint"]["interval"] == r.val_interval
        assert (c["backbone_init"] or {}).get("checkpoint") == r.backbone_init


def test_builders_make_a_trainable_setup():
    r = get_recipe("synthetic_quick")
    model = r.build_model()
    assert model.num_keypoints == 68 and tuple(model.image_size) == (128, 128)
    head = [layer for layer in model.layers if layer.name == "head-final_layer"][0]
    kernel, bias = head.get_weights()
    assert np.std(kernel) == pytest.approx(1e-3, rel=0.1) and not bias.any()
    opt = r.build_optimizer(steps_per_epoch=32, batch_size=16)
    assert isinstance(opt, TorchAdam)
    model.compile(optimizer=opt, loss=r.build_loss())
    assert model.codec.input_size == (128, 128) and model.codec.heatmap_size == (32, 32)


@pytest.mark.slow
def test_reduced_input_size_model():
    reduced = get_recipe("hrnetv2_w18_wflw").build_model(input_size=64)
    assert reduced.output_shape == (None, 16, 16, 98)
    assert reduced.codec.heatmap_size == (16, 16)


def test_describe_lists_quirks():
    text = get_recipe("hrnetv2_w18_cofw").describe()
    assert "end=50" in text and "TorchAdam" in text


def test_torch_adam_matches_pytorch_rule():
    """Three steps of TorchAdam equal PyTorch's formula in float64 numpy."""
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(5,)).astype("float32")
    grads = [rng.normal(size=(5,)).astype("float32") * s for s in (1e-7, 1.0, 1e-3)]
    var = keras.Variable(w0)
    opt = TorchAdam(learning_rate=1e-3)
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(g), var)])
    w, m, v = w0.astype(np.float64), np.zeros(5), np.zeros(5)
    for t, g in enumerate(grads, 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g.astype(np.float64) ** 2
        w = w - 1e-3 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(var), w, rtol=0, atol=2e-7)
