"""Landmarks for files and folders: what ``keras-facelm predict`` does.

For every input (a photo, a video, or a folder of them, not recursive):

* photo ``x.jpg`` → ``OUT/x.json`` (the record of
  :meth:`~keras_facelm.inference.ImageResult.to_json`: ``image``, ``width``,
  ``height``, ``scheme``, ``faces`` with ``box``, ``detector_score``,
  ``keypoints``, ``scores``) and, with ``overlay``, ``OUT/x.png``;
* video ``x.mp4`` → ``OUT/x.landmarks.mp4`` (annotated) and ``OUT/x.jsonl``
  (one record per frame, :func:`~keras_facelm.inference.landmark_video`).

Photos are landmarked ``images_per_batch`` at a time (all their faces share
forward passes). An input that cannot be read is named in one line on the
``log`` stream and skipped; the others are still written. Two inputs with the
same stem get ``x.json`` and ``x_2.json``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import sys

from keras_facelm.inference.drawing import draw_faces, write_image
from keras_facelm.inference.landmarker import read_image
from keras_facelm.inference.video import landmark_video
from keras_facelm.utils.atomic_write import check_output_directory, write_file

__all__ = [
    "IMAGE_SUFFIXES",
    "VIDEO_SUFFIXES",
    "PredictReport",
    "expand_inputs",
    "predict_files",
]

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".ppm", ".pgm", ".pbm", ".tif", ".tiff", ".webp"}
)
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"})


@dataclasses.dataclass
class PredictReport:
    """Outcome of :func:`predict_files`.

    Attributes:
        written: paths of the files written.
        failed: ``(input, one-line message)`` for each input that was skipped.
        videos: ``{input: VideoSummary.to_json()}`` for each video.
    """

    written: list = dataclasses.field(default_factory=list)
    failed: list = dataclasses.field(default_factory=list)
    videos: dict = dataclasses.field(default_factory=dict)


def expand_inputs(inputs) -> list[pathlib.Path]:
    """Files as given (any suffix); folders expanded to their photos and videos,
    sorted. A path that does not exist is kept, to be reported when read."""
    out = []
    for item in inputs:
        path = pathlib.Path(item)
        if path.is_dir():
            out += sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES
            )
        else:
            out.append(path)
    return out


def _stem(path, used):
    stem, n = path.stem, 2
    while stem in used:
        stem, n = f"{path.stem}_{n}", n + 1
    used.add(stem)
    return stem


def predict_files(
    landmarker,
    inputs,
    output_dir,
    *,
    overlay: bool = True,
    indices: bool = False,
    images_per_batch: int = 16,
    video_options: dict | None = None,
    progress: bool = False,
    log=None,
    overwrite: bool = False,
) -> PredictReport:
    """Landmarks every input and writes the outputs (see the module docstring).

    Args:
        landmarker: a :class:`~keras_facelm.inference.FaceLandmarker`.
        inputs: paths of photos, videos or folders.
        output_dir: created if missing.
        overlay: write the PNG overlays of photos.
        indices: number the points in overlays and videos.
        images_per_batch: photos read and landmarked together.
        video_options: extra arguments of :func:`~keras_facelm.inference.landmark_video`
            (``smoothing``, ``max_frames``, ...).
        progress: progress bars on stderr (tqdm).
        log: stream for the one-line messages about skipped inputs (stderr).
        overwrite: write into an ``output_dir`` that already holds files (an
            empty or missing one is always filled).

    Returns:
        :class:`PredictReport`.

    Each JSON record and overlay is written under a temporary name and renamed into
    place, so a file in ``output_dir`` is always complete.

    Raises:
        ValueError: an output file would overwrite an input.
        OutputExistsError: ``output_dir`` holds files and ``overwrite`` is false.
    """
    log = sys.stderr if log is None else log
    out = pathlib.Path(output_dir)
    check_output_directory(out, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    files, used = expand_inputs(inputs), set()
    plan = [(p, _stem(p, used)) for p in files]
    sources = {os.path.realpath(p) for p in files}
    for _, stem in plan:
        for suffix in (".json", ".png", ".jsonl", ".landmarks.mp4"):
            if os.path.realpath(out / f"{stem}{suffix}") in sources:
                raise ValueError(f"output {out / (stem + suffix)} would overwrite an input")
    report = PredictReport()

    def fail(path, message):
        report.failed.append((str(path), message))
        print(f"keras-facelm: skipped {path}: {message}", file=log)

    photos = [(p, s) for p, s in plan if p.suffix.lower() not in VIDEO_SUFFIXES]
    videos = [(p, s) for p, s in plan if p.suffix.lower() in VIDEO_SUFFIXES]
    bar = None
    if progress and photos:
        from tqdm import tqdm

        bar = tqdm(total=len(photos), unit="photo", desc="photos")
    for start in range(0, len(photos), images_per_batch):
        chunk = photos[start : start + images_per_batch]
        results = landmarker.detect([str(p) for p, _ in chunk])
        for (path, stem), result in zip(chunk, results, strict=True):
            if result.error is not None:
                fail(path, result.error)
                continue
            target = out / f"{stem}.json"
            with write_file(target, overwrite=True) as tmp:
                tmp.write_text(json.dumps(result.to_json()) + "\n")
            report.written.append(str(target))
            if overlay:
                png = out / f"{stem}.png"
                picture = draw_faces(
                    read_image(path), result.faces, scheme=result.scheme, indices=indices
                )
                with write_file(png, overwrite=True) as tmp:
                    write_image(tmp, picture)
                report.written.append(str(png))
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    for path, stem in videos:
        try:
            summary = landmark_video(
                landmarker,
                path,
                output_video=out / f"{stem}.landmarks.mp4",
                output_jsonl=out / f"{stem}.jsonl",
                indices=indices,
                progress=progress,
                overwrite=True,  # the output folder was checked above
                **(video_options or {}),
            )
        except (OSError, ValueError) as e:
            fail(path, str(e))
            continue
        report.videos[str(path)] = summary.to_json()
        report.written += [summary.output_video, summary.output_jsonl]
    return report
