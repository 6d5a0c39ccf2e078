"""``train``: clear errors, output-folder safety, resume equality, NaN stop, learning.

The runs use ``synthetic_quick`` (no download) on a few faces at 64x64 crops;
model builds make them slow on a CPU, so they are marked ``slow`` except the
argument checks, which fail before any model is built.
"""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from keras_facelm.training.trainer import TrainingDiverged, _prepare_output, train

SMALL = dict(
    epochs=2,
    batch_size=8,
    train_limit=24,
    test_limit=4,
    input_size=64,
    workers=1,
    checkpoint_every=1,
    verbose=0,
)


def test_unknown_recipe_is_named():
    with pytest.raises(ValueError, match="unknown recipe 'hrnet_nope'"):
        train("hrnet_nope", output="unused")


def test_dataset_with_another_keypoint_count_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'face300w' has 68 keypoints.*K=98"):
        train("hrnetv2_w18_wflw", "face300w", str(tmp_path), tmp_path / "out")


def test_missing_data_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="does_not_exist"):
        train("hrnetv2_w18_wflw", "wflw", tmp_path / "does_not_exist", tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="needs --data-dir"):
        train("hrnetv2_w18_wflw", "wflw", None, tmp_path / "out")


def test_unknown_dataset_and_precision_are_named(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'"):
        train("synthetic_quick", "imagenet", output=tmp_path / "o")
    with pytest.raises(ValueError, match="mixed_float8"):
        train("synthetic_quick", output=tmp_path / "o", mixed_precision="mixed_float8")


def test_output_folder_of_another_run_is_refused(tmp_path):
    run = dict(recipe="synthetic_quick", seed=0)
    assert _prepare_output(tmp_path / "run", run, resume=False, overwrite=False)[1] is None
    with pytest.raises(FileExistsError, match="different run.*seed"):
        _prepare_output(tmp_path / "run", {**run, "seed": 1}, resume=True, overwrite=False)
    with pytest.raises(FileExistsError, match="already holds this run.*resume"):
        _prepare_output(tmp_path / "run", run, resume=False, overwrite=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="holds no run.json"):
        _prepare_output(tmp_path / "other", run, resume=False, overwrite=False)
    _prepare_output(tmp_path / "other", run, resume=False, overwrite=True)
    assert not (tmp_path / "other" / "notes.txt").exists()
    assert json.loads((tmp_path / "other" / "run.json").read_text()) == run


class _AtStep(keras.callbacks.Callback):
    """Calls ``action(model)`` after the given global training step."""

    def __init__(self, step, action):
        super().__init__()
        self.step, self.action, self.seen = step, action, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.step:
            self.action(self.model)


def _Kill(step):
    """Raises at a global step, as a killed process would stop."""

    def kill(model):
        raise KeyboardInterrupt(f"killed after step {step}")

    return _AtStep(step, kill)


def _final_weights(out):
    with np.load(out / "state" / "model_weights.npz") as f:
        return [f[k] for k in sorted(f.files, key=lambda k: int(k.split("_")[1]))]


@pytest.mark.slow
def test_resume_after_a_kill_mid_epoch_ends_with_the_same_weights(tmp_path):
    if keras.backend.backend() == "torch":
        pytest.skip("resume equality is checked on the TensorFlow and JAX backends")
    straight = tmp_path / "straight"
    train("synthetic_quick", output=straight, **SMALL)
    killed = tmp_path / "killed"
    with pytest.raises(KeyboardInterrupt):
        train("synthetic_quick", output=killed, callbacks=[_Kill(4)], **SMALL)  # epoch 2, batch 1
    state = json.loads((killed / "state" / "state.json").read_text())
    assert (state["epoch"], state["batch"], state["step"]) == (1, 1, 4)
    with pytest.raises(FileExistsError, match="resume"):
        train("synthetic_quick", output=killed, **SMALL)
    train("synthetic_quick", output=killed, resume=True, **SMALL)
    for a, b in zip(_final_weights(straight), _final_weights(killed), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    metrics = json.loads((killed / "metrics.json").read_text())
    assert set(metrics["splits"]["test"]) >= {
        "nme",
        "failure_rate",
        "auc",
        "baseline_nme",
    }
    assert (killed / "preset" / "config.json").exists()
    assert (killed / "overlay.png").stat().st_size > 1000
    assert (killed / "checkpoints" / "epoch_002.weights.h5").exists()
    assert (killed / "logs" / "train.csv").read_text().count("\n") >= 3


def _Poison(step):
    """Sets the head's kernel to NaN after a step, so the next loss is NaN."""

    def poison(model):
        kernel = model.get_layer("head-final_layer").kernel
        kernel.assign(np.full(kernel.shape, np.nan, "float32"))

    return _AtStep(step, poison)


@pytest.mark.slow
def test_nan_loss_stops_naming_the_batch_and_keeps_the_last_good_state(tmp_path):
    out = tmp_path / "nan"
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 2 .*last good state"):
        train("synthetic_quick", output=out, callbacks=[_Poison(2)], **SMALL)
    state = json.loads((out / "state" / "state.json").read_text())
    assert state["step"] == 2
    assert all(np.isfinite(w).all() for w in _final_weights(out))


class _Losses(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def test_synthetic_quick_loss_decreases_over_a_few_steps(tmp_path):
    """Fast check of the whole loop: six steps of ``synthetic_quick`` at 64x64 lower the loss."""
    seen = _Losses()
    train("synthetic_quick", output=tmp_path / "run", callbacks=[seen],
          **{**SMALL, "epochs": 2, "checkpoint_every": None})  # fmt: skip
    assert len(seen.losses) == 6 and all(np.isfinite(seen.losses))
    assert seen.losses[-1] < seen.losses[0], seen.losses


@pytest.mark.slow
def test_synthetic_quick_beats_half_the_mean_shape_baseline(tmp_path):
    """The README's main job: ``keras-facelm train --recipe synthetic_quick`` (minutes on CPU)."""
    from keras_facelm.cli import main as cli_main

    out = tmp_path / "quick"
    cli_main(["train", "--recipe", "synthetic_quick", "--dataset", "synthetic_faces",
              "--output", str(out)])  # fmt: skip
    test = json.loads((out / "metrics.json").read_text())["splits"]["test"]
    assert test["nme"] <= test["baseline_nme"] / 2, test
