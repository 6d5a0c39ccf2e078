"""Read PyTorch checkpoints (``.pth``) without torch and without unsafe unpickling.

A PyTorch checkpoint is a pickle whose tensors point, through *persistent ids*, at raw
storage bytes kept beside the pickle. Two container layouts exist:

* **zip** (``torch.save`` default since torch 1.6): a zip archive whose single top
  folder (its name varies) holds ``data.pkl`` and one ``data/<key>`` entry of raw
  little-endian bytes per storage (``byteorder`` says otherwise when it exists).
* **legacy** (``_use_new_zipfile_serialization=False``, used by MMPose 0.x's
  ``publish_model.py``): five pickles in a row — magic number, protocol version,
  system info, the object pickle, the sorted list of storage keys — followed, for each
  key in that order, by an 8-byte little-endian element count and the raw bytes.

The object pickle is read by :class:`_RestrictedUnpickler`, whose ``find_class`` maps
an explicit whitelist of global names (``torch._utils._rebuild_tensor_v2``,
``torch.FloatStorage``, ``collections.OrderedDict``, numpy scalars, ...) to functions of
this module that build ``numpy`` arrays; it never imports a module named in the file.
Every other global raises :class:`UnsafeCheckpointError`. With ``tolerant=True`` a
global from a third-party package (``mmengine``, ``mmcv``, ...) becomes an inert
:class:`UnknownPickleObject` that records its arguments and is never called; globals
from the standard library, ``torch`` or ``numpy`` outside the whitelist are refused in
both modes, so ``os.system`` or ``builtins.exec`` can never be reached.

Tensors come back as ``numpy.ndarray`` with torch's dtype and shape, copied out of
their storage with the tensor's storage offset and strides (views sharing a storage
and non-contiguous tensors come out as independent contiguous arrays). ``bfloat16``
tensors, which numpy lacks, are widened exactly to ``float32``.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import pickletools
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "CorruptCheckpointError",
    "UnknownPickleObject",
    "UnsafeCheckpointError",
    "read_state_dict",
    "load_torch_checkpoint",
]

# torch/serialization.py: MAGIC_NUMBER and PROTOCOL_VERSION of the legacy format.
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_ZIP_MAGIC = b"PK\x03\x04"
# Elements a tensor may span beyond its storage (zero strides) before we refuse to
# materialise it: expanded tensors are legal, a 10**12-element one is a memory bomb.
_MAX_EXPANDED_BYTES = 1 << 30
# Largest pickle memo index accepted (a real state dict uses thousands).
_MAX_MEMO_INDEX = 1 << 22
_MEMO_PUTS = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})


class UnsafeCheckpointError(ValueError):
    """The checkpoint's pickle names a global that this reader refuses to resolve."""


class CorruptCheckpointError(ValueError):
    """The file is not a readable PyTorch checkpoint (truncated, empty, wrong format)."""


class UnknownPickleObject:
    """Inert stand-in for an instance of a class this reader does not know.

    Created only in tolerant mode for globals of third-party packages (e.g.
    ``mmengine.config.ConfigDict`` or ``mmengine.logging.HistoryBuffer`` in a
    checkpoint's ``meta`` or ``message_hub``). The real class is never imported or
    called; what the pickle would have passed to it is kept for inspection.

    Attributes:
        module, name: the global the pickle named.
        args, kwargs: positional/keyword arguments of the constructor call.
        state: the object state the pickle set (``BUILD``), or ``None``.
        items: key/value pairs set on it (dict subclasses).
        listitems: values appended to it (list subclasses).
    """

    module: str
    name: str

    def __init__(self, module: str, name: str, args: tuple = (), kwargs=None):
        self.module = module
        self.name = name
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.state = None
        self.items: dict = {}
        self.listitems: list = []

    def __setstate__(self, state):
        self.state = state

    def __setitem__(self, key, value):
        self.items[key] = value

    def append(self, value):
        self.listitems.append(value)

    def extend(self, values):
        self.listitems.extend(values)

    def __repr__(self) -> str:
        return f"UnknownPickleObject({self.module}.{self.name}, args={self.args!r})"


class _FrozenType(type):
    """Metaclass of the per-global placeholder types: a pickle cannot set attributes."""

    def __setattr__(cls, key, value):
        raise AttributeError(f"placeholder type {cls.__qualname__} is read-only")


def _placeholder_type(module: str, name: str) -> type:
    """A type standing for ``module.name``; calling it or ``__new__`` gives a placeholder.

    The unpickler's ``REDUCE`` calls it and ``NEWOBJ`` calls its ``__new__`` (which
    requires a real type); both create an :class:`UnknownPickleObject`.
    """

    def __new__(cls, *args, **kwargs):
        return UnknownPickleObject(module, name, args, kwargs)

    return _FrozenType(
        f"Unknown[{module}.{name}]",
        (),
        {
            "__new__": __new__,
            "__slots__": (),
            "__module__": __name__,
            "pickle_module": module,
            "pickle_name": name,
        },
    )


# ----------------------------------------------------------------------------------
# Storages and tensors


# torch storage class name -> numpy dtype (None: bfloat16, widened on load).
_STORAGE_DTYPES: dict[str, np.dtype | None] = {
    "DoubleStorage": np.dtype("<f8"),
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": None,
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
    "ComplexFloatStorage": np.dtype("<c8"),
    "ComplexDoubleStorage": np.dtype("<c16"),
    "UntypedStorage": np.dtype("u1"),
}

# torch dtype object name (``torch.float32`` pickles as global ``torch float32``).
_TORCH_DTYPES: dict[str, str] = {
    "float64": "<f8",
    "double": "<f8",
    "float32": "<f4",
    "float": "<f4",
    "float16": "<f2",
    "half": "<f2",
    "bfloat16": "<f4",
    "int64": "<i8",
    "long": "<i8",
    "int32": "<i4",
    "int": "<i4",
    "int16": "<i2",
    "short": "<i2",
    "int8": "i1",
    "uint8": "u1",
    "bool": "?",
    "complex64": "<c8",
    "complex128": "<c16",
}


class _StorageType:
    """What ``torch.FloatStorage`` etc. resolve to: a name and an element dtype."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype: np.dtype | None):
        self.name = name
        self.dtype = dtype

    @property
    def itemsize(self) -> int:
        return 2 if self.dtype is None else self.dtype.itemsize


class _Storage:
    """A storage: ``numel`` elements of one dtype over a read-only byte buffer.

    ``data`` is ``None`` while a legacy file's pickle is walked before its storage
    records are located.
    """

    __slots__ = ("stype", "data", "numel", "_array")

    def __init__(self, stype: _StorageType, data: memoryview | None, numel: int):
        self.stype = stype
        self.data = data
        self.numel = numel
        self._array: np.ndarray | None = None

    def as_array(self, byteorder: str) -> np.ndarray:
        """The storage as a flat read-only numpy array (native byte order, bf16 widened)."""
        if self._array is None:
            if self.stype.dtype is None:
                u16 = np.dtype("u2").newbyteorder(byteorder)
                bits = np.frombuffer(self.data, dtype=u16, count=self.numel)
                arr = (bits.astype(np.uint32) << 16).view(np.float32)
            else:
                dtype = self.stype.dtype
                if dtype.itemsize > 1:
                    dtype = dtype.newbyteorder(byteorder)
                arr = np.frombuffer(self.data, dtype=dtype, count=self.numel)
                if not arr.dtype.isnative:
                    arr = arr.astype(arr.dtype.newbyteorder("="))
            arr.flags.writeable = False
            self._array = arr
        return self._array


# What ``numpy.ndarray`` resolves to: only ever an argument of ``_reconstruct``,
# never the real class (whose constructor takes raw buffers and strides).
_NDARRAY = object()


def _int_tuple(value, what: str, path: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    ):
        raise CorruptCheckpointError(
            f"{path}: tensor {what} must be a tuple of non-negative ints, got {value!r}"
        )
    return tuple(value)


# ----------------------------------------------------------------------------------
# The restricted unpickler


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler resolving only whitelisted globals to this module's own builders."""

    def __init__(
        self,
        file,
        *,
        path: str,
        storages: Callable[[str, _StorageType, int, tuple | None], _Storage] | None,
        byteorder: str,
        tolerant: bool,
    ):
        super().__init__(file)
        self._file = file
        self._path = path
        self._load_storage = storages
        self._byteorder = byteorder
        self._tolerant = tolerant
        # Bound methods: a pickle's BUILD cannot set attributes on them.
        self._whitelist: dict[tuple[str, str], Any] = {
            ("collections", "OrderedDict"): collections.OrderedDict,
            ("torch._utils", "_rebuild_tensor"): self._rebuild_tensor,
            ("torch._utils", "_rebuild_tensor_v2"): self._rebuild_tensor_v2,
            ("torch._utils", "_rebuild_parameter"): self._rebuild_parameter,
            ("torch._utils", "_rebuild_parameter_with_state"): (self._rebuild_parameter_with_state),
            ("torch", "Size"): tuple,
            ("_codecs", "encode"): self._codecs_encode,
            ("numpy", "dtype"): self._numpy_dtype,
            ("numpy", "ndarray"): _NDARRAY,
            ("numpy.core.multiarray", "scalar"): self._numpy_scalar,
            ("numpy._core.multiarray", "scalar"): self._numpy_scalar,
            ("numpy.core.multiarray", "_reconstruct"): self._numpy_reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): self._numpy_reconstruct,
            ("builtins", "set"): set,
            ("builtins", "frozenset"): frozenset,
            ("builtins", "slice"): slice,
            ("builtins", "complex"): complex,
        }
        for name, dtype in _STORAGE_DTYPES.items():
            self._whitelist[("torch", name)] = _StorageType(name, dtype)
            # Optimizer state saved from a GPU names torch.cuda storages.
            self._whitelist[("torch.cuda", name)] = _StorageType(name, dtype)
        for name, dtype in _TORCH_DTYPES.items():
            self._whitelist[("torch", name)] = np.dtype(dtype)

    # --- pickle hooks ----------------------------------------------------------

    def find_class(self, module: str, name: str):
        # Protocol-2 pickles written by Python 3 use Python 2 module names.
        module = {"__builtin__": "builtins", "copy_reg": "copyreg"}.get(module, module)
        module = {"torch.tensor": "torch._tensor"}.get(module, module)
        found = self._whitelist.get((module, name))
        if found is not None:
            return found
        if self._tolerant and (module, name) == ("builtins", "getattr"):
            return self._placeholder_getattr
        top = module.split(".")[0]
        # Third-party classes may become inert placeholders; the standard library,
        # torch and numpy hold the dangerous callables, so those are never stood in.
        third_party = not (top in sys.stdlib_module_names or top in ("torch", "numpy", "__main__"))
        if self._tolerant and third_party:
            return _placeholder_type(module, name)
        hint = (
            " (tolerant=True would keep it as an inert UnknownPickleObject)" if third_party else ""
        )
        raise UnsafeCheckpointError(
            f"{self._path}: refusing to load global '{module}.{name}' named by the "
            f"checkpoint's pickle; only tensors, containers and plain values are "
            f"allowed{hint}"
        )

    def persistent_load(self, pid):
        if (
            self._load_storage is None
            or not isinstance(pid, tuple)
            or len(pid) < 5
            or pid[0] != "storage"
        ):
            kind = pid[0] if isinstance(pid, tuple) and pid else pid
            raise UnsafeCheckpointError(
                f"{self._path}: unsupported persistent id {kind!r} in the pickle "
                "(only tensor storages are allowed)"
            )
        stype, key, numel = pid[1], pid[2], pid[4]
        view = pid[5] if len(pid) > 5 else None
        if not isinstance(stype, _StorageType):
            raise CorruptCheckpointError(
                f"{self._path}: storage {key!r} has type {stype!r}, not a torch storage"
            )
        if not isinstance(numel, int) or numel < 0:
            raise CorruptCheckpointError(
                f"{self._path}: storage {key!r} declares {numel!r} elements"
            )
        return self._load_storage(str(key), stype, numel, view)

    def _placeholder_getattr(self, obj, attr):
        # Pickled methods (e.g. HistoryBuffer's statistics table) are getattr(cls,
        # name); allowed only on placeholders, and the result is a placeholder too.
        if isinstance(obj, _FrozenType) and isinstance(attr, str):
            return _placeholder_type(obj.pickle_module, f"{obj.pickle_name}.{attr}")
        if isinstance(obj, UnknownPickleObject) and isinstance(attr, str):
            return _placeholder_type(obj.module, f"{obj.name}().{attr}")
        raise UnsafeCheckpointError(
            f"{self._path}: refusing getattr({type(obj).__name__}, {attr!r}): only "
            "attributes of unknown-class placeholders may be looked up"
        )

    # --- whitelisted builders ----------------------------------------------------

    def _rebuild_tensor(self, storage, storage_offset, size, stride):
        if not isinstance(storage, _Storage):
            raise CorruptCheckpointError(
                f"{self._path}: tensor built from {type(storage).__name__}, not a storage"
            )
        if storage.data is None:  # legacy pass 1: structure only, no bytes yet
            return None
        shape = _int_tuple(size, "size", self._path)
        strides = _int_tuple(stride, "stride", self._path)
        if len(shape) != len(strides) or not isinstance(storage_offset, int):
            raise CorruptCheckpointError(
                f"{self._path}: tensor size {shape} / stride {strides} / offset "
                f"{storage_offset!r} do not fit together"
            )
        flat = storage.as_array(self._byteorder)
        if 0 in shape:
            return np.empty(shape, dtype=flat.dtype)
        last = storage_offset + sum((n - 1) * s for n, s in zip(shape, strides, strict=True))
        if storage_offset < 0 or last >= storage.numel:
            raise CorruptCheckpointError(
                f"{self._path}: tensor of size {shape}, stride {strides}, offset "
                f"{storage_offset} reaches element {last} of a storage of "
                f"{storage.numel} elements"
            )
        nbytes = int(np.prod(shape)) * flat.itemsize
        if nbytes > max(_MAX_EXPANDED_BYTES, storage.numel * flat.itemsize):
            raise CorruptCheckpointError(
                f"{self._path}: tensor of size {shape} would need {nbytes} bytes from "
                f"a storage of {storage.numel} elements"
            )
        view = np.lib.stride_tricks.as_strided(
            flat[storage_offset:],
            shape=shape,
            strides=tuple(s * flat.itemsize for s in strides),
            writeable=False,
        )
        return np.array(view, copy=True, order="C")

    def _rebuild_tensor_v2(
        self,
        storage,
        storage_offset,
        size,
        stride,
        requires_grad=False,
        backward_hooks=None,
        metadata=None,
    ):
        return self._rebuild_tensor(storage, storage_offset, size, stride)

    def _rebuild_parameter(self, data, requires_grad=True, backward_hooks=None):
        return data

    def _rebuild_parameter_with_state(
        self, data, requires_grad=True, backward_hooks=None, state=None
    ):
        return data

    def _codecs_encode(self, text, encoding="utf-8"):
        # Protocol 2 pickles bytes as _codecs.encode(latin-1 str, 'latin1').
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
            raise UnsafeCheckpointError(
                f"{self._path}: _codecs.encode only allowed for latin1 byte strings"
            )
        return text.encode("latin1")

    def _numpy_dtype(self, spec, align=False, copy=False):
        if not isinstance(spec, str):
            raise UnsafeCheckpointError(f"{self._path}: numpy.dtype({spec!r}) refused")
        return np.dtype(spec, align=bool(align), copy=bool(copy))

    def _numpy_scalar(self, dtype, data=None):
        if not isinstance(dtype, np.dtype) or dtype.hasobject:
            raise UnsafeCheckpointError(f"{self._path}: numpy scalar of dtype {dtype!r} refused")
        if not isinstance(data, bytes) or len(data) != dtype.itemsize:
            raise CorruptCheckpointError(
                f"{self._path}: numpy scalar of dtype {dtype} has {data!r} as data"
            )
        return np.frombuffer(data, dtype=dtype)[0]

    def _numpy_reconstruct(self, subtype, shape, dtype_code):
        if subtype is not _NDARRAY:
            raise UnsafeCheckpointError(f"{self._path}: numpy array subclass {subtype!r} refused")
        return np.ndarray.__new__(np.ndarray, shape, np.dtype(dtype_code))


# ----------------------------------------------------------------------------------
# Containers


def _unpickle(data: bytes, **kwargs) -> Any:
    """Run the restricted unpickler over one pickle, mapping parse errors to corrupt."""
    unpickler = _RestrictedUnpickler(io.BytesIO(data), **kwargs)
    return _guarded_load(unpickler, kwargs["path"])


def _check_memo_indices(stream, path: str) -> None:
    """Refuses a pickle whose memo indices would make the unpickler allocate GiBs.

    CPython's unpickler grows its memo table to twice the largest ``PUT`` index;
    one damaged 4-byte index asks for up to 64 GiB. The opcodes are walked with
    :func:`pickletools.genops` (which reads, never allocates, declared lengths)
    and the stream rewound.
    """
    start = stream.tell()
    try:
        for opcode, arg, _ in pickletools.genops(stream):
            if opcode.name in _MEMO_PUTS and arg > _MAX_MEMO_INDEX:
                raise CorruptCheckpointError(
                    f"{path}: the checkpoint's pickle stores memo index {arg}, "
                    f"more than {_MAX_MEMO_INDEX}; the file is damaged"
                )
    except (ValueError, EOFError) as err:
        if isinstance(err, CorruptCheckpointError):
            raise
        raise CorruptCheckpointError(
            f"{path}: the checkpoint's pickle is truncated or malformed ({err})"
        ) from None
    finally:
        stream.seek(start)


def _guarded_load(unpickler: _RestrictedUnpickler, path: str) -> Any:
    _check_memo_indices(unpickler._file, path)
    try:
        return unpickler.load()
    except (UnsafeCheckpointError, CorruptCheckpointError):
        raise
    except MemoryError:
        raise CorruptCheckpointError(
            f"{path}: the checkpoint's pickle declares an object too large for memory"
        ) from None
    except (EOFError, pickle.UnpicklingError) as err:
        raise CorruptCheckpointError(
            f"{path}: the checkpoint's pickle is truncated or malformed ({err})"
        ) from None
    except (TypeError, ValueError, AttributeError, IndexError, KeyError) as err:
        raise CorruptCheckpointError(
            f"{path}: the checkpoint's pickle is malformed ({type(err).__name__}: {err})"
        ) from None


def _load_zip(raw: bytes, path: str, tolerant: bool) -> Any:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as err:
        raise CorruptCheckpointError(
            f"{path}: zip checkpoint is truncated or damaged ({err})"
        ) from None
    pickles = [n for n in names if n == "data.pkl" or n.endswith("/data.pkl")]
    if len(pickles) != 1:
        raise CorruptCheckpointError(
            f"{path}: zip archive is not a PyTorch checkpoint: expected one "
            f"'<folder>/data.pkl', found {len(pickles)} among {len(names)} entries"
        )
    prefix = pickles[0][: -len("data.pkl")]

    def read(name: str) -> bytes:
        try:
            return archive.read(name)
        except KeyError:
            raise CorruptCheckpointError(f"{path}: zip checkpoint lacks entry '{name}'") from None
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
            zlib.error,
        ) as err:
            raise CorruptCheckpointError(
                f"{path}: zip entry '{name}' is truncated or damaged ({err})"
            ) from None

    byteorder = "<"
    if prefix + "byteorder" in names:
        order = read(prefix + "byteorder").decode("ascii", "replace").strip()
        if order not in ("little", "big"):
            raise CorruptCheckpointError(f"{path}: unknown byteorder record {order!r}")
        byteorder = "<" if order == "little" else ">"

    cache: dict[str, _Storage] = {}

    def storage(key: str, stype: _StorageType, numel: int, view) -> _Storage:
        if key not in cache:
            blob = read(f"{prefix}data/{key}")
            need = numel * stype.itemsize
            if len(blob) < need:
                raise CorruptCheckpointError(
                    f"{path}: storage '{key}' holds {len(blob)} bytes, but "
                    f"{numel} {stype.name} elements need {need}"
                )
            cache[key] = _Storage(stype, memoryview(blob)[:need], numel)
        return cache[key]

    return _unpickle(
        read(pickles[0]),
        path=path,
        storages=storage,
        byteorder=byteorder,
        tolerant=tolerant,
    )


def _load_legacy(raw: bytes, path: str, tolerant: bool) -> Any:
    stream = io.BytesIO(raw)

    def header(what: str):
        try:
            return _guarded_load(
                _RestrictedUnpickler(
                    stream, path=path, storages=None, byteorder="<", tolerant=False
                ),
                path,
            )
        except (CorruptCheckpointError, UnsafeCheckpointError) as err:
            raise CorruptCheckpointError(
                f"{path}: cannot read the legacy checkpoint's {what}: "
                f"{str(err).removeprefix(path + ': ')}"
            ) from None

    if header("magic number") != _LEGACY_MAGIC:
        raise CorruptCheckpointError(f"{path}: legacy checkpoint has a wrong magic number")
    version = header("protocol version")
    if version != _LEGACY_PROTOCOL:
        raise CorruptCheckpointError(
            f"{path}: legacy checkpoint protocol {version!r}, expected {_LEGACY_PROTOCOL}"
        )
    sys_info = header("system info")
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    byteorder = "<" if little else ">"

    # The object pickle builds tensors from storages stored after it, whose record
    # sizes depend on element types named inside it. Pass 1 unpickles without data
    # (every global still goes through the whitelist) to learn each storage's type
    # and where the pickle ends; then the records are located and pass 2 builds the
    # arrays. The pickle part is small; the storage bytes are never copied twice.
    start = stream.tell()
    declared: dict[str, tuple[_StorageType, int]] = {}

    def declare(key: str, stype: _StorageType, numel: int, view) -> _Storage:
        declared.setdefault(key, (stype, numel))
        return _Storage(stype, None, numel)

    _guarded_load(
        _RestrictedUnpickler(
            stream, path=path, storages=declare, byteorder=byteorder, tolerant=tolerant
        ),
        path,
    )
    end = stream.tell()
    keys = header("storage key list")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise CorruptCheckpointError(f"{path}: legacy storage key list is malformed")

    roots: dict[str, _Storage] = {}
    pos = stream.tell()
    for key in keys:
        if key not in declared:
            raise CorruptCheckpointError(f"{path}: storage '{key}' is listed but no tensor uses it")
        stype, numel = declared[key]
        if len(raw) < pos + 8:
            raise CorruptCheckpointError(
                f"{path}: file truncated at storage '{key}' (offset {pos} of {len(raw)})"
            )
        (count,) = struct.unpack_from("<q" if little else ">q", raw, pos)
        pos += 8
        if count != numel:
            raise CorruptCheckpointError(
                f"{path}: storage '{key}' declares {numel} elements but its record holds {count}"
            )
        nbytes = numel * stype.itemsize
        if len(raw) < pos + nbytes:
            raise CorruptCheckpointError(
                f"{path}: file truncated in storage '{key}': needs {nbytes} bytes at "
                f"offset {pos}, the file has {len(raw)}"
            )
        roots[key] = _Storage(stype, memoryview(raw)[pos : pos + nbytes], numel)
        pos += nbytes
    missing = sorted(set(declared) - set(roots))
    if missing:
        raise CorruptCheckpointError(
            f"{path}: tensors use storages {missing} that the file does not contain"
        )

    def storage(key: str, stype: _StorageType, numel: int, view) -> _Storage:
        root = roots[key]
        if view is None:
            return root
        # Pre-1.0 torch: (view key, element offset, element count) into the root.
        _, offset, count = view
        if offset < 0 or count < 0 or offset + count > root.numel:
            raise CorruptCheckpointError(
                f"{path}: storage view {view!r} exceeds its root storage '{key}'"
            )
        isz = stype.itemsize
        return _Storage(stype, root.data[offset * isz : (offset + count) * isz], count)

    loader = _RestrictedUnpickler(
        io.BytesIO(raw[start:end]),
        path=path,
        storages=storage,
        byteorder=byteorder,
        tolerant=tolerant,
    )
    return _guarded_load(loader, path)


def _describe_start(raw: bytes) -> str:
    head = raw[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "a JPEG image"
    if head.startswith(b"\x89PNG"):
        return "a PNG image"
    if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml")):
        return "an HTML/XML document (an error page?)"
    return f"bytes {head!r}"


def load_torch_checkpoint(path: str | os.PathLike, *, tolerant: bool = False) -> Any:
    """Load a ``torch.save`` file (zip or legacy) with every tensor as numpy.

    Args:
        path: the ``.pth``/``.pt`` file.
        tolerant: when ``True``, instances of unknown third-party classes (e.g.
            mmengine's ``ConfigDict``/``HistoryBuffer`` in ``meta``/``message_hub``)
            load as inert :class:`UnknownPickleObject` placeholders instead of
            raising. Standard-library, torch and numpy globals outside the
            whitelist are refused either way.

    Returns:
        The unpickled object (usually a dict such as ``{"meta": ..., "state_dict":
        OrderedDict(name -> ndarray), ...}``); tensors are C-contiguous
        ``numpy.ndarray`` with torch's dtype (bfloat16 widened to float32) and shape.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        UnsafeCheckpointError: the pickle names a global outside the whitelist.
        CorruptCheckpointError: the file is empty, truncated or not a checkpoint.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if not raw:
        raise CorruptCheckpointError(f"{path}: file is empty, not a PyTorch checkpoint")
    if raw.startswith(_ZIP_MAGIC):
        return _load_zip(raw, path, tolerant)
    if raw[:1] == b"\x80":  # pickle protocol >= 2: the legacy magic-number pickle
        return _load_legacy(raw, path, tolerant)
    raise CorruptCheckpointError(
        f"{path}: not a PyTorch checkpoint (neither zip nor legacy pickle); it starts "
        f"with {_describe_start(raw)}"
    )


def read_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """The ``name -> ndarray`` weights of a checkpoint.

    Takes ``checkpoint["state_dict"]`` when present, else the checkpoint itself when
    it is a dict of arrays. Keys are returned unchanged (no prefix is stripped). The
    rest of the file (``meta``, ``optimizer``, ``message_hub``) is read in tolerant
    mode, so unknown third-party classes there do not stop the load; the weights
    themselves must all be arrays.

    Raises:
        CorruptCheckpointError: no state dict, or a value in it is not a tensor.
        UnsafeCheckpointError: the pickle names a refused global.
    """
    path = os.fspath(path)
    ckpt = load_torch_checkpoint(path, tolerant=True)
    if isinstance(ckpt, dict) and isinstance(ckpt.get("state_dict"), dict):
        weights = ckpt["state_dict"]
    elif isinstance(ckpt, dict) and ckpt:
        weights = ckpt
    else:
        raise CorruptCheckpointError(
            f"{path}: checkpoint holds {type(ckpt).__name__}, not a state dict"
        )
    bad = [
        f"{k!r} ({type(v).__name__})"
        for k, v in weights.items()
        if not isinstance(k, str) or not isinstance(v, np.ndarray)
    ]
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise CorruptCheckpointError(f"{path}: state dict entries are not tensors: {shown}")
    return dict(weights)
