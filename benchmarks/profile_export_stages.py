"""Where exported models spend their time: LiteRT, ONNX Runtime and MMPose eager per stage.

    KERAS_BACKEND=tensorflow python benchmarks/profile_export_stages.py --output benchmarks/stages.json

The Python LiteRT interpreter has no per-operator profiler (and LiteRT's
``benchmark_model`` is not on PyPI), so this script profiles by stage: for each
architecture it exports three nested cuts of the same random-weight model,

* ``backbone``: pixels → normalisation → backbone feature maps;
* ``head``: + neck and head, the raw heatmaps (or coordinates);
* ``decode``: + in-graph decoding, keypoints and scores (the shipped graph);

to LiteRT fp32 (batch 1, XNNPACK) and ONNX, and times them next to MMPose
1.3.2's own model cut at the same places (``backbone``, ``backbone``+``neck``+
``head.forward``, ``predict``), all interleaved in one run with the workers of
``bench_latency.py`` (batch 1, 2 threads). A stage's cost is the difference of
consecutive cuts. The operators of each LiteRT stage are listed with their
counts, so a slow stage names its operators.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_latency import (  # noqa: E402
    DEFAULT_PRESETS,
    Worker,
    add_run_arguments,
    finish_results,
    measure,
    start_results,
    summarise,
)

STAGES = ("backbone", "head", "decode")


def stage_models(model):
    """``{stage: keras.Model}``: the nested cuts of ``model`` (images 0-255 in)."""
    import keras

    images = keras.Input(shape=(*model.image_size, 3), name="images")
    features = model.get_layer("backbone")(model.get_layer("normalize")(images))
    return {
        "backbone": keras.Model(images, features, name="backbone_cut"),
        "head": keras.Model(images, model(images), name="head_cut"),
        "decode": keras.Model(
            images, model.landmark_model(flip_test=False)(images), name="decode_cut"
        ),
    }


def export_stages(preset, work):
    """LiteRT and ONNX files of every stage of ``preset``; ``{(stage, runtime): path}``."""
    from keras_facelm.export.litert import write_litert
    from keras_facelm.export.onnx import write_onnx
    from keras_facelm.export.tflite_ops import operator_sequence
    from keras_facelm.models import build_preset_model

    out = work / preset
    out.mkdir(parents=True, exist_ok=True)
    files, operators = {}, {}
    for stage, graph in stage_models(build_preset_model(preset)).items():
        tflite, onnx = out / f"{stage}.tflite", out / f"{stage}.onnx"
        t = time.time()
        if not tflite.is_file():
            write_litert(
                graph,
                tflite,
                quantize=None,
                calibration=None,
                input_dtype="float32",
                metadata_text="{}",
                batch_size=1,
            )
        if not onnx.is_file():
            write_onnx(graph, onnx, input_dtype="float32", batch_size=1)
        print(f"  {preset}/{stage}: exported in {time.time() - t:.0f} s", flush=True)
        files[stage, "litert"], files[stage, "onnx"] = tflite, onnx
        operators[stage] = collections.Counter(operator_sequence(tflite.read_bytes()))
    return files, operators


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(DEFAULT_PRESETS))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    add_run_arguments(parser, "stages")
    args = parser.parse_args(argv)
    mmpose, results = start_results(args)
    for preset in args.presets:
        print(f"{preset}: exporting stages", flush=True)
        files, operators = export_stages(preset, args.work)
        workers = [
            Worker(f"{runtime}-{stage}", {"kind": runtime, "path": str(path)})
            for (stage, runtime), path in files.items()
        ]
        if mmpose:
            mm_cut = {"backbone": "backbone", "head": "head", "decode": None}
            workers += [
                Worker(
                    f"mmpose-{stage}",
                    {"kind": "mmpose", "preset": preset, "stage": mm_cut[stage]},
                    python=mmpose,
                )
                for stage in STAGES
            ]
        measure(workers, args.runs, args.rounds)
        rows = summarise(workers)
        table = {}
        for runtime in ("litert", "onnx", "mmpose"):
            previous = 0.0
            for stage in STAGES:
                row = rows.get(f"{runtime}-{stage}")
                if row is None:
                    continue
                table[f"{runtime}-{stage}"] = dict(
                    cumulative_ms=row["median_ms"], stage_ms=row["median_ms"] - previous
                )
                previous = row["median_ms"]
        results["presets"][preset] = {
            "stages": table,
            "litert_operators": {s: dict(c.most_common()) for s, c in operators.items()},
        }
        print(f"| {preset} | " + " | ".join(STAGES) + " |")
        for runtime in ("litert", "onnx", "mmpose"):
            cells = [
                f"{table[f'{runtime}-{s}']['stage_ms']:.1f}"
                for s in STAGES
                if f"{runtime}-{s}" in table
            ]
            print(f"| {runtime} | " + " | ".join(cells) + " |", flush=True)
    return finish_results(results, args.output)


if __name__ == "__main__":
    main()
