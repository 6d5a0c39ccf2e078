"""Write the ``dummy_data/`` folders of the face-landmark builders.

Each folder holds a few tiny synthetic images and annotation files in the
dataset's **original** release format (WFLW txt lists, iBUG ``.pts`` folders,
COFW MATLAB v7.3 files written with h5py in the real layout, AFLW-19's v5
``AFLWinfo_release.mat``, COCO-WholeBody JSON), plus one missing and one
corrupt image per dataset where the format allows, so the builder tests also
cover skipping. The files are committed; rerun this script to regenerate them
(the output is deterministic)::

    python tfds_builders/make_dummy_data.py
"""

from __future__ import annotations

import json
import pathlib

import cv2
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
WFLW_ATTRIBUTES = ("pose", "expression", "illumination", "makeup", "occlusion", "blur")


def _image(rng, height, width, path, ext=".jpg"):
    """A small random RGB image written to ``path`` (JPEG or PNG)."""
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(ext, pixels)
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.tobytes())
    return pixels


def _corrupt_jpeg(path):
    """A JPEG cut off in the middle of its scan."""
    ok, buf = cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.tobytes()[: len(buf) // 2])


def _points(rng, k, width, height):
    """K points inside the image, rounded to 3 decimals as the datasets store them."""
    xy = rng.uniform([2, 2], [width - 3, height - 3], size=(k, 2))
    return np.round(xy, 3)


def wflw(rng):
    root = HERE / "wflw" / "dummy_data"
    lists = root / "WFLW_annotations" / "list_98pt_rect_attr_train_test"
    lists.mkdir(parents=True, exist_ok=True)
    images = {
        "0--Parade/0_Parade_a.jpg": (40, 48),
        "0--Parade/0_Parade_b.jpg": (36, 30),
        "1--Handshaking/1_Handshaking_c.jpg": (44, 40),
    }
    for name, (h, w) in images.items():
        _image(rng, h, w, root / "WFLW_images" / name)
    _corrupt_jpeg(root / "WFLW_images" / "1--Handshaking/1_Handshaking_corrupt.jpg")

    def line(name, flags):
        h, w = images.get(name, (32, 32))
        pts = _points(rng, 98, w, h)
        box = [
            pts[:, 0].min() - 1,
            pts[:, 1].min() - 1,
            pts[:, 0].max() + 1,
            pts[:, 1].max() + 1,
        ]
        numbers = [f"{v:.3f}" for v in pts.reshape(-1)] + [f"{int(v)}" for v in box]
        return " ".join(numbers + [str(f) for f in flags] + [name])

    train = [
        line("0--Parade/0_Parade_a.jpg", [0, 0, 0, 0, 0, 0]),
        line("0--Parade/0_Parade_a.jpg", [1, 0, 0, 0, 1, 0]),
        line("0--Parade/0_Parade_missing.jpg", [0, 0, 0, 0, 0, 0]),
        line("0--Parade/0_Parade_b.jpg", [0, 1, 0, 0, 0, 0]),
    ]
    test = [
        line("1--Handshaking/1_Handshaking_c.jpg", [1, 0, 0, 0, 0, 1]),
        line("0--Parade/0_Parade_b.jpg", [0, 1, 1, 1, 0, 0]),
        line("1--Handshaking/1_Handshaking_corrupt.jpg", [1, 1, 1, 1, 1, 1]),
        line("0--Parade/0_Parade_a.jpg", [0, 0, 0, 0, 1, 0]),
    ]
    # A line cut short, as a truncated download leaves it: skipped with a warning.
    train.insert(2, " ".join(train[0].split()[:150]))
    (lists / "list_98pt_rect_attr_train.txt").write_text("\n".join(train) + "\n")
    (lists / "list_98pt_rect_attr_test.txt").write_text("\n".join(test) + "\n")


def write_pts(path, points_0based):
    """An iBUG ``.pts`` file; the files are 1-based, so 1 is added."""
    lines = ["version: 1", f"n_points:  {len(points_0based)}", "{"]
    lines += [f"{x + 1:.3f} {y + 1:.3f}" for x, y in points_0based]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines + ["}"]) + "\n")


def face300w(rng):
    root = HERE / "face300w" / "dummy_data"
    faces = [
        ("afw/134212_1", ".jpg", (40, 36)),
        ("helen/trainset/100032540_1", ".jpg", (36, 44)),
        ("lfpw/trainset/image_0001", ".png", (38, 40)),
        ("lfpw/trainset/image_0002", None, (38, 40)),  # .pts without its image
        ("helen/testset/296814969_3", ".jpg", (40, 40)),
        ("lfpw/testset/image_0003", ".png", (36, 36)),
        ("ibug/image_003_1", ".jpg", (44, 40)),
        ("300W/01_Indoor/indoor_001", ".png", (40, 48)),
        ("300W/02_Outdoor/outdoor_001", ".png", (42, 40)),
    ]
    for stem, ext, (h, w) in faces:
        write_pts(root / f"{stem}.pts", _points(rng, 68, w, h))
        if ext:
            _image(rng, h, w, root / f"{stem}{ext}", ext)


def _h5_matlab_header(path):
    """Write MATLAB's 128-byte v7.3 header into the HDF5 user block."""
    text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2015 HDF5 schema 1.00 ."
    header = text.ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02" + b"IM"
    with open(path, "r+b") as f:
        f.write(header)


def write_cofw_mat(path, images, phis, boxes, suffix):
    """A COFW ``.mat`` in MATLAB v7.3 layout: a cell of uint8 images and double arrays.

    MATLAB stores arrays column-major, so h5py sees each array transposed:
    an H x W x 3 image is a (3, W, H) dataset, the N x 87 ``phis`` a (87, N) one.
    """
    import h5py

    with h5py.File(path, "w", userblock_size=512) as f:
        refs = f.create_group("#refs#")
        cell = np.empty((1, len(images)), dtype=h5py.ref_dtype)
        for i, pixels in enumerate(images):
            ds = refs.create_dataset(f"img{i}", data=pixels.transpose())
            ds.attrs["MATLAB_class"] = np.bytes_("uint8")
            cell[0, i] = ds.ref
        ds = f.create_dataset("Is" + suffix, data=cell, dtype=h5py.ref_dtype)
        ds.attrs["MATLAB_class"] = np.bytes_("cell")
        for name, value in (("phis" + suffix, phis), ("bboxes" + suffix, boxes)):
            ds = f.create_dataset(name, data=np.asarray(value, np.float64).T)
            ds.attrs["MATLAB_class"] = np.bytes_("double")
    _h5_matlab_header(path)


def cofw(rng):
    root = HERE / "cofw" / "dummy_data"
    root.mkdir(parents=True, exist_ok=True)
    for split, suffix, sizes in (
        ("train", "Tr", [(40, 36, 3), (32, 30, 0), (36, 40, 3)]),
        ("test", "T", [(38, 34, 3), (30, 42, 3)]),
    ):
        images, phis, boxes = [], [], []
        for h, w, c in sizes:
            shape = (h, w, c) if c else (h, w)
            images.append(rng.integers(0, 256, size=shape, dtype=np.uint8))
            pts = _points(rng, 29, w, h) + 1  # 1-based in the .mat
            occluded = (rng.random(29) < 0.3).astype(np.float64)
            phis.append(np.concatenate([pts[:, 0], pts[:, 1], occluded]))
            boxes.append([rng.integers(-3, 4), rng.integers(0, 4), w - 4, h + 3])
        write_cofw_mat(root / f"COFW_{split}_color.mat", images, phis, boxes, suffix)


def aflw(rng):
    import scipy.io

    root = HERE / "aflw" / "dummy_data"
    names = [
        "0/image00002.jpg",
        "0/image00004.jpg",
        "2/image00010.jpg",
        "2/image00013.jpg",
        "3/image00021.jpg",
        "3/image00099.jpg",
    ]
    n = len(names)
    data, boxes = np.zeros((n, 38)), np.zeros((n, 4))
    mask = np.ones((n, 19))
    mask[4, [3, 7]] = 0
    for i, name in enumerate(names):
        h, w = 40 + i, 44 - i
        if i != 5:  # row 5 has no image file
            _image(rng, h, w, root / "flickr" / name)
        pts = _points(rng, 19, w, h)
        data[i] = np.concatenate([pts[:, 0], pts[:, 1]])
        boxes[i] = [2, w - 3, 1, h - 4]  # left, right, top, bottom
    name_list = np.empty((n, 1), dtype=object)
    for i, name in enumerate(names):
        name_list[i, 0] = name
    ra = np.array([[3, 1, 6, 2, 5, 4]], np.float64)  # 1-based row permutation
    scipy.io.savemat(
        root / "AFLWinfo_release.mat",
        {
            "data": data,
            "mask_new": mask,
            "bbox": boxes,
            "nameList": name_list,
            "ra": ra,
        },
    )
    # Fixed creation date in the 116-byte text header, so reruns give identical files.
    path = root / "AFLWinfo_release.mat"
    data = path.read_bytes()
    header = b"MATLAB 5.0 MAT-file Platform: posix, Created on: Thu Jan  1 00:00:00 2015"
    path.write_bytes(header.ljust(116, b" ") + data[116:])


def coco_wholebody_face(rng):
    root = HERE / "coco_wholebody_face" / "dummy_data"
    (root / "annotations").mkdir(parents=True, exist_ok=True)

    def person(ann_id, image_id, w, h, face_valid=True, iscrowd=0):
        pts = _points(rng, 68, w, h)
        kpts = np.concatenate([pts, rng.choice([1.0, 2.0, 0.0], size=(68, 1))], axis=1)
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return {
            "id": ann_id,
            "image_id": image_id,
            "category_id": 1,
            "iscrowd": iscrowd,
            "bbox": [0.0, 0.0, float(w), float(h)],
            "area": float(w * h),
            "keypoints": [0] * 51,
            "num_keypoints": 0,
            "face_box": [
                round(float(x0) - 3, 2),
                round(float(y0) - 3, 2),
                round(float(x1 - x0) + 30, 2),
                round(float(y1 - y0) + 2, 2),
            ],
            "face_kpts": [round(float(v), 3) for v in kpts.reshape(-1)]
            if face_valid
            else [0.0] * 204,
            "face_valid": face_valid,
            "lefthand_valid": False,
            "righthand_valid": False,
            "foot_valid": False,
        }

    for split, folder, images in (
        (
            "train",
            "train2017",
            [(9, 40, 48, [True, False]), (25, 36, 40, [True]), (30, 30, 30, [True])],
        ),
        ("val", "val2017", [(139, 44, 40, [True, True])]),
    ):
        js = {
            "images": [],
            "annotations": [],
            "categories": [{"id": 1, "name": "person"}],
        }
        for image_id, h, w, valid in images:
            name = f"{image_id:012d}.jpg"
            js["images"].append({"id": image_id, "file_name": name, "height": h, "width": w})
            if image_id == 25:
                _corrupt_jpeg(root / folder / name)
            elif image_id != 30:  # image 30 is missing
                _image(rng, h, w, root / folder / name)
            for j, v in enumerate(valid):
                js["annotations"].append(person(image_id * 100 + j, image_id, w, h, v))
        if split == "train":  # an annotation with 67 of its 68 points: skipped with a warning
            damaged = dict(js["annotations"][0], id=901)
            damaged["face_kpts"] = damaged["face_kpts"][:201]
            js["annotations"].append(damaged)
        (root / "annotations" / f"coco_wholebody_{split}_v1.0.json").write_text(json.dumps(js))


def main():
    rng = np.random.default_rng(0)
    wflw(rng)
    face300w(rng)
    cofw(rng)
    aflw(rng)
    coco_wholebody_face(rng)


if __name__ == "__main__":
    main()
