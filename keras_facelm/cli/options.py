"""Options that several ``keras-facelm`` sub-commands share."""

from __future__ import annotations


def add_model_option(parser):
    """``--preset``: what every inference sub-command runs."""
    parser.add_argument(
        "--preset",
        required=True,
        help="preset name (e.g. hrnetv2_w18_wflw), preset directory, or exported .tflite/.onnx",
    )
