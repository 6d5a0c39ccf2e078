"""TopdownDataset: record handling, target values, determinism, one fit step per backend."""

import keras
import numpy as np
import pytest

from keras_facelm.codecs import MSRAHeatmap
from keras_facelm.data import transforms as T
from keras_facelm.data.pipeline import TopdownDataset, prepare_record
from keras_facelm.data.readers.image_io import encode_png
from keras_facelm.data.synthetic_faces import SyntheticFaces

CODEC = MSRAHeatmap(input_size=(256, 256), heatmap_size=(64, 64), sigma=2.0)


@pytest.fixture(scope="module")
def faces():
    return list(SyntheticFaces(4, seed=7, image_size=(160, 160)))


def _dataset(records, **kwargs):
    kwargs = {"codec": CODEC, "scheme": "300w", "batch_size": 2, **kwargs}
    return TopdownDataset(records, **kwargs)


def test_eval_batch_shapes_and_crop_geometry(faces):
    ds = _dataset(faces, train=False)
    assert len(ds) == 2
    images, heatmaps, weights = ds[0]
    assert images.dtype == np.float32 and images.shape == (2, 256, 256, 3)
    assert 0 <= images.min() and images.max() <= 255
    assert heatmaps.shape == (2, 64, 64, 68) and weights.shape == (2, 68)
    batch = ds.get_batch(0)
    for i in range(2):
        f = faces[i]
        center, scale = T.center_scale_from_pixel_std(f["center"], f["scale"])
        np.testing.assert_array_equal(batch["center"][i], center)
        np.testing.assert_array_equal(batch["bbox_scale"][i], scale)
        np.testing.assert_array_equal(batch["image_keypoints"][i], f["keypoints"])
        # Crop keypoints map back to the image keypoints.
        back = T.crop_to_image(batch["keypoints"][i], center, scale, (256, 256))
        np.testing.assert_allclose(back, f["keypoints"], atol=2e-3)
    assert not batch["flipped"].any() and not batch["rotation"].any()


def test_heatmap_argmax_is_the_crop_position_over_four(faces):
    batch = _dataset(faces, train=True, seed=3).get_batch(1)
    for hm, kp, w in zip(batch["targets"], batch["keypoints"], batch["weights"], strict=True):
        inside = (kp >= 0).all(1) & (kp < 255).all(1)
        assert np.all(w[inside] == 1)
        flat = hm.reshape(-1, 68).argmax(0)
        yx = np.stack(np.unravel_index(flat, (64, 64)), axis=-1)
        expected = (kp / 4 + 0.5).astype(int)  # MMPose: int(coord / 4 + 0.5)
        np.testing.assert_array_equal(yx[inside][:, ::-1], expected[inside])
        assert np.all(hm[..., inside].max(axis=(0, 1)) == 1.0)


def test_training_augmentation_is_seeded_and_varies(faces):
    a = _dataset(faces, seed=1).get_batch(0)
    b = _dataset(faces, seed=1).get_batch(0)
    np.testing.assert_array_equal(a["images"], b["images"])
    np.testing.assert_array_equal(a["indices"], b["indices"])
    c = _dataset(faces, seed=2).get_batch(0)
    assert not np.array_equal(a["images"], c["images"])
    ds = _dataset(faces, seed=1)
    first = ds.sample(0)
    ds.on_epoch_end()
    assert not np.array_equal(first["image"], ds.sample(0)["image"])
    # Draws depend on (seed, epoch, index), not on the number of workers.
    draws = [_dataset(faces, seed=4, batch_size=4).sample(i) for i in range(4)]
    flips = {d["flipped"] for d in draws} | {
        _dataset(faces, seed=s).sample(0)["flipped"] for s in range(10)
    }
    assert flips == {True, False}


def test_flip_swaps_keypoint_order(faces):
    ds = _dataset(
        faces,
        seed=0,
        bbox_transform=dict(shift_prob=0, scale_prob=0, rotate_prob=0),
        flip_prob=1.0,
    )
    s = ds.sample(0)
    plain = _dataset(faces, train=False).sample(0)
    flip = np.array(ds.scheme.flip_indices)
    # Mirrored about the crop's vertical axis, with left/right labels swapped.
    np.testing.assert_allclose(s["keypoints"][:, 1], plain["keypoints"][flip, 1], atol=1e-3)
    mirrored = s["keypoints"][:, 0] + plain["keypoints"][flip, 0]
    np.testing.assert_allclose(mirrored, mirrored.mean(), atol=0.05)


def test_record_formats(faces, tmp_path):
    f = faces[0]
    rgb = f["image"]
    path = tmp_path / "face.png"
    path.write_bytes(encode_png(rgb))
    base = {"keypoints": f["keypoints"], "visibility": f["keypoints_visible"]}
    for image_fields in (
        {"image": rgb},
        {"image": encode_png(rgb)},
        {"image_path": str(path)},
        {"image_bytes": encode_png(rgb)},
        {"image": rgb[..., :1]},
    ):
        rec = prepare_record({**base, **image_fields, "bbox": f["bbox"]})
        assert rec["image"].shape == (160, 160, 3) and rec["image"].dtype == np.uint8
    # bbox path (COFW/COCO) versus center/scale path (WFLW/300W/AFLW).
    from_box = prepare_record({**base, "image": rgb, "bbox": f["bbox"]})
    c, s = T.bbox_xyxy_to_center_scale(f["bbox"])
    np.testing.assert_array_equal(from_box["bbox_scale"], s)
    nan_cs = {"center": [np.nan, np.nan], "scale": np.nan, "bbox": f["bbox"]}
    np.testing.assert_array_equal(prepare_record({**base, "image": rgb, **nan_cs})["center"], c)
    both = prepare_record(
        {
            **base,
            "image": rgb,
            "bbox": [0, 0, 10, 10],
            "center": f["center"],
            "scale": f["scale"],
        }
    )
    np.testing.assert_allclose(both["bbox_scale"], [f["scale"] * 250] * 2, rtol=1e-6)


def test_record_errors(faces):
    f = faces[0]
    good = {
        "image": f["image"],
        "keypoints": f["keypoints"],
        "bbox": f["bbox"],
        "key": "x1",
    }
    with pytest.raises(ValueError, match=r"record 0 \(x1\).*bbox"):
        prepare_record({**good, "bbox": [5, 5, 5, 9]})
    with pytest.raises(ValueError, match="no face box"):
        prepare_record({k: v for k, v in good.items() if k != "bbox"})
    kp = f["keypoints"].copy()
    kp[3] = np.nan
    with pytest.raises(ValueError, match=r"keypoints \[3\] are NaN"):
        prepare_record({**good, "keypoints": kp})
    vis = np.ones(68, np.float32)
    vis[3] = 0
    assert np.all(prepare_record({**good, "keypoints": kp, "visible": vis})["keypoints"][3] == 0)
    with pytest.raises(ValueError, match="float"):
        prepare_record({**good, "image": f["image"].astype(np.float32)})
    with pytest.raises(FileNotFoundError):
        prepare_record({**good, "image": "/nonexistent/face.jpg"})
    with pytest.raises(ValueError, match="scheme '300w' has 68"):
        _dataset([{**good, "keypoints": f["keypoints"][:5]}], train=False)[0]
    with pytest.raises(ValueError, match="codec input_size"):
        _dataset([good], input_size=(128, 128))


def _tiny_hrnet(size):
    from keras_facelm.backbones.hrnet import HRNetBackbone, hrnet_stages
    from keras_facelm.models import HRNetV2W18

    stages = hrnet_stages(4, stage1_blocks=1, num_blocks=1)
    stages["stage1"]["num_channels"] = (8,)
    stages["stage3"]["num_modules"] = 1
    stages["stage4"]["num_modules"] = 1
    return HRNetV2W18(
        68,
        backbone=HRNetBackbone(stages),
        scheme="300w",
        codec=dict(input_size=(size, size)),
    )


def _tiny_convnet(size):
    """Pixels → (N, size/4, size/4, 68) heatmaps in four layers (compiles in seconds)."""
    x = inputs = keras.Input((size, size, 3))
    x = keras.layers.Rescaling(1 / 255.0)(x)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    return keras.Model(inputs, keras.layers.Conv2D(68, 1)(x))


def _fit_one_step(model, faces, size):
    from keras_facelm.losses import KeypointMSELoss

    codec = MSRAHeatmap(input_size=(size, size), heatmap_size=(size // 4, size // 4), sigma=1.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=KeypointMSELoss())

    def dataset(records):
        return TopdownDataset(
            records, codec=codec, scheme="300w", batch_size=2, opencv4_exact=False
        )

    ds = dataset(faces)
    history = model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
    assert np.isfinite(history.history["loss"][0]) and history.history["loss"][0] > 0
    # The batch's keypoint weights reach the loss as sample_weight: with every
    # keypoint unlabelled the weights, and so the loss, are zero.
    hidden = [{**f, "keypoints_visible": np.zeros(68, np.float32)} for f in faces]
    ds0 = dataset(hidden)
    assert not ds0[0][2].any()
    history = model.fit(ds0, epochs=1, steps_per_epoch=1, verbose=0)
    assert history.history["loss"][0] == 0.0


def test_fit_one_step_on_this_backend(faces):
    _fit_one_step(_tiny_convnet(64), faces, 64)


@pytest.mark.slow  # XLA/graph compilation of even a tiny HRNet takes ~1 min on CPU
def test_fit_one_step_tiny_hrnet_on_this_backend(faces):
    _fit_one_step(_tiny_hrnet(64), faces, 64)


def test_crop_size_comes_from_the_codec(faces):
    codec = MSRAHeatmap(input_size=(64, 48), heatmap_size=(16, 12))
    ds = TopdownDataset(faces, codec=codec, scheme="300w", train=False, batch_size=2)
    images, targets, _ = ds[0]
    assert ds.input_size == (64, 48)
    assert images.shape == (2, 48, 64, 3) and targets.shape == (2, 12, 16, 68)
    with pytest.raises(ValueError, match="input_size .* is required without a codec"):
        TopdownDataset(faces, codec=None, scheme="300w")
    with pytest.raises(ValueError, match="differs from the crop size"):
        TopdownDataset(faces, codec=codec, scheme="300w", input_size=(64, 64))
