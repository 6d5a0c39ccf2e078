"""Top-down transforms against MMPose 1.3.2 (fixtures from
``tests/parity/make_transform_fixtures.py``) and values computed with MMPose 1.3.2."""

import math

import cv2
import numpy as np
import pytest

from keras_facelm.codecs import MSRAHeatmap
from keras_facelm.data import transforms as T
from keras_facelm.data.schemes import get_scheme

WFLW_FLIP = get_scheme("wflw").flip_indices


@pytest.fixture(scope="module")
def ref(test_data):
    return dict(np.load(test_data / "parity" / "transforms.npz"))


@pytest.fixture(scope="module")
def test_data():
    from tests.conftest import TEST_DATA

    return TEST_DATA


@pytest.fixture(scope="module")
def images(ref, test_data):
    folder = test_data / "mmpose_faces" / "wflw"
    return {f: T.load_image(folder / str(ref[f"f{f}_image"])) for f in range(4)}


# ------------------------------------------------------------- warp matrix


def test_warp_matrix_matches_mmpose(ref):
    for args, expected in zip(ref["warp_args"], ref["warp_mats"], strict=True):
        cx, cy, sw, sh, rot, ow, oh, sx = args
        got = T.get_warp_matrix(
            np.float32([cx, cy]),
            np.float32([sw, sh]),
            rot,
            (int(ow), int(oh)),
            shift=(sx, -2 * sx),
        )
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_warp_matrix_spec_reference_values():
    c, s = (482.5, 164.5), (106.25, 106.25)
    m0 = T.get_warp_matrix(c, s, 0.0, (256, 256))
    np.testing.assert_allclose(
        m0, [[2.4094118, 0, -1034.54118], [0, 2.4094118, -268.34824]], atol=1e-4
    )
    m30 = T.get_warp_matrix(c, s, 30.0, (256, 256))
    np.testing.assert_allclose(
        m30,
        [[2.0866118, 1.2047059, -1076.96432], [-1.2047059, 2.0866118, 366.02296]],
        atol=1e-4,
    )
    shifted = T.get_warp_matrix(c, s, 0.0, (256, 256), shift=(0.1, -0.2))
    np.testing.assert_allclose(shifted[:, 2], [-1060.14118, -217.14824], atol=1e-4)
    # The box centre lands on the continuous crop centre.
    np.testing.assert_allclose(m30 @ [*c, 1.0], [128, 128], atol=1e-4)


def test_bbox_center_scale_matches_mmpose(ref):
    for box, c, s in zip(ref["bbox_in"], ref["bbox_center"], ref["bbox_scale"], strict=True):
        center, scale = T.bbox_xyxy_to_center_scale(box, padding=1.25)
        np.testing.assert_array_equal(center, c)
        np.testing.assert_array_equal(scale, s)
        np.testing.assert_allclose(
            T.bbox_center_scale_to_xyxy(center, scale, padding=1.25), box, atol=1e-3
        )


def test_fix_aspect_ratio():
    np.testing.assert_array_equal(T.fix_aspect_ratio([10, 20], 1.0), [20, 20])
    np.testing.assert_array_equal(T.fix_aspect_ratio([30, 20], 1.0), [30, 30])
    np.testing.assert_array_equal(T.fix_aspect_ratio([30, 20], 0.75), [30, 40])
    np.testing.assert_array_equal(T.fix_aspect_ratio([10, 20], 0.75), [15, 20])


# ------------------------------------------------------- TopdownAffine crops


@pytest.mark.parametrize("face", range(4))
def test_val_crop_matches_mmpose(ref, images, face):
    center, scale = T.center_scale_from_pixel_std(
        ref[f"f{face}_center"], ref[f"f{face}_scale_200"], padding=1.25
    )
    np.testing.assert_array_equal(center, ref[f"val{face}_center"])
    np.testing.assert_array_equal(scale, ref[f"val{face}_scale"])
    crop, kp = T.warp_to_crop(
        images[face], ref[f"f{face}_keypoints"], center, scale, 0.0, (256, 256)
    )
    assert crop.dtype == np.uint8 and crop.shape == (256, 256, 3)
    np.testing.assert_array_equal(crop, ref[f"val{face}_crop"])
    np.testing.assert_allclose(kp, ref[f"val{face}_keypoints"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("face", range(4))
def test_bbox_crop_matches_mmpose(ref, images, face):
    """Non-square xyxy box: GetBBoxCenterScale + aspect fix + warp."""
    center, scale = T.bbox_xyxy_to_center_scale(ref[f"box{face}_bbox"])
    np.testing.assert_array_equal(center, ref[f"box{face}_center"])
    np.testing.assert_array_equal(T.fix_aspect_ratio(scale, 1.0), ref[f"box{face}_scale"])
    crop, kp = T.warp_to_crop(images[face], ref[f"f{face}_keypoints"], center, scale)
    np.testing.assert_array_equal(crop, ref[f"box{face}_crop"])
    np.testing.assert_allclose(kp, ref[f"box{face}_keypoints"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("run", range(8))
def test_train_pipeline_matches_mmpose(ref, images, run):
    """Flip + random box (MMPose's drawn values) + rotated warp + MSRA targets."""
    p = f"train{run}_"
    face = int(ref[p + "face"])
    image, kp = images[face], ref[f"f{face}_keypoints"]
    vis = ref[f"f{face}_visible"]
    center = ref[f"f{face}_center"]
    if ref[p + "flip"]:
        image, kp, vis, center = T.flip_horizontal(image, kp, vis, center, WFLW_FLIP)
    crop, kp_crop = T.warp_to_crop(
        image, kp, ref[p + "center"], ref[p + "scale"], np.float32(ref[p + "rot"])
    )
    np.testing.assert_array_equal(crop, ref[p + "crop"])
    np.testing.assert_allclose(kp_crop, ref[p + "keypoints"], rtol=0, atol=1e-4)
    np.testing.assert_array_equal(vis, ref[p + "visible"])
    heatmaps, weights = MSRAHeatmap(sigma=2.0).encode(kp_crop, vis)
    np.testing.assert_array_equal(weights, ref[p + "weights"])
    np.testing.assert_allclose(heatmaps, ref[p + "heatmaps"], rtol=0, atol=1e-6)


def test_crop_to_image_matches_mmpose(ref):
    for f in range(4):
        got = T.crop_to_image(
            ref["inv_pred"][f], ref[f"val{f}_center"], ref[f"val{f}_scale"], (256, 256)
        )
        np.testing.assert_allclose(got, ref["inv_out"][f], rtol=0, atol=1e-4)


def test_crop_to_image_inverts_the_warp():
    kp = np.array([[10.5, 20.25], [300.0, -4.0]], np.float32)
    center, scale = T.bbox_xyxy_to_center_scale([0, 0, 120, 80])
    image = np.zeros((100, 150, 3), np.uint8)
    for size in ((256, 256), (192, 256)):
        _, in_crop = T.warp_to_crop(image, kp, center, scale, 0.0, size)
        np.testing.assert_allclose(T.crop_to_image(in_crop, center, scale, size), kp, atol=1e-3)


# ------------------------------------------------------------ augmentation


def test_flip_horizontal_conventions():
    image = np.arange(2 * 5 * 3, dtype=np.uint8).reshape(2, 5, 3)
    kp = np.array([[0.0, 1.0], [3.5, 0.0], [1.0, 1.0]], np.float32)
    vis = np.array([1.0, 0.0, 1.0], np.float32)
    out, kp2, vis2, c2 = T.flip_horizontal(image, kp, vis, [1.25, 1.0], (1, 0, 2))
    np.testing.assert_array_equal(out, image[:, ::-1])
    np.testing.assert_allclose(kp2, [[0.5, 0.0], [4.0, 1.0], [3.0, 1.0]])
    np.testing.assert_array_equal(vis2, [0.0, 1.0, 1.0])
    np.testing.assert_allclose(c2, [2.75, 1.0])
    # The inputs are not modified.
    np.testing.assert_allclose(kp, [[0.0, 1.0], [3.5, 0.0], [1.0, 1.0]])


def test_random_flip_probability():
    rng = np.random.default_rng(0)
    image = np.zeros((4, 4, 3), np.uint8)
    kp, vis = np.zeros((2, 2), np.float32), np.ones(2, np.float32)
    flips = [T.random_flip(image, kp, vis, [1, 1], (1, 0), rng)[-1] for _ in range(400)]
    assert 0.4 < np.mean(flips) < 0.6
    assert not T.random_flip(image, kp, vis, [1, 1], (1, 0), rng, prob=0.0)[-1]


def test_truncated_normal_in_range_and_unit_law():
    x = T.truncated_normal(np.random.default_rng(0), (50000,))
    assert x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1
    # sd of N(0, 1) truncated to [-1, 1].
    phi = math.exp(-0.5) / math.sqrt(2 * math.pi)
    z = math.erf(1 / math.sqrt(2))
    assert abs(x.std() - math.sqrt(1 - 2 * phi / z)) < 0.01


def test_random_bbox_transform_distribution_matches_mmpose(ref):
    rng = np.random.default_rng(0)
    draws = [
        T.random_bbox_transform(np.zeros(2), np.ones(2), rng, shift_prob=0.3) for _ in range(20000)
    ]
    offset = np.stack([c for c, _, _ in draws])  # scale 1 px: offset = factor
    scale = np.array([s[0] for _, s, _ in draws])
    rot = np.array([r for _, _, r in draws])
    q = np.linspace(0.1, 0.9, 9)
    expected = ref["rbt_quantiles"]
    np.testing.assert_allclose(np.quantile(offset[:, 0], q), expected[0], atol=0.006)
    np.testing.assert_allclose(np.quantile(offset[:, 1], q), expected[1], atol=0.006)
    np.testing.assert_allclose(np.quantile(scale, q), expected[2], atol=0.008)
    np.testing.assert_allclose(np.quantile(rot, q), expected[3], atol=2.0)
    nonzero = [np.mean(offset[:, 0] != 0), np.mean(scale != 1), np.mean(rot != 0)]
    np.testing.assert_allclose(nonzero, ref["rbt_nonzero"], atol=0.02)
    assert scale.min() >= 0.75 and scale.max() <= 1.25 and np.abs(rot).max() <= 60


def test_random_bbox_transform_is_seeded_and_scales_offsets():
    a = T.random_bbox_transform([100, 50], [40, 80], np.random.default_rng(5), shift_prob=1)
    b = T.random_bbox_transform([100, 50], [40, 80], np.random.default_rng(5), shift_prob=1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    center, scale, _ = a
    assert scale[0] * 2 == pytest.approx(scale[1])
    assert abs(center[0] - 100) <= 0.16 * 40 and abs(center[1] - 50) <= 0.16 * 80


# ---------------------------------------------------- images and validation


def test_to_rgb_uint8_conversions():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for g in (gray, gray[..., None]):
        out = T.to_rgb_uint8(g)
        assert out.shape == (3, 4, 3)
        np.testing.assert_array_equal(out[..., 1], gray)
    rgba = np.dstack([np.full((2, 2, 3), 7, np.uint8), np.zeros((2, 2), np.uint8)])
    np.testing.assert_array_equal(T.to_rgb_uint8(rgba), np.full((2, 2, 3), 7))
    deep = np.array([[0, 255, 256, 65535]], np.uint16)
    np.testing.assert_array_equal(T.to_rgb_uint8(deep)[..., 0], [[0, 0, 1, 255]])
    with pytest.raises(ValueError, match="float"):
        T.to_rgb_uint8(np.zeros((2, 2, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        T.to_rgb_uint8(np.zeros((2, 2, 2), np.uint8))


def test_load_image_matches_opencv_rules(tmp_path):
    """16-bit and RGBA files decode as MMPose's LoadImage (IMREAD_COLOR) reads them."""
    deep = np.random.default_rng(0).integers(0, 65536, (5, 6, 3)).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), deep)
    np.testing.assert_array_equal(
        T.load_image(tmp_path / "deep.png"), T.to_rgb_uint8(deep[..., ::-1])
    )
    ok, buf = cv2.imencode(".png", np.full((3, 3, 4), (10, 20, 30, 0), np.uint8))
    np.testing.assert_array_equal(T.load_image(buf.tobytes())[0, 0], [30, 20, 10])
    with pytest.raises(FileNotFoundError, match="nope.png"):
        T.load_image(tmp_path / "nope.png")
    with pytest.raises(ValueError, match="do not decode"):
        T.load_image(b"not an image")


@pytest.mark.parametrize("bbox", [[10, 10, 10, 20], [10, 10, 20, 5], [0, 0, np.nan, 4], [1, 2, 3]])
def test_bad_boxes_raise(bbox):
    with pytest.raises(ValueError, match="bbox"):
        T.bbox_xyxy_to_center_scale(bbox)


def test_bad_scale_and_keypoints_raise():
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="scale"):
        T.warp_to_crop(image, None, [4, 4], [0, 4])
    with pytest.raises(ValueError, match="scale"):
        T.center_scale_from_pixel_std([4, 4], -0.5)
    kp = np.array([[1.0, 2.0], [np.nan, 3.0]])
    with pytest.raises(ValueError, match=r"NaN .* indices \[1\]"):
        T.warp_to_crop(image, kp, [4, 4], [4, 4])
    with pytest.raises(ValueError, match="center"):
        T.warp_to_crop(image, None, [np.inf, 4], [4, 4])
