"""HourglassNet backbone (one stack) as MMPose builds it (``mmpose/models/backbones/hourglass.py``).

* ``stem``: ``stem.0`` ConvModule 3→128 7x7/2 + BN + ReLU, then ``stem.1`` a
  ResLayer of one BasicBlock 128→256 with stride 2 (H/4, 256 channels; MMPose
  hard-codes 128 and 256, so ``stage_channels[0]`` must be 256).
* ``hourglass_modules.0``: the recursive HourglassModule(depth d):
  ``up1`` = ResLayer(b0, c0→c0); ``low1`` = ResLayer(b0, c0→c1, stride 2);
  ``low2`` = HourglassModule(d−1) or, at d = 1, ResLayer(b1, c1→c1);
  ``low3`` = ResLayer(b0, c1→c0, downsample last); output
  ``up1 + nearest_upsample_x2(low3)``.
* ``out_convs.0``: ConvModule c0→feat_channel 3x3 + BN + ReLU. Output
  ``[(N, H/4, W/4, feat_channel)]``.

MMPose's ResLayer always builds at least one block, so with one stack its
``inters = ResLayer(BasicBlock, num_blocks=0, ...)`` still holds one BasicBlock
(``inters.0``, 1,180,672 parameters at 256 channels) that ``forward`` never
runs. Checkpoints contain it and MMPose counts it. We keep it only so that
checkpoints load strictly and the parameter count matches: its four layers
(``inters-0-conv1``, ``-bn1``, ``-conv2``, ``-bn2``) are :class:`DormantConv2D` /
:class:`DormantBatchNormalization`, real Conv2D / BatchNormalization layers
(same weights, same converter mapping) whose ``call`` returns its input
unchanged. They are chained on the stem output, where MMPose's ``inters``
would act, so they sit in the functional graph (found by ``get_layer``, saved
in ``.keras``) without changing any output or costing any compute; their
moving statistics never update and they receive no gradient, as in MMPose.
"""

from __future__ import annotations

import keras

from keras_facelm.backbones import blocks
from keras_facelm.backbones.backbone import Backbone

__all__ = ["HourglassBackbone", "DormantConv2D", "DormantBatchNormalization"]

_STEM_CHANNELS = 256


@keras.saving.register_keras_serializable(package="keras_facelm")
class DormantConv2D(keras.layers.Conv2D):
    """A Conv2D that owns its weights but is never computed: ``call`` is the identity.

    Holds parameters that MMPose builds but never runs (Hourglass ``inters.0``).
    """

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_facelm")
class DormantBatchNormalization(keras.layers.BatchNormalization):
    """A BatchNormalization that owns its weights and statistics but is the identity."""

    def call(self, inputs, training=None, mask=None):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


def _dormant_basic_block(x, *, name, dtype):
    """Weights of an un-run BasicBlock (C→C) at ``name``; returns ``x`` unchanged."""
    channels = x.shape[-1]
    for i in (1, 2):
        x = DormantConv2D(
            channels,
            3,
            use_bias=False,
            name=blocks.keras_name(f"{name}.conv{i}"),
            dtype=dtype,
        )(x)
        x = DormantBatchNormalization(
            epsilon=blocks.BN_EPSILON,
            momentum=blocks.BN_MOMENTUM,
            name=blocks.keras_name(f"{name}.bn{i}"),
            dtype=dtype,
        )(x)
    return x


def _conv_module(x, filters, kernel_size, *, name, strides=1, padding=0, dtype=None):
    """mmcv ``ConvModule`` (conv without bias → ``.bn`` → ReLU) at ``name``."""
    return blocks.conv_bn(
        x,
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        conv_name=f"{name}.conv",
        bn_name=f"{name}.bn",
        dtype=dtype,
    )


def res_layer(x, num_blocks, out_channels, *, name, strides=1, downsample_first=True, dtype=None):
    """MMPose ``ResLayer(BasicBlock, num_blocks, in, out, stride, downsample_first)``.

    Builds ``max(num_blocks, 1)`` blocks, as MMPose does. The block that changes
    stride/channels (with its ``downsample``) is the first one when
    ``downsample_first`` and the last one otherwise (Hourglass ``low3``).
    """
    in_channels = x.shape[-1]
    count = max(num_blocks, 1)
    for k in range(count):
        changing = (k == 0) if downsample_first else (k == count - 1)
        if changing:
            x = blocks.basic_block(
                x, out_channels, name=f"{name}.{k}", strides=strides, dtype=dtype
            )
        else:
            width = out_channels if downsample_first else in_channels
            x = blocks.basic_block(x, width, name=f"{name}.{k}", dtype=dtype)
    return x


def hourglass_module(x, depth, stage_channels, stage_blocks, *, name, dtype=None):
    """MMPose ``HourglassModule(depth, stage_channels, stage_blocks)`` at ``name``."""
    cur_block, next_block = stage_blocks[0], stage_blocks[1]
    cur_channel, next_channel = stage_channels[0], stage_channels[1]
    up1 = res_layer(x, cur_block, cur_channel, name=f"{name}.up1", dtype=dtype)
    low1 = res_layer(x, cur_block, next_channel, strides=2, name=f"{name}.low1", dtype=dtype)
    if depth > 1:
        low2 = hourglass_module(
            low1,
            depth - 1,
            stage_channels[1:],
            stage_blocks[1:],
            name=f"{name}.low2",
            dtype=dtype,
        )
    else:
        low2 = res_layer(low1, next_block, next_channel, name=f"{name}.low2", dtype=dtype)
    low3 = res_layer(
        low2,
        cur_block,
        cur_channel,
        downsample_first=False,
        name=f"{name}.low3",
        dtype=dtype,
    )
    up2 = keras.layers.UpSampling2D(
        2, interpolation="nearest", name=f"{blocks.keras_name(name)}-up2", dtype=dtype
    )(low3)
    return keras.layers.Add(name=f"{blocks.keras_name(name)}--add", dtype=dtype)([up1, up2])


@keras.saving.register_keras_serializable(package="keras_facelm")
class HourglassBackbone(Backbone):
    """MMPose ``HourglassNet`` with ``num_stacks=1``.

    Args:
        downsample_times: depth of the hourglass recursion (5 for Hourglass-52).
        stage_channels: channels per recursion level; ``stage_channels[0]`` must
            be 256 because MMPose's stem always outputs 256 channels.
        stage_blocks: BasicBlocks per recursion level (same length).
        feat_channel: output channels of ``out_convs.0``.
        input_shape: NHWC input shape without the batch axis (normalised
            floats); H and W must be multiples of ``2 ** (downsample_times + 2)``.

    Call: ``(N, H, W, 3)`` → ``[(N, H/4, W/4, feat_channel)]``.
    """

    def __init__(
        self,
        downsample_times=5,
        stage_channels=(256, 256, 384, 384, 384, 512),
        stage_blocks=(2, 2, 2, 2, 2, 4),
        feat_channel=256,
        input_shape=(None, None, 3),
        name="backbone",
        dtype=None,
        **kwargs,
    ):
        stage_channels = tuple(int(c) for c in stage_channels)
        stage_blocks = tuple(int(b) for b in stage_blocks)
        if len(stage_channels) != len(stage_blocks):
            raise ValueError(
                f"stage_channels {stage_channels} and stage_blocks {stage_blocks} must have "
                "the same length."
            )
        if len(stage_channels) <= downsample_times:
            raise ValueError(
                f"stage_channels needs more than downsample_times={downsample_times} entries, "
                f"got {len(stage_channels)}."
            )
        if stage_channels[0] != _STEM_CHANNELS:
            raise ValueError(
                f"stage_channels[0] must be {_STEM_CHANNELS} (MMPose's Hourglass stem always "
                f"outputs {_STEM_CHANNELS} channels), got {stage_channels[0]}."
            )
        inputs = keras.Input(shape=tuple(input_shape), name="images")
        x = _conv_module(inputs, 128, 7, strides=2, padding=3, name="stem.0", dtype=dtype)
        x = blocks.basic_block(x, _STEM_CHANNELS, strides=2, name="stem.1.0", dtype=dtype)
        x = _dormant_basic_block(x, name="inters.0", dtype=dtype)
        x = hourglass_module(
            x,
            downsample_times,
            stage_channels,
            stage_blocks,
            name="hourglass_modules.0",
            dtype=dtype,
        )
        x = _conv_module(x, feat_channel, 3, padding=1, name="out_convs.0", dtype=dtype)
        super().__init__(
            inputs=inputs,
            outputs=[x],
            name=name,
            dtype=dtype,
            config=dict(
                downsample_times=downsample_times,
                stage_channels=stage_channels,
                stage_blocks=stage_blocks,
                feat_channel=feat_channel,
                input_shape=tuple(input_shape),
            ),
            **kwargs,
        )
