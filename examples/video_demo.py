"""Video or webcam in: faces tracked with stable ids, landmarks smoothed per face,
an annotated video and one JSON line per frame out, and the jitter figure.

    python examples/video_demo.py --preset hrnetv2_w18_wflw --video clip.mp4 --output out/
    python examples/video_demo.py --preset hrnetv2_w18_wflw --camera 0 --max-frames 300

Writes ``OUT/<name>.landmarks.mp4`` and ``OUT/<name>.jsonl``, and prints the
summary: frames, tracks, and the mean frame-to-frame keypoint motion (divided
by face size) with and without the One-Euro filter.
"""

from __future__ import annotations

import argparse
import json
import pathlib


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--preset", required=True, help="preset name or preset directory"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--video", help="video file (.mp4, .avi, ...)")
    source.add_argument("--camera", type=int, help="webcam index (e.g. 0)")
    parser.add_argument(
        "--output", default=".", help="folder for the video and JSON lines"
    )
    parser.add_argument("--max-frames", type=int, help="stop after this many frames")
    parser.add_argument("--min-cutoff", type=float, default=1.0,
                        help="One-Euro cut-off of a still face in Hz (lower: smoother)")  # fmt: skip
    parser.add_argument("--beta", type=float, default=5.0,
                        help="One-Euro speed coefficient (higher: less lag when moving)")  # fmt: skip
    parser.add_argument("--no-smoothing", action="store_true", help="raw keypoints")
    args = parser.parse_args(argv)

    from keras_facelm.inference import FaceLandmarker, OneEuroParams, landmark_video

    name = "camera" if args.video is None else pathlib.Path(args.video).stem
    out = pathlib.Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    summary = landmark_video(
        FaceLandmarker(args.preset),
        args.camera if args.video is None else args.video,
        output_video=out / f"{name}.landmarks.mp4",
        output_jsonl=out / f"{name}.jsonl",
        smoothing=None
        if args.no_smoothing
        else OneEuroParams(args.min_cutoff, args.beta),
        max_frames=args.max_frames,
        progress=True,
    )
    print(json.dumps(summary.to_json(), indent=1))
    return summary


if __name__ == "__main__":
    main()
