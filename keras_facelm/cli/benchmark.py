"""Single-face latency of a model on this machine: batch 1, median of many runs.

Runs the landmark model (decoding and flip test included) on random crops at its
input size, after warm-up, and prints the median and 90th percentile in
milliseconds. For the comparisons against MMPose and other runtimes see
``benchmarks/bench_latency.py`` in the repository.

    keras-facelm benchmark --preset hrnetv2_w18_wflw --runs 50
    keras-facelm benchmark --preset model_int8.tflite
"""

from __future__ import annotations

import time

import numpy as np

from keras_facelm.cli.options import add_model_option

HELP = "batch-1 latency of a preset or exported model on this machine"


def add_arguments(parser):
    add_model_option(parser)
    parser.add_argument("--runs", type=int, default=50, help="timed runs (after warm-up)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first")
    parser.add_argument("--batch-size", type=int, default=1, help="crops per call")


def run(args):
    from tqdm.auto import tqdm

    from keras_facelm.inference.predictor import as_predictor

    if args.runs < 1 or args.batch_size < 1:
        raise ValueError("--runs and --batch-size must be at least 1")
    predictor = as_predictor(args.preset)
    width, height = predictor.input_size
    crops = np.random.default_rng(0).integers(
        0, 256, (args.batch_size, height, width, 3), dtype=np.uint8
    )
    for _ in range(args.warmup):
        predictor.predict(crops)
    times = []
    for _ in tqdm(range(args.runs), desc="benchmark", unit="run"):
        start = time.perf_counter()
        predictor.predict(crops)
        times.append((time.perf_counter() - start) * 1e3)
    median, p90 = np.median(times), np.percentile(times, 90)
    print(
        f"{args.preset}: batch {args.batch_size}, {width}x{height}: median {median:.2f} ms, "
        f"p90 {p90:.2f} ms over {args.runs} runs"
    )
    return 0
