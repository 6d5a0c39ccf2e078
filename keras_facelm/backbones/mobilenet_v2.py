"""MobileNetV2 backbone as MMPose builds it (``mmpose/models/backbones/mobilenet_v2.py``).

``conv1`` (3x3/2 ConvModule + BN + ReLU6) → ``layer1..layer7`` of
InvertedResidual blocks with (expand t, channels c, blocks n, stride s) =
(1,16,1,1), (6,24,2,2), (6,32,3,2), (6,64,4,2), (6,96,3,1), (6,160,3,2),
(6,320,1,1) → ``conv2`` (1x1 ConvModule to 1280 + BN + ReLU6), which is
MMPose's ``out_indices=(7,)``: a 256x256 input gives ``(8, 8, 1280)``.

Channels are ``make_divisible(c * widen_factor, 8)`` (MMPose's rounding, see
:func:`make_divisible`); ``conv2`` has ``int(1280 * widen_factor)`` channels
when ``widen_factor > 1`` and 1280 otherwise. mmcv ``ConvModule`` names its
parts ``.conv`` and ``.bn``; an InvertedResidual is ``layer{L}.{k}.conv.{i}``
with i = expand (if t != 1), depthwise, project.
"""

from __future__ import annotations

import keras

from keras_facelm.backbones import blocks
from keras_facelm.backbones.backbone import Backbone

__all__ = ["MobileNetV2Backbone", "make_divisible", "MOBILENET_V2_ARCH_SETTINGS"]

MOBILENET_V2_ARCH_SETTINGS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def make_divisible(value, divisor, min_value=None, min_ratio=0.9):
    """MMPose's ``make_divisible``: round to the nearest multiple of ``divisor``.

    The result is at least ``min_value`` (default ``divisor``) and, if rounding
    down lost more than ``1 - min_ratio`` of ``value``, one ``divisor`` more.
    """
    if min_value is None:
        min_value = divisor
    new_value = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new_value < min_ratio * value:
        new_value += divisor
    return new_value


def _conv_module(
    x,
    filters,
    kernel_size,
    *,
    name,
    strides=1,
    padding=0,
    depthwise=False,
    activation=True,
    dtype=None,
):
    """mmcv ``ConvModule`` at ``name``: ``.conv`` (no bias) → ``.bn`` → optional ReLU6."""
    if depthwise:
        x = blocks.depthwise_conv2d(
            x,
            kernel_size,
            strides=strides,
            padding=padding,
            name=f"{name}.conv",
            dtype=dtype,
        )
    else:
        x = blocks.conv2d(
            x,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            name=f"{name}.conv",
            dtype=dtype,
        )
    x = blocks.batch_norm(x, name=f"{name}.bn", dtype=dtype)
    if activation:
        x = blocks.relu(x, name=f"{name}--relu6", max_value=6.0, dtype=dtype)
    return x


def inverted_residual(x, out_channels, *, name, strides, expand_ratio, dtype=None):
    """MMPose ``InvertedResidual`` at module path ``name`` (e.g. ``"layer2.0"``).

    Hidden channels ``int(round(in * expand_ratio))``; residual iff stride 1 and
    in == out.
    """
    in_channels = x.shape[-1]
    hidden = int(round(in_channels * expand_ratio))
    y = x
    index = 0
    if expand_ratio != 1:
        y = _conv_module(y, hidden, 1, name=f"{name}.conv.{index}", dtype=dtype)
        index += 1
    y = _conv_module(
        y,
        hidden,
        3,
        strides=strides,
        padding=1,
        depthwise=True,
        name=f"{name}.conv.{index}",
        dtype=dtype,
    )
    y = _conv_module(
        y,
        out_channels,
        1,
        activation=False,
        name=f"{name}.conv.{index + 1}",
        dtype=dtype,
    )
    if strides == 1 and in_channels == out_channels:
        y = keras.layers.Add(name=f"{blocks.keras_name(name)}--add", dtype=dtype)([x, y])
    return y


@keras.saving.register_keras_serializable(package="keras_facelm")
class MobileNetV2Backbone(Backbone):
    """MMPose ``MobileNetV2(widen_factor)`` with ``out_indices=(7,)``.

    Args:
        widen_factor: width multiplier (1.0 for the face model; 0.25 in tests).
        input_shape: NHWC input shape without the batch axis (normalised floats).

    Call: ``(N, H, W, 3)`` → ``[(N, H/32, W/32, 1280)]`` (for ``widen_factor <= 1``).
    """

    def __init__(
        self,
        widen_factor=1.0,
        input_shape=(None, None, 3),
        name="backbone",
        dtype=None,
        **kwargs,
    ):
        if not widen_factor > 0:
            raise ValueError(f"widen_factor must be positive, got {widen_factor!r}.")
        inputs = keras.Input(shape=tuple(input_shape), name="images")
        x = _conv_module(
            inputs,
            make_divisible(32 * widen_factor, 8),
            3,
            strides=2,
            padding=1,
            name="conv1",
            dtype=dtype,
        )
        for i, (expand_ratio, channels, num_blocks, stride) in enumerate(
            MOBILENET_V2_ARCH_SETTINGS
        ):
            out_channels = make_divisible(channels * widen_factor, 8)
            for k in range(num_blocks):
                x = inverted_residual(
                    x,
                    out_channels,
                    name=f"layer{i + 1}.{k}",
                    strides=stride if k == 0 else 1,
                    expand_ratio=expand_ratio,
                    dtype=dtype,
                )
        out_channels = int(1280 * widen_factor) if widen_factor > 1.0 else 1280
        x = _conv_module(x, out_channels, 1, name="conv2", dtype=dtype)
        super().__init__(
            inputs=inputs,
            outputs=[x],
            name=name,
            dtype=dtype,
            config=dict(widen_factor=widen_factor, input_shape=tuple(input_shape)),
            **kwargs,
        )
