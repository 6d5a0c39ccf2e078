"""Webcam or video demo: tracked, smoothed landmarks written to an annotated video.

OpenCV's headless wheel opens no window, so the demo writes
OUTPUT/<name>.landmarks.mp4 and OUTPUT/<name>.jsonl and prints the jitter with and
without One-Euro smoothing.

    keras-facelm demo --camera 0 --preset hrnetv2_w18_wflw --output out/
"""

from __future__ import annotations

import json

from keras_facelm.cli.options import add_model_option
from keras_facelm.cli.predict import add_video_arguments, video_options

HELP = "webcam or video to an annotated, smoothed landmark video"


def add_arguments(parser):
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--camera", type=int, help="webcam index (e.g. 0)")
    source.add_argument("--video", help="video file (.mp4, .avi, ...)")
    add_model_option(parser)
    parser.add_argument("--output", default=".", help="folder for the video and JSON lines")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the outputs of an earlier run"
    )
    add_video_arguments(parser)
    parser.set_defaults(max_frames=300)


def run(args):
    from keras_facelm.inference import FaceLandmarker
    from keras_facelm.inference.video import landmark_video_to_folder

    source = args.camera if args.video is None else args.video
    landmarker = FaceLandmarker(args.preset)
    summary = landmark_video_to_folder(
        landmarker,
        source,
        args.output,
        progress=True,
        overwrite=args.overwrite,
        **video_options(args),
    )
    print(json.dumps(summary.to_json(), indent=1, default=str))
    return 0
