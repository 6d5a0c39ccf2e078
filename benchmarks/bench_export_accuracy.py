"""Accuracy of exported files: NME of LiteRT fp32/fp16/int8 and ONNX on held-out
synthetic faces, next to Keras, and their keypoint deviation from fp32 on those faces'
crops and on real photos.

    KERAS_BACKEND=jax python examples/train_synthetic.py --output outputs/demo
    KERAS_BACKEND=jax python benchmarks/bench_export_accuracy.py --preset outputs/demo/preset

The preset is the README main job's model (trained on synthetic faces). int8 is
calibrated on crops of ``--calibration`` synthetic *training* faces (the
training seed); NME is measured on the ``--test-size`` held-out faces the main
job evaluates on (seed + 1000), every variant through the same evaluation
(:func:`keras_facelm.evaluation.evaluate`, MMPose's crop and NME; the exported
files run in :class:`~keras_facelm.inference.ExportedLandmarker`). The deviation
from LiteRT fp32 is measured in input pixels on the crops of those held-out
faces (``predict_landmarks``, the model's flip test), and in image pixels on the
real photos. The real
photos are the two 300W test faces in ``tests/data/mmpose_faces/300w`` with
their annotated boxes (the model never saw a real face: the deviation between
variants is the point, not the error).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "examples"))

VARIANTS = {
    "litert-fp32": dict(format="litert"),
    "litert-fp16": dict(format="litert", quantize="fp16"),
    "litert-dynamic_int8": dict(format="litert", quantize="dynamic_int8"),
    "litert-int8": dict(format="litert", quantize="int8"),
    "onnx": dict(format="onnx"),
}


def real_faces():
    """The 300W test photos in tests/data: (name, RGB image, xyxy box, GT keypoints)."""
    import cv2

    folder = REPO / "tests/data/mmpose_faces/300w"
    labels = json.loads((folder / "test_300w.json").read_text())
    files = {im["id"]: im["file_name"] for im in labels["images"]}
    faces = []
    for a in labels["annotations"]:
        x, y, w, h = a["bbox"]
        image = cv2.imread(str(folder / files[a["image_id"]]))[..., ::-1].copy()
        kp = np.array(a["keypoints"], np.float32).reshape(-1, 3)[:, :2]
        faces.append((files[a["image_id"]], image, np.array([x, y, x + w, y + h]), kp))
    return faces


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True)
    parser.add_argument("--work", type=pathlib.Path, default=REPO / "outputs" / "export_accuracy")
    parser.add_argument("--test-size", type=int, default=64)
    parser.add_argument("--calibration", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="the main job's --seed")
    parser.add_argument("--output", type=pathlib.Path, default=None)
    args = parser.parse_args(argv)
    from export_tflite import synthetic_crops

    from keras_facelm.data.synthetic_faces import SyntheticFaces
    from keras_facelm.evaluation import evaluate
    from keras_facelm.export import export
    from keras_facelm.export.api import load_preset
    from keras_facelm.inference import ExportedLandmarker
    from keras_facelm.metrics import nme

    model = load_preset(args.preset)
    h, w = model.image_size
    args.work.mkdir(parents=True, exist_ok=True)
    test_faces = list(SyntheticFaces(args.test_size, seed=args.seed + 1000))
    calibration = synthetic_crops(args.calibration, (w, h), seed=args.seed)
    held_out_crops = synthetic_crops(args.test_size, (w, h), seed=args.seed + 1000)
    runners = {"keras": model}
    for name, kwargs in VARIANTS.items():
        path = args.work / (name + (".onnx" if kwargs["format"] == "onnx" else ".tflite"))
        if kwargs.get("quantize") == "int8":
            kwargs = {**kwargs, "representative_data": calibration}
        export(args.preset, path, overwrite=True, **kwargs)
        runners[name] = ExportedLandmarker(path)
    photos = real_faces()
    results = {}
    for name, runner in runners.items():
        ev = evaluate(runner, test_faces, progress=False)
        photo_kp = []
        for _, image, box, _ in photos:
            if name == "keras":
                from keras_facelm.inference.predict import predict_faces

                photo_kp.append(predict_faces(model, image, box[None])["keypoints"][0])
            else:
                photo_kp.append(runner.predict(image, box[None])["keypoints"][0])
        size = None if name == "keras" else runner.path.stat().st_size
        results[name] = {
            "synthetic_nme": ev["nme"],
            "crop_keypoints": runner.predict_landmarks(held_out_crops)["keypoints"],
            "keypoints": photo_kp,
            "size_bytes": size,
            "photo_nme": nme(np.stack(photo_kp), np.stack([p[3] for p in photos]), scheme="300w"),
        }
    ref = results["litert-fp32"]
    print(
        f"| variant | size MB | NME synthetic ({args.test_size} held out) | vs fp32 | "
        "held-out crops: deviation from fp32, mean / max input px | "
        "real photos: NME | real photos: deviation from fp32, mean / max image px |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        crop_dev = np.linalg.norm(r["crop_keypoints"] - ref["crop_keypoints"], axis=-1)
        dev = np.linalg.norm(np.stack(r["keypoints"]) - np.stack(ref["keypoints"]), axis=-1)
        r["crop_dev_mean_px"], r["crop_dev_max_px"] = float(crop_dev.mean()), float(crop_dev.max())
        r["photo_dev_mean_px"], r["photo_dev_max_px"] = float(dev.mean()), float(dev.max())
        rel = r["synthetic_nme"] / ref["synthetic_nme"] - 1
        size = f"{r['size_bytes'] / 1e6:.2f}" if r["size_bytes"] else "-"
        print(
            f"| {name} | {size} | {r['synthetic_nme']:.4f} | {rel:+.1%} | "
            f"{crop_dev.mean():.3f} / {crop_dev.max():.3f} | "
            f"{r['photo_nme']:.3f} | {dev.mean():.2f} / {dev.max():.2f} |"
        )
    if args.output:
        for r in results.values():
            r.pop("keypoints")
            r.pop("crop_keypoints")
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
