"""Train a small HRNetV2 on synthetic faces: no download, a few minutes on a CPU.

    KERAS_BACKEND=jax python examples/train_synthetic.py --output runs/synthetic

What it does:

1. Draws ``--train-size`` and ``--test-size`` synthetic 68-point faces
   (:mod:`keras_facelm.data.synthetic_faces`; cartoon-like faces, not photos,
   so the numbers say nothing about real faces).
2. Builds a reduced HRNetV2 (``HRNetBackbone`` with width ``--width`` and one
   module/block per stage; MMPose's architecture, fewer channels) with the
   MMPose face head and codec geometry scaled to ``--input-size`` (default
   128x128 crops, 32x32 heatmaps: at 256x256 one training step is about five
   times slower on CPU).
3. Evaluates MMPose's NME (inter-ocular, 300W scheme) on the test faces,
   trains with MMPose's face pipeline (flip, random box, affine crop,
   MSRA heatmaps, ``KeypointMSELoss`` with keypoint weights, Adam), and
   evaluates again.
4. Writes ``model.keras``, a preset directory ``preset/`` (reload with
   ``keras_facelm.models.from_preset(DIR)``), ``overlay.png`` (predictions in
   green, ground truth in red, on test faces) and ``metrics.json`` into
   ``--output``.

Runs on every Keras backend (``KERAS_BACKEND=jax|tensorflow|torch``).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import keras
import numpy as np

from keras_facelm.backbones.hrnet import HRNetBackbone, hrnet_stages
from keras_facelm.data.pipeline import TopdownDataset
from keras_facelm.data.synthetic_faces import SyntheticFaces
from keras_facelm.evaluation import evaluate
from keras_facelm.inference.drawing import prediction_grid, write_image
from keras_facelm.losses import KeypointMSELoss
from keras_facelm.models import HRNetV2W18
from keras_facelm.utils.atomic_write import check_output_directory

SCHEME = "300w"
NUM_KEYPOINTS = 68


def small_hrnet(input_size: int, width: int, sigma: float) -> HRNetV2W18:
    """HRNetV2 with ``width`` channels at the highest resolution and one module per stage."""
    stages = hrnet_stages(width, stage1_blocks=1, num_blocks=1)
    stages["stage1"]["num_channels"] = (16,)  # bottleneck: 64 output channels
    stages["stage3"]["num_modules"] = 1
    stages["stage4"]["num_modules"] = 1
    return HRNetV2W18(
        NUM_KEYPOINTS,
        backbone=HRNetBackbone(stages),
        scheme=SCHEME,
        codec=dict(input_size=(input_size, input_size), sigma=sigma),
        name="hrnetv2_small_synthetic",
    )


def init_head_like_mmpose(model, seed):
    """MMPose's ``HeatmapHead`` init: conv kernels ~ N(0, 0.001), biases 0.

    With Keras's default (Glorot) init the untrained head outputs values of
    order 1 and the first hundreds of steps only learn to output zeros; MMPose
    starts from near-zero heatmaps.
    """
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.name.startswith("head-") and isinstance(layer, keras.layers.Conv2D):
            layer.set_weights(
                [
                    rng.normal(0.0, 1e-3, w.shape).astype(w.dtype)
                    if w.ndim > 1
                    else np.zeros_like(w)
                    for w in layer.get_weights()
                ]
            )


def make_faces(n: int, seed: int, what: str):
    from tqdm.auto import tqdm

    faces = SyntheticFaces(n, seed=seed)
    return [faces[i] for i in tqdm(range(n), desc=f"drawing {what} faces", unit="face")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps (batches)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--train-size", type=int, default=512, help="synthetic training faces")
    parser.add_argument("--test-size", type=int, default=64, help="held-out synthetic faces")
    parser.add_argument(
        "--input-size",
        type=int,
        default=128,
        help="square crop side in pixels (heatmaps are a quarter)",
    )
    parser.add_argument("--width", type=int, default=8, help="HRNet width (W18 has 18)")
    parser.add_argument("--sigma", type=float, default=2.0, help="heatmap Gaussian sigma")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="data-loading threads")
    parser.add_argument(
        "--exact-crops",
        action="store_true",
        help="bit-exact MMPose (OpenCV 4) crops; slower",
    )
    parser.add_argument("--output", type=pathlib.Path, default=pathlib.Path("synthetic_run"))
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the results of an earlier run in --output")  # fmt: skip
    args = parser.parse_args(argv)
    if args.steps <= 0 or args.batch_size <= 0 or args.input_size % 4:
        parser.error("--steps and --batch-size must be positive, --input-size a multiple of 4")
    try:  # refuse before training, not after
        check_output_directory(args.output / "preset", overwrite=args.overwrite)
    except FileExistsError as e:
        parser.error(str(e))
    start = time.time()
    keras.utils.set_random_seed(args.seed)
    print(f"Keras {keras.__version__}, backend {keras.backend.backend()}")

    train_faces = make_faces(args.train_size, args.seed, "training")
    test_faces = make_faces(args.test_size, args.seed + 1000, "test")
    model = small_hrnet(args.input_size, args.width, args.sigma)
    init_head_like_mmpose(model, args.seed)
    print(f"model: {model.count_params():,} parameters, {args.input_size}x{args.input_size} input")

    before = evaluate(model, test_faces, batch_size=32, opencv4_exact=args.exact_crops)
    print(f"NME before training: {before['nme']:.4f}")

    # One Keras "epoch" of exactly --steps batches: the faces are cycled, each
    # repetition with its own random flip/box draws (drawn per position).
    cycled = [train_faces[i % len(train_faces)] for i in range(args.steps * args.batch_size)]
    train = TopdownDataset(
        cycled,
        codec=model.codec,
        scheme=SCHEME,
        train=True,
        seed=args.seed,
        batch_size=args.batch_size,
        drop_remainder=True,
        opencv4_exact=args.exact_crops,
        workers=args.workers,
    )
    warmup = args.steps // 10
    schedule = keras.optimizers.schedules.CosineDecay(
        args.lr * 1e-3,
        decay_steps=max(1, args.steps - warmup),
        warmup_target=args.lr,
        warmup_steps=warmup,
        alpha=0.05,
    )
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=KeypointMSELoss())
    model.fit(train, epochs=1)

    after = evaluate(model, test_faces, batch_size=32, opencv4_exact=args.exact_crops)
    print(f"NME before training: {before['nme']:.4f}")
    print(
        f"NME after training:  {after['nme']:.4f}  (FR@0.1 {after['failure_rate']:.3f}, "
        f"AUC@0.1 {after['auc']:.3f}, {len(train)} steps)"
    )

    args.output.mkdir(parents=True, exist_ok=True)
    model.save(args.output / "model.keras")
    model.save_to_preset(args.output / "preset", overwrite=args.overwrite)
    shown = test_faces[:8]
    write_image(args.output / "overlay.png", prediction_grid(
        [f["image"] for f in shown], after["keypoints"][:8], after["gt_keypoints"][:8]))  # fmt: skip
    metrics = {
        "backend": keras.backend.backend(),
        "steps": len(train),
        "batch_size": args.batch_size,
        "input_size": args.input_size,
        "width": args.width,
        "nme_before": before["nme"],
        "nme_after": after["nme"],
        "failure_rate_after": after["failure_rate"],
        "auc_after": after["auc"],
        "seconds": round(time.time() - start, 1),
    }
    (args.output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(
        f"wrote {args.output}/model.keras, preset/, overlay.png, metrics.json "
        f"in {metrics['seconds']} s"
    )
    return metrics


if __name__ == "__main__":
    main()
