"""Every detector architecture through the one harness (``tests/models/harness.py``).

Per architecture: MMPose parameter count, config/``.keras`` round trip, one fit
step, preset-directory round trip with exact class checks, mixed precision.
Per registered preset: MMPose parity on the tiny fixtures (raw output,
keypoints with/without flip test, 1.x and 0.x checkpoints).
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from keras_facelm.backbones.hourglass import HourglassBackbone
from keras_facelm.backbones.hrnet import HRNetBackbone
from keras_facelm.backbones.mobilenet_v2 import MobileNetV2Backbone
from keras_facelm.backbones.resnet import ResNetBackbone
from keras_facelm.backbones.scnet import SCNetBackbone
from keras_facelm.models import (
    DeepPoseResNet50,
    Hourglass52Heatmap,
    HRNetV2W18,
    MobileNetV2Heatmap,
    ResNet50Heatmap,
    SCNet50Heatmap,
    build_preset_model,
    list_presets,
)
from tests.models import harness
from tests.models.tiny_hrnet import TINY_HRNET_STAGES


@dataclasses.dataclass(frozen=True)
class Arch:
    """How to build a small model of one architecture, and what MMPose counts in the full one."""

    cls: type
    small: object  # dtype -> small model
    side: int  # input side of the small model, pixels
    target_shape: tuple  # raw output shape of the small model, without batch
    head_layer: str
    full_kwargs: dict
    full_params: int  # MMPose 1.3.2's trainable parameter count of the full model
    full_output: tuple


def _input(side):
    return dict(input_size=(side, side))


ARCHS = {
    "hrnetv2_w18": Arch(
        HRNetV2W18,
        lambda dtype: HRNetV2W18(
            19,
            scheme="aflw",
            codec=_input(64),
            dtype=dtype,
            backbone=HRNetBackbone(TINY_HRNET_STAGES, dtype=dtype),
        ),
        64,
        (16, 16, 19),
        "head-final_layer",
        dict(num_keypoints=98, scheme="wflw"),
        9_662_528,
        (64, 64, 98),
    ),
    "res50_heatmap": Arch(
        ResNet50Heatmap,
        lambda dtype: ResNet50Heatmap(
            68,
            codec=_input(64),
            dtype=dtype,
            backbone=ResNetBackbone(depth=18, base_channels=2, stem_channels=4, dtype=dtype),
            head=dict(deconv_out_channels=(4, 4, 4), deconv_kernel_sizes=(4, 4, 4)),
        ),
        64,
        (16, 16, 68),
        "head-final_layer",
        {},
        34_012_804,
        (64, 64, 68),
    ),
    "scnet50_heatmap": Arch(
        SCNet50Heatmap,
        # Reduced width and two of the four stages (MMPose's num_stages).
        lambda dtype: SCNet50Heatmap(
            68,
            codec=_input(64),
            dtype=dtype,
            backbone=SCNetBackbone(base_channels=2, stem_channels=4, num_stages=2, dtype=dtype),
            head=dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,)),
        ),
        64,
        (16, 16, 68),
        "head-final_layer",
        {},
        34_020_356,
        (64, 64, 68),
    ),
    "mobilenetv2_heatmap": Arch(
        MobileNetV2Heatmap,
        lambda dtype: MobileNetV2Heatmap(
            68,
            codec=_input(64),
            dtype=dtype,
            backbone=MobileNetV2Backbone(widen_factor=0.1, dtype=dtype),
            head=dict(deconv_out_channels=(4,), deconv_kernel_sizes=(4,)),
        ),
        64,
        (4, 4, 68),
        "head-final_layer",
        {},
        9_582_916,
        (64, 64, 68),
    ),
    "hourglass52_heatmap": Arch(
        Hourglass52Heatmap,
        lambda dtype: Hourglass52Heatmap(
            68,
            codec=_input(32),
            dtype=dtype,
            backbone=HourglassBackbone(
                downsample_times=1,
                stage_channels=(256, 8),
                stage_blocks=(1, 1),
                feat_channel=8,
                dtype=dtype,
            ),
        ),
        32,
        (8, 8, 68),
        "head-multi_final_layers-0",
        {},
        94_860_996,
        (64, 64, 68),
    ),
    "deeppose_res50": Arch(
        DeepPoseResNet50,
        lambda dtype: DeepPoseResNet50(
            98,
            codec=_input(64),
            dtype=dtype,
            backbone=ResNetBackbone(depth=18, base_channels=2, stem_channels=4, dtype=dtype),
        ),
        64,
        (98, 2),
        "head-fc",
        {},
        23_909_636,
        (98, 2),
    ),
}


def _images(side, n=2, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, side, side, 3)).astype("float32")


@pytest.mark.parametrize("arch", ARCHS)
def test_full_model_trainable_parameters_equal_mmpose(arch):
    spec = ARCHS[arch]
    model = spec.cls(**spec.full_kwargs)
    assert harness.trainable_count(model) == spec.full_params
    assert model.output_shape == (None, *spec.full_output)


# Hourglass's never-run inters.0 has no gradient (as in MMPose); Keras warns about it.
@pytest.mark.filterwarnings("ignore:Gradients do not exist:UserWarning")
@pytest.mark.parametrize("arch", ARCHS)
def test_keras_round_trip_and_one_fit_step(arch, tmp_path):
    spec = ARCHS[arch]
    model = spec.small(None)
    images = _images(spec.side)
    harness.check_keras_round_trip(model, tmp_path, images)
    targets = np.random.default_rng(1).uniform(0, 1, (2, *spec.target_shape)).astype("float32")
    harness.check_one_fit_step(model, images, targets, spec.head_layer)


@pytest.mark.parametrize("arch", ARCHS)
def test_preset_directory_round_trip_with_exact_class_check(arch, tmp_path):
    spec = ARCHS[arch]
    other = HRNetV2W18 if spec.cls is not HRNetV2W18 else ResNet50Heatmap
    harness.check_preset_dir_round_trip(spec.small(None), tmp_path, _images(spec.side), other)


# Every architecture under both policies is slow on CPU (XLA and PyTorch run float16
# convolutions through slow paths there); the fast suite checks one architecture.
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.parametrize(
    "arch",
    [pytest.param(a, marks=[] if a == "deeppose_res50" else pytest.mark.slow) for a in ARCHS],
)
def test_mixed_precision_predicts_like_float32(arch, policy):
    spec = ARCHS[arch]
    harness.check_mixed_precision(spec.small, _images(spec.side, n=3), policy)


# -- MMPose parity, one test per registered preset with weights ------------------
#: Checked on every backend: one preset per architecture, and DARK decoding. The other HRNet
#: presets differ from these only in K, sigma and the flip pairs: the JAX run checks them.
EVERY_BACKEND_PRESETS = {
    "hrnetv2_w18_wflw",
    "hrnetv2_w18_dark_wflw",
    "res50_coco_wholebody_face",
    "scnet50_coco_wholebody_face",
    "mobilenetv2_coco_wholebody_face",
    "hourglass52_coco_wholebody_face",
    "deeppose_res50_wingloss_wflw",
}


@pytest.mark.parametrize(
    "preset",
    [
        pytest.param(p, marks=[] if p in EVERY_BACKEND_PRESETS else pytest.mark.one_backend)
        for p in list_presets(with_weights=True)
    ],
)
def test_tiny_preset_matches_mmpose(preset):
    model = harness.tiny_preset_model(preset)
    record = harness.check_preset_parity(model, preset)
    if hasattr(model.codec, "sigma"):
        assert model.codec.unbiased == record["codec"].get("unbiased", False)
        assert model.codec.sigma == record["codec"]["sigma"]


@pytest.mark.slow
@pytest.mark.mmpose
@pytest.mark.parametrize(
    "preset",
    [
        "hrnetv2_w18_wflw",
        "hrnetv2_w18_dark_coco_wholebody_face",
        "res50_coco_wholebody_face",
        "scnet50_coco_wholebody_face",
        "mobilenetv2_coco_wholebody_face",
        "hourglass52_coco_wholebody_face",
        "deeppose_res50_wingloss_wflw",
    ],
)
def test_full_width_matches_mmpose(preset, tmp_path):
    """Regenerates the full-width fixture with MMPose, then checks the preset's full model."""
    harness.regenerate_fixture(preset, "full", tmp_path)
    harness.check_preset_parity(build_preset_model(preset), preset, "full", fixtures=tmp_path)


def test_decoded_outputs_are_float32_under_mixed_precision():
    model = ARCHS["res50_heatmap"].small("mixed_float16")
    out = model.landmark_model(True)(keras.ops.convert_to_tensor(_images(64)))
    assert keras.backend.standardize_dtype(out["keypoints"].dtype) == "float32"
