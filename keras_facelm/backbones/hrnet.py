"""HRNet (HRNetV2 as MMPose builds it for face landmarks), as a functional Keras model.

Mirrors ``mmpose/models/backbones/hrnet.py``: a two-conv stride-4 stem, ``layer1``
(stage 1), then stages 2-4 of ``HRModule``s whose parallel branches exchange
information through ``fuse_layers``. Layer names are MMPose's module paths
(``stage3.2.fuse_layers.2.0.1.0``, dots written as dashes), so MMPose
checkpoints load by name.
"""

from __future__ import annotations

import keras

from keras_facelm.backbones import blocks
from keras_facelm.backbones.backbone import Backbone
from keras_facelm.utils.config import as_tuples

__all__ = ["HRNetBackbone", "HRNET_W18_STAGES", "hrnet_stages"]


def hrnet_stages(width: int = 18, stage1_blocks: int = 4, num_blocks: int = 4):
    """MMPose's ``extra`` stage dict for HRNetV2-W``width`` (W18, W32, W48, ...).

    Stage 1: one Bottleneck module of 64 channels. Stages 2-4: 1, 4 and 3
    modules of BasicBlocks with ``width × (1, 2, 4, 8)`` channels.
    """
    w = width
    return {
        "stage1": dict(
            num_modules=1,
            num_branches=1,
            block="BOTTLENECK",
            num_blocks=(stage1_blocks,),
            num_channels=(64,),
        ),
        "stage2": dict(
            num_modules=1,
            num_branches=2,
            block="BASIC",
            num_blocks=(num_blocks,) * 2,
            num_channels=(w, 2 * w),
        ),
        "stage3": dict(
            num_modules=4,
            num_branches=3,
            block="BASIC",
            num_blocks=(num_blocks,) * 3,
            num_channels=(w, 2 * w, 4 * w),
        ),
        "stage4": dict(
            num_modules=3,
            num_branches=4,
            block="BASIC",
            num_blocks=(num_blocks,) * 4,
            num_channels=(w, 2 * w, 4 * w, 8 * w),
            multiscale_output=True,
        ),
    }


HRNET_W18_STAGES = hrnet_stages(18)

_EXPANSION = {"BASIC": 1, "BOTTLENECK": 4}


def _block(x, block_type, channels, *, name, dtype):
    """One residual block; ``channels`` are the *output* channels (MMPose's convention)."""
    if block_type == "BASIC":
        return blocks.basic_block(x, channels, name=name, dtype=dtype)
    if block_type == "BOTTLENECK":
        return blocks.bottleneck(x, channels // 4, name=name, dtype=dtype)
    raise ValueError(f"unknown HRNet block type {block_type!r}; expected BASIC or BOTTLENECK")


def _upsample(x, factor, mode, name, dtype):
    return keras.layers.UpSampling2D(
        factor, interpolation=mode, name=blocks.keras_name(name), dtype=dtype
    )(x)


def _hr_module(xs, cfg, multiscale_output, upsample_mode, name, dtype):
    """One ``HRModule``: run every branch, then fuse (sum over sources, ReLU)."""
    n = cfg["num_branches"]
    expansion = _EXPANSION[cfg["block"]]
    xs = list(xs)
    for b in range(n):
        channels = cfg["num_channels"][b] * expansion
        for k in range(cfg["num_blocks"][b]):
            xs[b] = _block(
                xs[b],
                cfg["block"],
                channels,
                name=f"{name}.branches.{b}.{k}",
                dtype=dtype,
            )
    if n == 1:
        return xs
    channels = [x.shape[-1] for x in xs]
    outputs = []
    for i in range(n if multiscale_output else 1):
        terms = []
        for j in range(n):
            path = f"{name}.fuse_layers.{i}.{j}"
            if j == i:
                terms.append(xs[j])
            elif j > i:
                y = blocks.conv_bn(
                    xs[j],
                    channels[i],
                    1,
                    conv_name=f"{path}.0",
                    bn_name=f"{path}.1",
                    activation=False,
                    dtype=dtype,
                )
                terms.append(_upsample(y, 2 ** (j - i), upsample_mode, f"{path}.2", dtype))
            else:
                y = xs[j]
                for t in range(i - j):
                    last = t == i - j - 1
                    y = blocks.conv_bn(
                        y,
                        channels[i] if last else channels[j],
                        3,
                        strides=2,
                        padding=1,
                        conv_name=f"{path}.{t}.0",
                        bn_name=f"{path}.{t}.1",
                        activation=not last,
                        dtype=dtype,
                    )
                terms.append(y)
        y = keras.layers.Add(name=blocks.keras_name(f"{name}.fuse.{i}--add"), dtype=dtype)(terms)
        outputs.append(blocks.relu(y, name=f"{name}.fuse.{i}--relu", dtype=dtype))
    return outputs


def _transition(xs, pre_channels, cur_channels, name, source_last, dtype):
    """MMPose's ``_make_transition_layer`` applied as in ``HRNet.forward``.

    Existing branches whose width changes get a 3x3 conv; each new branch is a
    chain of stride-2 3x3 convs from the lowest-resolution input. As in MMPose's
    forward, a transition of stages 3 and 4 reads ``y_list[-1]``
    (``source_last``).
    """
    out = []
    for i, c in enumerate(cur_channels):
        if i < len(pre_channels):
            if c == pre_channels[i]:
                out.append(xs[i])
                continue
            src = xs[-1] if source_last else xs[i]
            out.append(
                blocks.conv_bn(
                    src,
                    c,
                    3,
                    padding=1,
                    conv_name=f"{name}.{i}.0",
                    bn_name=f"{name}.{i}.1",
                    dtype=dtype,
                )
            )
        else:
            y = xs[-1]
            for j in range(i + 1 - len(pre_channels)):
                last = j == i - len(pre_channels)
                y = blocks.conv_bn(
                    y,
                    c if last else pre_channels[-1],
                    3,
                    strides=2,
                    padding=1,
                    conv_name=f"{name}.{i}.{j}.0",
                    bn_name=f"{name}.{i}.{j}.1",
                    dtype=dtype,
                )
            out.append(y)
    return out


@keras.saving.register_keras_serializable(package="keras_facelm")
class HRNetBackbone(Backbone):
    """HRNet backbone returning the four branch outputs (HRNetV2 multiscale).

    Args:
        stages: MMPose's ``extra`` dict with keys ``stage1`` ... ``stage4``, each
            with ``num_modules``, ``num_branches``, ``block`` (``"BASIC"`` or
            ``"BOTTLENECK"``), ``num_blocks``, ``num_channels`` and optionally
            ``multiscale_output``. Defaults to HRNetV2-W18 (:func:`hrnet_stages`).
        upsample_mode: ``"bilinear"`` (the face configs; align_corners=False) or
            ``"nearest"`` (MMPose's default) for the fuse-layer upsampling.
        input_shape: ``(H, W, 3)`` of the normalised input; spatial dims may be
            ``None``.

    Call: ``(N, H, W, 3)`` normalised float images → list of 4 feature maps
    ``(N, H/4, W/4, C0)``, ``(N, H/8, W/8, C1)``, ``(N, H/16, W/16, C2)``,
    ``(N, H/32, W/32, C3)`` (W18: C = 18, 36, 72, 144).
    """

    def __init__(
        self,
        stages=None,
        upsample_mode="bilinear",
        input_shape=(None, None, 3),
        name="backbone",
        dtype=None,
        **kwargs,
    ):
        stages = as_tuples(stages or HRNET_W18_STAGES)
        inputs = keras.Input(shape=tuple(input_shape), name="images")
        x = blocks.conv_bn(
            inputs,
            64,
            3,
            strides=2,
            padding=1,
            conv_name="conv1",
            bn_name="bn1",
            dtype=dtype,
        )
        x = blocks.conv_bn(
            x,
            64,
            3,
            strides=2,
            padding=1,
            conv_name="conv2",
            bn_name="bn2",
            dtype=dtype,
        )
        s1 = stages["stage1"]
        channels = s1["num_channels"][0] * _EXPANSION[s1["block"]]
        for k in range(s1["num_blocks"][0]):
            x = _block(x, s1["block"], channels, name=f"layer1.{k}", dtype=dtype)
        xs, pre = [x], [channels]
        for s in (2, 3, 4):
            cfg = stages[f"stage{s}"]
            cur = [c * _EXPANSION[cfg["block"]] for c in cfg["num_channels"]]
            xs = _transition(xs, pre, cur, f"transition{s - 1}", s > 2, dtype)
            multiscale = cfg.get("multiscale_output", True) if s == 4 else True
            for m in range(cfg["num_modules"]):
                last = m == cfg["num_modules"] - 1
                xs = _hr_module(
                    xs,
                    cfg,
                    multiscale or not last,
                    upsample_mode,
                    f"stage{s}.{m}",
                    dtype,
                )
            pre = cur
        super().__init__(
            inputs=inputs,
            outputs=xs,
            name=name,
            dtype=dtype,
            config=dict(
                stages=stages,
                upsample_mode=upsample_mode,
                input_shape=tuple(input_shape),
            ),
            **kwargs,
        )
        self.stages = stages
