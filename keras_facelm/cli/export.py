"""Export a preset to LiteRT (TFLite), ONNX or a TensorFlow SavedModel, decoding inside.

The exported graph takes RGB pixels 0-255 at the model's input size and returns
keypoints in input pixels and per-point scores (normalisation, head, decoding
and, by default, the preset's flip test all inside). The facts a runtime needs
(scheme, point names, input size, colour order, box → crop convention) go to
OUTPUT.json beside the file; ``keras_facelm.inference.ExportedLandmarker`` runs it
without Keras.

    keras-facelm export --preset hrnetv2_w18_wflw --format litert --output wflw.tflite
    keras-facelm export --preset DIR --format litert --quantize int8 \
        --representative synthetic_faces:train --output model_int8.tflite
"""

from __future__ import annotations

HELP = "export a model to LiteRT/TFLite, ONNX or SavedModel with decoding inside"


def add_arguments(parser):
    """Adds the ``export`` options to an ``argparse`` (sub)parser; returns it."""
    from keras_facelm.export.options import (
        FORMATS,
        INPUT_DTYPES,
        OUTPUTS,
        QUANTIZATIONS,
    )

    parser.add_argument(
        "--preset", required=True, help="registered preset name or preset directory"
    )
    parser.add_argument(
        "--output",
        required=True,
        help="file to write (.tflite / .onnx) or SavedModel directory",
    )
    parser.add_argument("--format", default="litert", choices=list(FORMATS))
    parser.add_argument(
        "--quantize",
        default=None,
        choices=[q for q in QUANTIZATIONS if q],
        help="LiteRT only; int8 needs --representative",
    )
    parser.add_argument(
        "--representative",
        default=None,
        help="int8 calibration: a TFDS split 'name:split' or a .npy of "
        "RGB crops (M, H, W, 3) 0-255",
    )
    flip = parser.add_mutually_exclusive_group()
    flip.add_argument(
        "--flip-test",
        dest="flip_test",
        action="store_true",
        default=None,
        help="bake flip test into the graph (default: the preset's test_cfg)",
    )
    flip.add_argument("--no-flip-test", dest="flip_test", action="store_false")
    parser.add_argument("--outputs", default="landmarks", choices=list(OUTPUTS))
    parser.add_argument("--input-dtype", default="float32", choices=list(INPUT_DTYPES))
    parser.add_argument(
        "--batch-size",
        type=_batch_size,
        default=None,
        help="batch of the exported input: N or 'dynamic' (default: 1 for litert, where "
        "XNNPACK needs static shapes for transposed convolutions; dynamic otherwise)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing export")
    return parser


def _batch_size(text):
    return text if text == "dynamic" else int(text)


def run(args):
    """Runs :func:`keras_facelm.export.export` for parsed ``args``; prints what it wrote."""
    from keras_facelm.export.api import export

    data = args.representative
    if data is not None and data.endswith(".npy"):
        import numpy as np

        data = np.load(data)
    path = export(
        args.preset,
        args.output,
        format=args.format,
        quantize=args.quantize,
        representative_data=data,
        flip_test=args.flip_test,
        outputs=args.outputs,
        input_dtype=args.input_dtype,
        overwrite=args.overwrite,
        batch_size=args.batch_size,
    )
    print(f"wrote {path} and {path}.json")
    return 0
