"""AFLW-19 reader: fields of AFLWinfo_release.mat, the ra-based splits and the frontal subset."""

import numpy as np
import pytest

scipy_io = pytest.importorskip("scipy.io")

from keras_facelm.data.readers import aflw_mat  # noqa: E402


def _write(path, n=5, ra=None, drop=None):
    data = np.arange(n * 38, dtype=np.float64).reshape(n, 38)
    mask = np.ones((n, 19))
    mask[1, 4] = 0
    bbox = np.array([[10.0 + i, 110.0 + i, 20.0, 120.0] for i in range(n)])  # left right top bottom
    names = np.empty((n, 1), dtype=object)
    for i in range(n):
        names[i, 0] = f"{i % 3}/image{i:05d}.jpg"
    fields = {
        "data": data,
        "mask_new": mask,
        "bbox": bbox,
        "nameList": names,
        "ra": np.array([ra if ra is not None else [4, 2, 5, 1, 3]], np.float64),
    }
    if drop:
        del fields[drop]
    scipy_io.savemat(path, fields)


def test_splits_and_values(tmp_path):
    path = tmp_path / "AFLWinfo_release.mat"
    _write(path)
    info = aflw_mat.load_aflw_mat(path)
    assert info["names"][3] == "0/image00003.jpg"
    np.testing.assert_array_equal(info["ra"], [3, 1, 4, 0, 2])
    splits = aflw_mat.aflw19_split_rows(info, num_train=2)
    assert splits["train"].tolist() == [3, 1]
    assert splits["test"].tolist() == [4, 0, 2]
    assert splits["test_frontal"].tolist() == [
        4,
        0,
        2,
    ]  # row 1 (not all visible) is in train
    splits = aflw_mat.aflw19_split_rows(info, num_train=1)
    assert splits["test_frontal"].tolist() == [4, 0, 2]
    assert 1 in splits["test"].tolist()
    (record,) = aflw_mat.read_aflw_mat(info, [1], tmp_path / "flickr")
    assert record["key"] == "00001" and record["image/filename"] == "1/image00001.jpg"
    # data row: x1..x19 then y1..y19
    np.testing.assert_array_equal(record["keypoints"][0], [38.0, 57.0])
    np.testing.assert_array_equal(record["keypoints"][18], [56.0, 75.0])
    assert record["visibility"][4] == 0 and record["visibility"].sum() == 18
    np.testing.assert_array_equal(
        record["bbox"], [11.0, 20.0, 111.0, 120.0]
    )  # left top right bottom
    assert record["box_size"] == np.float32(100.0)  # sqrt(w * h)
    assert np.isnan(record["scale"])


def test_errors(tmp_path):
    path = tmp_path / "a.mat"
    _write(path, drop="ra")
    with pytest.raises(ValueError, match=r"a.mat: missing fields \['ra'\]"):
        aflw_mat.load_aflw_mat(path)
    _write(path, ra=[1, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="'ra' is not a 1-based permutation"):
        aflw_mat.load_aflw_mat(path)
    with pytest.raises(FileNotFoundError, match="b.mat"):
        aflw_mat.load_aflw_mat(tmp_path / "b.mat")
