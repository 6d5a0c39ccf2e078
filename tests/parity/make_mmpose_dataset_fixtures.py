"""Reference records of MMPose's face dataset classes on the real JSON fixtures.

Run with the MMPose reference interpreter (MMPose 1.3.2)::

    .mmpose-ref/bin/python tests/parity/make_mmpose_dataset_fixtures.py [--output DIR]

It loads each JSON of ``tests/data/mmpose_faces/`` with MMPose's own dataset
class (``WFLWDataset``, ``Face300WDataset``, ``COFWDataset``, ``AFLWDataset``
in test mode, ``CocoWholeBodyFaceDataset``), exactly as MMPose's configs do
(``data_mode='topdown'``, no pipeline), and writes ``mmpose_face_datasets.npz``
into ``tests/data/parity/`` (or ``--output``) with, per dataset ``<d>``:

* ``<d>/id`` (N,) annotation ids, ``<d>/img_path`` (N,) file names (basename);
* ``<d>/keypoints`` (N, K, 2), ``<d>/keypoints_visible`` (N, K), ``<d>/bbox``
  (N, 4) xyxy, all float32 as MMPose stores them;
* ``<d>/bbox_center`` (N, 2) and ``<d>/bbox_scale`` (N, 2) in pixels where the
  dataset class sets them (WFLW, 300W, AFLW), ``aflw/box_size`` (N,).

``tests/data/readers/test_mmpose_coco_reader.py`` checks the readers of
``keras_facelm.data.readers.mmpose_coco`` against these records.
"""

from __future__ import annotations

import argparse
import os
import pathlib

import numpy as np
from mmpose.datasets.datasets.face import (
    AFLWDataset,
    CocoWholeBodyFaceDataset,
    COFWDataset,
    Face300WDataset,
    WFLWDataset,
)

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "mmpose_faces"

DATASETS = {
    "wflw": (WFLWDataset, "wflw/test_wflw.json"),
    "300w": (Face300WDataset, "300w/test_300w.json"),
    "cofw": (COFWDataset, "cofw/test_cofw.json"),
    "aflw": (AFLWDataset, "aflw/test_aflw.json"),
    "coco_wholebody_face": (CocoWholeBodyFaceDataset, "coco/test_coco_wholebody.json"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(REPO / "tests" / "data" / "parity"))
    args = parser.parse_args()
    out = {}
    for name, (cls, ann_file) in DATASETS.items():
        folder = os.path.dirname(ann_file)
        dataset = cls(
            ann_file=ann_file,
            data_root=str(DATA),
            data_prefix=dict(img=f"{folder}/"),
            data_mode="topdown",
            pipeline=[],
            test_mode=True,
        )
        infos = [dataset.get_data_info(i) for i in range(len(dataset))]
        out[f"{name}/id"] = np.array([d["id"] for d in infos], np.int64)
        out[f"{name}/img_path"] = np.array([os.path.basename(d["img_path"]) for d in infos])
        for key in (
            "keypoints",
            "keypoints_visible",
            "bbox",
            "bbox_center",
            "bbox_scale",
        ):
            if key in infos[0]:
                out[f"{name}/{key}"] = np.stack([d[key][0] for d in infos]).astype(np.float32)
        if "box_size" in infos[0]:
            out[f"{name}/box_size"] = np.array([d["box_size"] for d in infos], np.float32)
        print(name, len(infos), "samples")
    path = pathlib.Path(args.output) / "mmpose_face_datasets.npz"
    np.savez_compressed(path, **out)
    print("wrote", path)


if __name__ == "__main__":
    main()
