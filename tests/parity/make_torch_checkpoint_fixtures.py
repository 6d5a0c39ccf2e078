"""Write the small PyTorch checkpoints that tests/convert/test_torch_checkpoint.py reads.

Run with the MMPose reference venv (it has torch, mmengine and mmpose)::

    .mmpose-ref/bin/python tests/parity/make_torch_checkpoint_fixtures.py

For each checkpoint ``<name>.pth`` it also writes ``<name>.expected.npz``: the
state-dict tensors as torch itself converts them (``tensor.numpy()``; bfloat16 via
``.float()``), so the reader is checked against torch, not against itself.

Checkpoints (all tiny, a few KB):

* ``tensors_{zip,legacy}.pth``: ``{"state_dict": ...}`` covering the dtypes and
  layouts a reader must get right: float32/16/64, bfloat16, int64 (0-d, like
  ``num_batches_tracked``), int32, int8, uint8, bool, a transposed (non-contiguous)
  tensor, a channels-last conv weight, two views with offsets sharing one storage, an
  expanded (stride-0) tensor, an empty tensor and an ``nn.Parameter``; saved with
  the zip and the legacy (``_use_new_zipfile_serialization=False``) serialisation.
* ``mmcv0x_{legacy,zip}.pth``: what MMPose 0.x (mmcv 1.x ``save_checkpoint``, then
  ``tools/publish_model.py``) writes: ``meta`` (mmcv_version, time, env_info, config
  text, seed, hook_msgs with a numpy float64 best score, epoch, iter) and a real
  module ``state_dict()`` (an OrderedDict carrying ``_metadata``) with
  ``keypoint_head.*`` keys.
* ``mmengine.pth``: what MMPose 1.x writes through ``mmengine.runner.save_checkpoint``:
  ``meta`` with ``dataset_meta`` holding numpy arrays, ``state_dict`` with ``head.*``
  keys, ``message_hub`` holding mmengine ``HistoryBuffer`` objects, an Adam
  ``optimizer`` state and ``param_schedulers``.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import time

import numpy as np
import torch
from torch import nn

HERE = pathlib.Path(__file__).resolve()
DEFAULT_OUT = HERE.parents[1] / "data" / "checkpoints"


class TinyPose(nn.Module):
    """A few layers named like MMPose's top-down models (backbone + head)."""

    def __init__(self, head_name: str):
        super().__init__()
        self.backbone = nn.Module()
        self.backbone.conv1 = nn.Conv2d(3, 2, 3, bias=False)
        self.backbone.bn1 = nn.BatchNorm2d(2)
        head = nn.Module()
        head.final_layer = nn.Conv2d(2, 3, 1)
        setattr(self, head_name, head)


def tensors_state_dict() -> collections.OrderedDict:
    gen = torch.Generator().manual_seed(0)

    def randn(*shape):
        return torch.randn(*shape, generator=gen)

    shared = torch.arange(12, dtype=torch.float32) * 0.5
    conv = randn(2, 3, 2, 2).contiguous(memory_format=torch.channels_last)
    assert not conv.is_contiguous()
    sd = collections.OrderedDict()
    sd["float32"] = randn(2, 3)
    sd["float16"] = randn(5).half()
    sd["float64"] = randn(2, 2).double()
    sd["bfloat16"] = randn(4).bfloat16()
    sd["num_batches_tracked"] = torch.tensor(1234, dtype=torch.int64)
    sd["int32"] = torch.tensor([-3, 0, 2**31 - 1], dtype=torch.int32)
    sd["int8"] = torch.tensor([-128, 5, 127], dtype=torch.int8)
    sd["uint8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["transposed"] = randn(3, 4).t()
    sd["channels_last"] = conv
    sd["view_a"] = shared[2:8].view(2, 3)
    sd["view_b"] = shared[1::4]
    sd["expanded"] = randn(3, 1).expand(3, 4)
    sd["empty"] = torch.empty(0, 3)
    sd["parameter"] = nn.Parameter(randn(2, 2))
    assert not sd["transposed"].is_contiguous()
    assert sd["view_a"].untyped_storage().data_ptr() == shared.untyped_storage().data_ptr()
    return sd


def trained_model(head_name: str) -> tuple[nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(1)
    model = TinyPose(head_name)
    optim = torch.optim.Adam(model.parameters(), lr=2e-3)
    x = torch.randn(2, 3, 6, 6)
    for _ in range(2):
        head = getattr(model, head_name)
        out = head.final_layer(model.backbone.bn1(model.backbone.conv1(x)))
        loss = out.square().mean()
        optim.zero_grad()
        loss.backward()
        optim.step()
    model.eval()
    return model, optim


def expected_arrays(state_dict) -> dict[str, np.ndarray]:
    out = {}
    for key, t in state_dict.items():
        t = t.detach()
        out[key] = (t.float() if t.dtype == torch.bfloat16 else t).numpy().copy()
    return out


def write(out: pathlib.Path, name: str, ckpt: dict, *, legacy: bool) -> None:
    path = out / f"{name}.pth"
    torch.save(ckpt, path, _use_new_zipfile_serialization=not legacy)
    np.savez(out / f"{name}.expected.npz", **expected_arrays(ckpt["state_dict"]))
    back = torch.load(path, weights_only=False)  # sanity: torch reads what it wrote
    assert list(back["state_dict"]) == list(ckpt["state_dict"])
    print(f"{path.name}: {path.stat().st_size} bytes")


def mmcv0x_checkpoint() -> dict:
    """mmcv 1.x ``save_checkpoint`` + MMPose 0.x ``publish_model`` (optimizer dropped)."""
    model, _ = trained_model("keypoint_head")
    meta = {
        "env_info": "sys.platform: linux\nPython: 3.7.9\nPyTorch: 1.7.1\nMMCV: 1.3.8",
        "config": "model = dict(type='TopDown', keypoint_head=dict(out_channels=3))\n",
        "seed": 0,
        "exp_name": "hrnetv2_w18_wflw_256x256.py",
        "epoch": 60,
        "iter": 89880,
        "mmcv_version": "1.3.8",
        "time": time.asctime(time.gmtime(0)),
        "hook_msgs": {
            "last_ckpt": "work_dirs/hrnetv2_w18_wflw_256x256/epoch_60.pth",
            "best_score": np.float64(0.04063),
            "best_ckpt": "work_dirs/hrnetv2_w18_wflw_256x256/best_NME_epoch_58.pth",
        },
    }
    state_dict = model.state_dict()
    assert hasattr(state_dict, "_metadata")
    return {"meta": meta, "state_dict": state_dict}


def mmengine_checkpoint(out: pathlib.Path) -> None:
    from mmengine.logging import MessageHub
    from mmengine.optim.scheduler import LinearLR
    from mmengine.runner.checkpoint import save_checkpoint, weights_to_cpu

    model, optim = trained_model("head")
    hub = MessageHub.get_instance("keras_facelm_fixture")
    hub.update_scalar("train/loss", 0.25)
    hub.update_scalar("train/loss", 0.125)
    hub.update_info("epoch", 60)
    scheduler = LinearLR(optim, start_factor=0.001, by_epoch=False, begin=0, end=500)
    ckpt = {
        "meta": {
            "epoch": 60,
            "iter": 89880,
            "cfg": "default_scope = 'mmpose'\nmodel = dict(type='TopdownPoseEstimator')\n",
            "seed": 21,
            "experiment_name": "td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256",
            "time": "20230101_000000",
            "mmengine_version": "0.10.7",
            "dataset_meta": {
                "dataset_name": "tiny",
                "num_keypoints": 3,
                "flip_indices": [1, 0, 2],
                "keypoint_colors": np.array(
                    [[255, 0, 0], [0, 255, 0], [0, 0, 255]], dtype=np.uint8
                ),
                "sigmas": np.array([0.025, 0.025, 0.03], dtype=np.float32),
            },
        },
        "state_dict": weights_to_cpu(model.state_dict()),
        "message_hub": hub.state_dict(),
        "optimizer": optim.state_dict(),
        "param_schedulers": [scheduler.state_dict()],
    }
    path = out / "mmengine.pth"
    save_checkpoint(ckpt, str(path))
    np.savez(out / "mmengine.expected.npz", **expected_arrays(ckpt["state_dict"]))
    back = torch.load(path, weights_only=False)
    assert type(back["message_hub"]["log_scalars"]["train/loss"]).__name__ == "HistoryBuffer"
    print(f"{path.name}: {path.stat().st_size} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tensors = {"state_dict": tensors_state_dict()}
    write(args.out, "tensors_zip", tensors, legacy=False)
    write(args.out, "tensors_legacy", tensors, legacy=True)
    write(args.out, "mmcv0x_legacy", mmcv0x_checkpoint(), legacy=True)
    write(args.out, "mmcv0x_zip", mmcv0x_checkpoint(), legacy=False)
    mmengine_checkpoint(args.out)


if __name__ == "__main__":
    main()
