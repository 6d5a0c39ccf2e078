"""SCNet backbone as MMPose builds it (``mmpose/models/backbones/scnet.py``).

SCNet is MMPose's ResNet (same stem, strides, ResLayers and downsample rule)
with the Bottleneck replaced by the self-calibrated ``SCBottleneck``
(mid = out / 4 / 2 channels per branch):

* branch a: ``conv1`` 1x1 → ``bn1`` → ReLU → ``k1`` = [3x3/s conv, BN, ReLU];
* branch b: ``conv2`` 1x1 → ``bn2`` → ReLU → ``scconv``;
* ``conv3`` 1x1 on concat[a, b] → ``bn3``, + identity (or ``downsample``), ReLU.

``SCConv(x)``: ``gate = sigmoid(x + nearest_resize(k2(x), size(x)))`` with
``k2`` = [AvgPool 4/4, 3x3 conv, BN]; ``y = k3(x) * gate`` with ``k3`` =
[3x3 conv, BN]; output ``k4(y)`` = [3x3/s conv, BN, ReLU]. The nearest resize is
``F.interpolate``'s default (``floor(i * in / out)``), reproduced exactly by
:class:`NearestResizeLike` for any input size.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_facelm.backbones import blocks
from keras_facelm.backbones.resnet import ResNetBackbone

__all__ = ["SCNetBackbone", "NearestResizeLike", "sc_bottleneck", "SCNET_ARCH_SETTINGS"]

SCNET_ARCH_SETTINGS = {
    50: ("sc_bottleneck", (3, 4, 6, 3)),
    101: ("sc_bottleneck", (3, 4, 23, 3)),
}
_EXPANSION = 4  # SCBottleneck.expansion
_POOLING_R = 4


@keras.saving.register_keras_serializable(package="keras_facelm")
class NearestResizeLike(keras.layers.Layer):
    """PyTorch ``F.interpolate(x, size=ref.shape[2:])`` (mode ``"nearest"``), NHWC.

    Call on ``[x, ref]``: returns ``x`` resized to ``ref``'s height and width.
    Source index ``floor(dst * (in / out))`` in float32, clipped to ``in - 1``,
    exactly as PyTorch's CPU kernel (so sizes that are not multiples work too).
    """

    def call(self, inputs):
        x, ref = inputs
        for axis in (1, 2):
            size_in = ops.shape(x)[axis]
            size_out = ops.shape(ref)[axis]
            scale = ops.divide(ops.cast(size_in, "float32"), ops.cast(size_out, "float32"))
            dst = ops.cast(ops.arange(size_out), "float32")
            src = ops.cast(ops.floor(ops.multiply(dst, scale)), "int32")
            src = ops.minimum(src, ops.cast(size_in, "int32") - 1)
            x = ops.take(x, src, axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        x_shape, ref_shape = input_shape
        return (x_shape[0], ref_shape[1], ref_shape[2], x_shape[3])


def _scconv(x, channels, *, name, strides, dtype):
    """MMPose ``SCConv`` at module path ``name`` (e.g. ``"layer1.0.scconv"``)."""
    derived = blocks.keras_name(name)
    pooled = keras.layers.AveragePooling2D(
        _POOLING_R, strides=_POOLING_R, padding="valid", name=f"{derived}-k2-0", dtype=dtype
    )(x)
    k2 = blocks.conv_bn_sequence(
        pooled, [(channels, 3, 1, "k2.1", "k2.2", False)], name=name, dtype=dtype
    )
    k2 = NearestResizeLike(name=f"{derived}--resize", dtype=dtype)([k2, x])
    gate = keras.layers.Add(name=f"{derived}--gate_add", dtype=dtype)([x, k2])
    gate = keras.layers.Activation("sigmoid", name=f"{derived}--sigmoid", dtype=dtype)(gate)
    k3 = blocks.conv_bn_sequence(
        x, [(channels, 3, 1, "k3.0", "k3.1", False)], name=name, dtype=dtype
    )
    y = keras.layers.Multiply(name=f"{derived}--mul", dtype=dtype)([k3, gate])
    return blocks.conv_bn_sequence(
        y, [(channels, 3, strides, "k4.0", "k4.1", True)], name=name, dtype=dtype
    )


def sc_bottleneck(x, out_channels, *, name, strides=1, dtype=None):
    """MMPose ``SCBottleneck(in, out_channels, stride)`` at module path ``name``.

    Output channels ``out_channels``; each branch has ``out_channels // 8``.
    """
    mid = out_channels // _EXPANSION // 2
    identity = blocks.identity_branch(x, out_channels, strides, name, dtype)
    # fmt: off
    a = blocks.conv_bn_sequence(x, [
        (mid, 1, 1,       "conv1", "bn1", True),
        (mid, 3, strides, "k1.0",  "k1.1", True),
    ], name=name, dtype=dtype)
    # fmt: on
    b = blocks.conv_bn_sequence(x, [(mid, 1, 1, "conv2", "bn2", True)], name=name, dtype=dtype)
    b = _scconv(b, mid, name=f"{name}.scconv", strides=strides, dtype=dtype)
    y = keras.layers.Concatenate(axis=-1, name=f"{blocks.keras_name(name)}--concat", dtype=dtype)(
        [a, b]
    )
    y = blocks.conv_bn_sequence(
        y, [(out_channels, 1, 1, "conv3", "bn3", False)], name=name, dtype=dtype
    )
    return blocks.residual_relu(y, identity, name, dtype)


@keras.saving.register_keras_serializable(package="keras_facelm")
class SCNetBackbone(ResNetBackbone):
    """MMPose ``SCNet(depth, stem_channels, base_channels)``, ``out_indices=(3,)``.

    MMPose's ``SCNet`` subclasses its ``ResNet`` and only swaps the block;
    so does this class (:meth:`residual_block` is :func:`sc_bottleneck`).

    Args:
        depth: 50 or 101.
        base_channels: ``layer1`` outputs ``base_channels * 4`` channels (256 for
            SCNet-50); the output has ``base_channels * 32`` channels.
        stem_channels: output channels of ``conv1`` (64).
        num_stages: MMPose's ``num_stages`` (1-4); the last built layer is
            the output. 4 for the face model.
        input_shape: NHWC input shape without the batch axis (normalised floats).

    Call: ``(N, H, W, 3)`` → ``[(N, H/32, W/32, base_channels * 32)]``.
    """

    arch_settings = SCNET_ARCH_SETTINGS

    @staticmethod
    def residual_block(x, block_type, out_channels, *, name, strides, dtype):
        return sc_bottleneck(x, out_channels, name=name, strides=strides, dtype=dtype)
