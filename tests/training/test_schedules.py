"""The recipes' learning rate equals mmengine's at every iteration of every schedule.

Reference: ``tests/data/parity/lr_schedules.npz``, written by
``tests/parity/make_lr_schedule_fixtures.py`` with mmengine's own
``LinearLR``/``MultiStepLR`` built from each MMPose config and stepped by its
``ParamSchedulerHook``, over the full schedule at MMPose's 8-GPU batch and at
batch 64 (linear scaling, warm-up in samples). The ``mmpose``-marked test
regenerates the fixture with the reference venv and compares.
"""

from __future__ import annotations

import subprocess

import keras
import numpy as np
import pytest

from keras_facelm.training import get_recipe, list_recipes, mmpose_steps_per_epoch
from keras_facelm.training.recipes import RECIPES

FIXTURE = "parity/lr_schedules.npz"
MMPOSE_RECIPES = sorted(n for n in RECIPES if n != "synthetic_quick")


def _expand(fx, key):
    """The per-iteration LR of one fixture run (run-length decoded)."""
    table = int(fx[key + "_table"])
    change_at, values = fx[f"table{table}_change_at"], fx[f"table{table}_lr"]
    n = int(fx[key + "_iterations"])
    lengths = np.diff(np.append(change_at, n))
    return np.repeat(values, lengths)


@pytest.fixture(scope="module")
def lr_fixture():
    from tests.conftest import TEST_DATA

    return dict(np.load(TEST_DATA / FIXTURE))


def test_every_mmpose_recipe_is_in_the_fixture(lr_fixture):
    names = {k.split("/")[0] for k in lr_fixture if "/" in k}
    assert names == set(MMPOSE_RECIPES)


@pytest.mark.parametrize("name", MMPOSE_RECIPES)
@pytest.mark.parametrize("run", ["mmpose", "b64"])
def test_learning_rate_equals_mmengine_at_every_iteration(lr_fixture, name, run):
    recipe = get_recipe(name)
    key = f"{name}/{run}"
    expected = _expand(lr_fixture, key)
    spe, batch = int(lr_fixture[key + "_spe"]), int(lr_fixture[key + "_batch"])
    assert len(expected) == recipe.epochs * spe
    if run == "mmpose":
        assert batch == recipe.batch_size
        if recipe.train_size is not None:
            assert spe == mmpose_steps_per_epoch(recipe.train_size, recipe.batch_per_gpu)
    else:
        assert batch == 64
        if recipe.train_size is not None:
            assert spe == recipe.steps_per_epoch(recipe.train_size, 64)
    ours = np.array(
        [
            recipe.learning_rate(t, steps_per_epoch=spe, batch_size=batch)
            for t in range(len(expected))
        ]
    )
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "name",
    ["hrnetv2_w18_300w", "hrnetv2_w18_cofw", "deeppose_res50_wflw", "res50_coco_wholebody_face"],
)
@pytest.mark.parametrize("run", ["mmpose", "b64"])
def test_keras_schedule_equals_mmengine(lr_fixture, name, run):
    """The optimizer's schedule (float32, in-graph) on the same iterations."""
    recipe = get_recipe(name)
    key = f"{name}/{run}"
    expected = _expand(lr_fixture, key)
    spe, batch = int(lr_fixture[key + "_spe"]), int(lr_fixture[key + "_batch"])
    schedule = recipe.build_optimizer(steps_per_epoch=spe, batch_size=batch)._learning_rate
    steps = keras.ops.arange(len(expected), dtype="int32")
    ours = keras.ops.convert_to_numpy(schedule(steps))
    np.testing.assert_allclose(ours, expected, rtol=2e-6)


def test_quirks_show_in_the_numbers():
    cofw, w300 = get_recipe("hrnetv2_w18_cofw"), get_recipe("hrnetv2_w18_300w")
    spe = mmpose_steps_per_epoch(1345, 64)
    assert spe == 3
    # COFW's end=50: no decay at epoch 55 (the warm-up still raises the LR).
    lr54 = cofw.learning_rate(54 * spe + 2, steps_per_epoch=spe, batch_size=512)
    lr55 = cofw.learning_rate(55 * spe, steps_per_epoch=spe, batch_size=512)
    assert lr55 > lr54
    assert max(
        cofw.learning_rate(t, steps_per_epoch=spe, batch_size=512) for t in range(180)
    ) == pytest.approx(4.78477e-4, rel=1e-5)
    spe = mmpose_steps_per_epoch(3148, 64)
    peak = max(w300.learning_rate(t, steps_per_epoch=spe, batch_size=512) for t in range(420))
    assert peak == pytest.approx(1.11912e-3, rel=1e-5)
    assert get_recipe("deeppose_res50_wflw").bbox_transform["shift_prob"] == 0.3
    assert get_recipe("hrnetv2_w18_wflw").bbox_transform["shift_prob"] == 0.0


def test_bad_arguments_are_named():
    r = get_recipe("hrnetv2_w18_wflw")
    with pytest.raises(ValueError, match="steps_per_epoch"):
        r.learning_rate(0, steps_per_epoch=0, batch_size=64)
    with pytest.raises(ValueError, match="batch_size"):
        r.learning_rate(0, steps_per_epoch=10, batch_size=0)
    with pytest.raises(ValueError, match="iteration"):
        r.learning_rate(-1, steps_per_epoch=10, batch_size=64)


@pytest.mark.mmpose
@pytest.mark.slow
def test_fixture_regenerates_with_mmengine(tmp_path, test_data):
    """Runs mmengine live and compares with the committed fixture."""
    import pathlib

    from tests.conftest import REPO, mmpose_env, mmpose_python

    out = tmp_path / "lr.npz"
    subprocess.run(
        [
            str(mmpose_python()),
            str(REPO / "tests/parity/make_lr_schedule_fixtures.py"),
            "--output",
            str(out),
        ],
        check=True,
        env=mmpose_env(),
        capture_output=True,
    )
    fresh, committed = np.load(out), np.load(test_data / FIXTURE)
    assert sorted(fresh.files) == sorted(committed.files)
    for k in committed.files:
        np.testing.assert_array_equal(fresh[k], committed[k], err_msg=k)
    assert (
        pathlib.Path(out.parent / "recipe_configs.json").read_text()
        == (test_data / "parity" / "recipe_configs.json").read_text()
    )


def test_list_recipes_has_every_preset_row():
    from keras_facelm.models import list_presets

    assert set(list_presets()) <= set(list_recipes())
    assert "synthetic_quick" in list_recipes()
    with pytest.raises(ValueError, match="unknown recipe 'nope'.*hrnetv2_w18_wflw"):
        get_recipe("nope")
