"""WFLW builder: TFDS checks on ``dummy_data/`` (original txt lists, one missing and
one corrupt image, one truncated line) and value checks on dummy data and MMPose's real samples."""

import json
import logging

import numpy as np
import pytest

tfds = pytest.importorskip("tensorflow_datasets")
pytest.importorskip("dill")  # needed by tfds.testing

from keras_facelm.data.readers import mmpose_coco, wflw_txt  # noqa: E402
from tfds_builders import _testing  # noqa: E402

from . import wflw_dataset_builder  # noqa: E402

Builder = wflw_dataset_builder.Builder


class WflwTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = Builder
    OVERLAPPING_SPLITS = [f"test_{a}" for a in wflw_txt.ATTRIBUTES]
    SPLITS = {
        "train": 3,  # 5 lines, one image missing, one line cut short
        "test": 3,  # 4 lines, one image corrupt
        "test_pose": 1,
        "test_expression": 1,
        "test_illumination": 1,
        "test_makeup": 1,
        "test_occlusion": 1,
        "test_blur": 1,
    }


def test_dummy_txt_values_and_skips(tmp_path, caplog):
    dummy = Builder.code_path.parent / "dummy_data"
    with caplog.at_level(logging.WARNING):
        splits = _testing.build(Builder, dummy, tmp_path, skip_image_decoding=True)
    assert "1_Handshaking_corrupt.jpg" in caplog.text and "0_Parade_missing.jpg" in caplog.text
    assert "wflw/test: skipped 1 example(s)" in caplog.text
    # The train list's third line is cut short: named, counted, and the build goes on.
    assert "list_98pt_rect_attr_train.txt, line 3: expected 207 fields" in caplog.text
    assert (
        "wflw/train: skipped 1 example(s) with missing or corrupt images and "
        "1 malformed annotation(s); wrote 3" in caplog.text
    )
    lists = dummy / "WFLW_annotations" / "list_98pt_rect_attr_train_test"
    records = [
        r
        for r in wflw_txt.read_wflw_txt(
            lists / "list_98pt_rect_attr_test.txt", dummy / "WFLW_images"
        )
        if "corrupt" not in r["image_path"]
    ]
    records.sort(key=lambda r: (r["image/filename"], tuple(r["keypoints"][0])))
    assert len(splits["test"]) == len(records) == 3
    for ex, r in zip(splits["test"], records, strict=True):
        assert ex["image/filename"].decode() == r["image/filename"]
        np.testing.assert_array_equal(ex["keypoints"], r["keypoints"])
        np.testing.assert_array_equal(ex["bbox"], r["bbox"])
        assert {a: int(v) for a, v in ex["attributes"].items()} == r["attributes"]
        assert ex["image"] == open(r["image_path"], "rb").read()  # bytes as released
        assert np.isnan(ex["center"]).all() and np.isnan(ex["scale"])
    for attribute in wflw_txt.ATTRIBUTES:
        assert all(ex["attributes"][attribute] == 1 for ex in splits[f"test_{attribute}"])


def test_mmpose_json_real_samples(tmp_path, caplog):
    src = _testing.REAL_DATA / "mmpose_faces" / "wflw"
    manual = tmp_path / "manual"
    ann = _testing.place(
        src / "test_wflw.json", manual / "annotations" / "face_landmarks_wflw_test.json"
    )
    for name in (
        "7_Cheering_Cheering_7_16.jpg",
        "36_Football_americanfootball_ball_36_415.jpg",
    ):
        _testing.place(src / name, manual / "images" / name)
    # A large-pose subset file holding one of the four faces (annotation id 40)
    # and a face that is in no test record (shifted keypoints): it is logged.
    data = json.loads(ann.read_text())
    face = next(a for a in data["annotations"] if a["id"] == 40)
    stray = dict(face, id=9999, keypoints=[v + 0.5 for v in face["keypoints"]])
    data["annotations"] = [face, stray]
    subset = manual / "annotations" / "face_landmarks_wflw_test_largepose.json"
    subset.write_text(json.dumps(data))

    with caplog.at_level(logging.WARNING):
        splits = _testing.build(Builder, manual, tmp_path / "data")
    assert "1 face(s) of " + str(subset) + " match no face" in caplog.text
    assert sorted(splits) == ["test", "test_pose"]  # no train file, one subset file
    assert len(splits["test"]) == 4 and len(splits["test_pose"]) == 2
    records = list(mmpose_coco.read_wflw_json(ann, manual / "images"))
    for ex in splits["test"]:
        matches = [
            r
            for r in records
            if np.array_equal(_testing.json_keypoints(ann, int(r["key"])), ex["keypoints"])
        ]
        assert len(matches) == 1  # keypoints equal the JSON's exactly
        r = matches[0]
        assert ex["image/filename"].decode() == r["image/filename"]
        np.testing.assert_array_equal(ex["center"], r["center"])
        np.testing.assert_array_equal(ex["bbox"], r["bbox"])
        assert ex["scale"] == r["scale"]
        assert tuple(ex["image/size"]) == ex["image"].shape[:2]
        attributes = {a: int(v) for a, v in ex["attributes"].items()}
        assert attributes["pose"] == (1 if r["key"] == "40" else 0)
        assert {v for a, v in attributes.items() if a != "pose"} == {-1}
    pose_keypoints = [ex["keypoints"] for ex in splits["test_pose"]]
    assert any(np.array_equal(k, _testing.json_keypoints(ann, 40)) for k in pose_keypoints)


if __name__ == "__main__":
    tfds.testing.test_main()
