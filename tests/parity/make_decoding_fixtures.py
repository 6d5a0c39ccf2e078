"""Reference fixtures for heatmap decoding and flip test, computed by MMPose.

Run with the MMPose reference interpreter (MMPose 1.3.2)::

    .mmpose-ref/bin/python tests/parity/make_decoding_fixtures.py [--output DIR]

It writes ``decoding_<set>.npz`` and ``decoding_coordinate_flip.npz`` into
``tests/data/parity/`` (or ``--output``). Inputs are deterministic (fixed seeds):

* heatmap sets ``wflw`` (K=98, 64x64), ``300w`` (K=68, 32x32), ``aflw`` (K=19,
  H=48, W=40, input 160x96, so scale (4, 2)) with Gaussian blobs at random
  sub-pixel positions, anisotropic widths, background noise and distractor
  blobs; and ``edge`` (K=32, 64x64): peaks on every border row/column MMPose's
  conditions care about, exact ties, plateaus, symmetric peaks (zero
  quarter-offset), all-negative, all-zero, zero-maximum, pure-noise channels
  and peaks whose blurred neighbourhood reaches DARK's ``1e-10`` log floor.
  Values are rounded to multiples of 2^-16 (still float32) so the files
  compress; rounding also produces real ties.
* each set has the heatmaps of an input (``heatmaps``) and of its horizontally
  mirrored input (``heatmaps_flip``), both channels-last ``(N, H, W, K)``.

Outputs come from MMPose's own ``HeatmapHead.predict`` with an identity head
(no deconv, conv or final layer), so they include its flip test
(``flip_heatmaps`` with ``flip_mode='heatmap'``, ``shift_heatmap=True``, then
``(a + b) * 0.5``) and its codec's ``decode`` (``MSRAHeatmap`` with
``unbiased=False`` and ``True``): ``{plain,dark}_{noflip,flip}_{keypoints,scores}``.
``merged`` is ``flip_heatmaps`` averaged with the original, channels-last.
``dark_{noflip,flip}_sensitivity`` (N, K) is how far MMPose's own DARK step moves
when its input is perturbed at float32 rounding level (see ``dark_sensitivity``).

``decoding_coordinate_flip.npz`` holds ``RegressionHead.predict`` with an
identity ``fc`` on normalised coordinates, with and without flip test.
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np
import torch
from mmpose.codecs.utils import get_heatmap_maximum, refine_keypoints_dark
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.models.heads import HeatmapHead, RegressionHead
from mmpose.models.utils.tta import flip_heatmaps
from mmpose.structures import PoseDataSample

REPO = pathlib.Path(__file__).resolve().parents[2]
DATASET_CONFIGS = (
    pathlib.Path(__import__("mmpose").__file__).parent / ".mim/configs/_base_/datasets"
)
QUANTUM = 2.0**-16


def flip_indices_of(dataset: str) -> list[int]:
    """MMPose's flip indices, parsed from its dataset metainfo file."""
    meta = parse_pose_metainfo(dict(from_file=str(DATASET_CONFIGS / f"{dataset}.py")))
    return [int(i) for i in meta["flip_indices"]]


def blob(h, w, cx, cy, sx, sy, theta, amplitude):
    """An anisotropic Gaussian of peak ``amplitude`` centred at (cx, cy) heatmap px."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    c, s = np.cos(theta), np.sin(theta)
    u = c * (x - cx) + s * (y - cy)
    v = -s * (x - cx) + c * (y - cy)
    return amplitude * np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))


def realistic_channel(rng, h, w, cx, cy):
    """A trained-model-like heatmap: main blob, optional distractor, noise."""
    heat = blob(
        h,
        w,
        cx,
        cy,
        rng.uniform(1.6, 2.6),
        rng.uniform(1.6, 2.6),
        rng.uniform(0, np.pi),
        rng.uniform(0.25, 1.0),
    )
    if rng.random() < 0.3:
        heat += blob(
            h,
            w,
            rng.uniform(0, w - 1),
            rng.uniform(0, h - 1),
            2.0,
            2.0,
            0.0,
            rng.uniform(0.05, 0.2),
        )
    # noise where the blobs are; the background stays 0 so the files compress
    support = heat > 2.0**-10
    heat += support * rng.normal(0.0, rng.uniform(0.002, 0.02), size=(h, w))
    return heat


def realistic_pair(rng, n, h, w, flip_indices):
    """Heatmaps of n inputs and of their mirrored inputs, (N, H, W, K) each."""
    k = len(flip_indices)
    heat = np.zeros((n, h, w, k))
    heat_flip = np.zeros((n, h, w, k))
    for i in range(n):
        # keypoints mostly inside, some within 3 px of a border
        cx = rng.uniform(-1.0, w, size=k)
        cy = rng.uniform(-1.0, h, size=k)
        for j in range(k):
            heat[i, :, :, j] = realistic_channel(rng, h, w, cx[j], cy[j])
            # the mirrored input's keypoint j is the original's flip_indices[j],
            # at x' = W - 0.25 - x in heatmap px (input x' = W_in - 1 - x_in), jittered
            src = flip_indices[j]
            fx = w - 0.25 - cx[src] + rng.normal(0, 0.3)
            fy = cy[src] + rng.normal(0, 0.3)
            heat_flip[i, :, :, j] = realistic_channel(rng, h, w, fx, fy)
    return heat, heat_flip


def edge_channels(rng, h, w):
    """(H, W, 32) hand-made channels for MMPose's edge conditions."""
    chans = []
    # peaks centred on the columns/rows where the conditions switch
    for x in (0, 1, 2, 3, w - 4, w - 3, w - 2, w - 1):
        chans.append(blob(h, w, x + 0.3, h / 2 + 0.4, 2.0, 2.0, 0.0, 0.9))
    for y in (0, 1, 2, h - 3, h - 2, h - 1):
        chans.append(blob(h, w, w / 2 - 0.3, y - 0.3, 2.0, 2.0, 0.0, 0.9))
    for x, y in (
        (0, 0),
        (w - 1, h - 1),
        (1, h - 2),
        (w - 2, 1),
        (2, h - 3),
        (w - 3, 2),
    ):
        chans.append(blob(h, w, x, y, 2.0, 2.0, 0.0, 0.8))
    # exact tie: equal integer-centred blobs; the first in row-major order is
    # the upper one although it lies to the right
    chans.append(blob(h, w, 50, 20, 2.0, 2.0, 0.0, 0.7) + blob(h, w, 10, 40, 2.0, 2.0, 0.0, 0.7))
    # plateau of equal maxima (3x3), first one is its top-left corner
    c = blob(h, w, 30, 30, 3.0, 3.0, 0.0, 0.6)
    c[29:32, 29:32] = 0.75
    chans.append(c)
    # symmetric integer-centred peak: zero quarter offsets, zero DARK offset
    chans.append(blob(h, w, 20, 44, 2.0, 2.0, 0.0, 1.0))
    # all negative, all zero, zero maximum with negatives
    chans.append(-0.01 - np.abs(coarse_noise(rng, 0.02, (h, w))))
    chans.append(np.zeros((h, w)))
    c = -np.abs(coarse_noise(rng, 0.02, (h, w)))
    c[10, 12] = 0.0
    chans.append(c)
    # pure noise (occluded keypoint)
    chans.append(coarse_noise(rng, 0.01, (h, w)))
    # tiny positive maximum in a negative neighbourhood, weak blob elsewhere:
    # every blurred value near the maximum is below zero (log floor)
    c = -0.05 * np.ones((h, w)) + blob(h, w, 50, 50, 2.0, 2.0, 0.0, 0.2)
    c[25, 25] = 0.3
    chans.append(c)
    # peak with a negative region on its left: floor on one side only, so the
    # result depends on MMPose's rescale factor max(h) / max(blur(h))
    c = blob(h, w, 33.4, 30.2, 1.2, 1.2, 0.0, 0.1)
    c[:, :31] = -0.2
    c += blob(h, w, 55, 10, 3.0, 3.0, 0.0, 0.09)
    chans.append(c)
    # constant positive map: argmax (0, 0)
    chans.append(np.full((h, w), 0.5))
    # strong anisotropic rotated peak (large DARK offsets)
    chans.append(blob(h, w, 40.45, 12.6, 1.2, 3.5, 0.7, 1.0))
    # broad peak (flat top, small Hessian)
    chans.append(blob(h, w, 25.5, 37.5, 6.0, 6.0, 0.0, 0.9))
    assert len(chans) == 32, len(chans)
    return np.stack(chans, axis=-1)


def coarse_noise(rng, scale, shape):
    """Noise on a coarse grid of 2^-9 steps (compressible), std about ``scale``."""
    return np.round(rng.normal(0.0, scale, size=shape) * 512) / 512


def quantise(a):
    """Round to multiples of 2^-16 and flush |a| < 2^-12 to 0, as float32."""
    a = np.round(a / QUANTUM) * QUANTUM
    return np.where(np.abs(a) < 2.0**-12, 0.0, a).astype(np.float32)


def dark_sensitivity(heat_nkhw, blur_kernel_size, scale, rng, trials=4):
    """(N, K) px: how far MMPose's own DARK step moves under float32-level noise.

    The heatmaps are multiplied by ``1 + e`` with ``e ~ N(0, 1e-7)`` (about one
    float32 rounding), keeping the integer maximum fixed, and
    ``refine_keypoints_dark`` is run again; the largest change over ``trials``
    draws, in input px. Large values flag ill-conditioned (flat) maxima whose
    last digits no float32 implementation can reproduce.
    """
    out = np.zeros(heat_nkhw.shape[:2], np.float32)
    for n, heat in enumerate(heat_nkhw):
        base, _ = get_heatmap_maximum(heat)
        ref = refine_keypoints_dark(base[None].copy(), heat.copy(), blur_kernel_size)[0]
        for _ in range(trials):
            noisy = (heat * (1 + rng.normal(0.0, 1e-7, size=heat.shape))).astype(np.float32)
            moved = refine_keypoints_dark(base[None].copy(), noisy, blur_kernel_size)[0]
            out[n] = np.maximum(out[n], (np.abs(moved - ref) * scale).max(axis=-1))
    return out


def heatmap_head(k, input_size, heatmap_size, unbiased, blur_kernel_size):
    """MMPose's HeatmapHead whose forward is the identity on feats[-1]."""
    decoder = dict(
        type="MSRAHeatmap",
        input_size=input_size,
        heatmap_size=heatmap_size,
        sigma=2,
        unbiased=unbiased,
        blur_kernel_size=blur_kernel_size,
    )
    return HeatmapHead(
        in_channels=k,
        out_channels=k,
        deconv_out_channels=None,
        final_layer=None,
        decoder=decoder,
    ).eval()


def run_heatmap_set(heat, heat_flip, flip_indices, input_size, blur_kernel_size, with_merged=False):
    n, h, w, k = heat.shape
    orig = torch.from_numpy(heat.transpose(0, 3, 1, 2).copy())
    flip = torch.from_numpy(heat_flip.transpose(0, 3, 1, 2).copy())
    samples = [
        PoseDataSample(metainfo=dict(flip_indices=flip_indices, input_size=input_size))
        for _ in range(n)
    ]
    out = dict(
        heatmaps=heat,
        heatmaps_flip=heat_flip,
        flip_indices=np.asarray(flip_indices, np.int32),
        input_size=np.asarray(input_size, np.int32),
        heatmap_size=np.asarray((w, h), np.int32),
        blur_kernel_size=np.int32(blur_kernel_size),
    )
    with torch.no_grad():
        merged = (
            orig
            + flip_heatmaps(
                flip.clone(),
                flip_indices=flip_indices,
                flip_mode="heatmap",
                shift_heatmap=True,
            )
        ) * 0.5
    scale = np.asarray(input_size, np.float32) / np.asarray((w, h), np.float32)
    rng = np.random.default_rng(7)
    out["dark_noflip_sensitivity"] = dark_sensitivity(orig.numpy(), blur_kernel_size, scale, rng)
    out["dark_flip_sensitivity"] = dark_sensitivity(merged.numpy(), blur_kernel_size, scale, rng)
    for mode, unbiased in (("plain", False), ("dark", True)):
        head = heatmap_head(k, input_size, (w, h), unbiased, blur_kernel_size)
        for tag, feats, cfg in (
            ("noflip", [orig.clone()], dict(flip_test=False)),
            (
                "flip",
                [[orig.clone()], [flip.clone()]],
                dict(flip_test=True, flip_mode="heatmap", shift_heatmap=True),
            ),
        ):
            with torch.no_grad():
                preds = head.predict(feats, samples, test_cfg=cfg)
            out[f"{mode}_{tag}_keypoints"] = np.stack([p.keypoints[0] for p in preds]).astype(
                np.float32
            )
            out[f"{mode}_{tag}_scores"] = np.stack([p.keypoint_scores[0] for p in preds]).astype(
                np.float32
            )
    if with_merged:
        out["merged"] = merged.numpy().transpose(0, 2, 3, 1).copy()
    return out


def coordinate_flip_set(rng, flip_indices, input_size):
    k = len(flip_indices)
    n = 3
    coords = rng.uniform(0.0, 1.0, size=(n, k, 2)).astype(np.float32)
    coords_flip = rng.uniform(0.0, 1.0, size=(n, k, 2)).astype(np.float32)
    head = RegressionHead(
        in_channels=2 * k,
        num_joints=k,
        decoder=dict(type="RegressionLabel", input_size=input_size),
    ).eval()
    with torch.no_grad():
        head.fc.weight.copy_(torch.eye(2 * k))
        head.fc.bias.zero_()
    samples = [
        PoseDataSample(metainfo=dict(flip_indices=flip_indices, input_size=input_size))
        for _ in range(n)
    ]
    out = dict(
        coords=coords,
        coords_flip=coords_flip,
        flip_indices=np.asarray(flip_indices, np.int32),
        input_size=np.asarray(input_size, np.int32),
    )
    for tag, shift in (("shift", True), ("noshift", False)):
        feats = [
            [torch.from_numpy(coords.reshape(n, -1))],
            [torch.from_numpy(coords_flip.reshape(n, -1))],
        ]
        with torch.no_grad():
            preds = head.predict(feats, samples, test_cfg=dict(flip_test=True, shift_coords=shift))
        out[f"{tag}_keypoints"] = np.stack([p.keypoints[0] for p in preds]).astype(np.float32)
    return out


def build_all():
    """{file stem: arrays} for every fixture file."""
    rng = np.random.default_rng(20261120)
    sets = {}
    wflw = flip_indices_of("wflw")
    heat, heat_flip = realistic_pair(rng, 1, 64, 64, wflw)
    sets["decoding_wflw"] = run_heatmap_set(
        quantise(heat), quantise(heat_flip), wflw, (256, 256), 11
    )
    ibug = flip_indices_of("300w")
    heat, heat_flip = realistic_pair(rng, 2, 32, 32, ibug)
    sets["decoding_300w"] = run_heatmap_set(
        quantise(heat), quantise(heat_flip), ibug, (128, 128), 11
    )
    aflw = flip_indices_of("aflw")
    heat, heat_flip = realistic_pair(rng, 3, 48, 40, aflw)
    sets["decoding_aflw"] = run_heatmap_set(
        quantise(heat), quantise(heat_flip), aflw, (160, 96), 7, with_merged=True
    )
    edge_flip = [31 - i for i in range(32)]
    heat = np.stack([edge_channels(rng, 64, 64), edge_channels(rng, 64, 64)[:, ::-1]])
    heat_flip = heat[:, :, ::-1, ::-1] + (np.abs(heat) > 0.01) * rng.normal(
        0, 0.003, size=heat.shape
    )
    sets["decoding_edge"] = run_heatmap_set(
        quantise(heat), quantise(heat_flip), edge_flip, (256, 256), 11
    )
    sets["decoding_coordinate_flip"] = coordinate_flip_set(rng, wflw, (256, 256))
    return sets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=pathlib.Path, default=REPO / "tests/data/parity")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    for stem, arrays in build_all().items():
        path = args.output / f"{stem}.npz"
        np.savez_compressed(path, **arrays)
        print(f"{path}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
