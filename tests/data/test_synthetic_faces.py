"""Tests of the synthetic 68-point face generator (numpy + OpenCV, no backend)."""

import dataclasses
import math

import numpy as np
import pytest

from keras_facelm.data import synthetic_faces as sf
from keras_facelm.data.schemes import get_scheme

FLIP = np.array(get_scheme("300w").flip_indices)
H, W = 256, 256


@pytest.fixture(scope="module")
def samples():
    return [sf.generate_face(i, seed=3) for i in range(40)]


def _face_frame(kp, roll_deg):
    """Undoes the in-plane roll so the face is upright (x right, y down)."""
    a = math.radians(roll_deg)
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return (kp - kp.mean(axis=0)) @ rot.T


def test_same_seed_and_index_give_identical_samples():
    a, b = sf.generate_face(7, seed=11), sf.generate_face(7, seed=11)
    np.testing.assert_array_equal(a["image"], b["image"])
    for key in (
        "keypoints",
        "keypoints_visible",
        "bbox",
        "center",
        "scale",
        "image_size",
    ):
        np.testing.assert_array_equal(a[key], b[key])
    assert a["attributes"]["yaw"] == b["attributes"]["yaw"]


def test_different_seeds_and_indices_differ():
    base = sf.generate_face(0, seed=0)
    for other in (sf.generate_face(1, seed=0), sf.generate_face(0, seed=1)):
        assert not np.array_equal(base["image"], other["image"])
        assert np.abs(base["keypoints"] - other["keypoints"]).max() > 1.0


def test_types_shapes_and_image_size():
    s = sf.generate_face(0, image_size=(120, 200))
    assert s["image"].shape == (120, 200, 3) and s["image"].dtype == np.uint8
    assert s["keypoints"].shape == (68, 2) and s["keypoints"].dtype == np.float32
    assert s["keypoints_visible"].shape == (68,)
    assert s["keypoints_visible"].dtype == np.float32
    np.testing.assert_array_equal(s["image_size"], [120, 200])
    assert s["attributes"]["keypoints_occluded"].shape == (68,)


def test_visible_means_inside_the_image(samples):
    n_hidden = 0
    for s in samples:
        kp, vis = s["keypoints"], s["keypoints_visible"]
        inside = (kp[:, 0] >= 0) & (kp[:, 0] <= W - 1) & (kp[:, 1] >= 0) & (kp[:, 1] <= H - 1)
        np.testing.assert_array_equal(vis, inside.astype(np.float32))
        assert s["attributes"]["truncated"] == (not inside.all())
        n_hidden += int((vis == 0).sum())
    # Some faces are placed partly outside the frame, most are not.
    assert n_hidden > 0
    assert sum(s["attributes"]["truncated"] for s in samples) <= 10


def test_bbox_center_scale_follow_the_keypoint_extent(samples):
    for s in samples:
        kp = s["keypoints"]
        np.testing.assert_allclose(s["bbox"], [*kp.min(0), *kp.max(0)], atol=1e-4)
        x1, y1, x2, y2 = s["bbox"]
        np.testing.assert_allclose(s["center"], [(x1 + x2) / 2, (y1 + y2) / 2], atol=1e-4)
        np.testing.assert_allclose(s["scale"], max(x2 - x1, y2 - y1) / 200, rtol=1e-6)
        # Faces are between about a fifth and the whole of the image side.
        assert 0.15 * W < s["scale"] * 200 < 1.0 * W


def test_bbox_center_scale_values():
    bbox, center, scale = sf.bbox_center_scale(np.array([[10.0, 20.0], [110.0, 70.0], [50, 40]]))
    np.testing.assert_array_equal(bbox, [10, 20, 110, 70])
    np.testing.assert_array_equal(center, [60, 45])
    assert scale == pytest.approx(0.5)


def test_ibug_layout_left_right_and_top_bottom(samples):
    for s in samples:
        kp = _face_frame(s["keypoints"].astype(np.float64), float(s["attributes"]["roll"]))
        x, y = kp[:, 0], kp[:, 1]
        # Eye corners: right eye (image left) outer 36 < inner 39 < left eye inner 42 < outer 45.
        assert x[36] < x[39] < x[42] < x[45]
        # Jaw runs from image left (0) to image right (16) through the chin (8).
        assert x[0] < x[8] < x[16]
        assert np.all(np.diff(x[17:22]) > 0) and np.all(np.diff(x[22:27]) > 0)
        assert x[48] < x[51] < x[54] and x[60] < x[62] < x[64]
        # Brows above eyes above the nose tip above the mouth above the chin.
        assert y[17:27].mean() < y[36:48].mean() < y[30] < y[48:68].mean() < y[8]
        assert y[27] < y[28] < y[29] < y[30]
        # Upper lids above lower lids, upper lip above lower lip.
        assert y[37] < y[41] and y[38] < y[40] and y[43] < y[47] and y[44] < y[46]
        assert y[51] < y[62] <= y[66] + 1e-3 < y[57]


def test_yaw_moves_the_nose_towards_its_sign():
    rng = np.random.default_rng(0)
    params = dataclasses.replace(
        sf.sample_face_params(rng), roll=0.0, pitch=0.0, translation=(128.0, 128.0)
    )
    mid = {}
    for yaw in (-30.0, 0.0, 30.0):
        kp = sf.project_face(dataclasses.replace(params, yaw=yaw))
        eyes = kp[36:48].mean(axis=0)
        mid[yaw] = kp[30, 0] - eyes[0]
        # Foreshortening: the far eye is narrower.
        right_w, left_w = kp[39, 0] - kp[36, 0], kp[45, 0] - kp[42, 0]
        if yaw > 0:
            assert right_w > left_w
        elif yaw < 0:
            assert right_w < left_w
        else:
            assert right_w == pytest.approx(left_w)
    assert mid[-30.0] < -1.0 and mid[30.0] > 1.0
    assert mid[0.0] == pytest.approx(0.0, abs=1e-9)


def test_mean_shape_is_mirror_symmetric_under_300w_flip_indices():
    for shape in ({}, {"mouth_open": 0.7, "smile": 0.5, "eye_open": 0.5}):
        model = sf.mean_shape_3d(**shape)
        mirrored = model[FLIP] * np.array([-1.0, 1.0, 1.0])
        np.testing.assert_allclose(mirrored, model, atol=1e-9)


def test_mirrored_geometry_permutes_keypoints_by_flip_indices():
    for index in range(10):
        params = sf.sample_face_params(np.random.default_rng((5, index)), (H, W))
        kp = sf.project_face(params)
        kp_m = sf.project_face(params.mirrored(W))
        expected = kp[FLIP].copy()
        expected[:, 0] = W - 1 - expected[:, 0]
        np.testing.assert_allclose(kp_m, expected, atol=1e-9)


def test_mirrored_rendering_is_the_flipped_image():
    canvas = np.full((H, W, 3), 90, np.uint8)
    for index in (0, 1, 2, 8):  # index 8 has an ellipse and a rectangle occluder
        params = sf.sample_face_params(np.random.default_rng((6, index)), (H, W))
        assert (len(params.occluders) == 2) == (index == 8)
        img = sf.draw_face(canvas, params).astype(np.int16)
        img_m = sf.draw_face(canvas, params.mirrored(W)).astype(np.int16)
        diff = np.abs(img_m - img[:, ::-1])
        assert diff.mean() < 0.05, diff.mean()
        assert np.mean(diff > 40) < 1e-4
        # And the picture really changed: a face is not its own mirror image.
        assert np.abs(img - img[:, ::-1]).mean() > 20 * diff.mean()


def test_landmarks_sit_on_the_drawn_features():
    canvas = np.full((H, W, 3), 40, np.uint8)
    for index in range(6):
        params = sf.sample_face_params(np.random.default_rng((8, index)), (H, W))
        # Colours chosen to contrast, so that only the geometry is tested.
        params = dataclasses.replace(
            params,
            occluders=(),
            hair_style="none",
            skin=(200, 160, 130),
            iris=(40, 80, 220),
            translation=(127.5, 118.0),
        )
        params = dataclasses.replace(params, shape={**params.shape, "eye_open": 1.2})
        img = sf.draw_face(canvas, params).astype(np.int16)
        kp = sf.project_face(params)

        def px(p, img=img):
            return img[int(round(p[1])), int(round(p[0]))]

        skin = np.array(params.skin)
        # Cheek, between the jaw and the nostrils: plain skin.
        np.testing.assert_allclose(px((kp[3] + kp[31]) / 2), skin, atol=2)
        np.testing.assert_allclose(px((kp[13] + kp[35]) / 2), skin, atol=2)
        # Inside each eye (between upper and lower lid): sclera, iris or pupil.
        for a, b in ((37, 41), (38, 40), (43, 47), (44, 46)):
            assert np.abs(px((kp[a] + kp[b]) / 2) - skin).max() > 60
        # Inside the lips, between outer and inner contour: the lip colour.
        np.testing.assert_allclose(px((kp[57] + kp[66]) / 2), params.lips, atol=25)
        # Just outside the jaw, away from the face centre: not skin (background).
        centre = kp[27:36].mean(axis=0)
        for j in (2, 4, 12, 14):
            out = kp[j] + 4.0 * (kp[j] - centre) / np.linalg.norm(kp[j] - centre)
            assert np.abs(px(out) - skin).max() > 30


def test_occluded_keypoints_are_covered_by_the_occluder():
    found = 0
    for index in range(30):
        s = sf.generate_face(index, seed=2)
        occ = s["attributes"]["keypoints_occluded"]
        assert s["attributes"]["occluded"] == bool(occ.any())
        # Occluded points stay labelled (visible = 1) when inside the image.
        assert np.all(s["keypoints_visible"][occ] == 1)
        if not occ.any():
            continue
        found += 1
        # Re-draw the same face on a black canvas, without lighting or noise.
        params = sf.sample_face_params(np.random.default_rng((2, index)), (H, W))
        img = sf.draw_face(np.zeros((H, W, 3), np.uint8), params).astype(np.int16)
        colours = np.array([o[-1] for o in params.occluders])
        pts = np.round(s["keypoints"][occ]).astype(int)
        dist = np.abs(img[pts[:, 1], pts[:, 0]][:, None, :] - colours[None]).max(-1)
        assert np.mean(dist.min(axis=1) <= 3) >= 0.8
    assert 3 <= found <= 20


def test_synthetic_faces_sequence_and_arrays():
    faces = sf.SyntheticFaces(5, seed=4, image_size=(64, 96))
    assert len(faces) == 5
    np.testing.assert_array_equal(
        faces[2]["image"], sf.generate_face(2, seed=4, image_size=(64, 96))["image"]
    )
    np.testing.assert_array_equal(faces[-1]["keypoints"], faces[4]["keypoints"])
    assert len(faces[1:3]) == 2 and len(list(faces)) == 5
    with pytest.raises(IndexError, match="out of range"):
        faces[5]
    arrays = sf.synthetic_face_arrays(3, seed=4, image_size=(64, 96))
    assert arrays["images"].shape == (3, 64, 96, 3)
    assert arrays["keypoints"].shape == (3, 68, 2)
    assert arrays["keypoints_visible"].shape == (3, 68)
    assert arrays["bbox"].shape == (3, 4) and arrays["scale"].shape == (3,)
    np.testing.assert_array_equal(arrays["keypoints"][1], faces[1]["keypoints"])
    np.testing.assert_array_equal(arrays["center"][2], faces[2]["center"])
    assert sf.synthetic_face_arrays(0)["images"].shape == (0, 256, 256, 3)


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="image_size"):
        sf.generate_face(0, image_size=(16, 256))
    with pytest.raises(ValueError, match="non-negative"):
        sf.generate_face(-1)
    with pytest.raises(ValueError, match="unknown face shape"):
        sf.mean_shape_3d(nose_width=1.0)
    with pytest.raises(ValueError, match="num_samples"):
        sf.SyntheticFaces(-1)
