"""Check the element structure of a MATLAB v5 ``.mat`` file before scipy parses it.

scipy's compiled MAT v5 reader (``scipy/io/matlab/_mio5_utils.pyx``) trusts the
file: a damaged array-class byte (for example a cell array relabelled as
sparse) crashes the interpreter with a segmentation fault instead of raising.
:func:`check_mat5` walks the data elements in pure Python first and raises
``ValueError`` for anything outside what annotation files use: numeric, char,
logical and cell arrays whose element sizes stay inside the file and whose
data holds exactly the values their dimensions declare.

Format (MathWorks, "MAT-File Format", version 5): a 128-byte header ending in
the endian indicator ``IM`` (little-endian) or ``MI``; then data elements, each
an 8-byte tag ``(type uint32, nbytes uint32)`` and ``nbytes`` of data (a tag
whose upper 16 bits are non-zero is a 4-byte "small element"). ``miMATRIX``
(14) holds sub-elements padded to 8 bytes: array flags (``miUINT32``, the class
in the low byte), dimensions, name, then the data, or for a cell array one
``miMATRIX`` per cell. ``miCOMPRESSED`` (15) is a zlib stream of one element.
"""

from __future__ import annotations

import math
import struct
import zlib

__all__ = ["check_mat5"]

_MI_INT32, _MI_UINT32, _MI_MATRIX, _MI_COMPRESSED = 5, 6, 14, 15
#: bytes per value of the numeric data types (miINT8 .. miUTF32; miUTF8 data is
#: accepted when it holds one byte per character, as ASCII names do).
_ITEM_BYTES = {1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8, 16: 1, 17: 2, 18: 4}
_COMPLEX_FLAG = 0x800
_CELL = 1
#: cell, char, double, single, int8..uint64 (mxCELL_CLASS .. mxUINT64_CLASS).
_ALLOWED_CLASSES = {1, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
_MAX_DEPTH = 8
_MAX_INFLATED = 1 << 30  # bytes one compressed element may expand to


def _elements(buf: bytes, pos: int, end: int, order: str, path: str, padded: bool):
    """``(type, start, stop)`` of the data elements in ``buf[pos:end]``."""
    while pos < end:
        if end - pos < 8:
            raise ValueError(f"{path}: truncated MATLAB element tag at byte {pos}")
        word, nbytes = struct.unpack_from(order + "II", buf, pos)
        if word >> 16:  # small data element: 4 bytes of data inside the tag
            size = word >> 16
            if size > 4:
                raise ValueError(f"{path}: bad small MATLAB element at byte {pos}")
            yield word & 0xFFFF, pos + 4, pos + 4 + size
            pos += 8
            continue
        start = pos + 8
        if nbytes > end - start:
            raise ValueError(
                f"{path}: MATLAB element at byte {pos} declares {nbytes} bytes, "
                f"only {end - start} remain"
            )
        yield word, start, start + nbytes
        pos = start + nbytes + ((-nbytes % 8) if padded else 0)


def _check_matrix(buf, start, stop, order, path, depth):
    if depth > _MAX_DEPTH:
        raise ValueError(f"{path}: MATLAB cell arrays nested too deeply")
    if start == stop:  # an empty array
        return
    bad = f"{path}: malformed MATLAB array at byte {start}"
    subs = list(_elements(buf, start, stop, order, path, padded=True))
    if len(subs) < 3 or subs[0][0] != _MI_UINT32 or subs[0][2] - subs[0][1] != 8:
        raise ValueError(bad)
    flags = struct.unpack_from(order + "I", buf, subs[0][1])[0]
    cls = flags & 0xFF
    if cls not in _ALLOWED_CLASSES:
        raise ValueError(
            f"{path}: MATLAB array class {cls} at byte {start} is not a numeric, char or cell array"
        )
    kind, a, b = subs[1]
    if kind != _MI_INT32 or (b - a) % 4 or b - a < 8:
        raise ValueError(f"{bad} (dimensions)")
    dims = struct.unpack_from(order + f"{(b - a) // 4}i", buf, a)
    if min(dims) < 0:
        raise ValueError(f"{bad} (negative dimension {min(dims)})")
    count = math.prod(dims)
    parts = subs[3:]
    if cls == _CELL:
        if len(parts) != count:
            raise ValueError(f"{bad} ({len(parts)} cells for dimensions {dims})")
        for kind, a, b in parts:
            if kind != _MI_MATRIX:
                raise ValueError(f"{path}: cell array element at byte {a} is malformed")
            _check_matrix(buf, a, b, order, path, depth + 1)
        return
    if len(parts) != (2 if flags & _COMPLEX_FLAG else 1):
        raise ValueError(f"{bad} (data parts)")
    for kind, a, b in parts:
        if b - a != count * _ITEM_BYTES.get(kind, -1):
            raise ValueError(
                f"{bad}: data type {kind} with {b - a} bytes does not hold "
                f"{count} values of dimensions {dims}"
            )


def _check_top(buf: bytes, pos: int, order: str, path: str, depth: int) -> None:
    for kind, start, stop in _elements(buf, pos, len(buf), order, path, padded=False):
        if kind == _MI_MATRIX:
            _check_matrix(buf, start, stop, order, path, depth)
        elif kind == _MI_COMPRESSED:
            inflater = zlib.decompressobj()
            try:
                inner = inflater.decompress(buf[start:stop], _MAX_INFLATED)
            except zlib.error as e:
                raise ValueError(f"{path}: damaged compressed MATLAB element ({e})") from e
            if inflater.unconsumed_tail:
                raise ValueError(f"{path}: compressed MATLAB element expands too far")
            _check_top(inner, 0, order, path, depth + 1)
        else:
            raise ValueError(f"{path}: unexpected MATLAB element type {kind} at byte {start - 8}")


def check_mat5(raw: bytes, path: str) -> None:
    """Raises ``ValueError`` naming ``path`` unless ``raw`` is a well-formed MAT v5 file.

    Args:
        raw: the whole file.
        path: the file's name for error messages.
    """
    if len(raw) < 128:
        raise ValueError(f"{path}: shorter than a MATLAB v5 header (128 bytes)")
    order = {b"IM": "<", b"MI": ">"}.get(bytes(raw[126:128]))
    if order is None:
        raise ValueError(f"{path}: no MATLAB v5 endian indicator at bytes 126-127")
    _check_top(raw, 128, order, path, 0)
