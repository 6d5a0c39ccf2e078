"""The converter command line: MMPose-layout checkpoint → preset directory → same model."""

import json
import subprocess
import sys

import numpy as np
import pytest

from keras_facelm.cli import main
from keras_facelm.models import HRNetV2W18, from_preset
from tests.checkpoints.mmpose_layout import write_mmpose_v1_checkpoint
from tests.conftest import REPO

torch = pytest.importorskip("torch")


def test_convert_writes_a_preset_that_reproduces_the_source_model(tmp_path):
    source = HRNetV2W18(19, scheme="aflw")  # the full W18 of hrnetv2_w18_aflw
    ckpt = tmp_path / "hrnetv2_w18_aflw_256x256.pth"
    write_mmpose_v1_checkpoint(source, ckpt)
    out = tmp_path / "preset"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "convert" / "mmpose_to_keras.py"),
            "--preset",
            "hrnetv2_w18_aflw",
            "--checkpoint",
            str(ckpt),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote" in result.stdout and "HRNetV2W18" in result.stdout
    model = from_preset(out)
    assert type(model) is HRNetV2W18 and model.codec.unbiased is False
    x = np.random.default_rng(0).uniform(0, 255, (1, 256, 256, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), source.predict(x, verbose=0), atol=1e-5)


def test_convert_names_the_problem_for_a_wrong_checkpoint(tmp_path, capsys):
    ckpt = tmp_path / "bad.pth"
    torch.save({"state_dict": {"backbone.conv1.weight": torch.zeros(3)}}, ckpt)
    with pytest.raises(SystemExit) as e:
        main(
            [
                "convert",
                "--preset",
                "hrnetv2_w18_aflw",
                "--checkpoint",
                str(ckpt),
                "--output",
                str(tmp_path / "out"),
            ]
        )
    message = str(e.value)
    assert "bad.pth" in message and "backbone.conv1.weight" in message and "\n" not in message
    assert not (tmp_path / "out").exists()


def test_presets_lists_recipe_only_entries(capsys):
    main(["presets"])
    lines = capsys.readouterr().out.splitlines()
    star = [line for line in lines if line.startswith("res50_starloss_wflw")]
    assert star and "recipe only" in star[0]
    assert any(line.startswith("hrnetv2_w18_wflw ") and "test 4.06" in line for line in lines)


# ----------------------------------------------------------------------------------
# The reproduction of issue 14: converting into an existing directory never reports
# success while keeping the old preset. Tiny MMPose checkpoints keep it fast.


@pytest.fixture
def tiny_presets(monkeypatch):
    """The converter builds the registry presets with the tiny fixtures' HRNet widths."""
    import keras_facelm.models.preset_io as preset_io
    from tests.models.harness import MODEL_FIXTURES, tiny_preset_model

    monkeypatch.setattr(preset_io, "build_preset_model", lambda name: tiny_preset_model(name))
    return {
        "300w": MODEL_FIXTURES / "hrnetv2_w18_300w_tiny_v1.pth",
        "cofw": MODEL_FIXTURES / "hrnetv2_w18_cofw_tiny_v1.pth",
    }


def _run_script(monkeypatch, *args):
    """Runs ``convert/mmpose_to_keras.py`` in this process (so the fixture applies)."""
    import runpy

    script = REPO / "convert" / "mmpose_to_keras.py"
    monkeypatch.setattr(sys, "argv", [str(script), *map(str, args)])
    runpy.run_path(str(script), run_name="__main__")


def _convert(monkeypatch, preset, checkpoint, out, *extra):
    _run_script(
        monkeypatch, "--preset", preset, "--checkpoint", checkpoint, "--output", out, *extra
    )


def _num_keypoints(preset_dir):
    return json.loads((preset_dir / "config.json").read_text())["config"]["num_keypoints"]


@pytest.mark.slow  # three tiny-HRNet builds: ~25 s on an idle CPU
def test_convert_into_an_existing_preset_is_refused_then_overwritten(
    tmp_path, monkeypatch, capsys, tiny_presets
):
    out = tmp_path / "out" / "p"
    _convert(monkeypatch, "hrnetv2_w18_300w", tiny_presets["300w"], out)
    assert capsys.readouterr().out.startswith(f"wrote {out}:")
    assert _num_keypoints(out) == 68
    with pytest.raises(SystemExit) as e:
        _convert(monkeypatch, "hrnetv2_w18_cofw", tiny_presets["cofw"], out)
    message = str(e.value)
    assert message.startswith("keras-facelm convert: error:") and "\n" not in message
    assert str(out) in message and "--overwrite" in message
    assert "wrote" not in capsys.readouterr().out
    assert _num_keypoints(out) == 68
    _convert(monkeypatch, "hrnetv2_w18_cofw", tiny_presets["cofw"], out, "--overwrite")
    assert capsys.readouterr().out.startswith(f"wrote {out}:")
    assert _num_keypoints(out) == 29
    assert sorted(p.name for p in out.parent.iterdir()) == ["p"]  # no temp debris
    assert json.loads((out / "metadata.json").read_text())["preset"] == "hrnetv2_w18_cofw"


def test_convert_refuses_a_non_empty_output_before_any_work(tmp_path, capsys):
    out = tmp_path / "p"
    out.mkdir()
    (out / "config.json").write_text("{}")
    missing = tmp_path / "not_read.pth"  # never opened: the refusal comes first
    with pytest.raises(SystemExit) as e:
        main(
            [
                "convert",
                "--preset",
                "hrnetv2_w18_cofw",
                "--checkpoint",
                str(missing),
                "--output",
                str(out),
            ]
        )
    message = str(e.value)
    assert str(out) in message and "--overwrite" in message and "\n" not in message
    assert "not_read" not in message and capsys.readouterr().out == ""
    assert (out / "config.json").read_text() == "{}"


@pytest.mark.slow  # one tiny-HRNet build
def test_convert_fills_an_existing_empty_directory(tmp_path, capsys, tiny_presets):
    out = tmp_path / "from_mktemp"
    out.mkdir()
    main(
        [
            "convert",
            "--preset",
            "hrnetv2_w18_300w",
            "--checkpoint",
            str(tiny_presets["300w"]),
            "--output",
            str(out),
        ]
    )
    assert capsys.readouterr().out.startswith(f"wrote {out}:")
    assert sorted(p.name for p in out.iterdir()) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    assert _num_keypoints(out) == 68


@pytest.mark.slow  # two tiny-HRNet builds
def test_save_to_preset_refuses_then_overwrites(tmp_path, tiny_presets):
    from tests.models.harness import tiny_preset_model

    out = tmp_path / "p"
    tiny_preset_model("hrnetv2_w18_300w").save_to_preset(out)
    cofw = tiny_preset_model("hrnetv2_w18_cofw")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        cofw.save_to_preset(out)
    assert _num_keypoints(out) == 68
    cofw.save_to_preset(out, overwrite=True)
    assert _num_keypoints(out) == 29
