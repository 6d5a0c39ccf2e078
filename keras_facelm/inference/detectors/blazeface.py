"""MediaPipe's BlazeFace face detectors, run with LiteRT and decoded in numpy.

The ``.tflite`` files ship in this package (``data/``, Apache-2.0, see
``data/NOTICE.md``); nothing is downloaded. The pre- and post-processing
follows MediaPipe's face-detection graphs
(``mediapipe/modules/face_detection/face_detection.pbtxt`` with the
``face_detection_{short,full}_range.pbtxt`` options):

1. the image is letterboxed (aspect ratio kept, zero border) to the model's
   square input and scaled to ``[-1, 1]`` (``ImageToTensorCalculator``);
2. SSD anchors (``SsdAnchorsCalculator``, ``fixed_anchor_size: true``, so only
   the anchor centres matter) decode the 16 regressors per anchor: box centre
   ``(x, y)``, size ``(w, h)`` and six keypoints, in input pixels relative to
   the anchor (``TensorsToDetectionsCalculator``, ``reverse_output_order``);
3. scores are ``sigmoid(clip(logit, -100, 100))``, kept above a threshold;
4. the letterbox is undone to image pixels;
5. optionally (``tile_size``), for a large image, 1-4 again on overlapping
   tiles, which adds candidates for small faces;
6. weighted non-maximum suppression at IoU 0.3 over all candidates
   (:func:`keras_facelm.inference.boxes.weighted_nms`). Steps 4 and 6 are in
   the opposite order in MediaPipe; NMS on IoU gives the same result in either
   frame, as the letterbox scales x and y alike.

Box convention: BlazeFace's box is about square and covers forehead to chin;
it sits higher on the face and is a little larger than the landmark box that
MMPose's face crops are built from. :mod:`keras_facelm.inference.detectors.adapters` maps one to
the other.

Numpy, OpenCV and ``ai_edge_litert`` only.
"""

from __future__ import annotations

import dataclasses
import math
import pathlib

import cv2
import numpy as np

from keras_facelm.inference.boxes import weighted_nms

__all__ = [
    "BLAZEFACE_KEYPOINTS",
    "BLAZEFACE_MODELS",
    "BlazeFaceModel",
    "Detections",
    "BlazeFaceDetector",
    "ssd_anchor_centers",
]

DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"

#: The six BlazeFace keypoints, in output order.
BLAZEFACE_KEYPOINTS = (
    "right_eye",
    "left_eye",
    "nose_tip",
    "mouth_center",
    "right_ear_tragion",
    "left_ear_tragion",
)


@dataclasses.dataclass(frozen=True)
class BlazeFaceModel:
    """One BlazeFace variant: file and MediaPipe graph options.

    Attributes:
        filename: ``.tflite`` file in ``data/``.
        input_size: square input side in pixels.
        strides: ``SsdAnchorsCalculator`` strides, one per layer.
        interpolated_anchor: whether each layer adds the interpolated-scale
            anchor (``interpolated_scale_aspect_ratio`` 1.0 vs 0.0).
        score_threshold: MediaPipe's ``min_score_thresh`` for this variant.
    """

    filename: str
    input_size: int
    strides: tuple[int, ...]
    interpolated_anchor: bool
    score_threshold: float


BLAZEFACE_MODELS = {
    # face_detection_short_range.pbtxt: a selfie model (faces within ~2 m).
    "short_range": BlazeFaceModel(
        "face_detection_short_range.tflite", 128, (8, 16, 16, 16), True, 0.5
    ),
    # face_detection_full_range.pbtxt: faces within ~5 m; MediaPipe ships this
    # model's sparse-weight version (mediapipe 0.10.21), as is bundled here.
    "full_range": BlazeFaceModel("face_detection_full_range_sparse.tflite", 192, (4,), False, 0.6),
}


def ssd_anchor_centers(
    input_size: int, strides, interpolated_anchor: bool, offset: float = 0.5
) -> np.ndarray:
    """Anchor centres of MediaPipe's ``SsdAnchorsCalculator`` with one aspect
    ratio (1.0) and ``fixed_anchor_size: true``.

    Consecutive layers with the same stride share one feature map; each layer
    contributes one anchor per cell, plus one for the interpolated scale when
    ``interpolated_anchor``. Anchors are ordered by feature map, then row,
    column, and anchor within the cell.

    Returns:
        float32 ``(N, 2)`` ``(x, y)`` centres normalised to [0, 1] of the input.
    """
    centers, layer = [], 0
    strides = list(strides)
    while layer < len(strides):
        same = layer
        while same < len(strides) and strides[same] == strides[layer]:
            same += 1
        per_cell = (same - layer) * (2 if interpolated_anchor else 1)
        cells = math.ceil(input_size / strides[layer])
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + offset) / cells, (ys + offset) / cells], -1)
        centers.append(np.repeat(grid.reshape(-1, 2), per_cell, axis=0))
        layer = same
    return np.concatenate(centers).astype(np.float32)


@dataclasses.dataclass
class Detections:
    """Raw detector output for one image, in image pixels.

    Attributes:
        boxes: float32 ``(F, 4)`` ``(x1, y1, x2, y2)`` in the detector's own
            box convention.
        scores: float32 ``(F,)`` in [0, 1].
        keypoints: float32 ``(F, 6, 2)`` (:data:`BLAZEFACE_KEYPOINTS`) or
            ``None`` for detectors without keypoints.
    """

    boxes: np.ndarray
    scores: np.ndarray
    keypoints: np.ndarray | None = None


def _letterbox(image, size):
    """Resizes ``image`` into a ``size``-square keeping its aspect ratio.

    Returns:
        ``(tensor float32 (size, size, 3) in [-1, 1], (pad_x, pad_y) and
        content (w, h) as fractions of the square)``.
    """
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(
        image, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    )
    canvas = np.zeros((size, size, 3), np.float32)
    x0, y0 = (size - nw) // 2, (size - nh) // 2
    canvas[y0 : y0 + nh, x0 : x0 + nw] = resized.astype(np.float32) / 127.5 - 1.0
    return canvas, np.array([x0, y0]) / size, np.array([nw, nh]) / size


class BlazeFaceDetector:
    """BlazeFace on an RGB image: boxes, scores and six keypoints in pixels.

    Args:
        variant: ``"full_range"`` (faces up to ~5 m; MediaPipe's sparse
            model) or ``"short_range"`` (selfie distance, faces larger than ~1/5 of the
            image).
        score_threshold: minimum sigmoid score; ``None`` for MediaPipe's
            (0.5 short range, 0.6 full range).
        iou_threshold: weighted-NMS clustering IoU (MediaPipe: 0.3).
        tile_size: side in pixels of the overlapping squares (3/4 step) that
            images whose longer side exceeds 1.5 ``tile_size`` are also
            searched in, or ``None`` to search the whole image only (as
            MediaPipe does). The whole-image pass finds faces down to about
            1/14 of the longer side; tiles of 640 px find faces down to about
            45 px.
        num_threads: LiteRT CPU threads.
    """

    def __init__(
        self,
        variant: str = "full_range",
        *,
        score_threshold=None,
        iou_threshold: float = 0.3,
        tile_size: int | None = None,
        num_threads: int | None = None,
    ):
        if variant not in BLAZEFACE_MODELS:
            raise ValueError(
                f"unknown BlazeFace variant {variant!r}; expected one of {sorted(BLAZEFACE_MODELS)}"
            )
        from ai_edge_litert.interpreter import Interpreter

        self.variant = variant
        self.spec = BLAZEFACE_MODELS[variant]
        self.score_threshold = (
            self.spec.score_threshold if score_threshold is None else float(score_threshold)
        )
        self.iou_threshold = float(iou_threshold)
        self.tile_size = None if tile_size is None else int(tile_size)
        self._interpreter = Interpreter(
            model_path=str(DATA_DIR / self.spec.filename), num_threads=num_threads
        )
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = sorted(self._interpreter.get_output_details(), key=lambda d: d["shape"][-1])
        self._logits, self._regressors = (d["index"] for d in outputs)
        self.anchors = ssd_anchor_centers(
            self.spec.input_size, self.spec.strides, self.spec.interpolated_anchor
        )

    def decode(self, regressors, logits):
        """Decodes raw model outputs (one image) in normalised input coordinates.

        Args:
            regressors: ``(N, 16)``; logits: ``(N,)`` or ``(N, 1)``.

        Returns:
            :class:`Detections` in [0, 1] input coordinates, before NMS, only
            anchors scoring at least ``score_threshold``.
        """
        size = float(self.spec.input_size)
        raw = np.asarray(regressors, np.float32).reshape(len(self.anchors), 16)
        logits = np.clip(np.asarray(logits, np.float32).reshape(-1), -100.0, 100.0)
        scores = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid, no overflow
        keep = scores >= self.score_threshold
        raw, anchors = raw[keep], self.anchors[keep]
        center = raw[:, 0:2] / size + anchors
        half = raw[:, 2:4] / size / 2
        boxes = np.concatenate([center - half, center + half], axis=1)
        keypoints = raw[:, 4:16].reshape(-1, 6, 2) / size + anchors[:, None, :]
        return Detections(boxes, scores[keep], keypoints)

    def _candidates(self, image, origin=(0, 0)):
        """Decoded detections of one model run, before NMS, in pixels of the
        image that ``image`` was cut from at ``origin`` (x, y)."""
        h, w = image.shape[:2]
        tensor, pad, content = _letterbox(image, self.spec.input_size)
        self._interpreter.set_tensor(self._input, tensor[None])
        self._interpreter.invoke()
        found = self.decode(
            self._interpreter.get_tensor(self._regressors)[0],
            self._interpreter.get_tensor(self._logits)[0],
        )
        # Undo the letterbox: normalised square → pixels (one scale for x and y).
        to_px = np.array([w, h]) / content
        boxes = (found.boxes.reshape(-1, 2, 2) - pad) * to_px + origin
        keypoints = (found.keypoints - pad) * to_px + origin
        return Detections(boxes.reshape(-1, 4), found.scores, keypoints)

    def _tile_candidates(self, image):
        """Candidates from overlapping ``tile_size`` squares; a detection that
        reaches within 2 % of a tile edge inside the image is dropped (a face
        cut by the tile; the overlap holds it whole in a neighbour)."""
        h, w = image.shape[:2]
        size, step = self.tile_size, int(self.tile_size * 0.75)
        found = []
        for y0 in _tile_starts(h, size, step):
            for x0 in _tile_starts(w, size, step):
                tile = image[y0 : y0 + size, x0 : x0 + size]
                c = self._candidates(tile, (x0, y0))
                th, tw = tile.shape[:2]
                margin = 0.02 * size
                inner_lo = np.array([x0 if x0 > 0 else -np.inf, y0 if y0 > 0 else -np.inf])
                inner_hi = np.array(
                    [
                        x0 + tw if x0 + tw < w else np.inf,
                        y0 + th if y0 + th < h else np.inf,
                    ]
                )
                keep = np.all(c.boxes[:, :2] > inner_lo + margin, axis=1) & np.all(
                    c.boxes[:, 2:] < inner_hi - margin, axis=1
                )
                found.append(Detections(c.boxes[keep], c.scores[keep], c.keypoints[keep]))
        return found

    def detect(self, image) -> Detections:
        """Faces in one RGB uint8 ``(H, W, 3)`` image, boxes in BlazeFace's
        convention, image pixels, best score first.

        The model sees the whole image letterboxed; when ``tile_size`` is set
        and the image's longer side exceeds 1.5 ``tile_size``, it also sees
        overlapping ``tile_size`` squares (for faces too small in the whole
        image), and one weighted NMS merges all candidates.
        """
        parts = [self._candidates(image)]
        if self.tile_size and max(image.shape[:2]) > 1.5 * self.tile_size:
            parts += self._tile_candidates(image)
        boxes, scores, keypoints = weighted_nms(
            np.concatenate([p.boxes for p in parts]),
            np.concatenate([p.scores for p in parts]),
            self.iou_threshold,
            extra=np.concatenate([p.keypoints for p in parts]),
        )
        return Detections(
            boxes.astype(np.float32),
            scores.astype(np.float32),
            keypoints.astype(np.float32),
        )


def _tile_starts(length, size, step):
    """Start offsets of ``size`` windows every ``step`` covering ``length``."""
    if length <= size:
        return [0]
    starts = list(range(0, length - size + 1, step))
    if starts[-1] + size < length:
        starts.append(length - size)
    return starts
