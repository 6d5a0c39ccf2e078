"""Reference fixtures for target encoders, losses and the NME, computed by MMPose.

Run with the MMPose reference interpreter (MMPose 1.3.2)::

    .mmpose-ref/bin/python tests/parity/make_codec_loss_metric_fixtures.py [--output DIR]

It writes into ``tests/data/parity/`` (or ``--output``); inputs are seeded:

* ``codec_msra.npz``: MMPose's ``MSRAHeatmap(input_size=(256, 256),
  heatmap_size=(64, 64), sigma, unbiased).encode`` for the sets ``s2``
  (sigma 2), ``s15`` (sigma 1.5: the truncation quirk), ``s2_dark`` and
  ``s15_dark``. Keypoints are float32 input pixels: uniform in [-40, 296]
  (inside, near and beyond every border, so weights get zeroed), plus exact
  half-pixel and multiple-of-4 positions and points a few pixels from the
  left/top border, and points whose Gaussian window ends exactly at column or
  row 0 (MMPose keeps weight 1 with an empty map); random ones partly
  invisible. Keys ``<set>_keypoints (K, 2)``,
  ``<set>_visible (K,)``, ``<set>_heatmaps (K, 64, 64)`` (MMPose's layout),
  ``<set>_weights (K,)``.
* ``codec_regression.npz``: ``RegressionLabel((256, 256)).encode``: keys
  ``keypoints``, ``visible``, ``labels (K, 2)``, ``weights (K,)``.
* ``losses.npz``: MMPose's losses and ``torch.autograd`` gradients w.r.t. the
  prediction. Heatmaps ``hm_pred``/``hm_gt`` ``(2, 5, 16, 16)`` NCHW with values
  spread so AdaptiveWing's both branches occur, ``hm_w (2, 5)`` mixing 0, 1 and
  fractional weights. Coordinates ``co_pred``/``co_gt`` ``(3, 6, 2)`` in pixel
  units (both Wing branches) and ``co_pred_n``/``co_gt_n`` normalised, with
  ``co_w (3, 6)``. Values ``<loss>_<weighted|plain>[_<inputs>]`` and gradients
  ``grad_<...>`` (same layout as the prediction).
* ``nme.npz``: MMPose's ``NME`` metric (``process`` + ``compute_metrics``) per
  scheme on pixel predictions/ground truths ``<scheme>_pred``/``_gt``
  ``(N, K, 2)`` and visibility ``<scheme>_visible (N, K)``; AFLW with
  ``norm_mode='use_norm_item', norm_item='bbox_size'`` on ``aflw_bboxes
  (N, 4)``; ``coco_wholebody_face`` with unlabelled (0, 0, invisible) normaliser
  points (the normaliser quirk) and one image with both unlabelled (norm 0,
  left out). Also ``<scheme>_distances (N, K)`` from ``_calc_distances`` (with
  the normalisers the metric uses) and ``<scheme>_nme``.
"""

from __future__ import annotations

import argparse
import pathlib

import numpy as np
import torch
from mmengine.logging import MMLogger
from mmpose.codecs import MSRAHeatmap, RegressionLabel
from mmpose.evaluation.functional.keypoint_eval import _calc_distances
from mmpose.evaluation.metrics import NME
from mmpose.models.losses import (
    AdaptiveWingLoss,
    KeypointMSELoss,
    SmoothL1Loss,
    SoftWingLoss,
    WingLoss,
)

REPO = pathlib.Path(__file__).resolve().parents[2]


def codec_keypoints(rng, k=24):
    """Keypoints (float32, input px) covering borders, ties and the sigma-1.5 quirk."""
    special = np.array(
        [
            [10.0, 200.2],
            [3.1, 3.1],
            [128.0, 128.0],
            [250.7, 5.2],
            [100.3, 57.9],
            [2.0, 2.0],
            [18.0, 17.9],
            [-2.0, 30.0],
            [-23.9, 100.0],
            [-24.1, 100.0],
            [279.9, 40.0],
            [280.1, 40.0],
            [255.0, 255.0],
            [254.0, 1.99],
            [16.0, 18.0],
            [-6.0, -6.0],
            [-28.0, 50.0],
            [60.0, -32.0],
        ],
        dtype=np.float32,
    )
    rand = rng.uniform(-40, 296, size=(k - len(special), 2)).astype(np.float32)
    kp = np.concatenate([special, rand])
    visible = (rng.uniform(size=k) > 0.15).astype(np.float32)
    visible[: len(special)] = 1.0
    return kp, visible


def make_codecs(rng):
    out = {}
    for name, sigma, unbiased, k in [
        ("s2", 2.0, False, 24),
        ("s15", 1.5, False, 24),
        ("s2_dark", 2.0, True, 20),
        ("s15_dark", 1.5, True, 20),
    ]:
        kp, vis = codec_keypoints(rng, k)
        codec = MSRAHeatmap((256, 256), (64, 64), sigma, unbiased=unbiased)
        enc = codec.encode(kp[None], vis[None])
        out[f"{name}_keypoints"] = kp
        out[f"{name}_visible"] = vis
        out[f"{name}_heatmaps"] = enc["heatmaps"].astype(np.float32)
        out[f"{name}_weights"] = enc["keypoint_weights"][0].astype(np.float32)
    reg = {}
    kp = np.concatenate(
        [
            np.array(
                [
                    [100.3, 57.9],
                    [-1.0, 5.0],
                    [255.0, 255.0],
                    [256.0, 3.0],
                    [0.0, 0.0],
                    [255.5, 10.0],
                    [10.0, -0.01],
                ],
                np.float32,
            ),
            rng.uniform(-20, 276, size=(17, 2)).astype(np.float32),
        ]
    )
    vis = (rng.uniform(size=len(kp)) > 0.2).astype(np.float32)
    vis[:5] = 1.0
    enc = RegressionLabel((256, 256)).encode(kp[None], vis[None])
    reg["keypoints"] = kp
    reg["visible"] = vis
    reg["labels"] = enc["keypoint_labels"][0].astype(np.float32)
    reg["weights"] = enc["keypoint_weights"][0].astype(np.float32)
    return out, reg


def value_and_grad(loss, pred, gt, weights):
    p = torch.tensor(pred, dtype=torch.float32, requires_grad=True)
    g = torch.tensor(gt, dtype=torch.float32)
    w = None if weights is None else torch.tensor(weights, dtype=torch.float32)
    value = loss(p, g, w)
    value.backward()
    return np.float32(value.item()), p.grad.numpy().astype(np.float32)


def make_losses(rng):
    out = {}
    n, k, h, w = 2, 5, 16, 16
    hm_gt = rng.uniform(0, 1, size=(n, k, h, w)).astype(np.float32) ** 3
    hm_pred = (hm_gt + rng.normal(0, 0.4, size=hm_gt.shape)).astype(np.float32)
    hm_w = np.array([[1, 0, 1, 0.5, 1], [0.25, 1, 0, 1, 2]], np.float32)
    out.update(hm_pred=hm_pred, hm_gt=hm_gt, hm_w=hm_w)
    for tag, weights in [("weighted", hm_w), ("plain", None)]:
        mse = KeypointMSELoss(use_target_weight=weights is not None)
        awing = AdaptiveWingLoss(use_target_weight=weights is not None)
        out[f"mse_{tag}"], out[f"grad_mse_{tag}"] = value_and_grad(mse, hm_pred, hm_gt, weights)
        out[f"awing_{tag}"], out[f"grad_awing_{tag}"] = value_and_grad(
            awing, hm_pred, hm_gt, weights
        )

    n, k = 3, 6
    co_gt = rng.uniform(0, 64, size=(n, k, 2)).astype(np.float32)
    co_pred = (co_gt + rng.normal(0, 8, size=co_gt.shape)).astype(np.float32)
    co_w = np.array([[1, 1, 0, 1, 0.5, 1], [0, 1, 1, 1, 1, 1], [1, 2, 1, 0, 1, 1]], np.float32)
    co_gt_n = rng.uniform(0, 1, size=(n, k, 2)).astype(np.float32)
    co_pred_n = (co_gt_n + rng.normal(0, 0.1, size=co_gt_n.shape)).astype(np.float32)
    out.update(co_pred=co_pred, co_gt=co_gt, co_w=co_w, co_pred_n=co_pred_n, co_gt_n=co_gt_n)
    for inputs, pred, gt in [("px", co_pred, co_gt), ("n", co_pred_n, co_gt_n)]:
        for tag, weights in [("weighted", co_w), ("plain", None)]:
            uw = weights is not None
            wt = None if weights is None else weights[..., None]
            for name, loss in [
                ("wing", WingLoss(use_target_weight=uw)),
                ("softwing", SoftWingLoss(use_target_weight=uw)),
                ("smoothl1", SmoothL1Loss(use_target_weight=uw)),
            ]:
                key = f"{name}_{tag}_{inputs}"
                out[key], out[f"grad_{key}"] = value_and_grad(loss, pred, gt, wt)
    return out


def mmpose_nme(pred, gt, visible, dataset, bboxes=None):
    """MMPose's NME metric run as in evaluation: process per sample, compute."""
    if bboxes is None:
        metric = NME(norm_mode="keypoint_distance")
    else:
        metric = NME(norm_mode="use_norm_item", norm_item="bbox_size")
    metric.dataset_meta = dict(dataset_name=dataset)
    samples = []
    for i in range(len(pred)):
        gt_inst = dict(keypoints=gt[i : i + 1], keypoints_visible=visible[i : i + 1])
        if bboxes is not None:
            gt_inst["bboxes"] = bboxes[i : i + 1]
        samples.append(dict(pred_instances=dict(keypoints=pred[i : i + 1]), gt_instances=gt_inst))
    metric.process([], samples)
    return np.float32(metric.compute_metrics(metric.results)["NME"])


def make_nme(rng):
    out = {}
    specs = {
        "wflw": (98, (60, 72), 7),
        "300w": (68, (36, 45), 6),
        "cofw": (29, (8, 9), 5),
        "coco_wholebody_face": (68, (36, 45), 8),
        "aflw": (19, None, 6),
    }
    for scheme, (k, idx, n) in specs.items():
        gt = rng.uniform(20, 230, size=(n, k, 2)).astype(np.float32)
        pred = (gt + rng.normal(0, 4, size=gt.shape)).astype(np.float32)
        visible = np.ones((n, k), np.float32)
        bboxes = None
        if scheme == "cofw":
            visible[rng.uniform(size=(n, k)) < 0.1] = 0  # not used by COFW, exercised
        if scheme == "coco_wholebody_face":
            hidden = rng.uniform(size=(n, k)) < 0.15
            visible[hidden] = 0
            gt[hidden] = 0.0
            visible[1, 36] = 0  # one normaliser point unlabelled: huge normaliser
            gt[1, 36] = 0.0
            visible[2, 45] = 0
            gt[2, 45] = 0.0
            visible[3, [36, 45]] = 0  # both unlabelled: norm 0, image left out
            gt[3, [36, 45]] = 0.0
            visible[4, 36] = 1  # labelled normaliser points
            visible[4, 45] = 1
        if scheme == "aflw":
            size = rng.uniform(80, 200, size=n).astype(np.float32)
            x1 = rng.uniform(0, 50, size=n).astype(np.float32)
            y1 = rng.uniform(0, 50, size=n).astype(np.float32)
            bboxes = np.stack([x1, y1, x1 + size, y1 + size * 0.8], axis=1)
            out[f"{scheme}_bboxes"] = bboxes
        out[f"{scheme}_pred"] = pred
        out[f"{scheme}_gt"] = gt
        out[f"{scheme}_visible"] = visible
        out[f"{scheme}_nme"] = mmpose_nme(pred, gt, visible, scheme, bboxes)
        if bboxes is None:
            i1, i2 = idx
            norm = np.linalg.norm(gt[:, i1] - gt[:, i2], axis=1, keepdims=True)
        else:
            norm = np.max(bboxes[:, 2:] - bboxes[:, :2], axis=1, keepdims=True)
        dist = _calc_distances(pred, gt, visible.astype(bool), np.tile(norm, [1, 2]))
        out[f"{scheme}_distances"] = dist.T.astype(np.float32)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=pathlib.Path, default=REPO / "tests" / "data" / "parity")
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    MMLogger.get_instance("fixtures", log_level="WARNING")
    rng = np.random.default_rng(20261120)
    codecs, reg = make_codecs(rng)
    np.savez_compressed(args.output / "codec_msra.npz", **codecs)
    np.savez_compressed(args.output / "codec_regression.npz", **reg)
    np.savez_compressed(args.output / "losses.npz", **make_losses(rng))
    np.savez_compressed(args.output / "nme.npz", **make_nme(rng))
    for name in ("codec_msra", "codec_regression", "losses", "nme"):
        path = args.output / f"{name}.npz"
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
