"""Convert an MMPose face checkpoint (.pth, 0.x or 1.x) into a preset directory.

Needs no PyTorch: the checkpoint is read by a restricted unpickler that refuses
any object other than tensors and plain containers. The sha256 prefix in an
MMPose file name is checked; every checkpoint tensor must be used and every
model weight filled, else the error names the keys. An existing non-empty
--output directory is refused unless --overwrite is given (the new preset then
replaces it atomically); an existing empty directory is filled, and "wrote" is
printed only once the directory is complete.

    keras-facelm convert --preset hrnetv2_w18_wflw \\
        --checkpoint hrnetv2_w18_wflw_256x256-2bf032a6_20210125.pth --output presets/wflw
"""

from __future__ import annotations

HELP = "convert an MMPose checkpoint into a preset directory"


def add_arguments(parser):
    parser.add_argument(
        "--preset", required=True, help="registered preset name, e.g. hrnetv2_w18_wflw"
    )
    parser.add_argument(
        "--checkpoint",
        required=True,
        help="MMPose .pth (0.x or 1.x): a path or a file:// / https:// URL",
    )
    parser.add_argument("--output", required=True, help="preset directory to write (new or empty)")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing preset directory at --output"
    )
    return parser


def run(args):
    from keras_facelm.models.preset import get_preset
    from keras_facelm.models.preset_io import convert_checkpoint, save_preset_dir
    from keras_facelm.utils.atomic_write import check_output_directory
    from keras_facelm.utils.download import download, sha256_of_file

    spec = get_preset(args.preset)
    check_output_directory(args.output, overwrite=args.overwrite)  # refuse before the work
    path = download(args.checkpoint)
    model = convert_checkpoint(args.preset, path)
    metadata = {
        "preset": args.preset,
        "source_checkpoint": str(args.checkpoint),
        "source_sha256": sha256_of_file(path),
        "mmpose_config": spec.mmpose_config,
    }
    save_preset_dir(model, args.output, metadata=metadata, overwrite=args.overwrite)
    print(
        f"wrote {args.output}: {type(model).__name__} '{args.preset}', "
        f"{model.count_params():,} weights from {path}"
    )
    return 0
