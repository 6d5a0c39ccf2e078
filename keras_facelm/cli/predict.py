"""Landmarks of every face in photos, folders of photos, and videos.

Writes OUTPUT/<stem>.json (image, width, height, and per face its box, detector
score, keypoints in image pixels and per-point scores) and OUTPUT/<stem>.png (the
overlay) per photo; OUTPUT/<stem>.landmarks.mp4 and <stem>.jsonl (one record per
frame, faces tracked with stable ids and smoothed) per video. An input that
cannot be read is named on stderr and skipped; the exit status is then 1.

    keras-facelm predict photos/ clip.mp4 --preset hrnetv2_w18_wflw --output out/
    keras-facelm predict face.jpg --preset model.tflite --output out/
"""

from __future__ import annotations

import sys

from keras_facelm.cli.options import add_model_option

HELP = "landmark every face in photos, folders and videos (JSON + overlays)"


def add_video_arguments(parser):
    """Options of video smoothing, shared by ``predict`` and ``demo``."""
    parser.add_argument("--max-frames", type=int, help="videos: stop after N frames")
    parser.add_argument("--no-smoothing", action="store_true", help="videos: raw keypoints")
    parser.add_argument(
        "--min-cutoff",
        type=float,
        default=1.0,
        help="videos: One-Euro cut-off of a still face in Hz (lower: smoother)",
    )
    parser.add_argument(
        "--beta",
        type=float,
        default=5.0,
        help="videos: One-Euro speed coefficient (higher: less lag when moving)",
    )


def video_options(args):
    from keras_facelm.inference import OneEuroParams

    smoothing = None if args.no_smoothing else OneEuroParams(args.min_cutoff, args.beta)
    return dict(smoothing=smoothing, max_frames=args.max_frames)


def add_arguments(parser):
    parser.add_argument("inputs", nargs="+", metavar="IMAGE_OR_DIR_OR_VIDEO")
    add_model_option(parser)
    parser.add_argument("--output", required=True, help="output folder (created)")
    parser.add_argument(
        "--detector",
        default="default",
        choices=["default", "blazeface_full_range", "blazeface_short_range", "haar"],
        help="face detector (default: BlazeFace full range, bundled)",
    )
    parser.add_argument("--batch-size", type=int, default=32, help="face crops per forward pass")
    parser.add_argument("--max-faces", type=int, help="keep the N best faces per image")
    parser.add_argument("--min-detector-score", type=float, default=0.0)
    parser.add_argument("--no-overlay", action="store_true", help="JSON only")
    parser.add_argument("--indices", action="store_true", help="number the points in overlays")
    parser.add_argument(
        "--overwrite", action="store_true", help="write into an output folder that holds files"
    )
    add_video_arguments(parser)


def run(args):
    from keras_facelm.inference import FaceLandmarker
    from keras_facelm.inference.predict_files import predict_files

    landmarker = FaceLandmarker(
        args.preset,
        args.detector,
        batch_size=args.batch_size,
        max_faces=args.max_faces,
        min_detector_score=args.min_detector_score,
    )
    report = predict_files(
        landmarker,
        args.inputs,
        args.output,
        overlay=not args.no_overlay,
        indices=args.indices,
        video_options=video_options(args),
        progress=True,
        overwrite=args.overwrite,
    )
    for video, summary in report.videos.items():
        print(
            f"{video}: {summary['frames']} frames, {summary['tracks']} faces, jitter "
            f"{summary['jitter_raw']:.4f} raw -> {summary['jitter_smoothed']:.4f} smoothed"
        )
    print(
        f"wrote {len(report.written)} files to {args.output}; {len(report.failed)} inputs skipped",
        file=sys.stderr,
    )
    return 1 if report.failed else 0
