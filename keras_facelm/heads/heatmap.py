"""MMPose's ``HeatmapHead`` (SimpleBaseline deconvs + convs + final 1x1) and the concat neck.

Both are functions that add named layers to a functional graph; layer names are
MMPose 1.x module paths (``head.deconv_layers.<3i>`` deconv, ``<3i+1>`` BN,
``head.conv_layers.<3i>`` conv, ``<3i+1>`` BN, ``head.final_layer``).
"""

from __future__ import annotations

import keras

from keras_facelm.backbones import blocks

__all__ = ["heatmap_head", "concat_neck"]


def _deconv(x, filters, kernel_size, name, dtype):
    """``ConvTranspose2d(k, stride=2, bias=False)`` with MMPose's padding per kernel.

    MMPose uses (padding, output_padding) = (1, 0) for k=4 and (0, 0) for k=2;
    both equal Keras' ``Conv2DTranspose`` with ``"same"``/``"valid"`` and no
    kernel flip. k=3 (padding 1, output_padding 1) is not
    supported because no face config uses it and its alignment is unverified.
    """
    paddings = {4: "same", 2: "valid"}
    if kernel_size not in paddings:
        raise ValueError(f"deconv kernel size {kernel_size} is not supported; expected 4 or 2")
    return keras.layers.Conv2DTranspose(
        filters,
        kernel_size,
        strides=2,
        padding=paddings[kernel_size],
        use_bias=False,
        name=blocks.keras_name(name),
        dtype=dtype,
    )(x)


def heatmap_head(
    x,
    num_keypoints,
    *,
    deconv_out_channels=(256, 256, 256),
    deconv_kernel_sizes=(4, 4, 4),
    conv_out_channels=(),
    conv_kernel_sizes=(),
    dtype=None,
):
    """Adds MMPose's HeatmapHead to a graph.

    Args:
        x: features ``(N, h, w, C)``.
        num_keypoints: K, output channels.
        deconv_out_channels / deconv_kernel_sizes: the deconv stack (each
            ``ConvTranspose2d`` stride 2 → BN → ReLU); empty for HRNet.
        conv_out_channels / conv_kernel_sizes: the conv stack (each ``Conv2d``
            with bias, padding ``(k-1)//2`` → BN → ReLU); HRNet uses ``(270,)``
            with kernel 1.

    Returns:
        Heatmaps ``(N, h·2^D, w·2^D, K)`` (D = number of deconvs), no activation.
    """
    if len(deconv_out_channels) != len(deconv_kernel_sizes):
        raise ValueError("deconv_out_channels and deconv_kernel_sizes differ in length")
    if len(conv_out_channels) != len(conv_kernel_sizes):
        raise ValueError("conv_out_channels and conv_kernel_sizes differ in length")
    for i, (c, k) in enumerate(zip(deconv_out_channels, deconv_kernel_sizes, strict=True)):
        x = _deconv(x, c, k, f"head.deconv_layers.{3 * i}", dtype)
        x = blocks.batch_norm(x, name=f"head.deconv_layers.{3 * i + 1}", dtype=dtype)
        x = blocks.relu(x, name=f"head.deconv_layers.{3 * i + 2}--relu", dtype=dtype)
    for i, (c, k) in enumerate(zip(conv_out_channels, conv_kernel_sizes, strict=True)):
        x = blocks.conv2d(
            x,
            c,
            k,
            padding=(k - 1) // 2,
            use_bias=True,
            name=f"head.conv_layers.{3 * i}",
            dtype=dtype,
        )
        x = blocks.batch_norm(x, name=f"head.conv_layers.{3 * i + 1}", dtype=dtype)
        x = blocks.relu(x, name=f"head.conv_layers.{3 * i + 2}--relu", dtype=dtype)
    return blocks.conv2d(x, num_keypoints, 1, use_bias=True, name="head.final_layer", dtype=dtype)


def concat_neck(features, dtype=None):
    """MMPose's ``FeatureMapProcessor(concat=True)`` on HRNet's multi-scale outputs.

    Resizes every map to the first one's resolution (bilinear,
    align_corners=False) and concatenates along channels. HRNet branch ``i`` is
    ``2^i`` times smaller than branch 0, so the resize is an exact ``2^i``
    upsampling, which also works with dynamic spatial sizes.

    Args:
        features: list of ``(N, H/2^i, W/2^i, C_i)``.

    Returns:
        ``(N, H, W, sum C_i)`` (270 channels for W18).
    """
    resized = [features[0]]
    for i, f in enumerate(features[1:], start=1):
        resized.append(
            keras.layers.UpSampling2D(
                2**i, interpolation="bilinear", name=f"neck--resize{i}", dtype=dtype
            )(f)
        )
    return keras.layers.Concatenate(axis=-1, name="neck--concat", dtype=dtype)(resized)
