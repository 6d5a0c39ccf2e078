"""WFLW list reader: field layout, values and errors naming file and line."""

import numpy as np
import pytest

from keras_facelm.data.readers import wflw_txt


def _line(points, box, flags, name):
    return " ".join(
        [f"{v:.6f}" for v in points.reshape(-1)]
        + [str(v) for v in box]
        + [str(f) for f in flags]
        + [name]
    )


def test_fields_in_file_order(tmp_path):
    points = np.arange(196, dtype=np.float64).reshape(98, 2) * 0.5 + 0.125
    path = tmp_path / "list_98pt_rect_attr_test.txt"
    path.write_text(
        _line(points, [10, 20, 110, 140], [1, 0, 1, 0, 0, 1], "51--Dresscode/51_a.jpg")
        + "\n\n"
        + _line(points + 1, [1, 2, 3, 4], [0, 1, 0, 1, 1, 0], "0--Parade/0_b.jpg")
        + "\n"
    )
    records = list(wflw_txt.read_wflw_txt(path, tmp_path / "WFLW_images"))
    assert [r["key"] for r in records] == ["00000", "00002"]  # 0-based line numbers
    first = records[0]
    np.testing.assert_array_equal(first["keypoints"], points.astype(np.float32))
    assert first["keypoints"][1].tolist() == [1.125, 1.625]
    np.testing.assert_array_equal(first["bbox"], [10, 20, 110, 140])
    assert first["attributes"] == {
        "pose": 1,
        "expression": 0,
        "illumination": 1,
        "makeup": 0,
        "occlusion": 0,
        "blur": 1,
    }
    assert first["image_path"] == str(tmp_path / "WFLW_images" / "51--Dresscode" / "51_a.jpg")
    assert first["image/filename"] == "51--Dresscode/51_a.jpg"
    assert np.isnan(first["center"]).all() and np.isnan(first["scale"])
    assert records[1]["attributes"]["occlusion"] == 1


def test_errors_name_file_and_line(tmp_path):
    points = np.zeros((98, 2))
    path = tmp_path / "list.txt"
    path.write_text(_line(points, [0, 0, 1, 1], [0] * 6, "a.jpg") + "\n" + "1 2 3 a.jpg\n")
    with pytest.raises(ValueError, match=r"list.txt, line 2: expected 207 fields .* got 4"):
        list(wflw_txt.read_wflw_txt(path, tmp_path))
    path.write_text(_line(points, [0, 0, 1, 1], [0, 0, 2, 0, 0, 0], "a.jpg") + "\n")
    with pytest.raises(ValueError, match=r"line 1: attribute flags must be 0 or 1"):
        list(wflw_txt.read_wflw_txt(path, tmp_path))
    path.write_text(_line(points, [0, 0, 1, "x"], [0] * 6, "a.jpg") + "\n")
    with pytest.raises(ValueError, match=r"line 1: non-numeric"):
        list(wflw_txt.read_wflw_txt(path, tmp_path))
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        list(wflw_txt.read_wflw_txt(tmp_path / "missing.txt", tmp_path))
