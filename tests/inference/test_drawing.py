"""draw_landmarks: dots at sub-pixel positions, visibility, contours, input handling."""

import numpy as np
import pytest

from keras_facelm.inference.drawing import IBUG68_CONTOURS, draw_landmarks


def test_dots_are_drawn_where_the_keypoints_are_and_input_is_kept():
    image = np.zeros((40, 50, 3), np.uint8)
    out = draw_landmarks(image, [[10, 20], [30.5, 5.25]], radius=2, color=(0, 255, 0))
    assert out.dtype == np.uint8 and out.shape == (40, 50, 3)
    assert not image.any()  # a copy
    np.testing.assert_array_equal(out[20, 10], [0, 255, 0])
    assert out[5, 30, 1] > 100 and out[5, 31, 1] > 100  # centre between the two columns
    assert out[..., [0, 2]].max() == 0
    green = out[..., 1] > 0
    assert not green[30:, :].any() and not green[:, 40:].any()


def test_invisible_and_nan_points_are_skipped():
    out = draw_landmarks(
        np.zeros((20, 20), np.uint8), [[5, 5], [15, 15], [np.nan, 3]], visible=[1, 0, 1]
    )
    assert out.shape == (20, 20, 3)
    assert out[5, 5].any() and not out[12:, 12:].any()


def test_contours_connect_the_68_points():
    kp = np.stack([np.linspace(10, 1350, 68), np.full(68, 50.0)], axis=-1)  # 20 px apart
    vis = np.ones(68)
    vis[30:] = 0
    canvas = np.zeros((100, 1400, 3), np.uint8)
    dots = draw_landmarks(canvas, kp, visible=vis, radius=2)
    lines = draw_landmarks(canvas, kp, visible=vis, radius=2, contours=True, line_color=(255, 0, 0))
    # Between points 0 and 1 (x = 10 and 30) only the jaw line is drawn.
    assert lines[50, 20, 0] > 0 and not dots[50, 20].any()
    # Points 16 and 17 belong to different contours (jaw, brow): no line.
    assert not lines[50, 335:345].any()
    # Hidden points (30..67, x >= 610) get neither dots nor lines.
    assert lines[:, :600].any() and not lines[:, 605:].any()
    assert sum(stop - start for start, stop, _ in IBUG68_CONTOURS) == 68
    with pytest.raises(ValueError, match="68-point"):
        draw_landmarks(np.zeros((10, 10, 3), np.uint8), np.zeros((98, 2)), contours=True)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match=r"\(K, 2\)"):
        draw_landmarks(np.zeros((10, 10, 3), np.uint8), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="visible"):
        draw_landmarks(np.zeros((10, 10, 3), np.uint8), np.zeros((5, 2)), visible=[1, 1])
    with pytest.raises(ValueError, match="float"):
        draw_landmarks(np.zeros((10, 10, 3), np.float32), np.zeros((5, 2)))


def test_region_colours_indices_faces_and_writing(tmp_path):
    from types import SimpleNamespace

    from keras_facelm.data.schemes import get_scheme
    from keras_facelm.inference.drawing import REGION_COLORS, draw_faces, write_image

    kp = np.stack([np.linspace(20, 680, 68), np.full(68, 100.0)], -1)
    out = draw_landmarks(np.zeros((200, 700, 3), np.uint8), kp, scheme="300w", radius=2)
    for region, idx in get_scheme("300w").regions.items():
        x = int(round(kp[idx[0], 0]))
        np.testing.assert_array_equal(out[100, x], REGION_COLORS[region])
    numbered = draw_landmarks(np.zeros((200, 700, 3), np.uint8), kp, scheme="300w", indices=True)
    assert numbered[80:97].any() and not out[80:97].any()  # the numbers sit above the dots
    with pytest.raises(ValueError, match="has 98 points, got K=68"):
        draw_landmarks(out, kp, scheme="wflw")
    face = SimpleNamespace(box=[10, 50, 690, 150], keypoints=kp, detector_score=0.9, track_id=3)
    drawn = draw_faces(np.zeros((200, 700, 3), np.uint8), [face], scheme="300w")
    assert drawn[50, 300].any() and drawn[30:48, 10:60].any()  # box edge and label
    write_image(tmp_path / "x.png", drawn)
    import cv2

    assert np.array_equal(cv2.imread(str(tmp_path / "x.png"))[..., ::-1], drawn)
    with pytest.raises(ValueError, match="cannot write image"):
        write_image(tmp_path / "x.unknown", drawn)
