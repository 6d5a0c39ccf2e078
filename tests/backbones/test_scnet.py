"""SCNet backbone: MMPose parity on seeded weights, nearest resize, config."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_facelm.backbones.scnet import NearestResizeLike, SCNetBackbone
from tests.parity.backbone_fixtures import check_backbone_parity


def test_matches_mmpose_tiny():
    # 136x120 input: SCConv pools 5x4 and 17x15 maps, so the nearest resize
    # runs with sizes that are not multiples of 4.
    check_backbone_parity("scnet50_tiny", SCNetBackbone)


@pytest.mark.slow
def test_matches_mmpose_scnet50_full():
    check_backbone_parity("scnet50_full", SCNetBackbone)


def test_nearest_resize_uses_torch_source_indices():
    # PyTorch nearest, 2 -> 5: source index floor(i * 2 / 5) = 0, 0, 0, 1, 1.
    x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    ref = np.zeros((1, 5, 3, 1), "float32")
    out = keras.ops.convert_to_numpy(NearestResizeLike()([x, ref]))
    expected_rows = [0, 0, 0, 1, 1]
    expected_cols = [0, 0, 1]  # floor(j * 2 / 3)
    np.testing.assert_array_equal(out[0, :, :, 0], x[0, :, :, 0][expected_rows][:, expected_cols])


def test_config_round_trip():
    model = SCNetBackbone(base_channels=2, stem_channels=4)
    config = model.get_config()
    assert config["base_channels"] == 2 and config["depth"] == 50
    assert SCNetBackbone.from_config(config).get_config() == config


def test_rejects_unknown_depth():
    with pytest.raises(ValueError, match="depth=18"):
        SCNetBackbone(depth=18)
