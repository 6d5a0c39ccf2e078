"""ResNet backbone as MMPose builds it (``mmpose/models/backbones/resnet.py``).

PyTorch style: in a Bottleneck the stride sits on the 3x3 ``conv2``. Stem:
``conv1`` 7x7/2 → ``bn1`` → ReLU → ``maxpool`` 3x3/2 (padding 1). Then four
``layer{1..4}`` ResLayers with strides (1, 2, 2, 2); the first block of a layer
gets a ``downsample`` (1x1 conv with the layer's stride + BN) when the stride is
not 1 or the channels change. Only ``layer4`` is returned (MMPose's default
``out_indices=(3,)``): a 256x256 input gives an 8x8 map with
``base_channels * 8 * expansion`` channels (2048 for ResNet-50).

Layer names are MMPose's module paths relative to ``backbone.``
(``layer1.0.conv1`` → ``layer1-0-conv1``), so checkpoints load by name.
"""

from __future__ import annotations

import keras

from keras_facelm.backbones import blocks
from keras_facelm.backbones.backbone import Backbone

__all__ = ["ResNetBackbone", "RESNET_ARCH_SETTINGS", "resnet_stem", "resnet_layers"]


# depth → (block type, blocks per layer); expansion 1 for "basic", 4 for "bottleneck".
RESNET_ARCH_SETTINGS = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
_EXPANSION = {"basic": 1, "bottleneck": 4, "sc_bottleneck": 4}
_STRIDES = (1, 2, 2, 2)


def check_num_stages(num_stages):
    if num_stages not in (1, 2, 3, 4):
        raise ValueError(f"num_stages must be 1, 2, 3 or 4, got {num_stages!r}.")


def resnet_stem(x, stem_channels, *, dtype=None):
    """``conv1`` 7x7/2 (pad 3) → ``bn1`` → ReLU → ``maxpool`` 3x3/2 (pad 1): H/4."""
    x = blocks.conv_bn(
        x,
        stem_channels,
        7,
        strides=2,
        padding=3,
        conv_name="conv1",
        bn_name="bn1",
        dtype=dtype,
    )
    # Zero padding equals PyTorch's -inf padding here because the input is a ReLU output.
    x = keras.layers.ZeroPadding2D(1, name="maxpool--pad", dtype=dtype)(x)
    return keras.layers.MaxPooling2D(3, strides=2, padding="valid", name="maxpool", dtype=dtype)(x)


def resnet_layers(x, block_fn, stage_blocks, base_channels, expansion):
    """The four ResLayers ``layer1..layer4``; ``block_fn(x, out_channels, name, strides)``.

    ``out_channels`` is ``base_channels * expansion * 2**i`` for layer ``i+1``, as
    MMPose's ``ResNet.__init__`` computes it.
    """
    out_channels = base_channels * expansion
    for i, num_blocks in enumerate(stage_blocks):
        for k in range(num_blocks):
            strides = _STRIDES[i] if k == 0 else 1
            x = block_fn(x, out_channels, name=f"layer{i + 1}.{k}", strides=strides)
        out_channels *= 2
    return x


@keras.saving.register_keras_serializable(package="keras_facelm")
class ResNetBackbone(Backbone):
    """MMPose ``ResNet(depth, stem_channels, base_channels)``, pytorch style, ``out_indices=(3,)``.

    Args:
        depth: 18, 34 (BasicBlock) or 50, 101, 152 (Bottleneck).
        base_channels: mid channels of ``layer1`` (64 in ResNet-50); the output
            has ``base_channels * 8 * expansion`` channels.
        stem_channels: output channels of ``conv1`` (64).
        num_stages: MMPose's ``num_stages`` (1-4): how many of ``layer1..4``
            are built; the last one is the output (MMPose's
            ``out_indices=(num_stages - 1,)``). 4 for every face model.
        input_shape: NHWC input shape without the batch axis; inputs are already
            normalised floats.

    Call: ``(N, H, W, 3)`` → ``[(N, H/32, W/32, C)]`` (a one-element list;
    Keras returns the bare tensor when the backbone is called on its own).

    Subclasses of the ResNet family (:class:`~keras_facelm.backbones.scnet.SCNetBackbone`,
    as MMPose's ``SCNet(ResNet)``) replace :attr:`arch_settings` and
    :meth:`residual_block`; stem, strides and layer naming stay ResNet's.
    """

    #: depth → (block type, blocks per layer).
    arch_settings = RESNET_ARCH_SETTINGS

    @staticmethod
    def residual_block(x, block_type, out_channels, *, name, strides, dtype):
        """One block of ``block_type`` with ``out_channels`` outputs at module path ``name``."""
        if block_type == "basic":
            return blocks.basic_block(x, out_channels, name=name, strides=strides, dtype=dtype)
        expansion = _EXPANSION[block_type]
        return blocks.bottleneck(
            x,
            out_channels // expansion,
            name=name,
            strides=strides,
            expansion=expansion,
            dtype=dtype,
        )

    def __init__(
        self,
        depth=50,
        base_channels=64,
        stem_channels=64,
        num_stages=4,
        input_shape=(None, None, 3),
        name="backbone",
        dtype=None,
        **kwargs,
    ):
        if depth not in self.arch_settings:
            raise ValueError(
                f"{type(self).__name__} depth={depth!r} is not supported; expected one of "
                f"{sorted(self.arch_settings)}."
            )
        check_num_stages(num_stages)
        block_type, stage_blocks = self.arch_settings[depth]
        expansion = _EXPANSION[block_type]

        def block_fn(x, out_channels, name, strides):
            return self.residual_block(
                x, block_type, out_channels, name=name, strides=strides, dtype=dtype
            )

        inputs = keras.Input(shape=tuple(input_shape), name="images")
        x = resnet_stem(inputs, stem_channels, dtype=dtype)
        x = resnet_layers(x, block_fn, stage_blocks[:num_stages], base_channels, expansion)
        super().__init__(
            inputs=inputs,
            outputs=[x],
            name=name,
            dtype=dtype,
            config=dict(
                depth=depth,
                base_channels=base_channels,
                stem_channels=stem_channels,
                num_stages=num_stages,
                input_shape=tuple(input_shape),
            ),
            **kwargs,
        )
