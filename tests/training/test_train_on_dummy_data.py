"""``keras-facelm train`` runs an epoch of every MMPose recipe on its builder's dummy data.

Each TFDS builder under ``tfds_builders/`` is built once from its ``dummy_data/``
folder (the release formats in miniature, with the malformed entries the
builders skip); then every seed recipe trains its full-width model for one
epoch at 64x64 crops (128x128 for Hourglass-52, whose five halvings follow a
stride-4 stem, and SCNet-50, whose self-calibration pools 4x4 at stride 32) on a
few faces and is evaluated on the dataset's test splits. This is also the test
of reading TFDS records into training. Slow: 17 full-width model builds.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pathlib
from unittest import mock

import pytest

from keras_facelm.cli import main as cli_main
from keras_facelm.training import get_recipe
from tests.training.test_recipes import MMPOSE_RECIPES

tfds = pytest.importorskip("tensorflow_datasets")
pytestmark = pytest.mark.slow

BUILDERS = pathlib.Path(__file__).resolve().parents[2] / "tfds_builders"
#: AFLW's train split is the first 20,000 rows of its .mat file; the dummy file has 6
#: (the builder test uses the first 3 for training, as here).
BUILDER_PATCHES = {"aflw": {"NUM_TRAIN": 3}}
#: Crop side per model class: the smallest the architecture takes.
INPUT_SIDE = {"Hourglass52Heatmap": 128, "SCNet50Heatmap": 128}


@pytest.fixture(scope="module")
def dummy_data_dir(tmp_path_factory):
    """A TFDS data directory holding every face dataset built from its dummy data."""
    import importlib

    data_dir = tmp_path_factory.mktemp("tfds")
    for name in sorted({get_recipe(r).dataset for r in MMPOSE_RECIPES}):
        importlib.import_module(f"tfds_builders.{name}")
        builder = tfds.builder(name, data_dir=os.fspath(data_dir))
        with contextlib.ExitStack() as patches:
            for attribute, value in BUILDER_PATCHES.get(name, {}).items():
                patches.enter_context(mock.patch.object(type(builder), attribute, value))
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(
                    manual_dir=os.fspath(BUILDERS / name / "dummy_data")
                )
            )
    return data_dir


#: Known failures, kept visible: strict xfail turns red once they are fixed.
KNOWN_BUGS = {
    "res50_starloss_wflw": (
        "known bug (issue 12): STARLoss reads each heatmap as a distribution, but the "
        "SimpleBaseline head's raw output is signed, so the normalised map's covariance "
        "goes negative and the loss is NaN from the first step (also at 256x256); the "
        "recipe needs STAR's non-negative heatmap output"
    ),
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[n]))
        if n in KNOWN_BUGS
        else n
        for n in MMPOSE_RECIPES
    ],
)
def test_train_command_runs_an_epoch_on_dummy_data(dummy_data_dir, tmp_path, name):
    recipe = get_recipe(name)
    side = INPUT_SIDE.get(recipe.model_class.__name__, 64)
    out = tmp_path / name
    # An error exits with a message naming it.
    cli_main([
        "train", "--recipe", name, "--dataset", recipe.dataset,
        "--data-dir", os.fspath(dummy_data_dir), "--output", os.fspath(out),
        "--epochs", "1", "--batch-size", "2", "--input-size", str(side),
        "--train-limit", "4", "--test-limit", "2", "--workers", "1",
    ])  # fmt: skip
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["splits"], f"{name}: no test split evaluated"
    for label, split in metrics["splits"].items():
        assert math.isfinite(split["nme"]) and math.isfinite(split["baseline_nme"]), label
    assert (out / "preset" / "config.json").exists()
    assert (out / "checkpoints" / "epoch_001.weights.h5").exists()
