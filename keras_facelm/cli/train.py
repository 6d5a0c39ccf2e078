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

from keras_facelm.training.cli import add_train_arguments, run_train

HELP = "train a recipe (MMPose's schedule, loss and augmentation) with model.fit"


def add_arguments(parser):
    add_train_arguments(parser)


def run(args):
    run_train(args)
    return 0
