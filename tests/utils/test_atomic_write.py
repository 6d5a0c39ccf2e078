"""User-named outputs: written atomically, or refused naming the path and the flag."""

from __future__ import annotations

import os

import pytest

from keras_facelm.utils.atomic_write import (
    OutputExistsError,
    check_output_directory,
    write_directory,
    write_file,
)


def _names(folder):
    return sorted(p.name for p in folder.iterdir())


# ----------------------------------------------------------------------------------
# write_directory


def test_write_directory_creates_new_with_parents(tmp_path):
    final = tmp_path / "a" / "b" / "preset"
    with write_directory(final) as tmp:
        assert tmp.parent == final.parent and not final.exists()
        (tmp / "config.json").write_text("{}")
    assert (final / "config.json").read_text() == "{}"
    assert _names(final.parent) == ["preset"]


def test_write_directory_fills_an_existing_empty_directory(tmp_path):
    final = tmp_path / "made_by_mktemp"
    final.mkdir(mode=0o750)
    with write_directory(final) as tmp:
        (tmp / "v").write_text("new")
    assert (final / "v").read_text() == "new"
    assert _names(tmp_path) == ["made_by_mktemp"]
    assert final.stat().st_mode & 0o777 == 0o750  # the empty directory's mode kept


def test_write_directory_refuses_a_non_empty_directory_before_the_block(tmp_path):
    final = tmp_path / "p"
    final.mkdir()
    (final / "v").write_text("old")
    ran = []
    with pytest.raises(OutputExistsError) as e:
        with write_directory(final):
            ran.append(1)
    message = str(e.value)
    assert str(final) in message and "--overwrite" in message
    assert "overwrite=True" in message and "\n" not in message
    assert not ran and (final / "v").read_text() == "old"
    assert _names(tmp_path) == ["p"]


def test_write_directory_refuses_a_file_at_the_path(tmp_path):
    final = tmp_path / "p"
    final.write_text("x")
    with pytest.raises(OutputExistsError, match="not a directory"):
        with write_directory(final):
            pass
    assert final.read_text() == "x"


def test_write_directory_refuses_when_filled_during_the_block(tmp_path):
    final = tmp_path / "p"
    final.mkdir()
    with pytest.raises(OutputExistsError, match="non-empty"):
        with write_directory(final) as tmp:
            (tmp / "v").write_text("mine")
            (final / "v").write_text("theirs")  # another writer got there first
    assert (final / "v").read_text() == "theirs"
    assert _names(tmp_path) == ["p"]


def test_write_directory_overwrite_replaces_and_leaves_no_debris(tmp_path):
    final = tmp_path / "p"
    final.mkdir()
    (final / "stale").write_text("old")
    with write_directory(final, overwrite=True) as tmp:
        assert (final / "stale").exists()  # old result intact while writing
        (tmp / "v").write_text("new")
    assert _names(final) == ["v"] and (final / "v").read_text() == "new"
    assert _names(tmp_path) == ["p"]


def test_write_directory_overwrite_replaces_a_file(tmp_path):
    final = tmp_path / "p"
    final.write_text("x")
    with write_directory(final, overwrite=True) as tmp:
        (tmp / "v").write_text("new")
    assert (final / "v").read_text() == "new"


def test_write_directory_error_in_block_keeps_the_old_result(tmp_path):
    final = tmp_path / "p"
    final.mkdir()
    (final / "v").write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with write_directory(final, overwrite=True) as tmp:
            (tmp / "v").write_text("half")
            raise RuntimeError("boom")
    assert (final / "v").read_text() == "old"
    assert _names(tmp_path) == ["p"]


def test_write_directory_failed_swap_puts_the_old_result_back(tmp_path, monkeypatch):
    final = tmp_path / "p"
    final.mkdir()
    (final / "v").write_text("old")
    real_replace = os.replace

    def replace(src, dst):
        if str(src).endswith(".p") and ".tmp-" in str(src):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="disk full"):
        with write_directory(final, overwrite=True) as tmp:
            (tmp / "v").write_text("new")
    assert (final / "v").read_text() == "old"
    assert _names(tmp_path) == ["p"]


def test_check_output_directory(tmp_path):
    check_output_directory(tmp_path / "new", overwrite=False)
    check_output_directory(tmp_path, overwrite=False)  # empty
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputExistsError):
        check_output_directory(tmp_path, overwrite=False)
    check_output_directory(tmp_path, overwrite=True)
    assert issubclass(OutputExistsError, FileExistsError)


# ----------------------------------------------------------------------------------
# write_file


def test_write_file_keeps_the_suffix_and_commits(tmp_path):
    final = tmp_path / "out" / "model.weights.h5"
    with write_file(final) as tmp:
        assert tmp.name.endswith("model.weights.h5") and tmp.parent == final.parent
        tmp.write_bytes(b"data")
        assert not final.exists()
    assert final.read_bytes() == b"data"
    assert _names(final.parent) == ["model.weights.h5"]


def test_write_file_refuses_an_existing_file(tmp_path):
    final = tmp_path / "m.keras"
    final.write_bytes(b"old")
    with pytest.raises(OutputExistsError) as e:
        with write_file(final) as tmp:
            tmp.write_bytes(b"new")
    assert str(final) in str(e.value) and "--overwrite" in str(e.value)
    assert final.read_bytes() == b"old" and _names(tmp_path) == ["m.keras"]


def test_write_file_refuses_a_file_that_appears_during_the_block(tmp_path):
    final = tmp_path / "m.keras"
    with pytest.raises(OutputExistsError):
        with write_file(final) as tmp:
            tmp.write_bytes(b"mine")
            final.write_bytes(b"theirs")
    assert final.read_bytes() == b"theirs" and _names(tmp_path) == ["m.keras"]


def test_write_file_overwrite_and_error_paths(tmp_path):
    final = tmp_path / "m.keras"
    final.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with write_file(final, overwrite=True) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("boom")
    assert final.read_bytes() == b"old"
    with pytest.raises(FileNotFoundError, match="produced no file"):
        with write_file(final, overwrite=True):
            pass
    with write_file(final, overwrite=True) as tmp:
        tmp.write_bytes(b"new")
    assert final.read_bytes() == b"new" and _names(tmp_path) == ["m.keras"]
    with pytest.raises(IsADirectoryError):
        with write_file(tmp_path, overwrite=True):
            pass
