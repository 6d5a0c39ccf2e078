"""Load the MMPose backbone fixtures written by ``make_mmpose_backbone_fixtures.py``.

A fixture stores MMPose's output, the state-dict key list and the seed; the
weights and the input are regenerated here with ``seeded_weights.py`` exactly
as the fixture script fed them to MMPose.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from seeded_weights import seeded_input, seeded_tensor  # noqa: E402

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


def assign_torch_state_dict(model, state: dict) -> None:
    """Copy a PyTorch-layout state dict into ``model`` by layer name, strictly.

    ``<path>.<param>`` goes to ``model.get_layer(keras_name(path))``; fails if a
    tensor finds no layer or parameter, or if a model variable stays unfilled.
    """
    import keras

    from keras_facelm.backbones.blocks import keras_name

    by_layer: dict[str, dict[str, np.ndarray]] = {}
    for key, value in state.items():
        path, param = key.rsplit(".", 1)
        by_layer.setdefault(path, {})[param] = value
    filled = set()
    for path, params in by_layer.items():
        layer = model.get_layer(keras_name(path))
        if isinstance(layer, keras.layers.BatchNormalization):
            names = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
                     "running_var": "moving_variance"}
            convert = {p: (lambda v: v) for p in names}
        elif isinstance(layer, keras.layers.DepthwiseConv2D):
            names = {"weight": "kernel"}
            convert = {"weight": lambda v: v.transpose(2, 3, 0, 1)}
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            names = {"weight": "kernel", "bias": "bias"}
            convert = {"weight": lambda v: v.transpose(2, 3, 1, 0), "bias": lambda v: v}
        elif isinstance(layer, keras.layers.Dense):
            names = {"weight": "kernel", "bias": "bias"}
            convert = {"weight": lambda v: v.T, "bias": lambda v: v}
        else:
            raise ValueError(f"{path}: no mapping for layer type {type(layer).__name__}")
        variables = {v.path.rsplit("/", 1)[-1]: v for v in layer.weights}
        for param, value in params.items():
            if param not in names or names[param] not in variables:
                raise ValueError(f"{path}.{param}: layer {layer.name} has no matching weight")
            var = variables[names[param]]
            value = convert[param](value)
            if tuple(var.shape) != value.shape:
                raise ValueError(f"{path}.{param}: shape {value.shape} != {tuple(var.shape)}")
            var.assign(value)
            filled.add(id(var))
    unfilled = [v.path for v in model.weights if id(v) not in filled]
    if unfilled:
        raise ValueError(f"model weights not in the state dict: {unfilled[:10]}")


def trainable_count(model) -> int:
    """Number of trainable scalars (MMPose counts the same: parameters, not BN buffers)."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def check_backbone_parity(name: str, cls, tolerance: float = 1e-4):
    """Build ``cls`` as the fixture says, load the seeded weights, compare with MMPose.

    Asserts the trainable parameter count equals MMPose's and the output
    matches to ``tolerance`` of its scale. Returns the model.
    """
    import keras

    meta, state, images, expected = load_fixture(name)
    if meta["keras_class"] != cls.__name__:
        raise ValueError(f"fixture {name} is for {meta['keras_class']}, not {cls.__name__}")
    model = cls(**meta["keras_kwargs"])
    assert trainable_count(model) == meta["param_count"]
    assign_torch_state_dict(model, state)
    out = keras.ops.convert_to_numpy(model(images, training=False))
    err = relative_error(out, expected)
    assert err < tolerance, f"{name}: relative error {err:.3g} >= {tolerance}"
    return model
