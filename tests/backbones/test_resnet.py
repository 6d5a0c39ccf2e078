"""ResNet backbone: MMPose parity on seeded weights, parameter counts, config."""

from __future__ import annotations

import pytest

from keras_facelm.backbones.resnet import ResNetBackbone
from tests.parity.backbone_fixtures import check_backbone_parity, trainable_count


@pytest.mark.parametrize("name", ["resnet50_tiny", "resnet18_tiny"])
def test_matches_mmpose_tiny(name):
    check_backbone_parity(name, ResNetBackbone)


@pytest.mark.slow
def test_matches_mmpose_resnet50_full():
    check_backbone_parity("resnet50_full", ResNetBackbone)


@pytest.mark.slow
@pytest.mark.parametrize("depth, count", [(18, 11_176_512), (34, 21_284_672), (101, 42_500_160)])
def test_full_parameter_counts(depth, count):
    # MMPose 1.3.2 ResNet(depth) parameter counts (torchvision's minus the fc).
    assert trainable_count(ResNetBackbone(depth=depth)) == count


def test_config_round_trip():
    model = ResNetBackbone(depth=18, base_channels=2, stem_channels=4, name="r")
    config = model.get_config()
    assert config["depth"] == 18 and config["base_channels"] == 2
    assert config["stem_channels"] == 4 and config["num_stages"] == 4
    assert ResNetBackbone.from_config(config).get_config() == config


def test_num_stages_truncates_like_mmpose():
    # MMPose ResNet(num_stages=2, out_indices=(1,)) returns layer2: H/8, base*4*2 channels.
    model = ResNetBackbone(depth=50, base_channels=2, stem_channels=4, num_stages=2)
    assert model.outputs[0].shape[-1] == 16
    assert [la.name for la in model.layers if la.name.startswith("layer3")] == []
    with pytest.raises(ValueError, match="num_stages"):
        ResNetBackbone(num_stages=5)


def test_rejects_unknown_depth():
    with pytest.raises(ValueError, match="depth=42"):
        ResNetBackbone(depth=42)
