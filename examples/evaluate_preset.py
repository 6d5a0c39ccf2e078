"""Evaluate a preset on a TFDS split as MMPose does, and plot its CED curve.

    python examples/evaluate_preset.py --preset hrnetv2_w18_wflw --dataset wflw \\
        --split test --data-dir ~/tensorflow_datasets --output ced.png

``synthetic_faces`` needs no ``--data-dir`` (its faces are generated in memory).
Prints NME, failure rate and AUC at 0.1 (per-image NME), and writes the CED plot.
"""

from __future__ import annotations

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", required=True, help="preset name, directory or .tflite")
    parser.add_argument("--dataset", required=True, help="TFDS dataset name")
    parser.add_argument("--split", default="test")
    parser.add_argument("--data-dir", help="TFDS data directory (not for synthetic_faces)")
    parser.add_argument("--limit", type=int, help="first N faces only")
    parser.add_argument("--output", default="ced.png", help="CED plot to write")
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    from keras_facelm.data.records import load_records
    from keras_facelm.evaluation import evaluate
    from keras_facelm.metrics import plot_ced
    from keras_facelm.models import from_preset

    records = load_records(args.dataset, args.split, data_dir=args.data_dir, limit=args.limit)
    result = evaluate(from_preset(args.preset), records)
    print(
        f"{args.split}: {len(records)} faces, NME {result['nme']:.5f}, "
        f"FR@0.1 {result['failure_rate']:.4f}, AUC@0.1 {result['auc']:.4f}"
    )
    ax = plot_ced({args.preset: result["per_image_nme"]}, title=f"{args.dataset} {args.split}")
    ax.figure.savefig(args.output, dpi=120, bbox_inches="tight")
    return result


if __name__ == "__main__":
    main()
