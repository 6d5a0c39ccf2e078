"""Landmarks of one face in an image: crop → predict → image pixels → overlay.

    python examples/predict_image.py --preset hrnetv2_w18_wflw --image face.jpg \\
        --bbox 120,80,360,330 --output overlay.png

``--preset`` is a registered preset name (its MMPose checkpoint is downloaded
and converted once) or a preset directory (e.g. ``preset/`` written by
``examples/train_synthetic.py``); ``--checkpoint`` converts a local MMPose
``.pth`` instead of the released one. The face box is cropped as MMPose's test
pipeline does (padding 1.25, aspect fixed to the model input, OpenCV 4
arithmetic), the model predicts in crop pixels (flip test per the preset), and
the landmarks are mapped back to the image. Prints the landmarks as JSON
(``[[x, y], ...]`` image pixels) and writes the overlay.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import cv2
import numpy as np

from keras_facelm.data import transforms as T
from keras_facelm.inference.drawing import draw_landmarks
from keras_facelm.inference.predict import predict_faces


def parse_bbox(text):
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"--bbox must be x1,y1,x2,y2 in pixels, got {text!r}")
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, help="preset name or preset directory")
    parser.add_argument("--image", required=True, type=pathlib.Path)
    parser.add_argument(
        "--bbox",
        type=parse_bbox,
        help="face box x1,y1,x2,y2 in pixels (default: the whole image)",
    )
    parser.add_argument("--checkpoint", help="local MMPose .pth to convert instead")
    parser.add_argument("--output", type=pathlib.Path, default=pathlib.Path("overlay.png"))
    parser.add_argument("--no-flip-test", action="store_true", help="skip the flip test")
    args = parser.parse_args(argv)
    if args.checkpoint and pathlib.Path(args.preset).is_dir():
        parser.error("--checkpoint needs a registered preset name, not a preset directory")

    from keras_facelm.models import from_preset

    image = T.load_image(args.image)
    bbox = args.bbox or [0.0, 0.0, image.shape[1] - 1.0, image.shape[0] - 1.0]
    model = from_preset(args.preset, checkpoint=args.checkpoint)
    faces = predict_faces(model, image, [bbox], flip_test=False if args.no_flip_test else None)
    keypoints, scores = faces["keypoints"][0], faces["scores"][0]
    canvas = draw_landmarks(
        image,
        keypoints,
        contours=len(keypoints) == 68,
        radius=max(1.5, image.shape[1] / 400),
    )
    x1, y1, x2, y2 = (int(round(v)) for v in bbox)
    cv2.rectangle(canvas, (x1, y1), (x2, y2), (255, 200, 0), 1, cv2.LINE_AA)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(args.output), np.ascontiguousarray(canvas[..., ::-1])):
        raise ValueError(f"could not write {args.output} (unknown image extension?)")
    print(
        json.dumps(
            {
                "keypoints": np.round(keypoints, 2).tolist(),
                "scores": np.round(scores, 4).tolist(),
            }
        )
    )
    print(f"wrote {args.output}")
    return keypoints, scores


if __name__ == "__main__":
    main()
