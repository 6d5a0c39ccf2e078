"""The converter command line: MMPose-layout checkpoint → preset directory → same model."""

import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_facelm.cli import main
from keras_facelm.models import HRNetV2W18, from_preset
from tests.conftest import REPO

torch = pytest.importorskip("torch")


def _mmpose_v1_checkpoint(model, path):
    """Writes ``model``'s weights as an MMPose 1.x checkpoint with torch (zip format)."""
    from keras_facelm.checkpoints.porting import _targets

    state_dict = {}
    for key, (variable, _) in _targets(model).items():
        array = keras.ops.convert_to_numpy(variable)
        if array.ndim == 4:  # Conv2D [kh, kw, I, O] → torch [O, I, kh, kw]
            array = np.transpose(array, (3, 2, 0, 1))
        state_dict[key] = torch.from_numpy(np.ascontiguousarray(array))
    torch.save({"meta": {"note": "test"}, "state_dict": state_dict}, path)


def test_convert_writes_a_preset_that_reproduces_the_source_model(tmp_path):
    source = HRNetV2W18(19, scheme="aflw")  # the full W18 of hrnetv2_w18_aflw
    ckpt = tmp_path / "hrnetv2_w18_aflw_256x256.pth"
    _mmpose_v1_checkpoint(source, ckpt)
    out = tmp_path / "preset"
    result = subprocess.run(
        [sys.executable, str(REPO / "convert" / "mmpose_to_keras.py"), "--preset",
         "hrnetv2_w18_aflw", "--checkpoint", str(ckpt), "--output", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "wrote" in result.stdout and "HRNetV2W18" in result.stdout
    model = from_preset(out)
    assert type(model) is HRNetV2W18 and model.codec.unbiased is False
    x = np.random.default_rng(0).uniform(0, 255, (1, 256, 256, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), source.predict(x, verbose=0), atol=1e-5)


def test_convert_names_the_problem_for_a_wrong_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / "bad.pth"
    torch.save({"state_dict": {"backbone.conv1.weight": torch.zeros(3)}}, ckpt)
    with pytest.raises(SystemExit) as e:
        main(["convert", "--preset", "hrnetv2_w18_aflw", "--checkpoint", str(ckpt),
              "--output", str(tmp_path / "out")])  # fmt: skip
    message = str(e.value)
    assert "bad.pth" in message and "backbone.conv1.weight" in message and "\n" not in message
    assert not (tmp_path / "out").exists()


def test_presets_lists_recipe_only_entries(capsys):
    main(["presets"])
    lines = capsys.readouterr().out.splitlines()
    star = [line for line in lines if line.startswith("res50_starloss_wflw")]
    assert star and "recipe only" in star[0]
    assert any(line.startswith("hrnetv2_w18_wflw ") and "test 4.06" in line for line in lines)
