"""Building blocks shared by every backbone, with PyTorch's padding semantics.

Layer names are the contract with the checkpoint converter: each Keras layer
with weights is named after the PyTorch module path it mirrors, with ``.``
replaced by ``-`` (:func:`keras_name`; PyTorch's backend forbids dots in layer
names, and module paths never contain ``-``, so the mapping is exact both ways).
A state-dict key ``<path>.<param>`` therefore maps to the layer
``keras_name(<path>)`` with no per-architecture table. Every function here takes
the *PyTorch* path (``"layer1.0.conv1"``). Weightless helper layers (padding,
activations, adds) get derived names with a ``--`` suffix, which can never
collide with a module path.

PyTorch pads ``p`` pixels on every side; Keras ``padding="same"`` on an even
input with stride 2 pads 0 before and 1 after, which shifts the result. So every
conv with ``padding > 0`` is an explicit ``ZeroPadding2D(p)`` followed by a
``"valid"`` conv.

BatchNorm uses PyTorch's defaults: ``eps=1e-5`` and momentum 0.1, which is
Keras ``momentum=0.9``.
"""

from __future__ import annotations

import keras

from keras_facelm.layers.depthwise_conv import DepthwiseConv2D

__all__ = [
    "keras_name",
    "torch_path",
    "conv2d",
    "depthwise_conv2d",
    "batch_norm",
    "conv_bn",
    "conv_bn_sequence",
    "relu",
    "basic_block",
    "bottleneck",
    "downsample_branch",
    "identity_branch",
    "residual_relu",
]

BN_EPSILON = 1e-5
BN_MOMENTUM = 0.9


def keras_name(torch_path: str) -> str:
    """The Keras layer name for a PyTorch module path: ``"a.0.b"`` → ``"a-0-b"``."""
    return torch_path.replace(".", "-")


def torch_path(keras_layer_name: str) -> str:
    """The inverse of :func:`keras_name`."""
    return keras_layer_name.replace("-", ".")


def _padded_conv(layer_cls, x, *args, name, strides, padding, use_bias, dtype):
    """``layer_cls(*args)`` as a "valid" conv after PyTorch's symmetric zero padding."""
    if padding:
        x = keras.layers.ZeroPadding2D(padding, name=f"{keras_name(name)}--pad", dtype=dtype)(x)
    conv = layer_cls(
        *args,
        strides=strides,
        padding="valid",
        use_bias=use_bias,
        name=keras_name(name),
        dtype=dtype,
    )
    return conv(x)


def conv2d(
    x,
    filters,
    kernel_size,
    *,
    name,
    strides=1,
    padding=0,
    use_bias=False,
    dtype=None,
):
    """``torch.nn.Conv2d``: symmetric zero padding of ``padding`` pixels, then a valid conv.

    Args:
        x: NHWC tensor.
        filters: output channels.
        kernel_size: int kernel side.
        name: the PyTorch module path, e.g. ``"layer1.0.conv1"``.
        strides: int stride.
        padding: int padding on every side, as PyTorch's ``padding=``.
        use_bias: PyTorch's ``bias=``; backbone convs followed by BN have none.
    """
    return _padded_conv(
        keras.layers.Conv2D,
        x,
        filters,
        kernel_size,
        name=name,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        dtype=dtype,
    )


def depthwise_conv2d(x, kernel_size, *, name, strides=1, padding=0, dtype=None):
    """``torch.nn.Conv2d(C, C, k, groups=C, bias=False)`` as a depthwise conv.

    :class:`~keras_facelm.layers.depthwise_conv.DepthwiseConv2D`: Keras's layer,
    computed as shifted multiply-adds on JAX, where XLA's grouped conv is slow.
    """
    return _padded_conv(
        DepthwiseConv2D,
        x,
        kernel_size,
        name=name,
        strides=strides,
        padding=padding,
        use_bias=False,
        dtype=dtype,
    )


def batch_norm(x, *, name, dtype=None):
    """``torch.nn.BatchNorm2d`` with PyTorch's eps and momentum."""
    return keras.layers.BatchNormalization(
        axis=-1,
        epsilon=BN_EPSILON,
        momentum=BN_MOMENTUM,
        name=keras_name(name),
        dtype=dtype,
    )(x)


def relu(x, *, name, dtype=None, max_value=None):
    """ReLU (or ReLU6 with ``max_value=6``); ``name`` is a weightless derived name."""
    return keras.layers.ReLU(max_value=max_value, name=keras_name(name), dtype=dtype)(x)


def conv_bn(
    x,
    filters,
    kernel_size,
    *,
    conv_name,
    bn_name,
    strides=1,
    padding=0,
    activation=True,
    dtype=None,
):
    """conv (no bias) → BN → optional ReLU; the ReLU is named ``<bn_name>--relu``."""
    x = conv2d(
        x,
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        name=conv_name,
        dtype=dtype,
    )
    x = batch_norm(x, name=bn_name, dtype=dtype)
    if activation:
        x = relu(x, name=f"{bn_name}--relu", dtype=dtype)
    return x


def conv_bn_sequence(x, layers, *, name, dtype=None):
    """A chain of :func:`conv_bn` inside the module at path ``name``.

    Args:
        x: NHWC input.
        layers: rows ``(filters, kernel_size, strides, conv, bn, activation)``;
            ``conv`` and ``bn`` are module names under ``name`` (``"conv1"``,
            ``"k1.0"``), and every conv pads ``kernel_size // 2`` pixels, as in
            every residual block here.
        name: module path of the block, e.g. ``"layer1.0"``.
    """
    for filters, kernel_size, strides, conv, bn, activation in layers:
        x = conv_bn(
            x,
            filters,
            kernel_size,
            strides=strides,
            padding=kernel_size // 2,
            conv_name=f"{name}.{conv}",
            bn_name=f"{name}.{bn}",
            activation=activation,
            dtype=dtype,
        )
    return x


def residual_relu(x, identity, name, dtype=None):
    """``relu(x + identity)``, the end of every residual block at module path ``name``."""
    x = keras.layers.Add(name=f"{keras_name(name)}--add", dtype=dtype)([x, identity])
    return relu(x, name=f"{name}--out", dtype=dtype)


def identity_branch(x, out_channels, strides, name, dtype=None, downsample=None):
    """The shortcut of a residual block: ``x``, or :func:`downsample_branch` of it.

    ``downsample=None`` decides as PyTorch's ResNet does (a 1x1 conv + BN when
    the stride is not 1 or the channels change); a bool forces it.
    """
    if downsample is None:
        downsample = strides != 1 or x.shape[-1] != out_channels
    return downsample_branch(x, out_channels, strides, name, dtype) if downsample else x


def downsample_branch(x, filters, strides, name, dtype=None):
    """PyTorch's ``downsample = Sequential(conv1x1(stride), BN)``, keys ``.0``/``.1``."""
    return conv_bn(
        x,
        filters,
        1,
        strides=strides,
        conv_name=f"{name}.downsample.0",
        bn_name=f"{name}.downsample.1",
        activation=False,
        dtype=dtype,
    )


def basic_block(x, filters, *, name, strides=1, downsample=None, dtype=None):
    """ResNet BasicBlock (expansion 1): conv3x3(s) → BN → ReLU → conv3x3 → BN, + identity, ReLU.

    Args:
        x: NHWC input.
        filters: output channels.
        name: module path of the block, e.g. ``"stage2.0.branches.1.3"``.
        strides: stride of ``conv1``.
        downsample: ``None`` to decide automatically (a 1x1 conv + BN when the
            stride is not 1 or the channels change), or a bool to force it.
    """
    identity = identity_branch(x, filters, strides, name, dtype, downsample)
    # fmt: off
    y = conv_bn_sequence(x, [
        (filters, 3, strides, "conv1", "bn1", True),
        (filters, 3, 1,       "conv2", "bn2", False),
    ], name=name, dtype=dtype)
    # fmt: on
    return residual_relu(y, identity, name, dtype)


def bottleneck(x, mid_channels, *, name, strides=1, expansion=4, downsample=None, dtype=None):
    """PyTorch-style ResNet Bottleneck (stride on the 3x3 ``conv2``).

    conv1x1 → BN → ReLU → conv3x3(s) → BN → ReLU → conv1x1 (×expansion) → BN,
    + identity (or downsample), ReLU. Output channels ``mid_channels * expansion``.
    """
    out_channels = mid_channels * expansion
    identity = identity_branch(x, out_channels, strides, name, dtype, downsample)
    # fmt: off
    y = conv_bn_sequence(x, [
        (mid_channels, 1, 1,       "conv1", "bn1", True),
        (mid_channels, 3, strides, "conv2", "bn2", True),
        (out_channels, 1, 1,       "conv3", "bn3", False),
    ], name=name, dtype=dtype)
    # fmt: on
    return residual_relu(y, identity, name, dtype)
