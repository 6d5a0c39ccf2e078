"""One malformed annotation entry, and how a reader goes past it when asked.

An annotation file holds many entries: a line of a WFLW list, a row of an
HRNet CSV, one annotation of a COCO JSON file, one ``.pts`` file of a 300W
folder, one face of a COFW ``.mat`` file. A damaged entry says nothing about
the others, so every reader raises :class:`MalformedEntry` for it (a
``ValueError`` that names the file and the entry) and accepts
``on_malformed``: left ``None``, the error propagates (a user reading one file
wants to know); given a callable, the reader passes it the error and goes on
with the next entry (a dataset build logs and counts it). Damage to the file
as a whole (not UTF-8, not JSON, missing columns, wrong array shapes) is a
plain ``ValueError`` and always propagates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["MalformedEntry", "OnMalformed", "entry_errors", "parse_entries"]

T = TypeVar("T")


class MalformedEntry(ValueError):
    """One entry of an annotation file is malformed; the message names file and entry."""


OnMalformed = Callable[[MalformedEntry], None] | None
"""What a reader does with a :class:`MalformedEntry`: ``None`` raises it, a callable
receives it and the reader continues."""


@contextlib.contextmanager
def entry_errors():
    """Re-raises a ``ValueError`` of the block (whose message names the file) as a
    :class:`MalformedEntry`: for an entry read by a whole-file reader, such as one
    ``.pts`` file of a folder or one image of a COFW ``.mat`` file."""
    try:
        yield
    except MalformedEntry:
        raise
    except ValueError as e:
        raise MalformedEntry(str(e)) from None


def parse_entries(
    entries: Iterable[T], parse: Callable[[T], dict | None], on_malformed: OnMalformed = None
) -> Iterator[dict]:
    """``parse(entry)`` for each entry, skipping ``None`` results.

    Args:
        entries: the file's entries, in file order.
        parse: entry → record, or ``None`` for an entry that holds no face (a
            blank line, an annotation MMPose drops); raises
            :class:`MalformedEntry` for a damaged one.
        on_malformed: see the module docstring.

    Yields:
        the records, in file order.
    """
    for entry in entries:
        try:
            record = parse(entry)
        except MalformedEntry as error:
            if on_malformed is None:
                raise
            on_malformed(error)
            continue
        if record is not None:
            yield record
