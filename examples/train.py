"""Train any recipe with ``model.fit``, MMPose's way (same as ``keras-facelm train``).

    # no download: a small HRNetV2 on synthetic faces, minutes on a CPU
    KERAS_BACKEND=jax python examples/train.py --recipe synthetic_quick --output runs/quick

    # a model-zoo row on a TFDS build (tfds build tfds_builders/wflw ...)
    KERAS_BACKEND=jax python examples/train.py --recipe hrnetv2_w18_wflw \\
        --data-dir ~/tensorflow_datasets --output runs/wflw --batch-size 64

The run folder gets per-epoch checkpoints, the best-NME weights, a resumable
state (``--resume``), CSV (and TensorBoard) logs, the final preset directory
and ``metrics.json`` (test NME / FR / AUC per split, with the mean-shape
baseline). ``python -c "import keras_facelm.training as t; print(t.list_recipes())"``
lists the recipes; ``get_recipe(NAME).describe()`` prints one with its quirks.
"""

import sys

from keras_facelm.cli import main

if __name__ == "__main__":
    main(["train", *sys.argv[1:]])
