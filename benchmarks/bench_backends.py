"""Every Keras backend against MMPose eager: batch-1 latency and batch-32 throughput, raw
output and ``predict_landmarks``, for the five architectures, measured interleaved.

    KERAS_BACKEND=jax python benchmarks/bench_backends.py --output benchmarks/backends.json

For each architecture (random weights: speed does not depend on them) one worker
process per variant, from ``bench_latency.py``:

* ``<backend>-raw``: the detector's ``predict_on_batch`` (pixels → raw heatmaps or
  coordinates) under ``KERAS_BACKEND=<backend>``;
* ``<backend>-landmarks``: ``predict_landmarks(x, flip_test=False)``, the public call
  (decoding in the graph, numpy out);
* ``mmpose-raw``: MMPose 1.3.2's own model, ``backbone`` → ``neck`` → ``head.forward``
  under ``torch.no_grad``; ``mmpose-predict``: its ``predict`` (decoding included);

each at batch 1 and batch 32, 2 threads. One backend's two workers run beside
MMPose's two: they warm up, then the coordinator asks each in turn for ``--runs /
--rounds`` (batch 1) or ``--runs-32 / --rounds`` (batch 32) timed calls per round, so
every ratio compares processes measured in the same minutes. Reported: batch-1 median
ms, batch-32 images per second, the speed ratio to MMPose's same mode (raw to raw,
landmarks to predict), and ``predict_landmarks`` over raw per backend.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_latency import (  # noqa: E402
    Worker,
    add_run_arguments,
    finish_results,
    measure,
    random_preset,
    start_results,
    summarise,
)

PRESETS = (
    "hrnetv2_w18_wflw",
    "res50_coco_wholebody_face",
    "mobilenetv2_coco_wholebody_face",
    "hourglass52_coco_wholebody_face",
    "deeppose_res50_wingloss_wflw",
)
MODES = {"raw": "raw", "landmarks": "predict_landmarks"}


def workers_for(preset_dir, preset, backend, batch, mmpose_python):
    """One backend's two modes and MMPose's two, to be measured together."""
    ws = [
        Worker(
            f"{backend}-{mode}-b{batch}",
            {"kind": "keras", "preset_dir": str(preset_dir), "mode": how, "batch": batch},
            backend=backend,
        )
        for mode, how in MODES.items()
    ]
    if mmpose_python:
        ws += [
            Worker(
                f"mmpose-{mode}-b{batch}-with-{backend}",
                {"kind": "mmpose", "preset": preset, "stage": stage, "batch": batch},
                python=mmpose_python,
            )
            for mode, stage in (("raw", "head"), ("predict", None))
        ]
    return ws


def table(rows, backends, batch):
    """Markdown rows: ms (batch 1) or images/s (batch 32), and the speed ratio to MMPose
    measured in the same group (> 1: faster than MMPose)."""

    def value(ms):
        return f"{ms:.1f} ms" if batch == 1 else f"{batch * 1e3 / ms:.1f} img/s"

    out = []
    for mode, mm_mode in (("raw", "raw"), ("landmarks", "predict")):
        cells, mm = [], []
        for backend in backends:
            row = rows[f"{backend}-{mode}-b{batch}"]
            ref = rows.get(f"mmpose-{mm_mode}-b{batch}-with-{backend}")
            if ref is None:
                cells.append(value(row["median_ms"]))
                continue
            mm.append(ref["median_ms"])
            cells.append(f"{value(row['median_ms'])} ({ref['median_ms'] / row['median_ms']:.2f}x)")
        cells.append(value(sorted(mm)[len(mm) // 2]) if mm else "-")
        out.append(f"| {mode} | " + " | ".join(cells) + " |")
    overhead = [
        rows[f"{b}-landmarks-b{batch}"]["median_ms"] / rows[f"{b}-raw-b{batch}"]["median_ms"] - 1
        for b in backends
    ]
    out.append(
        "| predict_landmarks over raw | " + " | ".join(f"{o:+.0%}" for o in overhead) + " | - |"
    )
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow", "torch"])
    parser.add_argument("--runs", type=int, default=30, help="timed batch-1 calls per variant")
    parser.add_argument("--runs-32", type=int, default=6, help="timed batch-32 calls per variant")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 32], choices=[1, 32])
    add_run_arguments(parser, "bench_latency")
    args = parser.parse_args(argv)
    mmpose, results = start_results(args)
    for preset in args.presets:
        preset_dir = random_preset(preset, args.work)
        rows = {}
        # One backend at a time beside MMPose: four batch-32 processes of Hourglass-52
        # already hold about 12 GB.
        for batch in args.batches:
            runs = args.runs if batch == 1 else args.runs_32
            for backend in args.backends:
                workers = workers_for(preset_dir, preset, backend, batch, mmpose)
                measure(workers, runs, args.rounds)
                rows.update(summarise(workers))
                print(f"  {preset} batch {batch} {backend}: measured", flush=True)
        results["presets"][preset] = rows
        header = " | ".join([*args.backends, "MMPose eager"])
        for batch in args.batches:
            print(f"\n{preset}, batch {batch}\n| mode | {header} |")
            print("|---" * (len(args.backends) + 2) + "|")
            print("\n".join(table(rows, args.backends, batch)), flush=True)
    return finish_results(results, args.output)


if __name__ == "__main__":
    main()
