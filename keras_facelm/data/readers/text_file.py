"""Open a text annotation file so that bytes that are not UTF-8 raise a named error."""

from __future__ import annotations

import io
import os

__all__ = ["open_text"]


def open_text(path: str | os.PathLike, *, newline: str | None = None) -> io.StringIO:
    """The file's UTF-8 text as a file-like object (same iteration as ``open``).

    Args:
        path: the file.
        newline: as for :func:`open` (``None`` translates ``\\r\\n`` and ``\\r``;
            ``""`` keeps line endings, as :mod:`csv` wants).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: the bytes are not UTF-8; the message names the file and the
            byte offset.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text (byte {e.start}: {e.reason})") from None
    return io.StringIO(text, newline=newline)
