"""Write user-named outputs atomically, or refuse: never report success and keep stale files.

A path the user names (``--output DIR``, ``save_to_preset(DIR)``, ``model.keras``)
gets one of two outcomes, never a third:

* the new result is built under a temporary sibling name and renamed into place, so
  the path holds either the old result or the complete new one, never a mix or a
  half-written file; or
* :class:`OutputExistsError` (a ``FileExistsError``) is raised with a one-line
  message naming the path and the flag that overwrites it (``--overwrite`` on the
  command line, ``overwrite=True`` in Python).

An existing **empty** directory (for example one made by ``mktemp -d``) may be
filled without ``overwrite``. With ``overwrite=True`` the old result is moved aside,
the new one renamed into place, and only then the old one removed; if the rename
fails the old result is put back.

The download cache, where the first of several processes to finish wins, uses
:func:`keras_facelm.utils.download.cache_directory` instead.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import secrets
import shutil
import stat
from collections.abc import Iterator

__all__ = [
    "OutputExistsError",
    "check_output_directory",
    "write_directory",
    "write_file",
]


class OutputExistsError(FileExistsError):
    """The output path already holds a result and ``overwrite`` was not given."""


def _refuse(path: pathlib.Path, what: str) -> OutputExistsError:
    return OutputExistsError(
        f"{path} already exists ({what}); pass --overwrite (overwrite=True) to replace it"
    )


def _sibling(final: pathlib.Path, tag: str) -> pathlib.Path:
    """A fresh name ``<parent>/.<tag>-<random>.<final name>`` (keeps the suffix)."""
    return final.parent / f".{tag}-{secrets.token_hex(4)}.{final.name}"


def _is_empty_dir(path: pathlib.Path) -> bool:
    if not path.is_dir() or path.is_symlink():
        return False
    with os.scandir(path) as entries:
        return next(entries, None) is None


def check_output_directory(path: str | os.PathLike, overwrite: bool) -> None:
    """Raises :class:`OutputExistsError` now if writing ``path`` would be refused.

    Lets a command refuse before expensive work; :func:`write_directory` checks
    again when it commits.
    """
    final = pathlib.Path(path)
    if overwrite or not os.path.lexists(final):
        return
    if final.is_dir() and not final.is_symlink():
        if not _is_empty_dir(final):
            raise _refuse(final, "a non-empty directory")
    else:
        raise _refuse(final, "not a directory")


def _remove(path: pathlib.Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _swap_in(tmp: pathlib.Path, final: pathlib.Path) -> None:
    """Replaces ``final`` by ``tmp``; the old one is removed only once ``tmp`` is in."""
    old = _sibling(final, "old")
    os.replace(final, old)
    try:
        os.replace(tmp, final)
    except OSError:
        if not os.path.lexists(final):
            os.replace(old, final)  # put the previous result back
        raise
    _remove(old)


@contextlib.contextmanager
def write_directory(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[pathlib.Path]:
    """Build a directory under a temporary sibling name, then rename it to ``path``.

    Usage::

        with write_directory(out_dir, overwrite=args.overwrite) as tmp:
            (tmp / "config.json").write_text(...)
        print(f"wrote {out_dir}")  # only reached once out_dir is complete

    The target is checked before the block runs (so a refusal costs no work) and
    again when it ends. On an exception inside the block the temporary directory
    is removed and ``path`` is left as it was. Missing parent directories are
    created.

    Args:
        path: the directory to write.
        overwrite: replace an existing non-empty directory (or a file) at ``path``.

    Yields:
        The temporary directory, empty, in the same parent as ``path``.

    Raises:
        OutputExistsError: ``path`` is a non-empty directory or a file, and
            ``overwrite`` is false.
    """
    final = pathlib.Path(path)
    check_output_directory(final, overwrite)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling(final, "tmp")
    os.mkdir(tmp)  # honours the umask, unlike tempfile.mkdtemp's 0o700
    try:
        yield tmp
        check_output_directory(final, overwrite)
        if _is_empty_dir(final):
            os.chmod(tmp, stat.S_IMODE(final.stat().st_mode))
            try:  # POSIX rename replaces an empty directory atomically
                os.replace(tmp, final)
            except OSError as err:
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                if not overwrite:  # filled by someone else meanwhile
                    raise _refuse(final, "a non-empty directory") from None
                _swap_in(tmp, final)
        elif os.path.lexists(final):  # only reached with overwrite=True
            _swap_in(tmp, final)
        else:
            os.replace(tmp, final)
    finally:
        _remove(tmp)


@contextlib.contextmanager
def write_file(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[pathlib.Path]:
    """Write a file under a temporary sibling name, then rename it to ``path``.

    Usage::

        with write_file("model.keras", overwrite=overwrite) as tmp:
            model.save(tmp)  # the temporary name ends with "model.keras"

    The temporary name ends with the final file name, so writers that check the
    extension (``.keras``, ``.weights.h5``) accept it. Without ``overwrite`` the
    final link is made with ``os.link``, which fails rather than replace a file
    that appeared meanwhile; with it, ``os.replace`` swaps the file in one step.

    Args:
        path: the file to write.
        overwrite: replace an existing file at ``path``.

    Yields:
        The temporary file path (not created; the block writes it).

    Raises:
        OutputExistsError: ``path`` exists and ``overwrite`` is false.
        IsADirectoryError: ``path`` is a directory.
    """
    final = pathlib.Path(path)

    def check():
        if final.is_dir() and not final.is_symlink():
            raise IsADirectoryError(f"{final} is a directory, not a file to write")
        if not overwrite and os.path.lexists(final):
            raise _refuse(final, "a file")

    check()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling(final, "tmp")
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"{final}: the writer produced no file")
        check()
        if overwrite:
            os.replace(tmp, final)
        else:
            try:
                os.link(tmp, final)  # atomic, and never replaces an existing file
            except FileExistsError:
                raise _refuse(final, "a file") from None
            except OSError:  # no hard links on this file system
                os.replace(tmp, final)
    finally:
        _remove(tmp)
