"""Load the MMPose backbone fixtures written by ``make_mmpose_backbone_fixtures.py``.

A fixture stores MMPose's output, the state-dict key list and the seed; the
weights and the input are regenerated here with ``seeded_weights.py`` exactly
as the fixture script fed them to MMPose.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

from tests.parity.seeded_weights import seeded_input, seeded_tensor

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "data" / "parity" / "backbones"


def load_fixture(name: str):
    """``(meta, state_dict, input_nhwc, output_nhwc)`` for fixture ``name``.

    ``state_dict`` maps MMPose backbone keys (no ``backbone.`` prefix) to
    float32 arrays in PyTorch layout.
    """
    meta_path = FIXTURES / f"{name}.json"
    if not meta_path.is_file():
        raise FileNotFoundError(f"backbone fixture {meta_path} is missing")
    meta = json.loads(meta_path.read_text())
    seed = meta["seed"]
    state = {
        key: seeded_tensor(key, shape, seed, kind=kind, transposed=transposed)
        for key, shape, kind, transposed in meta["tensors"]
    }
    images = seeded_input(meta["input_shape_nchw"], seed).transpose(0, 2, 3, 1)
    with np.load(FIXTURES / f"{name}.npz") as data:
        output = data["output"]
    return meta, state, np.ascontiguousarray(images), output


def relative_error(actual, expected) -> float:
    """``max |actual − expected| / max |expected|`` (error relative to the output's scale)."""
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        raise ValueError(f"shape {actual.shape} differs from the reference {expected.shape}")
    return float(np.abs(actual - expected).max() / np.abs(expected).max())


def trainable_count(model) -> int:
    """Number of trainable scalars (MMPose counts the same: parameters, not BN buffers)."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def check_backbone_parity(name: str, cls, tolerance: float = 1e-4):
    """Build ``cls`` as the fixture says, load the seeded weights, compare with MMPose.

    The weights go through the checkpoint porter (strict: every tensor used,
    every weight filled). Asserts the trainable parameter count equals MMPose's
    and the output matches to ``tolerance`` of its scale. Returns the model.
    """
    import keras

    from keras_facelm.checkpoints import port_state_dict

    meta, state, images, expected = load_fixture(name)
    if meta["keras_class"] != cls.__name__:
        raise ValueError(f"fixture {name} is for {meta['keras_class']}, not {cls.__name__}")
    model = cls(**meta["keras_kwargs"])
    assert trainable_count(model) == meta["param_count"]
    port_state_dict(model, state, strict=True)
    out = keras.ops.convert_to_numpy(model(images, training=False))
    err = relative_error(out, expected)
    assert err < tolerance, f"{name}: relative error {err:.3g} >= {tolerance}"
    return model
