"""One MMPose training step on a fixed batch: loss, weight updates and BN statistics.

Run with the MMPose reference interpreter (MMPose 1.3.2)::

    .mmpose-ref/bin/python tests/parity/make_train_step_fixtures.py [--out DIR]

Cases (weights: the committed tiny seeded checkpoints of
``make_mmpose_model_fixtures.py``, configs from MMPose with the same tiny
overrides):

* ``hrnet_mse``: ``td-hm_hrnetv2-w18_8xb64-60e_wflw`` (KeypointMSELoss);
* ``hrnet_awing``: ``td-hm_hrnetv2-w18_awing-8xb64-60e_wflw`` (AdaptiveWingLoss),
  same weights;
* ``deeppose_wing``: ``td-reg_res50_wingloss_8xb64-210e_wflw`` (WingLoss).

The batch is the three committed 256x256 face crops (``models/inputs.npz``)
with seeded random keypoints (some invisible, some outside the crop),
encoded by MMPose's own codec (``MSRAHeatmap`` sigma 2 / ``RegressionLabel``)
into ``PoseDataSample``s. The step is MMPose's: ``model.train()``,
``model.loss(inputs, data_samples)`` (``TopdownPoseEstimator.loss`` → head
``loss``), the sum of the ``loss*`` entries, ``backward`` and one
``torch.optim.Adam`` step at the config's peak LR (``optim_wrapper.optimizer``).

The step runs twice: in float32 (what training runs) and in float64
(``model.double()``, same weights and batch). Adam's first step moves a weight
by ``lr * g / (|g| + eps)``, about ``±lr * sign(g)``, so in float32 a gradient
within summation noise of zero moves by ``+lr`` or ``-lr`` depending on the
order of additions; in float64 the same step is a well-conditioned function of
the weights and batch, and every update can be compared at a 1 % bar.

Output ``tests/data/parity/train_step/<case>.npz`` (the images are
``models/inputs.npz``'s ``images_rgb``): ``targets``
(heatmaps NHWC or labels ``(N, K, 2)``), ``weights (N, K)``, ``loss``
(float32 step, stored as float64), ``loss64`` (float64 step), ``lr``,
``checkpoint`` (file name under ``models/``), and per state-dict key
``update64/<key>`` = (after − before) / lr of the float64 step for parameters
(stored as float32: Adam's update is about ±lr) and ``buffer/<key>`` = after −
before of the float32 step (float32) for BatchNorm running statistics.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np
import torch
from mmengine.structures import InstanceData, PixelData
from mmpose.codecs import MSRAHeatmap, RegressionLabel
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.utils import register_all_modules

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_mmpose_model_fixtures as M  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
MODELS_DIR = REPO / "tests" / "data" / "parity" / "models"
SEED = 20261202

#: case -> (preset whose config defines the loss, checkpoint owner, target kind)
CASES = {
    "hrnet_mse": ("hrnetv2_w18_wflw", "hrnetv2_w18_wflw", "heatmap"),
    "hrnet_awing": ("hrnetv2_w18_awing_wflw", "hrnetv2_w18_wflw", "heatmap"),
    "deeppose_wing": (
        "deeppose_res50_wingloss_wflw",
        "deeppose_res50_wingloss_wflw",
        "coords",
    ),
}


def make_batch(images, kind, k, rng):
    """Keypoints in input pixels → MMPose targets and data samples."""
    n = len(images)
    kp = rng.uniform(-20, 276, size=(n, k, 2)).astype(np.float32)
    vis = (rng.uniform(size=(n, k)) > 0.15).astype(np.float32)
    codec = (
        MSRAHeatmap(input_size=(256, 256), heatmap_size=(64, 64), sigma=2)
        if kind == "heatmap"
        else RegressionLabel(input_size=(256, 256))
    )
    samples, targets, weights = [], [], []
    for i in range(n):
        enc = codec.encode(kp[i : i + 1], vis[i : i + 1])
        s = PoseDataSample()
        labels = InstanceData()
        labels.keypoint_weights = torch.from_numpy(enc["keypoint_weights"].astype(np.float32))
        if kind == "heatmap":
            s.gt_fields = PixelData(heatmaps=torch.from_numpy(enc["heatmaps"]))
            targets.append(enc["heatmaps"].transpose(1, 2, 0))
        else:
            labels.keypoint_labels = torch.from_numpy(enc["keypoint_labels"].astype(np.float32))
            targets.append(enc["keypoint_labels"][0])
        s.gt_instance_labels = labels
        s.set_metainfo(dict(input_size=(256, 256), flip_indices=list(range(k))))
        samples.append(s)
        weights.append(enc["keypoint_weights"][0])
    return (
        samples,
        np.stack(targets).astype(np.float32),
        np.stack(weights).astype(np.float32),
    )


def _one_step(cfg, ckpt, images, samples, dtype):
    """MMPose's train step on ``samples``; returns (loss, state before, model after)."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.load_state_dict(torch.load(ckpt, map_location="cpu", weights_only=False)["state_dict"])
    model.to(dtype)
    for s in samples:
        for field in ("gt_fields", "gt_instance_labels"):
            if field in s:
                data = getattr(s, field)
                for key in list(data.keys()):
                    data.set_field(getattr(data, key).to(dtype), key)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    lr = float(cfg.optim_wrapper.optimizer.lr)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    pre = cfg.model.data_preprocessor  # the config's mean/std, normalised in float64
    x = (images.astype(np.float64) - np.asarray(pre.mean)) / np.asarray(pre.std)
    x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).to(dtype)
    losses = model.loss(x, samples)
    loss = sum(v for name, v in losses.items() if name.startswith("loss"))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item(), before, model


def run_case(case, out_dir):
    preset, owner, kind = CASES[case]
    cfg = M.load_config(preset, "tiny")
    ckpt = MODELS_DIR / f"{owner}_tiny_v1.pth"
    with np.load(MODELS_DIR / "inputs.npz") as data:
        images = data["images_rgb"].astype(np.float32)
    k = cfg.model.head.get("out_channels", cfg.model.head.get("num_joints"))
    samples, targets, weights = make_batch(images, kind, k, np.random.default_rng(SEED))
    lr = float(cfg.optim_wrapper.optimizer.lr)

    loss32, before32, model32 = _one_step(cfg, ckpt, images, samples, torch.float32)
    loss64, before64, model64 = _one_step(cfg, ckpt, images, samples, torch.float64)
    out = dict(
        targets=targets,
        weights=weights,
        loss=np.float64(loss32),
        loss64=np.float64(loss64),
        lr=np.float64(lr),
        checkpoint=np.array(ckpt.name),
    )
    params = dict(model64.named_parameters())
    for key, value in model64.state_dict().items():
        if key in params:
            out[f"update64/{key}"] = ((value - before64[key]).numpy() / lr).astype(np.float32)
    for key, value in model32.state_dict().items():
        if "running_" in key:
            out[f"buffer/{key}"] = (value - before32[key]).numpy().astype(np.float32)
    path = out_dir / f"{case}.npz"
    np.savez_compressed(path, **out)
    print(
        f"{case}: loss {loss32:.8g} (float64 {loss64:.12g}) at lr {lr:g}; "
        f"wrote {path} ({path.stat().st_size:,} bytes)"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=REPO / "tests" / "data" / "parity" / "train_step",
    )
    parser.add_argument("--cases", nargs="*", default=sorted(CASES))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    register_all_modules()
    args.out.mkdir(parents=True, exist_ok=True)
    for case in args.cases:
        run_case(case, args.out)


if __name__ == "__main__":
    main()
