"""A build interrupted half-way (Ctrl-C, or the process killed) and run again gives the same
dataset as one clean build: TFDS writes into a temporary folder and renames it only when
every split is done, and the records' keys and order come from the annotation files alone."""

import hashlib
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest

tfds = pytest.importorskip("tensorflow_datasets")

from tfds_builders import _face_builder, _testing  # noqa: E402
from tfds_builders.wflw import wflw_dataset_builder  # noqa: E402

Builder = wflw_dataset_builder.Builder
DUMMY = Builder.code_path.parent / "dummy_data"


def _record_files(data_dir: pathlib.Path) -> dict[str, str]:
    """sha256 of every record shard of the finished dataset, by file name."""
    version_dir = data_dir / "wflw" / str(Builder.VERSION)
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(version_dir.iterdir())
        if ".tfrecord" in p.name
    }


def test_interrupted_build_then_rebuild_equals_a_clean_build(tmp_path, monkeypatch):
    clean = _testing.build(Builder, DUMMY, tmp_path / "clean", skip_image_decoding=True)

    read_image = _face_builder.image_io.read_image
    calls = []

    def interrupted_after_two_images(path):
        calls.append(path)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return read_image(path)

    monkeypatch.setattr(_face_builder.image_io, "read_image", interrupted_after_two_images)
    with pytest.raises(KeyboardInterrupt):
        _testing.build(Builder, DUMMY, tmp_path / "again")
    assert not (tmp_path / "again" / "wflw" / str(Builder.VERSION)).exists()  # nothing half-built
    monkeypatch.undo()

    again = _testing.build(Builder, DUMMY, tmp_path / "again", skip_image_decoding=True)
    assert _record_files(tmp_path / "again") == _record_files(tmp_path / "clean") != {}
    assert sorted(again) == sorted(clean)
    for split, examples in clean.items():
        assert [e["image/filename"] for e in again[split]] == [
            e["image/filename"] for e in examples
        ]


_KILLED_BUILD = """
import pathlib, sys, time
from tfds_builders import _face_builder, _testing
from tfds_builders.wflw import wflw_dataset_builder

read_image, calls = _face_builder.image_io.read_image, []
def stalls_after_two_images(path):
    calls.append(path)
    if len(calls) > 2:
        pathlib.Path(sys.argv[2]).touch()  # half-way: the parent kills us now
        time.sleep(600)
    return read_image(path)
_face_builder.image_io.read_image = stalls_after_two_images
builder = wflw_dataset_builder.Builder
_testing.build(builder, builder.code_path.parent / "dummy_data", sys.argv[1])
"""


def test_killed_build_then_rebuild_equals_a_clean_build(tmp_path):
    _testing.build(Builder, DUMMY, tmp_path / "clean")
    marker = tmp_path / "half-way"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_KILLED_BUILD), str(tmp_path / "again"), marker],
        cwd=pathlib.Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "the child build never got half-way"
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = [p for p in (tmp_path / "again" / "wflw").iterdir()]
    assert left and all("incomplete" in p.name for p in left)  # a half-written temporary folder

    _testing.build(Builder, DUMMY, tmp_path / "again")
    assert _record_files(tmp_path / "again") == _record_files(tmp_path / "clean") != {}
    assert tfds.builder("wflw", data_dir=tmp_path / "again").info.splits["train"].num_examples == 3
