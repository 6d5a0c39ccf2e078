"""Hourglass backbone: MMPose parity, the unused ``inters.0`` block, config."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_facelm.backbones.hourglass import (
    DormantBatchNormalization,
    DormantConv2D,
    HourglassBackbone,
)
from tests.parity.backbone_fixtures import check_backbone_parity, trainable_count

TINY = dict(
    downsample_times=2,
    stage_channels=(256, 16, 24),
    stage_blocks=(2, 1, 3),
    feat_channel=16,
)


def test_matches_mmpose_tiny():
    # The fixture's state dict includes inters.0: loading is strict both ways.
    model = check_backbone_parity("hourglass_tiny", HourglassBackbone)
    assert isinstance(model.get_layer("inters-0-conv1"), DormantConv2D)
    assert isinstance(model.get_layer("inters-0-bn2"), DormantBatchNormalization)


@pytest.mark.slow
def test_matches_mmpose_hourglass52_full():
    check_backbone_parity("hourglass52_full", HourglassBackbone)


def test_unused_block_does_not_change_the_output():
    model = HourglassBackbone(**TINY)
    images = np.random.RandomState(0).standard_normal((1, 32, 32, 3)).astype("float32")
    before = keras.ops.convert_to_numpy(model(images, training=False))
    inters = [w for w in model.weights if "inters-0" in w.path]
    assert len(inters) == 2 + 2 * 4  # two kernels, two BNs with 4 variables each
    for w in inters:
        w.assign(np.full(w.shape, 7.0, "float32"))
    after = keras.ops.convert_to_numpy(model(images, training=False))
    np.testing.assert_array_equal(before, after)
    # 2 x (3x3x256x256 kernel + 2x256 BN) = 1,180,672 trainable, counted as MMPose does.
    assert sum(int(np.prod(w.shape)) for w in inters if w.trainable) == 1_180_672
    assert trainable_count(model) == 5_253_520  # MMPose's count for this configuration


def test_config_round_trip():
    model = HourglassBackbone(**TINY)
    config = model.get_config()
    assert config["stage_channels"] == (256, 16, 24) and config["feat_channel"] == 16
    assert HourglassBackbone.from_config(config).get_config() == config


def test_rejects_stage_channels_mmpose_cannot_run():
    with pytest.raises(ValueError, match=r"stage_channels\[0\] must be 256"):
        HourglassBackbone(downsample_times=2, stage_channels=(16, 16, 24), stage_blocks=(1, 1, 1))
    with pytest.raises(ValueError, match="same length"):
        HourglassBackbone(downsample_times=2, stage_channels=(256, 16, 24), stage_blocks=(1, 1))
