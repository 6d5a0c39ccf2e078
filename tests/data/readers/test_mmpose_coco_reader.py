"""MMPose COCO-style JSON reader: records equal MMPose's own dataset classes.

The reference is ``tests/data/parity/mmpose_face_datasets.npz``, written by
``tests/parity/make_mmpose_dataset_fixtures.py`` with MMPose 1.3.2's
``WFLWDataset``, ``Face300WDataset``, ``COFWDataset``, ``AFLWDataset`` and
``CocoWholeBodyFaceDataset`` on the real JSON files of
``tests/data/mmpose_faces``. Comparisons are exact (float32 equality).
"""

import json
import os

import numpy as np
import pytest

from keras_facelm.data.readers import mmpose_coco

READERS = {
    "wflw": (mmpose_coco.read_wflw_json, "wflw/test_wflw.json"),
    "300w": (mmpose_coco.read_300w_json, "300w/test_300w.json"),
    "cofw": (mmpose_coco.read_cofw_json, "cofw/test_cofw.json"),
    "aflw": (mmpose_coco.read_aflw_json, "aflw/test_aflw.json"),
    "coco_wholebody_face": (
        mmpose_coco.read_coco_wholebody_face_json,
        "coco/test_coco_wholebody.json",
    ),
}


@pytest.fixture(scope="module")
def reference(request):
    path = request.config.rootpath / "tests" / "data" / "parity" / "mmpose_face_datasets.npz"
    return dict(np.load(path))


@pytest.mark.parametrize("name", list(READERS))
def test_records_equal_mmpose_dataset_classes(name, reference, test_data):
    read, rel = READERS[name]
    folder = test_data / "mmpose_faces" / os.path.dirname(rel)
    records = list(read(test_data / "mmpose_faces" / rel, folder))
    assert [int(r["key"]) for r in records] == reference[f"{name}/id"].tolist()
    assert [r["image/filename"] for r in records] == reference[f"{name}/img_path"].tolist()
    for r in records:
        assert os.path.isfile(r["image_path"])
    np.testing.assert_array_equal(
        np.stack([r["keypoints"] for r in records]), reference[f"{name}/keypoints"]
    )
    np.testing.assert_array_equal(
        np.stack([r["visibility"] for r in records]),
        reference[f"{name}/keypoints_visible"],
    )
    np.testing.assert_array_equal(np.stack([r["bbox"] for r in records]), reference[f"{name}/bbox"])
    if f"{name}/bbox_center" in reference:
        np.testing.assert_array_equal(
            np.stack([r["center"] for r in records]), reference[f"{name}/bbox_center"]
        )
        scales = np.array([r["scale"] for r in records], np.float32)
        np.testing.assert_array_equal(
            np.repeat(scales[:, None] * np.float32(200), 2, axis=1),
            reference[f"{name}/bbox_scale"],
        )
    else:
        assert all(np.isnan(r["center"]).all() and np.isnan(r["scale"]) for r in records)
    if f"{name}/box_size" in reference:
        np.testing.assert_array_equal(
            [r["box_size"] for r in records], reference[f"{name}/box_size"]
        )


def test_keypoints_equal_json_values_exactly(test_data):
    path = test_data / "mmpose_faces" / "wflw" / "test_wflw.json"
    anns = {a["id"]: a for a in json.loads(path.read_text())["annotations"]}
    records = list(mmpose_coco.read_wflw_json(path, path.parent))
    assert len(records) == 4
    for r in records:
        ann = anns[int(r["key"])]
        expected = np.array(ann["keypoints"], np.float32).reshape(98, 3)[:, :2]
        np.testing.assert_array_equal(r["keypoints"], expected)
        np.testing.assert_array_equal(r["center"], np.float32(ann["center"]))
        assert r["scale"] == np.float32(ann["scale"])
    # MMPose ignores the JSON bbox (the landmark extent) and uses center/scale.
    first = records[0]
    np.testing.assert_array_equal(first["bbox"], [440.0, 122.0, 525.0, 207.0])


def test_cofw_occlusion_flags(test_data):
    path = test_data / "mmpose_faces" / "cofw" / "test_cofw.json"
    records = list(mmpose_coco.read_cofw_json(path, path.parent))
    assert [int(r["occluded"].sum()) for r in records] == [6, 9]
    anns = json.loads(path.read_text())["annotations"]
    for r, ann in zip(records, anns, strict=True):
        v = np.array(ann["keypoints"]).reshape(29, 3)[:, 2]
        np.testing.assert_array_equal(r["occluded"], v == 1)
        np.testing.assert_array_equal(r["visibility"], np.ones(29, np.float32))


def test_coco_wholebody_keeps_only_valid_faces(test_data):
    path = test_data / "mmpose_faces" / "coco" / "test_coco_wholebody.json"
    data = json.loads(path.read_text())
    records = list(mmpose_coco.read_coco_wholebody_face_json(path, path.parent))
    valid = [a["id"] for a in data["annotations"] if a["face_valid"] and max(a["face_kpts"]) > 0]
    assert len(data["annotations"]) == 14
    assert [int(r["key"]) for r in records] == valid == [442619, 198196, 230195, 437295]


def _write(tmp_path, annotations, image=None):
    image = image or {"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}
    path = tmp_path / "ann.json"
    path.write_text(json.dumps({"images": [image], "annotations": annotations}))
    return path


def _ann(ann_id, **overrides):
    kpts = []
    for i in range(29):
        kpts += [10.0 + i, 20.0 + i, 2]
    ann = {
        "id": ann_id,
        "image_id": 1,
        "keypoints": kpts,
        "num_keypoints": 29,
        "bbox": [-5.0, 10.0, 200.0, 30.0],
        "iscrowd": 0,
    }
    ann.update(overrides)
    return ann


def test_invalid_instances_are_dropped_and_box_clipped(tmp_path):
    path = _write(
        tmp_path,
        [
            _ann(1),
            _ann(2, iscrowd=1),
            _ann(3, num_keypoints=0),
            _ann(4, bbox=[120.0, 10.0, 5.0, 5.0]),  # clipped to zero width
            _ann(5, keypoints=[0.0] * 87),
        ],
    )
    records = list(mmpose_coco.read_cofw_json(path, tmp_path))
    assert [r["key"] for r in records] == ["1"]
    np.testing.assert_array_equal(records[0]["bbox"], [0.0, 10.0, 99.0, 40.0])


def test_errors_name_the_file_and_annotation(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.json"):
        list(mmpose_coco.read_wflw_json(tmp_path / "nope.json", tmp_path))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="bad.json.*not valid JSON"):
        list(mmpose_coco.read_wflw_json(bad, tmp_path))
    path = _write(tmp_path, [_ann(7)])
    with pytest.raises(ValueError, match="annotation id 7 lacks 'center'"):
        list(mmpose_coco.read_wflw_json(path, tmp_path))
    path = _write(tmp_path, [_ann(8, center=[1, 2], scale=1.0)])
    with pytest.raises(ValueError, match=r"annotation id 8 has 87 keypoint values, expected 294"):
        list(mmpose_coco.read_wflw_json(path, tmp_path))
