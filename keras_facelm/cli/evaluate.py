"""Evaluate a model on a dataset split as MMPose does: NME, FR and AUC, and a CED plot.

The split and each of its subsets (TFDS splits named ``<split>_<subset>``, e.g.
WFLW's ``test_pose``) are evaluated with MMPose's test pipeline and flip test;
the numbers go to stdout and OUTPUT/metrics.json, the CED curves to OUTPUT/ced.png.

    keras-facelm evaluate --preset hrnetv2_w18_wflw --dataset wflw --split test \\
        --data-dir ~/tensorflow_datasets --output eval/
"""

from __future__ import annotations

import json
import pathlib

from keras_facelm.cli.options import add_model_option

HELP = "NME, FR and AUC of a model on a dataset split and its subsets, with a CED plot"


def add_arguments(parser):
    add_model_option(parser)
    parser.add_argument(
        "--dataset",
        required=True,
        help="TFDS dataset (wflw, face300w, aflw, cofw, coco_wholebody_face, synthetic_faces)",
    )
    parser.add_argument("--split", default="test", help="split to evaluate (and its subsets)")
    parser.add_argument("--data-dir", help="TFDS data directory the dataset was built into")
    parser.add_argument(
        "--output", default="evaluation", help="folder for metrics.json and ced.png"
    )
    parser.add_argument("--no-flip-test", action="store_true", help="skip the flip test")
    parser.add_argument("--limit", type=int, help="evaluate the first N faces of each split")
    parser.add_argument("--batch-size", type=int, default=32)


def _model(preset):
    if str(preset).lower().endswith((".tflite", ".onnx")):
        from keras_facelm.inference.exported import ExportedLandmarker

        return ExportedLandmarker(preset)
    from keras_facelm.models import from_preset

    return from_preset(preset)


def run(args):
    from keras_facelm.data.records import dataset_splits, load_records
    from keras_facelm.evaluation import evaluate

    model = _model(args.preset)
    splits = [args.split] + [
        s for s in dataset_splits(args.dataset, args.data_dir) if s.startswith(args.split + "_")
    ]
    out = pathlib.Path(args.output)
    results, errors = {}, {}
    for split in splits:
        records = load_records(args.dataset, split, data_dir=args.data_dir, limit=args.limit)
        res = evaluate(
            model,
            records,
            batch_size=args.batch_size,
            flip_test=False if args.no_flip_test else None,
        )
        results[split] = {k: float(res[k]) for k in ("nme", "failure_rate", "auc")}
        results[split]["faces"] = len(records)
        errors[split] = res["per_image_nme"]
        print(
            f"{split:24s} faces {len(records):6d}  NME {res['nme']:.5f}  "
            f"FR@0.1 {res['failure_rate']:.4f}  AUC@0.1 {res['auc']:.4f}"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(
        json.dumps(
            {"preset": str(args.preset), "dataset": args.dataset, "splits": results},
            indent=2,
        )
    )
    try:
        import matplotlib

        matplotlib.use("Agg")
        from keras_facelm.metrics import plot_ced

        ax = plot_ced(errors, title=f"{args.preset} on {args.dataset}")
        ax.figure.savefig(out / "ced.png", dpi=120, bbox_inches="tight")
        print(f"wrote {out / 'metrics.json'} and {out / 'ced.png'}")
    except ImportError:
        print(f"wrote {out / 'metrics.json'} (install matplotlib for the CED plot)")
    return 0
