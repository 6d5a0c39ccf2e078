"""HRNet CSV reader: the two 300W test images in both HRNet's CSV and MMPose's JSON give
identical records."""

import numpy as np
import pytest

from keras_facelm.data.readers import hrnet_csv, mmpose_coco

FIELDS = ("keypoints", "visibility", "bbox", "center", "scale")


def test_csv_and_json_records_are_identical(test_data):
    csv_records = list(
        hrnet_csv.read_hrnet_csv(
            test_data / "hrnet_csv_300w" / "face_landmarks_300w_test.csv", "images", 68
        )
    )
    assert len(csv_records) == 5
    by_name = {r["image/filename"].rsplit("/", 1)[-1]: r for r in csv_records}
    json_path = test_data / "mmpose_faces" / "300w" / "test_300w.json"
    json_records = list(mmpose_coco.read_300w_json(json_path, json_path.parent))
    assert [r["image/filename"] for r in json_records] == [
        "indoor_029.png",
        "indoor_020.png",
    ]
    for j in json_records:
        c = by_name[j["image/filename"]]
        for field in FIELDS:
            np.testing.assert_array_equal(
                c[field], j[field], err_msg=f"{j['image/filename']}: {field}"
            )
            assert np.asarray(c[field]).dtype == np.asarray(j[field]).dtype == np.float32
    indoor_020 = by_name["indoor_020.png"]
    assert indoor_020["image/filename"] == "Test/01_Indoor/indoor_020.png"
    np.testing.assert_array_equal(indoor_020["center"], [333.0, 466.0])
    assert indoor_020["scale"] == np.float32(2.63)
    np.testing.assert_array_equal(indoor_020["keypoints"][0], np.float32([70.0, 292.332]))


def test_box_size_column_and_errors(tmp_path):
    header = "image_name,scale,box_size,center_w,center_h," + ",".join(
        f"original_{i}_{a}" for i in range(19) for a in "xy"
    )
    row = "flickr/3/image1.jpg,1.81,362.0,449.0,321.0," + ",".join(str(float(i)) for i in range(38))
    path = tmp_path / "face_landmarks_aflw_test.csv"
    path.write_text(header + "\n" + row + "\n")
    (record,) = hrnet_csv.read_hrnet_csv(path, tmp_path, 19)
    assert record["box_size"] == np.float32(362.0)
    np.testing.assert_array_equal(record["keypoints"][1], [2.0, 3.0])
    np.testing.assert_array_equal(record["bbox"], [268.0, 140.0, 630.0, 502.0])
    with pytest.raises(ValueError, match=r"expected 136 coordinate columns for 68 points, got 38"):
        list(hrnet_csv.read_hrnet_csv(path, tmp_path, 68))
    path.write_text(header + "\n" + row.replace("362.0", "big") + "\n")
    with pytest.raises(ValueError, match=r"face_landmarks_aflw_test.csv, line 2: non-numeric"):
        list(hrnet_csv.read_hrnet_csv(path, tmp_path, 19))
    path.write_text("image_name,center_w\n")
    with pytest.raises(ValueError, match=r"line 1: missing columns \['scale', 'center_h'\]"):
        list(hrnet_csv.read_hrnet_csv(path, tmp_path, 19))
