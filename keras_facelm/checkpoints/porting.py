"""Port an MMPose (PyTorch) state dict onto a keras_facelm model by layer name.

The model's layers are named after MMPose's module paths (see
:mod:`keras_facelm.backbones.blocks`), so the mapping is generic:

* a layer ``L`` of the nested sub-model ``backbone`` owns the checkpoint keys
  ``backbone.<torch_path(L)>.<param>``;
* a top-level layer (``head-final_layer``) owns ``<torch_path(L)>.<param>``.

MMPose 0.x checkpoints are first renamed as MMPose 1.x's own load hooks do
(``keypoint_head.`` → ``head.``; HeatmapHead ``final_layer.<n>.<param>`` →
``conv_layers.<n>.<param>`` for ``n`` inside the conv stack, else
``final_layer.<param>``), as ``mmpose/models/heads/heatmap_heads/heatmap_head.py``'s
``_load_state_dict_pre_hook`` does.

Tensor layouts: Conv2d ``[O, I, kh, kw]`` → ``[kh, kw, I, O]``;
depthwise ``[C, 1, kh, kw]`` → ``[kh, kw, C, 1]``; ConvTranspose2d
``[I, O, kh, kw]`` → ``[kh, kw, O, I]``; Linear ``[O, I]`` → ``[I, O]``;
BatchNorm ``weight/bias/running_mean/running_var`` → ``gamma/beta/moving_mean/
moving_variance`` (``num_batches_tracked`` is consumed and dropped).
"""

from __future__ import annotations

import re

import keras
import numpy as np

from keras_facelm.backbones.blocks import torch_path

__all__ = ["port_state_dict", "to_mmpose_v1_keys", "StateDictMismatchError"]

# Keys that MMPose checkpoints may carry but that hold no model weights.
_IGNORED_KEY = re.compile(r"^data_preprocessor\.|\.num_batches_tracked$")


class StateDictMismatchError(ValueError):
    """The checkpoint does not fit the model (unused, missing or misshapen tensors)."""


def to_mmpose_v1_keys(state_dict, *, head_conv_modules=0):
    """Renames MMPose 0.x keys to 1.x, as MMPose 1.x's load hooks do.

    Args:
        state_dict: ``{key: array}``.
        head_conv_modules: number of modules in the HeatmapHead's ``conv_layers``
            ``Sequential`` (3 per conv: conv, BN, ReLU); 0.x stored them in
            ``final_layer.<n>`` together with the final conv.

    Returns:
        A new dict with 1.x keys (1.x keys pass through unchanged).
    """
    out = {}
    for key, value in state_dict.items():
        if key.startswith("keypoint_head."):
            key = "head." + key[len("keypoint_head.") :]
            m = re.fullmatch(r"head\.final_layer\.(\d+)\.(\w+)", key)
            if m:
                n, param = int(m.group(1)), m.group(2)
                if n < head_conv_modules:
                    key = f"head.conv_layers.{n}.{param}"
                else:
                    key = f"head.final_layer.{param}"
        out[key] = value
    return out


def _standard_param_map(layer):
    """``{torch_param: (variable, transform)}`` for Keras built-in layer types."""
    t_conv = lambda a: np.transpose(a, (2, 3, 1, 0))  # noqa: E731
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        return {"weight": (layer.kernel, lambda a: np.transpose(a, (2, 3, 0, 1)))}
    if isinstance(layer, keras.layers.Conv2DTranspose):
        m = {"weight": (layer.kernel, t_conv)}
    elif isinstance(layer, keras.layers.Conv2D):
        m = {"weight": (layer.kernel, t_conv)}
    elif isinstance(layer, keras.layers.Dense):
        m = {"weight": (layer.kernel, np.transpose)}
    elif isinstance(layer, keras.layers.BatchNormalization):
        ident = lambda a: a  # noqa: E731
        return {
            "weight": (layer.gamma, ident),
            "bias": (layer.beta, ident),
            "running_mean": (layer.moving_mean, ident),
            "running_var": (layer.moving_variance, ident),
        }
    else:
        raise TypeError(
            f"layer {layer.name!r} ({type(layer).__name__}) has weights of a layout "
            "the porter does not know; cannot port a PyTorch checkpoint onto it"
        )
    if getattr(layer, "bias", None) is not None:
        m["bias"] = (layer.bias, lambda a: a)
    return m


def _weighted_layers(model, prefix=""):
    """Yields ``(torch_prefix, layer)`` for every layer that owns weights."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _weighted_layers(layer, prefix + torch_path(layer.name) + ".")
        elif layer.weights:
            yield prefix + torch_path(layer.name), layer


def _targets(model):
    targets = {}
    for path, layer in _weighted_layers(model):
        for param, target in _standard_param_map(layer).items():
            targets[f"{path}.{param}"] = target
    return targets


def _head_conv_modules(model):
    convs = [
        layer
        for _, layer in _weighted_layers(model)
        if re.fullmatch(r"head-conv_layers-\d+", layer.name)
        and isinstance(layer, keras.layers.Conv2D)
    ]
    return 3 * len(convs)


def _summarise(keys, limit=6):
    keys = sorted(keys)
    shown = ", ".join(keys[:limit])
    return shown + (f", ... ({len(keys)} in all)" if len(keys) > limit else "")


def port_state_dict(model, state_dict, *, strict=True):
    """Copies an MMPose state dict (0.x or 1.x keys) into ``model``'s variables.

    Args:
        model: a keras_facelm detector (or backbone) whose layers follow the
            naming contract.
        state_dict: ``{key: numpy array}`` as read by
            :func:`keras_facelm.checkpoints.torch_reader.read_state_dict`.
        strict: when True, every checkpoint tensor must be used and every model
            weight filled with the right shape.

    Returns:
        ``(unused_keys, missing_keys)``; both empty when ``strict``.

    Raises:
        StateDictMismatchError: naming the unused, missing and misshapen keys.
    """
    sd = to_mmpose_v1_keys(state_dict, head_conv_modules=_head_conv_modules(model))
    targets = _targets(model)
    unused, shape_errors, assigned, misshapen = [], [], set(), set()
    for key, value in sd.items():
        if key not in targets:
            if not _IGNORED_KEY.search(key):
                unused.append(key)
            continue
        variable, transform = targets[key]
        try:
            array = transform(np.asarray(value))
        except ValueError:  # wrong rank for the layout transform
            array = np.asarray(value)
        if tuple(array.shape) != tuple(variable.shape):
            shape_errors.append(
                f"{key}: checkpoint {tuple(np.shape(value))} → {tuple(array.shape)}, "
                f"model expects {tuple(variable.shape)}"
            )
            misshapen.add(key)
            continue
        variable.assign(array.astype(keras.backend.standardize_dtype(variable.dtype)))
        assigned.add(key)
    missing = [k for k in targets if k not in assigned and k not in misshapen]
    if strict and (unused or missing or shape_errors):
        parts = []
        if shape_errors:
            parts.append(
                f"{len(shape_errors)} with the wrong shape ({'; '.join(shape_errors[:3])})"
            )
        if missing:
            parts.append(
                f"{len(missing)} model weights not in the checkpoint ({_summarise(missing)})"
            )
        if unused:
            parts.append(f"{len(unused)} checkpoint tensors unused ({_summarise(unused)})")
        raise StateDictMismatchError(
            f"checkpoint does not match {type(model).__name__} '{model.name}': " + "; ".join(parts)
        )
    return unused, missing
