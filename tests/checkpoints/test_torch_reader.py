"""The torch-free checkpoint reader against checkpoints written by torch itself.

Fixtures in ``tests/data/checkpoints`` come from
``tests/parity/make_torch_checkpoint_fixtures.py`` (MMPose venv); each ``.pth`` has
an ``.expected.npz`` holding torch's own ``tensor.numpy()``. Hostile and damaged
files are crafted here with the standard library only.
"""

from __future__ import annotations

import builtins
import collections
import io
import os
import pickle
import struct
import subprocess
import sys
import types
import zipfile

import numpy as np
import pytest

from keras_facelm.checkpoints.torch_reader import (
    CorruptCheckpointError,
    UnknownPickleObject,
    UnsafeCheckpointError,
    load_torch_checkpoint,
    read_state_dict,
)
from tests.conftest import TEST_DATA, mmpose_env, mmpose_python

CKPTS = TEST_DATA / "checkpoints"
FIXTURES = ["tensors_zip", "tensors_legacy", "mmcv0x_legacy", "mmcv0x_zip", "mmengine"]
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


# ----------------------------------------------------------------------------------
# Writing torch-format files without torch


def _fake_torch_modules():
    """Stand-ins for ``torch`` / ``torch._utils`` that the stdlib pickler can name.

    Pickled under fake module names, which :func:`_torch_pickle` renames in the
    protocol-2 text ``GLOBAL`` opcodes afterwards.
    """
    torch_mod = types.ModuleType("faketorch")
    utils_mod = types.ModuleType("faketorch_utils")
    for name in ("FloatStorage", "LongStorage", "HalfStorage"):
        setattr(torch_mod, name, type(name, (), {"__module__": "faketorch"}))
    cuda_mod = types.ModuleType("faketorch_cuda")
    cuda_mod.FloatStorage = type("FloatStorage", (), {"__module__": "faketorch_cuda"})
    torch_mod.cuda = cuda_mod

    def _rebuild_tensor_v2(*args):
        raise AssertionError("never called while pickling")

    _rebuild_tensor_v2.__module__ = "faketorch_utils"
    _rebuild_tensor_v2.__qualname__ = "_rebuild_tensor_v2"
    utils_mod._rebuild_tensor_v2 = _rebuild_tensor_v2
    return torch_mod, utils_mod


class _StorageRef:
    def __init__(self, stype, key, numel, view=None):
        self.pid = ("storage", stype, key, "cpu", numel) + ((view,) if view else ())


class _FakeTensor:
    def __init__(self, rebuild, storage, offset, size, stride):
        self.args = (storage, offset, size, stride, False, collections.OrderedDict())
        self.rebuild = rebuild

    def __reduce__(self):
        return (self.rebuild, self.args)


def _torch_pickle(obj) -> bytes:
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=2)
    pickler.persistent_id = lambda o: o.pid if isinstance(o, _StorageRef) else None
    pickler.dump(obj)
    data = buf.getvalue()
    data = data.replace(b"cfaketorch_utils\n", b"ctorch._utils\n")
    data = data.replace(b"cfaketorch_cuda\n", b"ctorch.cuda\n")
    return data.replace(b"cfaketorch\n", b"ctorch\n")


@pytest.fixture
def faketorch(monkeypatch):
    torch_mod, utils_mod = _fake_torch_modules()
    monkeypatch.setitem(sys.modules, "faketorch", torch_mod)
    monkeypatch.setitem(sys.modules, "faketorch_utils", utils_mod)
    monkeypatch.setitem(sys.modules, "faketorch_cuda", torch_mod.cuda)
    return torch_mod, utils_mod._rebuild_tensor_v2


def _write_legacy(path, object_pickle: bytes, storages, *, little=True):
    """torch's legacy layout: 3 header pickles, the object, the keys, the records."""
    order = "<" if little else ">"
    with open(path, "wb") as f:
        pickle.dump(LEGACY_MAGIC, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        sys_info = dict(protocol_version=1001, little_endian=little, type_sizes={})
        pickle.dump(sys_info, f, protocol=2)
        f.write(object_pickle)
        pickle.dump([k for k, _, _ in storages], f, protocol=2)
        for _, numel, payload in storages:
            f.write(struct.pack(order + "q", numel) + payload)


def _write_zip(path, object_pickle: bytes, storages=(), folder="archive"):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{folder}/data.pkl", object_pickle)
        z.writestr(f"{folder}/version", "3\n")
        for key, payload in storages:
            z.writestr(f"{folder}/data/{key}", payload)


# ----------------------------------------------------------------------------------
# Torch-written fixtures


@pytest.mark.parametrize("name", FIXTURES)
def test_state_dict_matches_torch(name):
    weights = read_state_dict(CKPTS / f"{name}.pth")
    expected = np.load(CKPTS / f"{name}.expected.npz")
    assert list(weights) == list(expected.keys())
    for key in expected.keys():
        got, want = weights[key], expected[key]
        assert got.dtype == want.dtype, key
        assert got.shape == want.shape, key
        np.testing.assert_array_equal(got, want, err_msg=key)
        assert got.flags.c_contiguous and got.flags.writeable, key


@pytest.mark.parametrize("name", ["tensors_zip", "tensors_legacy"])
def test_layouts_and_dtypes(name):
    sd = load_torch_checkpoint(CKPTS / f"{name}.pth")["state_dict"]
    assert isinstance(sd, collections.OrderedDict)
    assert sd["num_batches_tracked"].shape == () and sd["num_batches_tracked"] == 1234
    assert sd["bfloat16"].dtype == np.float32  # widened, numpy has no bfloat16
    assert sd["float16"].dtype == np.float16 and sd["bool"].dtype == np.bool_
    assert sd["empty"].shape == (0, 3)
    shared = np.arange(12, dtype=np.float32) * 0.5
    np.testing.assert_array_equal(sd["view_a"], shared[2:8].reshape(2, 3))
    np.testing.assert_array_equal(sd["view_b"], shared[1::4])
    sd["view_a"][0, 0] = -1.0  # independent copies, not views of one buffer
    assert sd["view_b"][0] == 0.5
    np.testing.assert_array_equal(sd["transposed"].T, sd["transposed"].T.copy())
    assert np.all(sd["expanded"] == sd["expanded"][:, :1])


def test_views_really_share_one_storage_in_fixture():
    with zipfile.ZipFile(CKPTS / "tensors_zip.pth") as z:
        records = [n for n in z.namelist() if "/data/" in n]
    # 16 tensors, but view_a and view_b point into one storage.
    assert len(records) == 15


@pytest.mark.parametrize("name", ["mmcv0x_legacy", "mmcv0x_zip"])
def test_mmcv0x_meta_loads_strictly(name):
    ckpt = load_torch_checkpoint(CKPTS / f"{name}.pth")
    meta = ckpt["meta"]
    assert meta["mmcv_version"] == "1.3.8" and meta["epoch"] == 60
    assert "keypoint_head" in meta["config"]
    best = meta["hook_msgs"]["best_score"]
    assert isinstance(best, np.float64) and best == np.float64(0.04063)
    assert set(ckpt["state_dict"]) == {
        "backbone.conv1.weight",
        "backbone.bn1.weight",
        "backbone.bn1.bias",
        "backbone.bn1.running_mean",
        "backbone.bn1.running_var",
        "backbone.bn1.num_batches_tracked",
        "keypoint_head.final_layer.weight",
        "keypoint_head.final_layer.bias",
    }
    assert ckpt["state_dict"]["backbone.bn1.num_batches_tracked"].dtype == np.int64


def test_mmengine_strict_refuses_unknown_class_tolerant_keeps_placeholder():
    path = CKPTS / "mmengine.pth"
    with pytest.raises(UnsafeCheckpointError) as err:
        load_torch_checkpoint(path)
    assert "mmengine.logging.history_buffer.HistoryBuffer" in str(err.value)
    assert str(path) in str(err.value) and "\n" not in str(err.value)

    ckpt = load_torch_checkpoint(path, tolerant=True)
    buf = ckpt["message_hub"]["log_scalars"]["train/loss"]
    assert isinstance(buf, UnknownPickleObject)
    assert (buf.module, buf.name) == (
        "mmengine.logging.history_buffer",
        "HistoryBuffer",
    )
    np.testing.assert_array_equal(buf.state["_log_history"], [0.25, 0.125])
    dataset_meta = ckpt["meta"]["dataset_meta"]
    assert dataset_meta["keypoint_colors"].dtype == np.uint8
    np.testing.assert_array_equal(dataset_meta["sigmas"], np.float32([0.025, 0.025, 0.03]))
    assert ckpt["optimizer"]["state"][0]["step"] == 2.0
    assert ckpt["param_schedulers"][0]["end"] == 500


# ----------------------------------------------------------------------------------
# Hostile pickles: refused, never executed


class _Payload:
    """Pickles as a call to ``func(arg)``; unpickling it normally runs that call."""

    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return (self.func, (self.arg,))


def _payloads(marker):
    code = f"open({str(marker)!r}, 'w').close()"
    return {
        "posix.system": _Payload(os.system, f"touch '{marker}'"),
        "builtins.exec": _Payload(builtins.exec, code),
        "builtins.eval": _Payload(builtins.eval, code),
    }


def test_payloads_are_live_under_plain_pickle(tmp_path):
    # Guards the tests below: the same bytes do run code when unpickled normally.
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_payloads(marker)["builtins.exec"], protocol=2))
    assert marker.exists()


@pytest.mark.parametrize("container", ["legacy", "zip"])
@pytest.mark.parametrize("target", ["posix.system", "builtins.exec", "builtins.eval"])
@pytest.mark.parametrize("tolerant", [False, True])
def test_malicious_payload_is_refused_without_running(tmp_path, container, target, tolerant):
    if target == "posix.system" and os.name != "posix":
        pytest.skip("posix only")
    marker = tmp_path / "pwned"
    obj = {"state_dict": {}, "meta": {"evil": _payloads(marker)[target]}}
    data = pickle.dumps(obj, protocol=2)
    path = tmp_path / "evil.pth"
    if container == "legacy":
        _write_legacy(path, data, [])
    else:
        _write_zip(path, data)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_torch_checkpoint(path, tolerant=tolerant)
    assert f"'{target}'" in str(err.value) and str(path) in str(err.value)
    with pytest.raises(UnsafeCheckpointError):
        read_state_dict(path)
    assert not marker.exists()


def test_nested_unpickling_from_bytes_is_refused(tmp_path):
    data = pickle.dumps({"x": 1}, protocol=2).replace(
        b"}", b"ctorch.storage\n_load_from_bytes\nC\x03abc\x85R", 1
    )
    path = tmp_path / "nested.pth"
    _write_zip(path, data)
    with pytest.raises(UnsafeCheckpointError, match="torch.storage._load_from_bytes"):
        load_torch_checkpoint(path, tolerant=True)


def test_getattr_only_on_placeholders(tmp_path):
    # getattr(os, 'system') must not be a way around the whitelist in tolerant mode.
    data = b"\x80\x02c__builtin__\ngetattr\ncos\nsystem\nX\x04\x00\x00\x00linkq\x00\x86R."
    path = tmp_path / "getattr.pth"
    _write_zip(path, data)
    with pytest.raises(UnsafeCheckpointError, match="'os.system'"):
        load_torch_checkpoint(path, tolerant=True)


@pytest.mark.mmpose
@pytest.mark.slow  # starts torch in the MMPose venv (~4 s)
def test_torch_save_zip_with_reduce_payload_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil_torch.pth"
    script = (
        "import os, sys, torch\n"
        "class Evil:\n"
        "    def __reduce__(self):\n"
        "        return (os.system, ('touch ' + sys.argv[2],))\n"
        "torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': {'x': Evil()}},"
        " sys.argv[1])\n"
    )
    subprocess.run(
        [str(mmpose_python()), "-c", script, str(path), str(marker)],
        check=True,
        env=mmpose_env(),
    )
    assert zipfile.is_zipfile(path) and not marker.exists()
    with pytest.raises(UnsafeCheckpointError, match="'posix.system'"):
        read_state_dict(path)
    assert not marker.exists()


# ----------------------------------------------------------------------------------
# Crafted layouts torch 2 no longer writes


def test_legacy_big_endian_and_storage_views(tmp_path, faketorch):
    torch_mod, rebuild = faketorch
    values = np.arange(6, dtype=">f4")
    root = _StorageRef(torch_mod.FloatStorage, "k0", 6)
    view = _StorageRef(torch_mod.FloatStorage, "k0", 6, view=("k0v", 2, 3))
    obj = {
        "full": _FakeTensor(rebuild, root, 0, (2, 3), (3, 1)),
        "view": _FakeTensor(rebuild, view, 1, (2,), (1,)),
    }
    path = tmp_path / "be.pth"
    _write_legacy(path, _torch_pickle(obj), [("k0", 6, values.tobytes())], little=False)
    out = load_torch_checkpoint(path)
    np.testing.assert_array_equal(out["full"], np.arange(6, dtype=np.float32).reshape(2, 3))
    assert out["full"].dtype == np.float32 and out["full"].dtype.isnative
    np.testing.assert_array_equal(out["view"], [3.0, 4.0])


def test_zip_with_other_folder_name(tmp_path, faketorch):
    torch_mod, rebuild = faketorch
    ref = _StorageRef(torch_mod.LongStorage, "0", 3)
    obj = {"state_dict": collections.OrderedDict(a=_FakeTensor(rebuild, ref, 1, (2,), (1,)))}
    path = tmp_path / "renamed.pth"
    payload = np.array([7, 8, 9], dtype="<i8").tobytes()
    _write_zip(path, _torch_pickle(obj), [("0", payload)], folder="my_model")
    np.testing.assert_array_equal(read_state_dict(path)["a"], [8, 9])


def test_cuda_storages_load_on_cpu(tmp_path, faketorch):
    # mmcv 1.x saved optimizer state straight from the GPU (torch.cuda.FloatStorage).
    torch_mod, rebuild = faketorch
    ref = _StorageRef(torch_mod.cuda.FloatStorage, "1", 2)
    ref.pid = ref.pid[:3] + ("cuda:0",) + ref.pid[4:]
    obj = {
        "optimizer": {"state": {0: {"momentum_buffer": _FakeTensor(rebuild, ref, 0, (2,), (1,))}}}
    }
    path = tmp_path / "gpu.pth"
    _write_legacy(path, _torch_pickle(obj), [("1", 2, np.float32([1.5, -2]).tobytes())])
    buf = load_torch_checkpoint(path)["optimizer"]["state"][0]["momentum_buffer"]
    np.testing.assert_array_equal(buf, np.float32([1.5, -2]))


# ----------------------------------------------------------------------------------
# Damaged and foreign files: one-line CorruptCheckpointError naming the file


def _assert_corrupt(path, fragment):
    with pytest.raises(CorruptCheckpointError) as err:
        load_torch_checkpoint(path)
    msg = str(err.value)
    assert str(path) in msg and fragment in msg and "\n" not in msg, msg
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "HTML"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (b"hello world", "not a PyTorch checkpoint"),
    ],
)
def test_foreign_files(tmp_path, content, fragment):
    path = tmp_path / "x.pth"
    path.write_bytes(content)
    _assert_corrupt(path, fragment)


@pytest.mark.parametrize("name", ["tensors_zip", "tensors_legacy", "mmcv0x_legacy"])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_files(tmp_path, name, keep):
    raw = (CKPTS / f"{name}.pth").read_bytes()
    path = tmp_path / "cut.pth"
    path.write_bytes(raw[: int(len(raw) * keep)])
    _assert_corrupt(path, "")


def test_zip_without_data_pkl(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/readme.txt", "hello")
    _assert_corrupt(path, "data.pkl")


def test_zip_storage_shorter_than_declared(tmp_path):
    src = zipfile.ZipFile(CKPTS / "tensors_zip.pth")
    path = tmp_path / "short.pth"
    with zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/data/0"):
                data = data[:-2]
            dst.writestr(info.filename, data)
    _assert_corrupt(path, "storage '0'")


def test_legacy_storage_count_mismatch_and_bounds(tmp_path, faketorch):
    torch_mod, rebuild = faketorch
    ref = _StorageRef(torch_mod.FloatStorage, "k", 4)
    obj = {"t": _FakeTensor(rebuild, ref, 0, (2, 2), (2, 1))}
    path = tmp_path / "count.pth"
    _write_legacy(path, _torch_pickle(obj), [("k", 3, b"\0" * 12)])
    _assert_corrupt(path, "declares 4 elements")

    outside = {"t": _FakeTensor(rebuild, ref, 1, (2, 2), (2, 1))}
    _write_legacy(path, _torch_pickle(outside), [("k", 4, b"\0" * 16)])
    _assert_corrupt(path, "reaches element 4")

    _write_legacy(path, _torch_pickle(obj), [("k", 4, b"\0" * 10)])
    _assert_corrupt(path, "truncated in storage 'k'")


def test_state_dict_with_non_tensor_values(tmp_path):
    path = tmp_path / "odd.pth"
    _write_zip(path, pickle.dumps({"state_dict": {"a": 1.0, "b": "x"}}, protocol=2))
    with pytest.raises(CorruptCheckpointError, match="'a' \\(float\\), 'b' \\(str\\)"):
        read_state_dict(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_torch_checkpoint(tmp_path / "nope.pth")
