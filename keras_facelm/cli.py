"""The ``keras-facelm`` command: list presets, convert MMPose checkpoints.

``keras-facelm presets`` lists every preset (recipe-only ones marked);
``keras-facelm convert --preset NAME --checkpoint PATH.pth --output DIR`` writes a
preset directory from an MMPose checkpoint (same as ``convert/mmpose_to_keras.py``);
an existing non-empty DIR is refused unless ``--overwrite`` is given, and "wrote" is
printed only once the directory is complete.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "convert_main"]


def _convert_parser(parser):
    parser.add_argument("--preset", required=True, help="registered preset name, e.g. hrnetv2_w18_wflw")
    parser.add_argument("--checkpoint", required=True, help="MMPose .pth (0.x or 1.x), path or file:// / https:// URL")
    parser.add_argument("--output", required=True, help="preset directory to write (new or empty)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing preset directory at --output")
    return parser


def _convert(args):
    from keras_facelm.models.preset_loader import convert_checkpoint, save_preset
    from keras_facelm.models.presets import get_preset
    from keras_facelm.utils.atomic_write import check_output_directory
    from keras_facelm.utils.download import download, sha256_of_file

    spec = get_preset(args.preset)
    check_output_directory(args.output, overwrite=args.overwrite)  # refuse before work
    path = download(args.checkpoint)
    model = convert_checkpoint(args.preset, path)
    save_preset(model, args.output, overwrite=args.overwrite, metadata={
        "preset": args.preset,
        "source_checkpoint": str(args.checkpoint),
        "source_sha256": sha256_of_file(path),
        "mmpose_config": spec.mmpose_config,
    })  # fmt: skip
    print(f"wrote {args.output}: {type(model).__name__} '{args.preset}', "
          f"{model.count_params():,} weights from {path}")  # fmt: skip


def convert_main(argv=None):
    """Entry point of ``convert/mmpose_to_keras.py``."""
    parser = _convert_parser(argparse.ArgumentParser(
        description="Convert an MMPose face checkpoint into a keras_facelm preset directory."))  # fmt: skip
    _convert(parser.parse_args(argv))


def _presets(args):
    from keras_facelm.models.presets import PRESETS

    for name in sorted(PRESETS):
        p = PRESETS[name]
        status = "weights" if p.has_weights else "recipe only (no released weights)"
        nme = ", ".join(f"{k} {v}" for k, v in p.published_nme.items())
        print(f"{name:40s} {p.class_name:18s} {p.scheme:20s} {status}  NME: {nme or '-'}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="keras-facelm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("presets", help="list presets").set_defaults(func=_presets)
    _convert_parser(sub.add_parser("convert", help="convert an MMPose checkpoint")).set_defaults(func=_convert)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (ValueError, OSError) as e:
        sys.exit(f"keras-facelm: error: {e}")


if __name__ == "__main__":
    main()
