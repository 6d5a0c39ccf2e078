"""Synthetic scenes for detector tests and benchmarks (also imported by benchmarks/)."""

from __future__ import annotations

import cv2
import numpy as np

#: Top-left corners (x, y) of the six small faces in :func:`small_faces_scene`, pixels.
SMALL_FACE_CORNERS = ((100, 100), (1400, 300), (2700, 1700), (600, 1200), (2000, 900), (1000, 1790))


def small_faces_scene(face):
    """A grey 3000x2000 RGB image with six copies of ``face`` resized to 128x150 px."""
    face = cv2.resize(face, (128, 150))
    scene = np.full((2000, 3000, 3), 90, np.uint8)
    for x, y in SMALL_FACE_CORNERS:
        scene[y : y + 150, x : x + 128] = face
    return scene
