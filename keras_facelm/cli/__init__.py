"""The ``keras-facelm`` command (also ``python -m keras_facelm``).

One module per sub-command, each with ``HELP``, ``add_arguments(parser)`` and
``run(args)`` (an exit status): ``predict``, ``evaluate``, ``convert``,
``export``, ``train``, ``benchmark``, ``presets``, ``demo``. Errors a user can
fix (bad file, value or option) are printed as one line on stderr, exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main"]

#: sub-command → module under keras_facelm.cli
COMMANDS = (
    "predict",
    "evaluate",
    "train",
    "export",
    "convert",
    "presets",
    "benchmark",
    "demo",
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-facelm",
        description="Face landmarks with Keras 3 (TensorFlow, JAX, PyTorch): MMPose's face "
        "models, exports for phones, and a face landmarker for photos and video.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"keras_facelm.cli.{name}")
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
    except (ValueError, OSError, RuntimeError) as e:
        sys.exit(f"keras-facelm {args.command}: error: {e}")
    if status:
        sys.exit(status)
