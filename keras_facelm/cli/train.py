"""Train a recipe: MMPose's training of a model-zoo row, with model.fit on any backend.

The output folder gets a checkpoint per epoch, the best-NME checkpoint, the final
preset directory, CSV (and TensorBoard) logs and metrics.json with the test NME,
FR and AUC per split next to the mean-shape baseline. ``--resume`` continues a
killed run on the same schedule; a folder holding a different run is refused
unless ``--overwrite``.

    keras-facelm train --recipe synthetic_quick --dataset synthetic_faces --output runs/quick
    keras-facelm train --recipe hrnetv2_w18_wflw --dataset wflw --data-dir ~/tensorflow_datasets \\
        --output runs/wflw --batch-size 64 --mixed-precision
"""

from __future__ import annotations

HELP = "train a recipe (MMPose's schedule, loss and augmentation) with model.fit"


def add_arguments(parser):
    parser.add_argument(
        "--recipe",
        required=True,
        help="recipe name, e.g. hrnetv2_w18_wflw or synthetic_quick "
        "(keras_facelm.training.list_recipes())",
    )
    parser.add_argument("--dataset", help="TFDS dataset name (default: the recipe's)")
    parser.add_argument(
        "--data-dir",
        help="TFDS data directory the dataset was built into (not needed for synthetic_faces)",
    )
    parser.add_argument("--output", required=True, help="run folder")
    parser.add_argument("--epochs", type=int, help="default: the recipe's")
    parser.add_argument(
        "--batch-size", type=int, help="global batch (default: MMPose's; the LR scales linearly)"
    )
    parser.add_argument("--resume", action="store_true", help="continue the run in --output")
    parser.add_argument("--overwrite", action="store_true", help="replace what --output holds")
    parser.add_argument(
        "--mixed-precision",
        nargs="?",
        const="mixed_float16",
        choices=("mixed_float16", "mixed_bfloat16"),
        help="mixed precision policy (default mixed_float16 when given)",
    )
    parser.add_argument(
        "--data-parallel",
        action="store_true",
        help="split batches over all local devices (JAX, TensorFlow)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="data-loading threads")
    parser.add_argument(
        "--pipeline",
        default="auto",
        choices=("auto", "tf.data", "pydataset"),
        help="input pipeline: tf.data (TensorFlow backend) or the TopdownDataset PyDataset; "
        "auto: tf.data on TensorFlow, the PyDataset elsewhere (same batches either way)",
    )
    parser.add_argument("--input-size", type=int, help="square crop side (default the recipe's)")
    parser.add_argument("--backbone-checkpoint", help="ImageNet checkpoint (.pth) for the backbone")
    parser.add_argument("--train-limit", type=int, help="use only the first N training faces")
    parser.add_argument("--test-limit", type=int, help="use only the first N test faces")
    parser.add_argument(
        "--exact-crops", action="store_true", help="MMPose's bit-exact crops (slower)"
    )
    parser.add_argument(
        "--checkpoint-every", type=int, help="also save the resumable state every N steps"
    )
    return parser


def run(args):
    """Runs :func:`keras_facelm.training.trainer.train` from parsed arguments."""
    from keras_facelm.training.trainer import train

    train(
        args.recipe,
        args.dataset,
        args.data_dir,
        args.output,
        epochs=args.epochs,
        batch_size=args.batch_size,
        resume=args.resume,
        overwrite=args.overwrite,
        mixed_precision=args.mixed_precision,
        data_parallel=args.data_parallel,
        seed=args.seed,
        workers=args.workers,
        pipeline=args.pipeline,
        input_size=args.input_size,
        backbone_checkpoint=args.backbone_checkpoint,
        train_limit=args.train_limit,
        test_limit=args.test_limit,
        exact_crops=args.exact_crops,
        checkpoint_every=args.checkpoint_every,
    )
    return 0
