"""Write MMPose reference fixtures for the model-parity tests (runs MMPose only).

Run with the MMPose 1.x reference interpreter (``scripts/mmpose_ref_env.sh``), never
with the keras_facelm venv::

    .mmpose-ref/bin/python tests/parity/make_mmpose_model_fixtures.py \
        --variant tiny --preset all --out tests/data/parity/models

For every preset this builds MMPose's own ``TopdownPoseEstimator`` from the
preset's 1.x config (optionally shrunk, ``--variant tiny``), gives every
state-dict tensor a seeded random value, saves the weights as a 1.x checkpoint
and as a 0.x legacy-serialised checkpoint (0.x key names), proves both load
back into the 1.x model through MMPose/mmengine's own load hooks, and records
MMPose's raw outputs and ``predict`` keypoints on three 256x256 RGB inputs.

Outputs, in ``--out`` (see tests/parity/README.md for every field):

* ``inputs.npz``: ``images_rgb`` (3,256,256,3) float32 RGB 0..255, shared by
  all presets (each preset records its sha256).
* ``<preset>_<variant>.npz``: ``raw_output`` NHWC heatmaps (N,64,64,C) of
  channels ``raw_output_channels`` (all K with ``--raw-channels all``) or
  (N,K,2) normalised regression coordinates; per-channel max/mean/argmax over
  all K; ``keypoints_{flip,noflip}`` (N,K,2) input px and
  ``scores_{flip,noflip}`` (N,K) from ``model.predict``; per-keypoint decode
  sensitivity and stability masks; ``flip_indices`` (K,).
* ``<preset>_<variant>.json``: architecture (backbone/neck/head dicts as
  built), codec, test_cfg, MMPose parameter counts, seed, state-dict digest,
  checkpoint file names.
* ``<owner>_<variant>_v1.pth`` (1.x, zip serialisation, ``head.*`` keys) and
  ``<owner>_<variant>_v0.pth`` (legacy serialisation, ``keypoint_head.*`` keys
  in the 0.x head layouts); presets with identical models share one pair,
  named after the first of them (``checkpoint_owner``).
"""

from __future__ import annotations

import argparse
import copy
import datetime
import hashlib
import json
import pathlib
import sys
import time
from collections import OrderedDict

import cv2
import mmengine
import mmpose
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmengine.structures import InstanceData
from mmpose.apis.inference import dataset_meta_from_config
from mmpose.models.utils.tta import flip_coordinates, flip_heatmaps
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample
from mmpose.structures.bbox import get_warp_matrix
from mmpose.utils import register_all_modules
from torch import nn

CONFIG_ROOT = pathlib.Path(mmpose.__file__).parent / ".mim" / "configs" / "face_2d_keypoint"
# MMPose's own test images, committed with their licence note (see NOTICE.md there).
REALDATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "mmpose_faces"

INPUT_SIZE = 256
MEAN_RGB = np.array([123.675, 116.28, 103.53], np.float32)
STD_RGB = np.array([58.395, 57.12, 57.375], np.float32)
BASE_SEED = 20260101
DECODE_EPS_REL = 1e-5  # output perturbation (fraction of max |output|) for the sensitivity probe
DECODE_TRIALS = 4
STABLE_MOVE_PX = 1e-3  # keypoints moving less than this under the probe are "stable"

_HM = "topdown_heatmap/"
_WB = _HM + "coco_wholebody_face/td-hm_"
PRESETS = {
    "hrnetv2_w18_300w": (
        "hrnet",
        _HM + "300w/td-hm_hrnetv2-w18_8xb64-60e_300w-256x256.py",
    ),
    "hrnetv2_w18_aflw": (
        "hrnet",
        _HM + "aflw/td-hm_hrnetv2-w18_8xb64-60e_aflw-256x256.py",
    ),
    "hrnetv2_w18_dark_aflw": (
        "hrnet",
        _HM + "aflw/td-hm_hrnetv2-w18_dark-8xb64-60e_aflw-256x256.py",
    ),
    "hrnetv2_w18_cofw": (
        "hrnet",
        _HM + "cofw/td-hm_hrnetv2-w18_8xb64-60e_cofw-256x256.py",
    ),
    "hrnetv2_w18_wflw": (
        "hrnet",
        _HM + "wflw/td-hm_hrnetv2-w18_8xb64-60e_wflw-256x256.py",
    ),
    "hrnetv2_w18_dark_wflw": (
        "hrnet",
        _HM + "wflw/td-hm_hrnetv2-w18_dark-8xb64-60e_wflw-256x256.py",
    ),
    "hrnetv2_w18_awing_wflw": (
        "hrnet",
        _HM + "wflw/td-hm_hrnetv2-w18_awing-8xb64-60e_wflw-256x256.py",
    ),
    "hrnetv2_w18_coco_wholebody_face": (
        "hrnet",
        _WB + "hrnetv2-w18_8xb32-60e_coco-wholebody-face-256x256.py",
    ),
    "hrnetv2_w18_dark_coco_wholebody_face": (
        "hrnet",
        _WB + "hrnetv2-w18_dark-8xb32-60e_coco-wholebody-face-256x256.py",
    ),
    "scnet50_coco_wholebody_face": (
        "scnet",
        _WB + "scnet50_8xb32-60e_coco-wholebody-face-256x256.py",
    ),
    "res50_coco_wholebody_face": (
        "resnet",
        _WB + "res50_8xb32-60e_coco-wholebody-face-256x256.py",
    ),
    "hourglass52_coco_wholebody_face": (
        "hourglass",
        _WB + "hourglass52_8xb32-60e_coco-wholebody-face-256x256.py",
    ),
    "mobilenetv2_coco_wholebody_face": (
        "mobilenetv2",
        _WB + "mobilenetv2_8xb32-60e_coco-wholebody-face-256x256.py",
    ),
    "deeppose_res50_wingloss_wflw": (
        "deeppose",
        "topdown_regression/wflw/td-reg_res50_wingloss_8xb64-210e_wflw-256x256.py",
    ),
}

INPUT_DESCRIPTIONS = [
    "WFLW test image 36_Football_americanfootball_ball_36_415.jpg, TopdownAffine crop "
    "center (482.5, 164.5), size 0.425*200*1.25 px, rotation 0, bilinear, RGB",
    "300W test image indoor_029.png, TopdownAffine crop center (489.5, 503.5), "
    "size 2.385*200*1.25 px, rotation 0, bilinear, RGB",
    f"uniform integer noise 0..255 in 2x2-pixel blocks, numpy default_rng({BASE_SEED})",
]

# Reduced-width, structurally identical overrides (``--variant tiny``).
# MMPose hard-codes some widths, which bounds how small a model can get:
# the HRNet stem is 3->64->64; MobileNetV2's last conv is 1280 wide for
# widen_factor <= 1; the Hourglass stem always emits 256 channels, so
# ``stage_channels[0]`` must stay 256 (and ``inters.0`` is a 256-wide block).
_HRNET_TINY_EXTRA = dict(
    stage1=dict(
        num_modules=1,
        num_branches=1,
        block="BOTTLENECK",
        num_blocks=(1,),
        num_channels=(4,),
    ),
    stage2=dict(
        num_modules=1,
        num_branches=2,
        block="BASIC",
        num_blocks=(1, 1),
        num_channels=(2, 4),
    ),
    stage3=dict(
        num_modules=2,
        num_branches=3,
        block="BASIC",
        num_blocks=(1, 1, 1),
        num_channels=(2, 4, 8),
    ),
    stage4=dict(
        num_modules=2,
        num_branches=4,
        block="BASIC",
        num_blocks=(1, 1, 1, 1),
        num_channels=(2, 4, 8, 16),
        multiscale_output=True,
    ),
    upsample=dict(mode="bilinear", align_corners=False),
)
_RESNET_TINY = dict(base_channels=4, stem_channels=8)  # layer4 emits 4*8*4 = 128 channels
TINY_OVERRIDES = {
    "hrnet": (
        dict(extra=_HRNET_TINY_EXTRA),
        dict(in_channels=30, conv_out_channels=(30,)),
    ),
    "resnet": (_RESNET_TINY, dict(in_channels=128, deconv_out_channels=(16, 16, 16))),
    "scnet": (_RESNET_TINY, dict(in_channels=128, deconv_out_channels=(16, 16, 16))),
    "mobilenetv2": (
        dict(widen_factor=0.1),
        dict(in_channels=1280, deconv_out_channels=(4, 4, 4)),
    ),
    "hourglass": (
        dict(
            stage_channels=(256, 16, 24, 24, 24, 32),
            stage_blocks=(1, 1, 1, 1, 1, 2),
            feat_channel=16,
        ),
        dict(in_channels=16),
    ),
    "deeppose": (_RESNET_TINY, dict(in_channels=128)),
}


# --------------------------------------------------------------------------- config
def load_config(preset: str, variant: str) -> Config:
    """The preset's MMPose config, with pretrained init removed and tiny overrides."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {sorted(PRESETS)}")
    if variant not in ("tiny", "full"):
        raise ValueError(f"--variant must be 'tiny' or 'full', got {variant!r}")
    family, rel = PRESETS[preset]
    path = CONFIG_ROOT / rel
    if not path.is_file():
        raise FileNotFoundError(f"MMPose config {path} not found (preset {preset})")
    cfg = Config.fromfile(str(path))
    cfg.model.backbone.pop("init_cfg", None)  # random weights follow; no download
    if variant == "tiny":
        backbone_over, head_over = TINY_OVERRIDES[family]
        cfg.model.backbone.update(copy.deepcopy(backbone_over))
        cfg.model.head.update(copy.deepcopy(head_over))
    return cfg


def model_signature(cfg: Config) -> str:
    """JSON of the parts that define the weights (backbone, neck, head minus loss/codec)."""
    head = {k: v for k, v in cfg.model.head.to_dict().items() if k not in ("loss", "decoder")}
    neck = cfg.model.get("neck", None)
    return json.dumps(
        to_plain(
            dict(
                backbone=cfg.model.backbone.to_dict(),
                head=head,
                neck=neck.to_dict() if neck else None,
            )
        ),
        sort_keys=True,
    )


def checkpoint_owner(preset: str, variant: str) -> str:
    """First preset (in PRESETS order) whose model is identical to ``preset``'s.

    Presets that differ only in codec, loss or dataset split (e.g. WFLW plain /
    DARK / AWing, or 300W and COCO-WholeBody-Face with K=68) build the same
    model, get the same seeded weights, and share one pair of checkpoint files
    named after the owner.
    """
    sig = model_signature(load_config(preset, variant))
    for other in PRESETS:
        if (
            PRESETS[other][0] == PRESETS[preset][0]
            and model_signature(load_config(other, variant)) == sig
        ):
            return other
    return preset


def to_plain(obj):
    """Config values as JSON-ready Python (tuples become lists)."""
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    return obj


# --------------------------------------------------------------------------- inputs
def _face_crop(image_path: pathlib.Path, center, scale200) -> np.ndarray:
    """TopdownAffine crop (padding 1.25, rotation 0) as RGB float32 (256,256,3)."""
    bgr = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"cannot read image {image_path}")
    s = float(scale200) * 200.0 * 1.25
    warp = get_warp_matrix(
        np.array(center, np.float32),
        np.array([s, s], np.float32),
        0.0,
        (INPUT_SIZE, INPUT_SIZE),
    )
    crop = cv2.warpAffine(bgr, warp, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR)
    return crop[..., ::-1].astype(np.float32)


def make_inputs() -> np.ndarray:
    """Three RGB images (3,256,256,3) float32 in 0..255: WFLW crop, 300W crop, block noise."""
    wflw = _face_crop(
        REALDATA / "wflw" / "36_Football_americanfootball_ball_36_415.jpg",
        (482.5, 164.5),
        0.425,
    )
    w300 = _face_crop(REALDATA / "300w" / "indoor_029.png", (489.5, 503.5), 2.385)
    # 2x2-pixel blocks of uniform noise: full-band input, half the fixture bytes.
    noise = np.random.default_rng(BASE_SEED).integers(0, 256, (INPUT_SIZE // 2, INPUT_SIZE // 2, 3))
    noise = noise.repeat(2, axis=0).repeat(2, axis=1)
    return np.stack([wflw, w300, noise.astype(np.float32)])


def images_digest(images: np.ndarray) -> str:
    """sha256 of the float32 image bytes, tying a fixture to ``inputs.npz``."""
    return hashlib.sha256(np.ascontiguousarray(images, np.float32).tobytes()).hexdigest()


def write_inputs(out_dir: pathlib.Path) -> np.ndarray:
    """Write ``inputs.npz`` (``images_rgb`` (3,256,256,3) float32 0..255) once per run."""
    images = make_inputs()
    np.savez_compressed(
        out_dir / "inputs.npz",
        images_rgb=images,
        images_sha256=np.array(images_digest(images)),
        descriptions=np.array(INPUT_DESCRIPTIONS),
    )
    return images


def normalise_nchw(images_rgb: np.ndarray) -> torch.Tensor:
    """RGB 0..255 NHWC -> MMPose-normalised NCHW float32 tensor."""
    x = (images_rgb - MEAN_RGB) / STD_RGB
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2), np.float32))


def make_data_samples(n: int, flip_indices) -> list:
    """Data samples whose input->image mapping is the identity (256x256 box at (128,128))."""
    samples = []
    for _ in range(n):
        ds = PoseDataSample(
            metainfo=dict(
                input_size=(INPUT_SIZE, INPUT_SIZE),
                input_center=np.array([128.0, 128.0]),
                input_scale=np.array([256.0, 256.0]),
                flip_indices=list(flip_indices),
            )
        )
        ds.gt_instances = InstanceData(
            bboxes=np.array([[0.0, 0.0, 256.0, 256.0]], np.float32),
            bbox_scores=np.ones(1, np.float32),
        )
        samples.append(ds)
    return samples


# --------------------------------------------------------------------------- weights
def _weight_std(module: nn.Module) -> float:
    """He-like std sqrt(2/fan_in) for conv / deconv / linear weights."""
    w = module.weight
    if isinstance(module, nn.ConvTranspose2d):
        # [I, O, kh, kw]: each output pixel sees I*kh*kw/(sh*sw) taps.
        fan_in = w.shape[0] * w.shape[2] * w.shape[3] / (module.stride[0] * module.stride[1])
    else:
        fan_in = w[0].numel()  # conv [O, I/groups, kh, kw] or linear [O, I]
    return float(np.sqrt(2.0 / fan_in))


def randomise_state(model: nn.Module, calib: torch.Tensor, gen: torch.Generator) -> None:
    """Seeded random value for every state-dict tensor, activations kept O(1).

    Conv/deconv weights ~ N(0, 2/fan_in), their biases ~ N(0, 0.1); the
    regression head's linear layer ~ N(0, 0.02/fan_in), bias ~ N(0.5, 0.1); BN
    weight ~ U(0.5, 1.5), bias ~ N(0, 0.1), running_mean ~ N(0, 0.1),
    running_var ~ U(0.5, 1.5), num_batches_tracked ~ randint(1, 100000).
    Then, so that activations neither explode nor vanish through the depth,
    the running statistics of every BN that runs are re-drawn around the
    statistics of its actual eval-mode input on ``calib`` (one eval forward
    pass, BN by BN in execution order): running_mean = mean + N(0, 0.1)*std,
    running_var = var * U(0.5, 1.5). BNs that never run (Hourglass
    ``inters.0``) keep the plain random statistics.
    """
    done = set()
    bns = []
    with torch.no_grad():
        for name, mod in model.named_modules():
            prefix = f"{name}." if name else ""
            if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                # The regression fc gets small weights and biases around 0.5 so that
                # its normalised coordinates land near the image, as trained ones do.
                coords = isinstance(mod, nn.Linear)
                std = _weight_std(mod) * (0.1 if coords else 1.0)
                mod.weight.copy_(torch.randn(mod.weight.shape, generator=gen) * std)
                done.add(prefix + "weight")
                if mod.bias is not None:
                    mod.bias.copy_(
                        torch.randn(mod.bias.shape, generator=gen) * 0.1 + (0.5 if coords else 0.0)
                    )
                    done.add(prefix + "bias")
            elif isinstance(mod, nn.modules.batchnorm._BatchNorm):
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=gen) + 0.5)
                mod.bias.copy_(torch.randn(mod.bias.shape, generator=gen) * 0.1)
                mod.running_mean.copy_(torch.randn(mod.running_mean.shape, generator=gen) * 0.1)
                mod.running_var.copy_(torch.rand(mod.running_var.shape, generator=gen) + 0.5)
                mod.num_batches_tracked.fill_(int(torch.randint(1, 100000, (1,), generator=gen)))
                done.update(
                    prefix + k
                    for k in (
                        "weight",
                        "bias",
                        "running_mean",
                        "running_var",
                        "num_batches_tracked",
                    )
                )
                bns.append(mod)

        def calibrate(mod, args):
            x = args[0]
            dims = [d for d in range(x.ndim) if d != 1]
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            mod.running_mean.copy_(mean + torch.randn(mean.shape, generator=gen) * 0.1 * var.sqrt())
            mod.running_var.copy_(var * (torch.rand(var.shape, generator=gen) + 0.5) + 1e-3)

        handles = [m.register_forward_pre_hook(calibrate) for m in bns]
        model.eval()
        try:
            model(calib, None, mode="tensor")
        finally:
            for h in handles:
                h.remove()
    missing = sorted(set(model.state_dict()) - done)
    if missing:
        raise ValueError(f"state-dict tensors left unrandomised: {missing[:10]}")


def state_dict_digest(sd) -> str:
    """sha256 over sorted (key, dtype, shape, bytes): identifies a weight set."""
    h = hashlib.sha256()
    for k in sorted(sd):
        t = sd[k].detach().cpu().contiguous()
        h.update(f"{k}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


# --------------------------------------------------------------------------- 0.x layout
def v0_key(key: str, model: nn.Module) -> str:
    """1.x state-dict key -> 0.x key (inverse of MMPose 1.x load hooks).

    * every ``head.`` key is ``keypoint_head.`` in 0.x (BasePoseEstimator hook);
    * HeatmapHead with extra convs (HRNet): 0.x ``TopdownHeatmapSimpleHead``
      kept them in ``final_layer`` = Sequential(conv, BN, ReLU, ..., conv), so
      ``conv_layers.<n>`` -> ``final_layer.<n>`` and ``final_layer`` ->
      ``final_layer.<len(conv_layers)>`` (HeatmapHead hook);
    * HeatmapHead without extra convs, CPMHead (``multi_final_layers``) and
      RegressionHead (``fc``) keep their names; only the prefix changes.
    """
    if not key.startswith("head."):
        return key
    rest = key[len("head.") :]
    conv_layers = getattr(model.head, "conv_layers", None)
    n_conv = len(conv_layers) if isinstance(conv_layers, nn.Sequential) else 0
    if n_conv:
        if rest.startswith("conv_layers."):
            rest = "final_layer." + rest[len("conv_layers.") :]
        elif rest.startswith("final_layer."):
            rest = f"final_layer.{n_conv}." + rest[len("final_layer.") :]
    return "keypoint_head." + rest


def v0_state_dict(model: nn.Module) -> OrderedDict:
    """State dict in 0.x naming, with 0.x-like ``_metadata`` versions.

    The root and head modules get version 1 (0.x ``TopDown`` and heads had no
    ``_version``), so both 1.x pre-hooks convert; other modules keep theirs.
    """
    sd = model.state_dict()
    out = OrderedDict((v0_key(k, model), v.clone()) for k, v in sd.items())
    meta = OrderedDict()
    for name, mod in model.named_modules():
        if name == "" or name == "head" or name.startswith("head."):
            version = 1
        else:
            version = mod._version
        new = v0_key(name + ".x", model)[:-2] if name else ""
        meta[new] = dict(version=version)
    out._metadata = meta
    return out


def save_checkpoints(model, cfg, preset, variant, out_dir, seed):
    """Write the 1.x and 0.x checkpoints and prove both load back exactly.

    ``preset`` names the files (the checkpoint owner, see ``checkpoint_owner``).
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    note = (
        f"keras_facelm parity fixture: {preset} ({variant}), seeded random weights "
        f"(seed {seed}), not a trained model"
    )
    model_cfg_text = Config(dict(model=cfg.model.to_dict())).pretty_text
    v1 = out_dir / f"{preset}_{variant}_v1.pth"
    torch.save(
        {
            "meta": {
                "mmengine_version": mmengine.__version__,
                "mmpose_version": mmpose.__version__,
                "time": now.strftime("%Y%m%d_%H%M%S"),
                "seed": seed,
                "note": note,
            },
            "state_dict": model.state_dict(),
        },
        v1,
    )
    v0 = out_dir / f"{preset}_{variant}_v0.pth"
    torch.save(
        {
            "meta": {
                "mmcv_version": "1.3.8",
                "mmpose_version": "0.12.0",
                "time": now.strftime("%a %b %d %H:%M:%S %Y"),
                "config": "# MMPose 1.x model config of these random weights; "
                "the state_dict uses the 0.x key layout\n" + model_cfg_text,
                "note": note,
            },
            "state_dict": v0_state_dict(model),
        },
        v0,
        _use_new_zipfile_serialization=False,
    )
    reference = {k: v.clone() for k, v in model.state_dict().items()}
    for path in (v1, v0):
        fresh = MODELS.build(cfg.model)
        load_checkpoint(fresh, str(path), map_location="cpu", strict=True, logger="silent")
        got = fresh.state_dict()
        if set(got) != set(reference):
            raise ValueError(f"{path}: loaded keys differ from the model's")
        bad = [k for k in reference if not torch.equal(got[k], reference[k])]
        if bad:
            raise ValueError(f"{path}: tensors differ after load_checkpoint: {bad[:5]}")
    return v1, v0


# --------------------------------------------------------------------------- outputs
def head_outputs(model, x):
    """Raw head output for x: heatmaps (N,K,H,W) or coords (N,K,2) (last CPM stage)."""
    out = model(x, None, mode="tensor")
    return out[-1] if isinstance(out, (list, tuple)) else out


def tta_outputs(model, out, flipped, flip_indices, flip: bool):
    """What ``head.predict`` decodes: plain, or flip-test average (MMPose's tta helpers).

    ``out`` / ``flipped``: raw head outputs for the input and its W-flip.
    """
    if not flip:
        return out
    if out.ndim == 4:
        flipped = flip_heatmaps(
            flipped,
            flip_indices=flip_indices,
            flip_mode=model.test_cfg.get("flip_mode", "heatmap"),
            shift_heatmap=model.test_cfg.get("shift_heatmap", False),
        )
    else:
        flipped = flip_coordinates(
            flipped,
            flip_indices=flip_indices,
            shift_coords=model.test_cfg.get("shift_coords", True),
            input_size=(INPUT_SIZE, INPUT_SIZE),
        )
    return (out + flipped) * 0.5


def decode(model, outputs: torch.Tensor) -> np.ndarray:
    """Head decode of (N,K,H,W) heatmaps or (N,K,2) coords -> (N,K,2) input px."""
    if outputs.ndim == 3:
        outputs = outputs.unsqueeze(1)
    return np.stack([p.keypoints[0] for p in model.head.decode(outputs)])


def predict(model, x, flip_indices, flip: bool):
    """``model.predict`` keypoints (N,K,2) and scores (N,K) with flip_test set."""
    model.test_cfg["flip_test"] = flip
    samples = model.predict(x, make_data_samples(x.shape[0], flip_indices))
    kps = np.stack([s.pred_instances.keypoints[0] for s in samples]).astype(np.float32)
    scores = np.stack([s.pred_instances.keypoint_scores[0] for s in samples]).astype(np.float32)
    return kps, scores


def decode_sensitivity(model, out, gen: np.random.Generator):
    """Per-keypoint largest move (N,K) px when the decoded outputs get +-eps*scale noise.

    Random heatmaps are not Gaussian blobs: near-ties of the argmax or of the
    quarter-offset neighbours, and DARK Newton steps on an ill-conditioned
    Hessian, make a few keypoints jump under float32-level noise. The move
    tells the parity test which keypoints are meaningful at 0.01 px.
    Regression decoding is linear (coords * 256), so there the move is just
    the linear response and every keypoint counts as stable.
    """
    base = decode(model, out)
    scale = float(out.abs().max())
    move = np.zeros(base.shape[:2], np.float32)
    for _ in range(DECODE_TRIALS):
        noise = torch.from_numpy(gen.uniform(-1, 1, out.shape).astype(np.float32))
        moved = decode(model, out + noise * (DECODE_EPS_REL * scale))
        move = np.maximum(move, np.abs(moved - base).max(-1))
    return move


def count_params(module: nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


def make_fixture(
    preset: str,
    variant: str,
    out_dir: pathlib.Path,
    raw_channels: str,
    images: np.ndarray,
) -> dict:
    """Build, randomise, save and run one preset on ``images``; returns the JSON record."""
    t0 = time.time()
    cfg = load_config(preset, variant)
    # predict() below toggles flip_test in the model's test_cfg, which is this dict.
    test_cfg = copy.deepcopy(cfg.model.test_cfg.to_dict())
    meta = dataset_meta_from_config(cfg, dataset_mode="train")
    flip_indices = [int(i) for i in meta["flip_indices"]]
    x = normalise_nchw(images)
    calib = torch.cat([x, x.flip(-1)])
    seed = BASE_SEED
    torch.manual_seed(seed)  # any stray default-generator use is seeded too
    model = MODELS.build(cfg.model)
    model.eval()
    randomise_state(model, calib, torch.Generator().manual_seed(seed))

    with torch.no_grad():
        raw = head_outputs(model, x)
        raw_flipped = head_outputs(model, x.flip(-1))
        kp_flip, sc_flip = predict(model, x, flip_indices, True)
        kp_noflip, sc_noflip = predict(model, x, flip_indices, False)
        for flip, kp in ((True, kp_flip), (False, kp_noflip)):
            own = decode(model, tta_outputs(model, raw, raw_flipped, flip_indices, flip))
            if not np.allclose(own, kp, atol=1e-4):
                raise ValueError(f"{preset}: predict() disagrees with head decode (flip={flip})")
        rng = np.random.default_rng(BASE_SEED)
        move_flip = decode_sensitivity(
            model, tta_outputs(model, raw, raw_flipped, flip_indices, True), rng
        )
        move_noflip = decode_sensitivity(model, raw, rng)
    linear = raw.ndim == 3  # regression: no discontinuous decode step
    stable_flip = (move_flip <= STABLE_MOVE_PX) | linear
    stable_noflip = (move_noflip <= STABLE_MOVE_PX) | linear
    model.test_cfg["flip_test"] = test_cfg.get("flip_test", False)

    raw_np = raw.numpy()
    arrays = dict(
        inputs_sha256=np.array(images_digest(images)),
        keypoints_flip=kp_flip,
        scores_flip=sc_flip,
        keypoints_noflip=kp_noflip,
        scores_noflip=sc_noflip,
        flip_indices=np.array(flip_indices, np.int64),
        raw_output_scale=np.float32(np.abs(raw_np).max()),
        keypoints_flip_move_px=move_flip,
        keypoints_noflip_move_px=move_noflip,
        keypoints_flip_stable=stable_flip,
        keypoints_noflip_stable=stable_noflip,
    )
    if raw_np.ndim == 4:
        k = raw_np.shape[1]
        chans = np.arange(k) if raw_channels == "all" else np.array([0, k - 1])
        flat = raw_np.reshape(raw_np.shape[0], k, -1)
        arrays.update(
            raw_output=np.ascontiguousarray(raw_np[:, chans].transpose(0, 2, 3, 1)),
            raw_output_channels=chans.astype(np.int64),
            raw_output_channel_max=flat.max(-1),
            raw_output_channel_mean=flat.mean(-1),
            raw_output_channel_argmax=flat.argmax(-1).astype(np.int64),
        )
    else:
        arrays.update(raw_output=raw_np.astype(np.float32))
    np.savez_compressed(out_dir / f"{preset}_{variant}.npz", **arrays)

    owner = checkpoint_owner(preset, variant)
    v1, v0 = save_checkpoints(model, cfg, owner, variant, out_dir, seed)
    hm = raw_np if raw_np.ndim == 4 else None
    record = dict(
        preset=preset,
        variant=variant,
        config=str(PRESETS[preset][1]),
        mmpose_version=mmpose.__version__,
        torch_version=torch.__version__,
        seed=seed,
        base_seed=BASE_SEED,
        model=dict(
            backbone=to_plain(cfg.model.backbone.to_dict()),
            neck=to_plain(cfg.model.get("neck", None) and cfg.model.neck.to_dict()),
            head={
                k: to_plain(v)
                for k, v in cfg.model.head.to_dict().items()
                if k not in ("loss", "decoder")
            },
            test_cfg=to_plain(test_cfg),
        ),
        codec=to_plain(cfg.codec.to_dict()),
        num_keypoints=len(flip_indices),
        params=dict(
            total=count_params(model),
            backbone=count_params(model.backbone),
            head=count_params(model.head),
        ),
        state_dict_tensors=len(model.state_dict()),
        state_dict_sha256=state_dict_digest(model.state_dict()),
        raw_output_shape_nchw=list(raw_np.shape),
        raw_output_stats=dict(
            scale_max_abs=float(np.abs(raw_np).max()),
            mean=float(raw_np.mean()),
            std=float(raw_np.std()),
            **(
                {}
                if hm is None
                else dict(
                    median_channel_peak_minus_median=float(
                        np.median(
                            hm.reshape(*hm.shape[:2], -1).max(-1)
                            - np.median(hm.reshape(*hm.shape[:2], -1), -1)
                        )
                    )
                )
            ),
        ),
        decode_sensitivity=dict(
            eps_rel=DECODE_EPS_REL,
            trials=DECODE_TRIALS,
            stable_move_px=STABLE_MOVE_PX,
            linear_decode=bool(linear),
            unstable_flip=int((~stable_flip).sum()),
            unstable_noflip=int((~stable_noflip).sum()),
            max_move_px=float(max(move_flip.max(), move_noflip.max())),
            keypoints_per_mode=int(move_flip.size),
        ),
        inputs=dict(
            file="inputs.npz",
            sha256=images_digest(images),
            descriptions=INPUT_DESCRIPTIONS,
        ),
        checkpoints=dict(v1=v1.name, v0=v0.name, shared_with_preset=owner),
        seconds=round(time.time() - t0, 1),
    )
    (out_dir / f"{preset}_{variant}.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", choices=("tiny", "full"), required=True)
    ap.add_argument("--preset", required=True, help="preset name or 'all'")
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument(
        "--raw-channels",
        choices=("subset", "all"),
        default=None,
        help="heatmap channels kept in raw_output (default: subset for tiny, all for full)",
    )
    args = ap.parse_args(argv)
    presets = list(PRESETS) if args.preset == "all" else [args.preset]
    for p in presets:
        if p not in PRESETS:
            raise ValueError(f"unknown preset {p!r}; expected 'all' or one of {sorted(PRESETS)}")
    raw_channels = args.raw_channels or ("subset" if args.variant == "tiny" else "all")
    args.out.mkdir(parents=True, exist_ok=True)
    register_all_modules()
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    images = write_inputs(args.out)
    for p in presets:
        rec = make_fixture(p, args.variant, args.out, raw_channels, images)
        print(
            f"{p} ({args.variant}): params {rec['params']['total']:,}, seed {rec['seed']}, "
            f"scale {rec['raw_output_stats']['scale_max_abs']:.3g}, "
            f"unstable {rec['decode_sensitivity']['unstable_flip']}+"
            f"{rec['decode_sensitivity']['unstable_noflip']}/"
            f"{2 * rec['decode_sensitivity']['keypoints_per_mode']}, "
            f"{rec['seconds']} s",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
