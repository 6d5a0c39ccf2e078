"""Landmarks on video: read a clip (or a webcam) with OpenCV, track and smooth
faces, write an annotated video and a JSON-lines file, report jitter.

Every frame goes through :class:`~keras_facelm.inference.FaceLandmarker`
(frames are batched ``frames_per_batch`` at a time, so the crops of all their
faces share forward passes); :class:`~keras_facelm.inference.tracking.FaceTracker`
gives each face a stable id and its own One-Euro filter.

JSON lines: one record per frame, ``{"frame": i, "time": seconds, "width",
"height", "faces": [{"track_id", "box", "detector_score", "keypoints",
"scores", "keypoints_raw"}]}``; ``keypoints`` are the smoothed ones (what the
video shows), ``keypoints_raw`` the model's (only with smoothing).

Jitter (:func:`keypoint_jitter`): the mean frame-to-frame keypoint motion in
pixels divided by the face size ``sqrt(w * h)`` of its box, over all
consecutive frame pairs of every track. On a still face it measures noise; on a
moving face it also contains the real motion.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os

import cv2
import numpy as np

from keras_facelm.inference.drawing import draw_faces
from keras_facelm.inference.smoothing import OneEuroParams
from keras_facelm.inference.tracking import FaceTracker
from keras_facelm.utils.atomic_write import write_file

__all__ = ["VideoSummary", "keypoint_jitter", "landmark_video", "landmark_video_to_folder"]

_FOURCC = {".mp4": "mp4v", ".avi": "MJPG"}


def keypoint_jitter(tracks) -> float:
    """Mean frame-to-frame keypoint motion normalised by face size.

    Args:
        tracks: ``{track_id: [(frame, keypoints (K, 2) pixels, face size px), ...]}``
            in frame order.

    Returns:
        The mean over consecutive frames (``frame`` differing by 1) of every
        track of ``mean_k |kp_t - kp_t-1| / size_t``; NaN without any pair.
    """
    motions = [
        np.linalg.norm(np.asarray(kp) - np.asarray(prev), axis=-1).mean() / size
        for seq in tracks.values()
        for (f0, prev, _), (f1, kp, size) in zip(seq[:-1], seq[1:], strict=True)
        if f1 == f0 + 1
    ]
    return float(np.mean(motions)) if motions else float("nan")


@dataclasses.dataclass
class VideoSummary:
    """What :func:`landmark_video` did.

    Attributes:
        frames: frames processed; fps: the clip's frame rate (30 if unknown).
        width, height: frame size in pixels.
        tracks: number of distinct face ids.
        jitter_raw, jitter_smoothed: :func:`keypoint_jitter` of the model's and
            of the smoothed keypoints (equal without smoothing).
        output_video, output_jsonl: the files written, or ``None``.
    """

    frames: int
    fps: float
    width: int
    height: int
    tracks: int
    jitter_raw: float
    jitter_smoothed: float
    output_video: str | None
    output_jsonl: str | None

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def _check_video_name(path) -> None:
    if os.path.splitext(os.fspath(path))[1].lower() not in _FOURCC:
        raise ValueError(f"video output {os.fspath(path)!r}: use a .mp4 or .avi file name")


@contextlib.contextmanager
def _video_writer(path, fps, size):
    """An open ``cv2.VideoWriter`` for ``path`` (``.mp4``/``.avi``), released on exit."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    writer = cv2.VideoWriter(os.fspath(path), cv2.VideoWriter_fourcc(*_FOURCC[suffix]), fps, size)
    if not writer.isOpened():
        raise ValueError(f"cannot write video {os.fspath(path)!r}")
    try:
        yield writer
    finally:
        writer.release()


def _frames(capture, max_frames):
    """Yields BGR frames until the clip ends or ``max_frames``."""
    count = 0
    while max_frames is None or count < max_frames:
        ok, frame = capture.read()
        if not ok:
            return
        count += 1
        yield frame


def _batches(frames, size):
    batch = []
    for frame in frames:
        batch.append(frame)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def landmark_video(
    landmarker,
    source,
    *,
    output_video=None,
    output_jsonl=None,
    smoothing: OneEuroParams | None = OneEuroParams(),  # noqa: B008
    iou_threshold: float = 0.3,
    max_missed: int = 10,
    frames_per_batch: int | None = None,
    max_frames: int | None = None,
    indices: bool = False,
    progress: bool = False,
    overwrite: bool = False,
) -> VideoSummary:
    """Landmarks of every face in every frame of a video.

    Args:
        landmarker: a :class:`~keras_facelm.inference.FaceLandmarker` (with a
            detector).
        source: a video file path, or an integer webcam index.
        output_video: ``.mp4``/``.avi`` path for the annotated video, or ``None``.
        output_jsonl: path for the per-frame JSON lines, or ``None``.
        smoothing: One-Euro parameters per face
            (:class:`~keras_facelm.inference.smoothing.OneEuroParams`), or
            ``None`` for raw keypoints.
        iou_threshold, max_missed: tracker settings
            (:class:`~keras_facelm.inference.tracking.FaceTracker`).
        frames_per_batch: frames detected and landmarked together (default:
            8 for a file, 1 for a webcam, which must not wait for later frames).
        max_frames: stop after this many frames (needed for a webcam).
        indices: number the points in the annotated video.
        progress: show a progress bar (tqdm) on stderr.
        overwrite: replace existing output files. Outputs are written under
            temporary names and renamed into place only when the whole video is
            done, so an error or an interruption leaves no half-written file.

    Returns:
        :class:`VideoSummary`.

    Raises:
        ValueError: the video cannot be opened, or an output cannot be written.
        OutputExistsError: an output file exists and ``overwrite`` is false
            (raised before any frame is read).
    """
    camera = isinstance(source, int)
    if frames_per_batch is None:
        frames_per_batch = 1 if camera else 8
    if output_video is not None:
        _check_video_name(output_video)
    capture = cv2.VideoCapture(source if camera else os.fspath(source))
    if not capture.isOpened():
        raise ValueError(f"cannot open video {source!r}")
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    tracker = FaceTracker(iou_threshold=iou_threshold, max_missed=max_missed, smoothing=smoothing)
    raw_tracks, smooth_tracks, index = {}, {}, 0
    # Leaving the stack closes the writers, renames the finished files into place (or,
    # after an error, removes them), and releases the capture.
    with contextlib.ExitStack() as outputs:
        outputs.callback(capture.release)

        def temporary(path):
            return outputs.enter_context(write_file(path, overwrite=overwrite))

        writer = jsonl = bar = None
        if output_video is not None:
            writer = outputs.enter_context(
                _video_writer(temporary(output_video), fps, (width, height))
            )
        if output_jsonl is not None:
            jsonl = outputs.enter_context(open(temporary(output_jsonl), "w"))  # noqa: SIM115
        if progress:
            from tqdm import tqdm

            bar = outputs.enter_context(
                tqdm(total=max_frames or total, unit="frame", desc=os.fspath(str(source)))
            )
        for batch in _batches(_frames(capture, max_frames), frames_per_batch):
            results = landmarker.detect(batch, color="bgr", raise_errors=True)
            for frame, result in zip(batch, results, strict=True):
                t = index / fps
                ids = tracker.update([f.box for f in result], index)
                shown, records = [], []
                for face, tid in zip(result, ids, strict=True):
                    raw = face.keypoints
                    smoothed = tracker.smooth(tid, raw, t)
                    x1, y1, x2, y2 = face.box
                    size = float(np.sqrt(max((x2 - x1) * (y2 - y1), 1e-9)))
                    raw_tracks.setdefault(tid, []).append((index, raw, size))
                    smooth_tracks.setdefault(tid, []).append((index, smoothed, size))
                    face = dataclasses.replace(
                        face, track_id=int(tid), keypoints=smoothed.astype(np.float32)
                    )
                    record = face.to_json()
                    if smoothing is not None:
                        record["keypoints_raw"] = np.round(raw.astype(np.float64), 2).tolist()
                    shown.append(face)
                    records.append(record)
                if jsonl is not None:
                    frame_record = {
                        "frame": index,
                        "time": round(t, 4),
                        "width": width,
                        "height": height,
                        "faces": records,
                    }
                    jsonl.write(json.dumps(frame_record) + "\n")
                if writer is not None:
                    rgb = draw_faces(
                        frame[..., ::-1], shown, scheme=landmarker.scheme.name, indices=indices
                    )
                    writer.write(np.ascontiguousarray(rgb[..., ::-1]))
                index += 1
                if bar is not None:
                    bar.update(1)
    return VideoSummary(
        frames=index,
        fps=float(fps),
        width=width,
        height=height,
        tracks=len(raw_tracks),
        jitter_raw=keypoint_jitter(raw_tracks),
        jitter_smoothed=keypoint_jitter(smooth_tracks),
        output_video=None if output_video is None else os.fspath(output_video),
        output_jsonl=None if output_jsonl is None else os.fspath(output_jsonl),
    )


def landmark_video_to_folder(landmarker, source, output_dir, **options):
    """:func:`landmark_video` writing ``<name>.landmarks.mp4`` and ``<name>.jsonl`` into a folder.

    Args:
        landmarker: a :class:`~keras_facelm.inference.FaceLandmarker`.
        source: a video file path, or a webcam index (``int``; the files are then
            named ``camera``).
        output_dir: created if missing.
        **options: more :func:`landmark_video` arguments (``smoothing``, ``max_frames``, ...).

    Returns:
        The :class:`VideoSummary`.
    """
    name = "camera" if isinstance(source, int) else os.path.splitext(os.path.basename(source))[0]
    out = os.fspath(output_dir)
    os.makedirs(out, exist_ok=True)
    return landmark_video(
        landmarker,
        source,
        output_video=os.path.join(out, f"{name}.landmarks.mp4"),
        output_jsonl=os.path.join(out, f"{name}.jsonl"),
        **options,
    )
