"""MMPose's learning rate at every iteration of each face training recipe.

Run with the MMPose reference interpreter (MMPose 1.3.2, mmengine 0.10)::

    .mmpose-ref/bin/python tests/parity/make_lr_schedule_fixtures.py [--output FILE]

Per recipe it loads the MMPose config with ``mmengine.Config.fromfile``, builds
the optimizer wrapper (``mmengine.optim.build_optim_wrapper``) and every
``param_scheduler`` entry through mmengine's ``PARAM_SCHEDULERS`` registry, as
``Runner.build_param_scheduler`` does, and drives them with mmengine's own
``ParamSchedulerHook`` (``after_train_iter`` after every iteration,
``after_train_epoch`` after every epoch) over the config's ``max_epochs``,
recording the optimizer's LR before each iteration.

Two runs per recipe:

* ``mmpose``: the config as is, at MMPose's 8-GPU global batch, with the
  iterations per epoch of ``DefaultSampler`` (``ceil(ceil(N / 8) / batch)``);
* ``b64``: one device with global batch 64 and the linear scaling rule: the
  config's ``lr`` times ``64 / reference_batch`` and the ``LinearLR`` warm-up
  stretched to the same number of samples (``end = ceil(500 *
  reference_batch / 64)``), ``ceil(N / 64)`` iterations per epoch.

N is the real training-set size (WFLW 7,500, 300W 3,148, AFLW 20,000, COFW
1,345). MMPose does not state how many faces COCO-WholeBody's train file
yields; those recipes use an assumed N = 20,000, enough to check the
composition (it is the same code path).

``res50_starloss_wflw``'s config (``td-reg_res50_starloss_8xb64-210e_wflw``)
is not shipped with MMPose 1.3.2; its ``optim_wrapper`` and
``param_scheduler`` are copied below from MMPose's main branch (commit
344a318850fc9c3cf4ff355802143ce105b1ca06), where they equal the other WFLW
regression configs'; its train loader uses 16 images per GPU (global 128).

Output (``tests/data/parity/lr_schedules.npz``): per recipe ``<name>/<run>``
keys ``..._spe`` (iterations per epoch), ``..._batch`` (global batch),
``..._iterations`` and ``..._table`` (index of its LR table; recipes with
equal schedules share one). Table ``i`` is ``table<i>_change_at`` (int32
iterations where the LR differs from the previous iteration's, starting with
0) and ``table<i>_lr`` (float64 LR from that iteration on): the full
per-iteration LR run-length encoded.

It also writes ``tests/data/parity/recipe_configs.json``: per recipe the
training settings read from the same config (optimizer, schedulers, epochs,
validation interval, batch per GPU, ``RandomBBoxTransform`` arguments, codec,
loss, ``test_cfg``, checkpoint hook, backbone ``init_cfg``), which the recipe
tests compare field by field.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import pathlib
import types

import mmpose
import numpy as np
import torch
from mmengine.config import Config
from mmengine.hooks import ParamSchedulerHook
from mmengine.optim import build_optim_wrapper
from mmengine.registry import PARAM_SCHEDULERS

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = pathlib.Path(mmpose.__file__).parent / ".mim" / "configs" / "face_2d_keypoint"

WFLW, W300, AFLW, COFW, COCO_WB_ASSUMED = 7500, 3148, 20000, 1345, 20000
_HM, _REG = "topdown_heatmap/", "topdown_regression/wflw/"
_WB = _HM + "coco_wholebody_face/td-hm_"

#: recipe name -> (config under configs/face_2d_keypoint, training-set size)
RECIPES = {
    "hrnetv2_w18_300w": (_HM + "300w/td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py", W300),
    "hrnetv2_w18_aflw": (_HM + "aflw/td-hm_hrnetv2-w18_8xb64-60e_aflw-256x256.py", AFLW),
    "hrnetv2_w18_dark_aflw": (_HM + "aflw/td-hm_hrnetv2-w18_dark-8xb64-60e_aflw-256x256.py", AFLW),
    "hrnetv2_w18_cofw": (_HM + "cofw/td-hm_hrnetv2-w18_8xb64-60e_cofw-256x256.py", COFW),
    "hrnetv2_w18_wflw": (_HM + "wflw/td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py", WFLW),
    "hrnetv2_w18_dark_wflw": (_HM + "wflw/td-hm_hrnetv2-w18_dark-8xb64-60e_wflw-256x256.py", WFLW),
    "hrnetv2_w18_awing_wflw": (
        _HM + "wflw/td-hm_hrnetv2-w18_awing-8xb64-60e_wflw-256x256.py",
        WFLW,
    ),
    "hrnetv2_w18_coco_wholebody_face": (
        _WB + "hrnetv2-w18_8xb32-60e_coco-wholebody-face-256x256.py",
        COCO_WB_ASSUMED,
    ),
    "hrnetv2_w18_dark_coco_wholebody_face": (
        _WB + "hrnetv2-w18_dark-8xb32-60e_coco-wholebody-face-256x256.py",
        COCO_WB_ASSUMED,
    ),
    "scnet50_coco_wholebody_face": (
        _WB + "scnet50_8xb32-60e_coco-wholebody-face-256x256.py",
        COCO_WB_ASSUMED,
    ),
    "res50_coco_wholebody_face": (
        _WB + "res50_8xb32-60e_coco-wholebody-face-256x256.py",
        COCO_WB_ASSUMED,
    ),
    "hourglass52_coco_wholebody_face": (
        _WB + "hourglass52_8xb32-60e_coco-wholebody-face-256x256.py",
        COCO_WB_ASSUMED,
    ),
    "mobilenetv2_coco_wholebody_face": (
        _WB + "mobilenetv2_8xb32-60e_coco-wholebody-face-256x256.py",
        COCO_WB_ASSUMED,
    ),
    "deeppose_res50_wingloss_wflw": (
        _REG + "td-reg_res50_wingloss_8xb64-210e_wflw-256x256.py",
        WFLW,
    ),
    "deeppose_res50_wflw": (_REG + "td-reg_res50_8xb64-210e_wflw-256x256.py", WFLW),
    "deeppose_res50_softwingloss_wflw": (
        _REG + "td-reg_res50_softwingloss_8xb64-210e_wflw-256x256.py",
        WFLW,
    ),
    "res50_starloss_wflw": (None, WFLW),
}

#: td-reg_res50_starloss_8xb64-210e_wflw-256x256.py (MMPose main, commit above).
STARLOSS_CONFIG = dict(
    train_cfg=dict(max_epochs=210, val_interval=10),
    optim_wrapper=dict(optimizer=dict(type="Adam", lr=5e-4)),
    param_scheduler=[
        dict(type="LinearLR", begin=0, end=500, start_factor=0.001, by_epoch=False),
        dict(type="MultiStepLR", begin=0, end=210, milestones=[170, 200], gamma=0.1, by_epoch=True),
    ],
    train_dataloader=dict(batch_size=16),
)

NUM_GPUS = 8


def load_config(name):
    path, _ = RECIPES[name]
    if path is None:
        return Config(copy.deepcopy(STARLOSS_CONFIG))
    return Config.fromfile(str(CONFIGS / path))


def run_schedule(cfg, steps_per_epoch, *, lr_scale=1.0, warmup_end=None):
    """LR of every iteration of ``cfg``'s schedule, stepped by mmengine's hook."""
    model = torch.nn.Linear(1, 1)
    optim_cfg = copy.deepcopy(cfg.optim_wrapper.to_dict())
    optim_cfg["optimizer"]["lr"] = optim_cfg["optimizer"]["lr"] * lr_scale
    wrapper = build_optim_wrapper(model, optim_cfg)
    schedulers = []
    for entry in cfg.param_scheduler:
        entry = copy.deepcopy(dict(entry))
        if warmup_end is not None and entry["type"] == "LinearLR":
            entry["end"] = warmup_end
        schedulers.append(PARAM_SCHEDULERS.build(entry, default_args=dict(optimizer=wrapper)))
    runner = types.SimpleNamespace(param_schedulers=schedulers)
    hook = ParamSchedulerHook()
    lrs = []
    for _ in range(cfg.train_cfg.max_epochs):
        for i in range(steps_per_epoch):
            lrs.append(wrapper.optimizer.param_groups[0]["lr"])
            hook.after_train_iter(runner, batch_idx=i)
        hook.after_train_epoch(runner)
    return np.asarray(lrs, np.float64)


def config_summary(cfg):
    """The training settings of ``cfg`` as plain JSON data."""
    pipeline = cfg.get("train_dataloader", {}).get("dataset", {}).get("pipeline", [])
    rbt = [dict(t) for t in pipeline if t["type"] == "RandomBBoxTransform"]
    model = cfg.get("model", {})
    hooks = cfg.get("default_hooks", {})
    summary = dict(
        optimizer=dict(cfg.optim_wrapper.optimizer),
        param_scheduler=[dict(p) for p in cfg.param_scheduler],
        max_epochs=cfg.train_cfg.max_epochs,
        val_interval=cfg.train_cfg.get("val_interval"),
        batch_per_gpu=cfg.train_dataloader.batch_size,
        random_bbox_transform=rbt[0] if rbt else None,
        codec=dict(cfg.codec) if "codec" in cfg else None,
        loss=dict(model["head"]["loss"]) if model else None,
        test_cfg=dict(model["test_cfg"]) if model else None,
        checkpoint=dict(hooks["checkpoint"]) if "checkpoint" in hooks else None,
        backbone_init=dict(model["backbone"].get("init_cfg") or {}) if model else None,
    )
    return json.loads(json.dumps(summary, default=list))


def run_length(lrs):
    change = np.concatenate([[True], lrs[1:] != lrs[:-1]])
    idx = np.flatnonzero(change)
    return idx.astype(np.int32), lrs[idx]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=pathlib.Path,
        default=REPO / "tests" / "data" / "parity" / "lr_schedules.npz",
    )
    parser.add_argument("--recipes", nargs="*", default=sorted(RECIPES))
    args = parser.parse_args(argv)
    out, tables, summaries = {}, [], {}
    for name in args.recipes:
        cfg = load_config(name)
        summaries[name] = config_summary(cfg)
        n = RECIPES[name][1]
        per_gpu = cfg.train_dataloader.batch_size
        ref_batch = NUM_GPUS * per_gpu
        runs = {
            "mmpose": (math.ceil(math.ceil(n / NUM_GPUS) / per_gpu), ref_batch, {}),
            "b64": (
                math.ceil(n / 64),
                64,
                dict(lr_scale=64 / ref_batch, warmup_end=math.ceil(500 * ref_batch / 64)),
            ),
        }
        for run, (spe, batch, kw) in runs.items():
            lrs = run_schedule(cfg, spe, **kw)
            change_at, values = run_length(lrs)
            key = f"{name}/{run}"
            out[key + "_spe"] = np.int32(spe)
            out[key + "_batch"] = np.int32(batch)
            out[key + "_iterations"] = np.int32(len(lrs))
            same = [
                i
                for i, (ca, va) in enumerate(tables)
                if np.array_equal(ca, change_at) and np.array_equal(va, values)
            ]
            if same:
                i = same[0]
            else:
                i = len(tables)
                tables.append((change_at, values))
                out[f"table{i}_change_at"], out[f"table{i}_lr"] = change_at, values
            out[key + "_table"] = np.int32(i)
            print(
                f"{key}: {len(lrs)} iterations ({spe}/epoch, batch {batch}), "
                f"{len(values)} distinct runs, peak {lrs.max():.6g}, last {lrs[-1]:.6g}"
            )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **out)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    summary_path = args.output.parent / "recipe_configs.json"
    summary_path.write_text(json.dumps(summaries, indent=1, sort_keys=True) + "\n")
    print(f"wrote {summary_path}")


if __name__ == "__main__":
    main()
