"""Export the main job's model to TFLite fp32 and int8 and run both without Keras.

    KERAS_BACKEND=jax python examples/train_synthetic.py --output outputs/demo
    KERAS_BACKEND=jax python examples/export_tflite.py --preset outputs/demo/preset \\
        --output outputs/export

What it does:

1. Exports ``--preset`` (a preset directory or name) with
   :func:`keras_facelm.export.export` to ``model_fp32.tflite`` and
   ``model_int8.tflite`` (full-integer int8, calibrated on crops of
   ``--calibration`` synthetic training faces), each with its ``.json`` sidecar.
   From the JAX or PyTorch backend the conversion runs under TensorFlow in a
   subprocess.
2. Runs both files with :class:`keras_facelm.inference.ExportedLandmarker`
   (LiteRT only, no Keras) on a real face photo from ``tests/data`` with its
   annotated face box, prints the int8 keypoints' deviation from fp32 in image
   pixels, and writes ``overlay_fp32.png`` and ``overlay_int8.png``.

The main job trains on synthetic cartoon faces, so its landmarks on a real photo
are rough; the point here is the export and the fp32/int8 agreement.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import cv2
import numpy as np

from keras_facelm.data.synthetic_faces import SyntheticFaces
from keras_facelm.export import export
from keras_facelm.inference import ExportedLandmarker, draw_landmarks
from keras_facelm.inference.topdown import boxes_to_center_scale, crop_faces

REPO = pathlib.Path(__file__).resolve().parents[1]
PHOTO_DIR = REPO / "tests/data/mmpose_faces/300w"


def synthetic_crops(count: int, input_size, seed: int = 0) -> np.ndarray:
    """Model crops ``(count, h, w, 3)`` uint8 of synthetic training faces (the training seed)."""
    crops = []
    for face in SyntheticFaces(count, seed=seed):
        center, scale = boxes_to_center_scale(face["bbox"][None])
        crops.append(crop_faces(face["image"], center, scale, input_size)[0])
    return np.stack(crops)


def photo_and_box(name: str = "indoor_029.png"):
    """A real 300W test photo (RGB uint8) and its annotated face box (x1, y1, x2, y2)."""
    labels = json.loads((PHOTO_DIR / "test_300w.json").read_text())
    image_id = next(im["id"] for im in labels["images"] if im["file_name"] == name)
    x, y, w, h = next(a["bbox"] for a in labels["annotations"] if a["image_id"] == image_id)
    image = cv2.imread(str(PHOTO_DIR / name), cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(image), np.array([x, y, x + w, y + h], np.float32)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, help="preset directory or name")
    parser.add_argument("--output", type=pathlib.Path, default=pathlib.Path("export_run"))
    parser.add_argument(
        "--calibration",
        type=int,
        default=100,
        help="synthetic training faces used to calibrate int8",
    )
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)

    fp32 = export(args.preset, args.output / "model_fp32.tflite", overwrite=True)
    facts = json.loads(pathlib.Path(f"{fp32}.json").read_text())
    input_size = (facts["input"]["width"], facts["input"]["height"])
    int8 = export(
        args.preset,
        args.output / "model_int8.tflite",
        quantize="int8",
        representative_data=synthetic_crops(args.calibration, input_size),
        overwrite=True,
    )

    image, box = photo_and_box()
    results = {}
    for name, path in (("fp32", fp32), ("int8", int8)):
        out = ExportedLandmarker(path).predict(image, box[None])
        results[name] = out["keypoints"][0]
        overlay = draw_landmarks(image, out["keypoints"][0], contours=True)
        cv2.rectangle(
            overlay,
            tuple(int(v) for v in box[:2]),
            tuple(int(v) for v in box[2:]),
            (255, 200, 0),
            2,
        )
        cv2.imwrite(str(args.output / f"overlay_{name}.png"), overlay[..., ::-1])
        print(f"{name}: {path} ({path.stat().st_size / 1e6:.2f} MB)")
    dev = np.linalg.norm(results["int8"] - results["fp32"], axis=-1)
    print(
        f"int8 vs fp32 on {PHOTO_DIR.name}/indoor_029.png: mean {dev.mean():.2f} px, "
        f"max {dev.max():.2f} px (face box {box[2] - box[0]:.0f} px wide)"
    )
    print(f"wrote {args.output}/overlay_fp32.png and overlay_int8.png")
    return {"mean_px": float(dev.mean()), "max_px": float(dev.max())}


if __name__ == "__main__":
    main()
