"""The ``keras-facelm`` command: list presets, convert MMPose checkpoints.

``keras-facelm presets`` lists every preset (recipe-only ones marked);
``keras-facelm convert --preset NAME --checkpoint PATH.pth --output DIR`` writes a
preset directory from an MMPose checkpoint (same as ``convert/mmpose_to_keras.py``).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "convert_main"]


def _convert_parser(parser):
    parser.add_argument("--preset", required=True, help="registered preset name, e.g. hrnetv2_w18_wflw")
    parser.add_argument("--checkpoint", required=True, help="MMPose .pth (0.x or 1.x), path or file:// / https:// URL")
    parser.add_argument("--output", required=True, help="preset directory to write")
    return parser


def _convert(args):
    from keras_facelm.models.preset import get_preset
    from keras_facelm.models.preset_io import convert_checkpoint, save_preset_dir
    from keras_facelm.utils.download import download, sha256_of_file

    spec = get_preset(args.preset)
    path = download(args.checkpoint)
    model = convert_checkpoint(args.preset, path)
    save_preset_dir(model, args.output, metadata={
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
    from keras_facelm.models import get_preset, list_presets, preset_class

    for name in list_presets():
        p = get_preset(name)
        status = "weights" if p.has_weights else "recipe only (no released weights)"
        nme = ", ".join(f"{k} {v}" for k, v in p.published_nme.items())
        print(f"{name:40s} {preset_class(name).__name__:18s} {p.scheme:20s} {status}  "
              f"NME: {nme or '-'}")
        print(f"{'':40s} weights: {p.weights_license}; training data: {p.dataset_terms}")


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
