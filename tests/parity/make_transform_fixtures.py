"""Reference fixtures for the top-down transforms, computed by MMPose 1.3.2.

Run with the MMPose reference interpreter::

    .mmpose-ref/bin/python tests/parity/make_transform_fixtures.py [--output DIR]

It reads the four WFLW faces of MMPose's own unit-test data
(``tests/data/mmpose_faces/wflw/``: ``test_wflw.json`` and two images; see the
NOTICE there) through MMPose's ``WFLWDataset`` and writes
``tests/data/parity/transforms.npz`` (or into ``--output``) with:

* ``warp_args (M, 8)``: ``cx, cy, sw, sh, rot, out_w, out_h, shift_x``
  (``shift_y = -2 * shift_x``), and ``warp_mats (M, 2, 3)`` from MMPose's
  ``get_warp_matrix``.
* ``bbox_in (B, 4)`` xyxy boxes, ``bbox_center``/``bbox_scale (B, 2)`` from
  ``GetBBoxCenterScale(padding=1.25)``.
* per face ``f`` (0..3), the raw annotation as the dataset parses it:
  ``f{f}_image`` (file name), ``f{f}_keypoints (K, 2)``, ``f{f}_visible (K,)``,
  ``f{f}_center (2,)``, ``f{f}_scale_200`` (the JSON ``scale``).
* ``val{f}_*``: the val pipeline ``LoadImage → GetBBoxCenterScale →
  TopdownAffine(256x256)``: ``crop`` (RGB uint8, from MMPose's BGR),
  ``keypoints`` (``transformed_keypoints``), ``center``/``scale``
  (``input_center``/``input_scale``).
* ``box{f}_*``: the same with the JSON center/scale removed, so
  ``GetBBoxCenterScale`` starts from the non-square keypoint-extent box
  ``box{f}_bbox`` (the COFW/COCO-WholeBody path, aspect fix included).
* ``train{i}_*`` for seeded runs of the training pipeline ``LoadImage →
  GetBBoxCenterScale → RandomFlip → RandomBBoxTransform(shift_prob=0.3,
  rotate_factor=60, scale_factor=(0.75, 1.25)) → TopdownAffine →
  GenerateTarget(MSRAHeatmap sigma 2)``: ``face``, ``flip`` (0/1), ``rot``
  (degrees), ``center``/``scale`` (``input_center``/``input_scale``),
  ``crop``, ``keypoints``, ``visible``, ``heatmaps (64, 64, K)`` channels-last,
  ``weights (K,)``.
* ``inv_pred (4, K, 2)`` input-space points and ``inv_out (4, K, 2)``: MMPose's
  ``TopdownPoseEstimator.add_pred_to_datasample`` mapping them to image space
  with each face's val ``input_center``/``input_scale``.
* ``rbt_quantiles (4, 9)``: quantiles 0.1..0.9 of MMPose's
  ``RandomBBoxTransform`` (face settings) offset x, offset y, scale factor and
  rotation over 20000 draws; ``rbt_nonzero (3,)``: fraction of non-zero shift,
  non-unit scale and non-zero rotation draws.
"""

from __future__ import annotations

import argparse
import copy
import pathlib
import types

import numpy as np
from mmengine.structures import InstanceData
from mmpose.datasets.datasets.face import WFLWDataset
from mmpose.datasets.transforms import (
    GenerateTarget,
    GetBBoxCenterScale,
    LoadImage,
    RandomBBoxTransform,
    RandomFlip,
    TopdownAffine,
)
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.structures import PoseDataSample
from mmpose.structures.bbox import get_warp_matrix

REPO = pathlib.Path(__file__).resolve().parents[2]
WFLW_DIR = REPO / "tests" / "data" / "mmpose_faces" / "wflw"
INPUT_SIZE = (256, 256)


def warp_fixtures(out):
    rng = np.random.default_rng(0)
    args = [
        # WFLW test sample 1 of MMPose's test data.
        (482.5, 164.5, 106.25, 106.25, 0.0, 256, 256, 0.0),
        (482.5, 164.5, 106.25, 106.25, 30.0, 256, 256, 0.0),
        (482.5, 164.5, 106.25, 106.25, 0.0, 256, 256, 0.1),
        (100.25, 80.75, 90.0, 120.0, -45.0, 192, 256, 0.0),
    ]
    for _ in range(12):
        c = rng.uniform(-50, 1100, 2)
        s = rng.uniform(20, 600)
        args.append(
            (
                c[0],
                c[1],
                s,
                s * rng.uniform(0.8, 1.2),
                rng.uniform(-90, 90),
                256,
                256,
                0.0,
            )
        )
    args = np.array(args, np.float64)
    mats = []
    for cx, cy, sw, sh, rot, ow, oh, sx in args:
        mats.append(
            get_warp_matrix(
                np.array([cx, cy], np.float32),
                np.array([sw, sh], np.float32),
                float(rot),
                output_size=(int(ow), int(oh)),
                shift=(sx, -2 * sx),
            )
        )
    out["warp_args"] = args
    out["warp_mats"] = np.stack(mats)


def bbox_fixtures(out):
    rng = np.random.default_rng(1)
    xy = rng.uniform(-20, 800, (10, 2))
    wh = rng.uniform(1, 300, (10, 2))
    bbox = np.concatenate([xy, xy + wh], axis=1).astype(np.float32)
    centers, scales = [], []
    for b in bbox:
        res = GetBBoxCenterScale(padding=1.25)(dict(bbox=b[None].copy()))
        centers.append(res["bbox_center"][0])
        scales.append(res["bbox_scale"][0])
    out["bbox_in"] = bbox
    out["bbox_center"] = np.stack(centers)
    out["bbox_scale"] = np.stack(scales)


def load_faces():
    dataset = WFLWDataset(
        ann_file=str(WFLW_DIR / "test_wflw.json"),
        data_prefix=dict(img=str(WFLW_DIR) + "/"),
        pipeline=[],
        test_mode=True,
        lazy_init=False,
    )
    return [dataset[i] for i in range(len(dataset))]


def run(pipeline, info):
    results = copy.deepcopy(info)
    for t in pipeline:
        results = t(results)
    return results


def face_fixtures(out, faces):
    val = [LoadImage(), GetBBoxCenterScale(padding=1.25), TopdownAffine(INPUT_SIZE)]
    inv_pred, inv_out = [], []
    rng = np.random.default_rng(2)
    for f, info in enumerate(faces):
        out[f"f{f}_image"] = np.array(pathlib.Path(info["img_path"]).name)
        out[f"f{f}_keypoints"] = info["keypoints"][0]
        out[f"f{f}_visible"] = info["keypoints_visible"][0]
        out[f"f{f}_center"] = info["bbox_center"][0]
        out[f"f{f}_scale_200"] = np.float32(info["bbox_scale"][0, 0] / 200.0)
        res = run(val, info)
        out[f"val{f}_crop"] = res["img"][..., ::-1].copy()
        out[f"val{f}_keypoints"] = res["transformed_keypoints"][0]
        out[f"val{f}_center"] = res["input_center"]
        out[f"val{f}_scale"] = res["input_scale"]
        # Keypoint-extent xyxy box without center/scale: the COFW/COCO path.
        kp = info["keypoints"][0]
        box = dict(info)
        del box["bbox_center"], box["bbox_scale"]
        box["bbox"] = np.concatenate([kp.min(0), kp.max(0)])[None].astype(np.float32)
        res_b = run(val, box)
        out[f"box{f}_bbox"] = box["bbox"][0]
        out[f"box{f}_crop"] = res_b["img"][..., ::-1].copy()
        out[f"box{f}_keypoints"] = res_b["transformed_keypoints"][0]
        out[f"box{f}_center"] = res_b["input_center"]
        out[f"box{f}_scale"] = res_b["input_scale"]
        # Inverse mapping of input-space predictions.
        pred = rng.uniform(-10, 266, (1, kp.shape[0], 2)).astype(np.float32)
        sample = PoseDataSample(
            metainfo=dict(
                input_center=res["input_center"],
                input_scale=res["input_scale"],
                input_size=res["input_size"],
            )
        )
        sample.gt_instances = InstanceData(bboxes=info["bbox"], bbox_scores=np.ones(1))
        fake = types.SimpleNamespace(test_cfg={})
        mapped = TopdownPoseEstimator.add_pred_to_datasample(
            fake,
            [InstanceData(keypoints=pred.copy(), keypoint_scores=np.ones((1, kp.shape[0])))],
            None,
            [sample],
        )
        inv_pred.append(pred[0])
        inv_out.append(mapped[0].pred_instances.keypoints[0])
    out["inv_pred"] = np.stack(inv_pred)
    out["inv_out"] = np.stack(inv_out)


def train_fixtures(out, faces):
    codec = dict(type="MSRAHeatmap", input_size=INPUT_SIZE, heatmap_size=(64, 64), sigma=2.0)
    pipeline = [
        LoadImage(),
        GetBBoxCenterScale(padding=1.25),
        RandomFlip(direction="horizontal"),
        RandomBBoxTransform(shift_prob=0.3, rotate_factor=60, scale_factor=(0.75, 1.25)),
        TopdownAffine(INPUT_SIZE),
        GenerateTarget(encoder=codec),
    ]
    i, seed, seen = 0, 0, set()
    # Seeds until every face has a run, and flipped/rotated/shifted runs exist.
    while i < 8:
        face = i % len(faces)
        np.random.seed(seed)
        seed += 1
        res = run(pipeline, faces[face])
        flip, rot = bool(res["flip"]), float(res["bbox_rotation"][0])
        kind = (flip, rot != 0.0)
        if i >= 4 and kind in seen and len(seen) < 4:
            continue  # later runs fill in the (flip, rotated) kinds not seen yet
        seen.add(kind)
        out[f"train{i}_face"] = np.int64(face)
        out[f"train{i}_flip"] = np.int64(flip)
        out[f"train{i}_rot"] = np.float64(rot)
        out[f"train{i}_center"] = res["input_center"]
        out[f"train{i}_scale"] = res["input_scale"]
        out[f"train{i}_crop"] = res["img"][..., ::-1].copy()
        out[f"train{i}_keypoints"] = res["transformed_keypoints"][0]
        out[f"train{i}_visible"] = res["keypoints_visible"][0]
        out[f"train{i}_heatmaps"] = res["heatmaps"].transpose(1, 2, 0).astype(np.float32)
        out[f"train{i}_weights"] = res["keypoint_weights"][0].astype(np.float32)
        i += 1
    assert {(True, True), (False, True), (True, False)} <= seen, seen


def bbox_transform_distribution(out):
    np.random.seed(3)
    t = RandomBBoxTransform(shift_prob=0.3, rotate_factor=60, scale_factor=(0.75, 1.25))
    offset, scale, rotate = t._get_transform_params(20000)
    q = np.linspace(0.1, 0.9, 9)
    out["rbt_quantiles"] = np.stack(
        [
            np.quantile(offset[:, 0], q),
            np.quantile(offset[:, 1], q),
            np.quantile(scale[:, 0], q),
            np.quantile(rotate, q),
        ]
    )
    out["rbt_nonzero"] = np.array(
        [np.mean(offset[:, 0] != 0), np.mean(scale[:, 0] != 1), np.mean(rotate != 0)]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=pathlib.Path, default=REPO / "tests" / "data" / "parity")
    args = parser.parse_args()
    out = {}
    warp_fixtures(out)
    bbox_fixtures(out)
    faces = load_faces()
    face_fixtures(out, faces)
    train_fixtures(out, faces)
    bbox_transform_distribution(out)
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / "transforms.npz"
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({path.stat().st_size} bytes, {len(out)} arrays)")


if __name__ == "__main__":
    main()
