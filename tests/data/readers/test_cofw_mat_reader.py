"""COFW .mat reader on MATLAB v7.3 files written with h5py in COFW's layout.

Checks MMPose's ``parse_cofw_dataset.py`` conventions: 1 subtracted from the
coordinates, the box not shifted, negatives set to 0, occlusion flags kept,
images numbered across train then test, pixels stored losslessly.
"""

import cv2
import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from keras_facelm.data.readers import cofw_mat  # noqa: E402
from tfds_builders.make_dummy_data import write_cofw_mat  # noqa: E402


def _phis(x, y, occ):
    return np.concatenate([x, y, occ])


def test_values_follow_mmpose_conventions(tmp_path):
    rng = np.random.default_rng(1)
    color = rng.integers(0, 256, size=(30, 20, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, size=(25, 40), dtype=np.uint8)
    x = np.linspace(1.0, 15.0, 29)
    y = np.linspace(2.5, 20.0, 29)
    occ = np.zeros(29)
    occ[[0, 5, 28]] = 1
    x2 = x.copy()
    x2[3] = 0.5  # 1-based 0.5 -> -0.5 -> clamped to 0
    path = tmp_path / "COFW_test_color.mat"
    write_cofw_mat(
        path,
        [color, gray],
        [_phis(x, y, occ), _phis(x2, y, np.zeros(29))],
        [[3, 4, 10, 12], [-2, 5, 50, 10]],
        "T",
    )
    assert open(path, "rb").read(19) == b"MATLAB 7.3 MAT-file"
    assert cofw_mat.cofw_mat_size(path) == 2
    first, second = cofw_mat.read_cofw_mat(path, first_index=1346)
    assert (first["key"], first["image/filename"]) == ("001346", "001346.png")
    assert second["key"] == "001347" and first["image_path"] is None
    np.testing.assert_array_equal(
        first["keypoints"], np.stack([x - 1, y - 1], 1).astype(np.float32)
    )
    assert second["keypoints"][3, 0] == 0.0
    np.testing.assert_array_equal(first["occluded"], occ == 1)
    np.testing.assert_array_equal(first["visibility"], np.ones(29, np.float32))
    # Box (x, y, w, h) is not shifted; MMPose clips x2 = x + w to W - 1.
    np.testing.assert_array_equal(first["bbox"], [3, 4, 13, 16])
    np.testing.assert_array_equal(second["bbox"], [0, 5, 39, 15])  # x < 0 set to 0, then clipped
    decoded = cv2.imdecode(np.frombuffer(first["image_bytes"], np.uint8), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(decoded[..., ::-1], color)  # PNG is lossless; OpenCV gives BGR
    decoded = cv2.imdecode(np.frombuffer(second["image_bytes"], np.uint8), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(decoded, gray)


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="none.mat"):
        list(cofw_mat.read_cofw_mat(tmp_path / "none.mat"))
    v5 = tmp_path / "v5.mat"
    v5.write_bytes(b"MATLAB 5.0 MAT-file" + b"\0" * 200)
    with pytest.raises(ValueError, match=r"v5.mat: not a MATLAB v7.3"):
        list(cofw_mat.read_cofw_mat(v5))
    other = tmp_path / "other.mat"
    with h5py.File(other, "w") as f:
        f["phisTr"] = np.zeros((87, 1))
    with pytest.raises(ValueError, match=r"other.mat: expected COFW fields IsTr/phisTr/bboxesTr"):
        list(cofw_mat.read_cofw_mat(other))
