"""OpenCV's Haar-cascade face detector (Viola-Jones), an optional alternative.

OpenCV 5's ``opencv-python(-headless)`` wheels have no ``cv2.CascadeClassifier``
(the cascade detector moved to the contrib modules) and no ``cv2/data``
cascades. ``opencv-contrib-python-headless`` (4.x or 5.x) and the 4.x
``opencv-python-headless`` wheels have the class; the frontal-face cascade
itself ships in this package (``data/haarcascade_frontalface_default.xml``, Intel
License Agreement, BSD-style, in the file's header), so any OpenCV build with
the class works.

Box convention: the cascade's square box covers brows to lower lip; see
:mod:`keras_facelm.inference.detectors.adapters`.
"""

from __future__ import annotations

import pathlib

import cv2
import numpy as np

from keras_facelm.inference.detectors.blazeface import DATA_DIR, Detections

__all__ = ["HAAR_CASCADES", "HaarCascadeDetector"]

#: Bundled cascades by name → file in ``data/``.
HAAR_CASCADES = {
    "frontalface_default": "haarcascade_frontalface_default.xml",
}


class HaarCascadeDetector:
    """``cv2.CascadeClassifier.detectMultiScale2`` on a grayscale copy.

    Args:
        cascade: a bundled cascade name (:data:`HAAR_CASCADES`) or a path to a
            cascade ``.xml``.
        scale_factor, min_neighbors, min_size: ``detectMultiScale`` options
            (pyramid step, neighbouring detections needed, smallest face in
            pixels).

    Raises:
        RuntimeError: the installed OpenCV has no ``CascadeClassifier``.
        ValueError: the cascade cannot be loaded.
    """

    def __init__(
        self,
        cascade: str = "frontalface_default",
        *,
        scale_factor=1.1,
        min_neighbors: int = 5,
        min_size=(20, 20),
    ):
        if not hasattr(cv2, "CascadeClassifier"):
            raise RuntimeError(
                f"OpenCV {cv2.__version__} has no CascadeClassifier (OpenCV 5 moved it to "
                "the contrib modules): install opencv-contrib-python-headless instead of "
                "opencv-python-headless, or use detector='blazeface'"
            )
        path = DATA_DIR / HAAR_CASCADES[cascade] if cascade in HAAR_CASCADES else cascade
        self._classifier = cv2.CascadeClassifier(str(pathlib.Path(path)))
        if self._classifier.empty():
            raise ValueError(f"cannot load Haar cascade {str(path)!r}")
        self.scale_factor = float(scale_factor)
        self.min_neighbors = int(min_neighbors)
        self.min_size = tuple(int(v) for v in min_size)

    def detect(self, image) -> Detections:
        """Faces in one RGB uint8 image; ``scores`` are the neighbour counts
        divided by their maximum in the image (a rank, not a probability)."""
        gray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
        rects, neighbours = self._classifier.detectMultiScale2(
            gray,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=self.min_size,
        )
        rects = np.asarray(rects, np.float32).reshape(-1, 4)
        counts = np.asarray(neighbours, np.float32).reshape(-1)
        order = np.argsort(-counts, kind="stable")
        boxes = np.concatenate([rects[:, :2], rects[:, :2] + rects[:, 2:]], axis=1)
        scores = counts / counts.max() if len(counts) else counts
        return Detections(boxes[order], scores[order])
