"""Webcam or video in, annotated video and per-frame JSON lines out (tracked, smoothed faces).

    python examples/video_demo.py --preset hrnetv2_w18_wflw --camera 0 --output out/
    python examples/video_demo.py --preset hrnetv2_w18_wflw --video clip.mp4 --output out/

Each face keeps a stable id across frames (box IoU tracking) and gets its own
One-Euro filter; the summary printed at the end gives the keypoint jitter with
and without smoothing. ``keras-facelm demo`` is the same with every option of
the filter exposed.
"""

from __future__ import annotations

import argparse
import json


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, help="preset name, directory or .tflite")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--video", help="video file (.mp4, .avi, ...)")
    source.add_argument("--camera", type=int, help="webcam index (e.g. 0)")
    parser.add_argument("--output", default=".", help="folder for the video and JSON lines")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the outputs of an earlier run"
    )
    args = parser.parse_args(argv)

    from keras_facelm.inference import FaceLandmarker, OneEuroParams
    from keras_facelm.inference.video import landmark_video_to_folder

    summary = landmark_video_to_folder(
        FaceLandmarker(args.preset),
        args.camera if args.video is None else args.video,
        args.output,
        smoothing=OneEuroParams(min_cutoff=1.0, beta=5.0),
        progress=True,
        overwrite=args.overwrite,
    )
    print(json.dumps(summary.to_json(), indent=1, default=str))
    return summary


if __name__ == "__main__":
    main()
