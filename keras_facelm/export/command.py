"""The ``keras-facelm export`` sub-command: argparse spec and handler.

``keras-facelm export --preset NAME_OR_DIR --format litert --quantize int8
--representative synthetic_faces:train --output model.tflite``
"""

from __future__ import annotations

__all__ = ["add_export_arguments", "run_export"]


def add_export_arguments(parser):
    """Adds the ``export`` options to an ``argparse`` (sub)parser; returns it."""
    from keras_facelm.export.options import (
        FORMATS,
        INPUT_DTYPES,
        OUTPUTS,
        QUANTIZATIONS,
    )

    parser.add_argument("--preset", required=True,
                        help="registered preset name or preset directory")  # fmt: skip
    parser.add_argument("--output", required=True,
                        help="file to write (.tflite / .onnx) or SavedModel directory")  # fmt: skip
    parser.add_argument("--format", default="litert", choices=list(FORMATS))
    parser.add_argument("--quantize", default=None, choices=[q for q in QUANTIZATIONS if q],
                        help="LiteRT only; int8 needs --representative")  # fmt: skip
    parser.add_argument("--representative", default=None,
                        help="int8 calibration: a TFDS split 'name:split' or a .npy of "
                             "RGB crops (M, H, W, 3) 0-255")  # fmt: skip
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
        "--overwrite", action="store_true", help="replace an existing export"
    )
    return parser


def run_export(args):
    """Runs :func:`keras_facelm.export.export` for parsed ``args``; prints what it wrote."""
    from keras_facelm.export.api import export

    data = args.representative
    if data is not None and data.endswith(".npy"):
        import numpy as np

        data = np.load(data)
    path = export(
        args.preset, args.output, format=args.format, quantize=args.quantize,
        representative_data=data, flip_test=args.flip_test, outputs=args.outputs,
        input_dtype=args.input_dtype, overwrite=args.overwrite,
    )  # fmt: skip
    print(f"wrote {path} and {path}.json")
