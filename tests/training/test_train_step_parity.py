"""One Keras training step equals MMPose's: loss, every weight update, BN statistics.

Reference: ``tests/data/parity/train_step/<case>.npz`` from
``tests/parity/make_train_step_fixtures.py`` (MMPose's ``model.loss`` +
``torch.optim.Adam`` on the committed tiny seeded checkpoints, in float32 and
in float64). Here the same checkpoint is converted into the Keras model,
compiled with the recipe's loss and :class:`TorchAdam` at the recipe's LR, and
``train_on_batch`` runs on the same images, targets and keypoint weights.

Bars:

* float32 (what training runs): the loss within 1e-5 relative; BatchNorm moving
  statistics move as PyTorch's running statistics (momentum 0.1, see
  ``test_bn_statistics_follow_pytorch``).
* float64 (the same step, ``keras.config.set_floatx("float64")`` against
  ``model.double()``): the loss within 1e-8 relative (measured: at most 2.4e-9,
  DeepPose on PyTorch), and every trainable weight's update within 1 % of
  MMPose's update + 1e-9, with no exemption.

Why the updates are compared in float64: Adam's first step moves a weight by
``lr * g / (|g| + eps)``, about ``±lr`` whatever ``|g|``, so a gradient that is
zero up to float32 summation noise (a conv bias before a training-mode
BatchNorm, a near-cancelling sum) moves by ``+lr`` in one framework and ``-lr``
in the other: measured in float32, 16 of 36,864 elements of HRNet's second stem
conv flipped sign on TensorFlow and one HRNet transition bias on JAX and
PyTorch. In float64 the noise is 1e-9 of that, the step is a well-conditioned
function of weights and batch, and the full 1 % bar holds for every element.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
import pytest

from keras_facelm.checkpoints import port_state_dict, read_state_dict
from keras_facelm.checkpoints.porting import _targets
from keras_facelm.training import TorchAdam, get_recipe
from tests.conftest import TEST_DATA
from tests.models.harness import tiny_preset_model

STEP_DIR = TEST_DATA / "parity" / "train_step"
MODELS_DIR = TEST_DATA / "parity" / "models"
CASES = {
    "hrnet_mse": "hrnetv2_w18_wflw",
    "hrnet_awing": "hrnetv2_w18_awing_wflw",
    "deeppose_wing": "deeppose_res50_wingloss_wflw",
}


@contextlib.contextmanager
def _floatx(dtype, monkeypatch):
    """Builds and runs Keras models in ``dtype`` (JAX: with 64-bit arrays enabled).

    For float64, Keras's ``BatchNormalization`` computes in
    ``backend.result_type(inputs.dtype, "float32")``, which Keras 3.15 resolves
    to float32 even for float64 inputs (its BN would then round every
    activation to float32); within this context that promotion gives float64
    when an argument is float64, as NumPy's does. Float32 runs are untouched.
    """
    previous = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)  # the global policy caches the floatx of first use
    try:
        if dtype != "float64":
            yield
            return
        from keras.src import backend

        promote = backend.result_type
        monkeypatch.setattr(
            backend,
            "result_type",
            lambda *dtypes: (
                "float64"
                if "float64" in map(keras.backend.standardize_dtype, dtypes)
                else promote(*dtypes)
            ),
        )
        if keras.backend.backend() == "jax":
            import jax

            with jax.enable_x64(True):
                yield
        else:
            yield
    finally:
        monkeypatch.undo()
        keras.config.set_floatx(previous[0])
        keras.config.set_dtype_policy(previous[1])


def _step(case, dtype, monkeypatch):
    """Runs the Keras step; returns (fixture, loss, {torch key: (before, after, transform)})."""
    preset = CASES[case]
    with np.load(STEP_DIR / f"{case}.npz") as f:
        fx = {k: f[k] for k in f.files}
    with np.load(MODELS_DIR / "inputs.npz") as f:
        images = f["images_rgb"].astype(dtype)
    with _floatx(dtype, monkeypatch):
        model = tiny_preset_model(preset)
        port_state_dict(model, read_state_dict(MODELS_DIR / str(fx["checkpoint"])), strict=True)
        targets = _targets(model)
        before = {k: keras.ops.convert_to_numpy(v).copy() for k, (v, _) in targets.items()}
        recipe = get_recipe(preset)
        assert float(fx["lr"]) == recipe.schedule.base_lr
        loss_fn = recipe.build_loss()
        y_true, weights = fx["targets"].astype(dtype), fx["weights"].astype(dtype)
        if dtype == "float64":
            # The loss of the step's forward pass, computed without touching any state:
            # the logged loss of ``train_on_batch`` is a float32 metric on some backends.
            values = [v.value for v in model.trainable_variables]
            state = [v.value for v in model.non_trainable_variables]
            y_pred, _ = model.stateless_call(values, state, images, training=True)
            loss = loss_fn(y_true, y_pred, sample_weight=weights)
        model.compile(optimizer=TorchAdam(float(fx["lr"])), loss=loss_fn)
        logged = model.train_on_batch(images, y_true, sample_weight=weights)
        loss = logged if dtype == "float32" else keras.ops.convert_to_numpy(loss)
        after = {k: keras.ops.convert_to_numpy(v) for k, (v, _) in targets.items()}
    assert all(v.dtype == dtype for v in after.values()), {
        k: v.dtype for k, v in after.items() if v.dtype != dtype
    }
    return fx, float(loss), {k: (before[k], after[k], targets[k][1]) for k in targets}


pytestmark = pytest.mark.slow  # six model builds: ~1-5 min on a loaded 2-core CPU


@pytest.fixture(scope="module", params=sorted(CASES))
def stepped(request):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return request.param, *_step(request.param, "float32", monkeypatch)


@pytest.fixture(scope="module", params=sorted(CASES))
def stepped64(request):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return request.param, *_step(request.param, "float64", monkeypatch)


def test_loss_equals_mmpose(stepped):
    case, fx, loss, _ = stepped
    assert loss == pytest.approx(float(fx["loss"]), rel=1e-5), case


def test_float64_loss_equals_mmpose(stepped64):
    case, fx, loss, _ = stepped64
    assert loss == pytest.approx(float(fx["loss64"]), rel=1e-8), case


def test_every_weight_update_equals_mmpose(stepped64):
    case, fx, _, weights = stepped64
    lr = float(fx["lr"])
    updates = {k[len("update64/") :]: v for k, v in fx.items() if k.startswith("update64/")}
    assert len(updates) > 20 and set(updates) <= set(weights), sorted(set(updates) - set(weights))
    for key, update in updates.items():
        before, after, transform = weights[key]
        expected = transform(update.astype(np.float64)) * lr
        got = after - before
        # The fixture stores update / lr as float32: 2**-24 of it is storage rounding.
        err = np.abs(got - expected)
        bad = err > 0.01 * np.abs(expected) + 1e-9 + np.abs(expected) * 2.0**-23
        assert not bad.any(), (
            f"{case} {key}: {bad.sum()}/{bad.size} updates off, worst {err[bad].max():.3g} "
            f"(update scale {np.abs(expected).max():.3g})"
        )


def test_bn_statistics_follow_pytorch(stepped):
    """moving = 0.9 * moving + 0.1 * batch statistic, as PyTorch's momentum=0.1.

    PyTorch updates ``running_var`` with the unbiased batch variance (n / (n - 1)
    times Keras's biased one); for these batches n >= 3 * 8 * 8 = 192, so the
    two differ by < 0.06 % of the 0.1 * variance term.
    """
    case, fx, _, weights = stepped
    buffers = {k[len("buffer/") :]: v for k, v in fx.items() if k.startswith("buffer/")}
    assert buffers
    for key, delta in buffers.items():
        before, after, transform = weights[key]
        expected = transform(delta.astype(np.float64))
        got = after.astype(np.float64) - before
        scale = np.abs(before) + np.abs(expected)
        err = np.abs(got - expected)
        assert (err <= 0.01 * np.abs(expected) + 1e-3 * scale + 1e-7).all(), (
            f"{case} {key}: worst {err.max():.3g} (delta scale {np.abs(expected).max():.3g})"
        )
