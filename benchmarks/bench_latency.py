"""Single-face CPU latency: Keras on 3 backends, LiteRT fp32/fp16/int8, ONNX Runtime,
MMPose eager, and the peer models in ../shared/realdata, measured interleaved.

    KERAS_BACKEND=jax python benchmarks/bench_latency.py --runs 50 --output benchmarks/latency.json

For each architecture (``--presets``, random weights: speed does not depend on
them) the script saves the Keras model as a preset, exports it with
:func:`keras_facelm.export.export` (LiteRT fp32/fp16/int8, ONNX; decoding in
the graph, no flip test) and starts one worker process per variant:

* ``keras-<backend>``: ``landmark_model(flip_test=False).predict_on_batch``
  under ``KERAS_BACKEND=<backend>`` (pixels → keypoints, decoding included);
* ``litert-fp32|fp16|int8``: ``ai_edge_litert`` interpreter (XNNPACK), batch 1
  (the LiteRT export default); ``litert-fp32-dynamic``: the same with a dynamic batch;
* ``onnxruntime``: CPU execution provider;
* ``mmpose-eager``: MMPose 1.3.2's own model (the preset's config) in the
  reference venv, ``model.predict`` (normalisation, forward, decode) under
  ``torch.no_grad``;
* peers (``--peers``): MediaPipe face_landmark (.tflite, LiteRT), PFLD-GhostOne
  and Peppa (.onnx, ONNX Runtime), run the same way.

All use batch 1 and 2 threads. Each worker warms up, then the coordinator asks
the workers in turn for ``--runs / --rounds`` timed calls per round, so slow
phases of a loaded machine hit every variant alike. Reported: median and
10th/90th percentile of the per-call times, the model file size, and each
variant's speed-up over MMPose eager.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
THREADS = 2
#: The three architectures every latency table shows.
DEFAULT_PRESETS = (
    "hrnetv2_w18_wflw",
    "res50_coco_wholebody_face",
    "mobilenetv2_coco_wholebody_face",
)
PEERS = {
    "mediapipe-face_landmark": (
        "litert",
        "mediapipe_face_landmark/face_landmark.tflite",
        (1, 192, 192, 3),
    ),
    "pfld-ghostone": (
        "onnx",
        "pfld_ghostone/PFLD_GhostOne_112_1_opt_sim.onnx",
        (1, 3, 112, 112),
    ),
    "peppa-slim160": (
        "onnx",
        "peppa_facial_landmark/slim_160_latest.onnx",
        (1, 3, 160, 160),
    ),
}


# ----------------------------------------------------------------------------- workers
def _keras_worker(spec):
    """``spec["mode"]``: ``"landmark_model"`` (default; its ``predict_on_batch``, pixels →
    keypoints), ``"raw"`` (the detector's ``predict_on_batch``, raw head output) or
    ``"predict_landmarks"`` (the public call, decoding and numpy conversion included);
    ``spec["batch"]`` images per call (default 1)."""
    import keras  # KERAS_BACKEND set by the coordinator
    import numpy as np

    from keras_facelm.models import from_preset

    detector = from_preset(spec["preset_dir"])
    mode, batch = spec.get("mode", "landmark_model"), spec.get("batch", 1)
    h, w = detector.image_size
    x = np.random.default_rng(0).uniform(0, 255, (batch, h, w, 3)).astype("float32")
    size = (pathlib.Path(spec["preset_dir"]) / "model.weights.h5").stat().st_size
    del keras
    if mode == "raw":
        return (lambda: detector.predict_on_batch(x)), size
    if mode == "predict_landmarks":
        return (lambda: detector.predict_landmarks(x, flip_test=False, batch_size=batch)), size
    model = detector.landmark_model(flip_test=False)
    return (lambda: model.predict_on_batch(x)), size


def _litert_worker(spec):
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=spec["path"], num_threads=THREADS)
    detail = interpreter.get_input_details()[0]
    x = np.random.default_rng(0).uniform(0, 255, detail["shape"]).astype(detail["dtype"])
    if detail["shape"][0] == 1 and spec.get("scale01"):
        x = x / 255.0
    interpreter.allocate_tensors()

    def call():
        interpreter.set_tensor(detail["index"], x)
        interpreter.invoke()

    return call, pathlib.Path(spec["path"]).stat().st_size


def _onnx_worker(spec):
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(spec["path"], options, providers=["CPUExecutionProvider"])
    first = session.get_inputs()[0]
    shape = [1 if not isinstance(d, int) else d for d in first.shape]
    x = np.random.default_rng(0).uniform(0, 255, shape).astype(np.float32)
    return (lambda: session.run(None, {first.name: x})), pathlib.Path(spec["path"]).stat().st_size


def _mmpose_worker(spec):
    import numpy as np
    import torch

    sys.path.insert(0, str(REPO / "tests" / "parity"))
    import make_mmpose_model_fixtures as mm

    torch.set_num_threads(THREADS)
    mm.register_all_modules()  # MMPose's registries (data preprocessor, heads, codecs)
    cfg = mm.load_config(spec["preset"], "full")
    model = mm.MODELS.build(cfg.model).eval()
    model.test_cfg["flip_test"] = False
    flip = mm.dataset_meta_from_config(cfg, dataset_mode="train")["flip_indices"]
    batch = spec.get("batch", 1)
    images = np.random.default_rng(0).uniform(0, 255, (batch, 256, 256, 3)).astype(np.float32)
    samples = mm.make_data_samples(batch, flip)
    stage = spec.get("stage")  # None: the whole predict; else the forward pass up to it

    def forward_to(x):
        feats = model.backbone(x)
        if stage == "backbone":
            return feats
        if model.with_neck:
            feats = model.neck(feats)
        return model.head.forward(feats)

    def call():
        with torch.no_grad():
            if stage is None:
                model.predict(mm.normalise_nchw(images), samples)
            else:
                forward_to(mm.normalise_nchw(images))

    with tempfile.TemporaryDirectory() as tmp:
        torch.save(model.state_dict(), f"{tmp}/w.pth")
        size = pathlib.Path(f"{tmp}/w.pth").stat().st_size
    return call, size


WORKERS = {
    "keras": _keras_worker,
    "litert": _litert_worker,
    "onnx": _onnx_worker,
    "mmpose": _mmpose_worker,
}


def worker_main(spec_json):
    """Builds the variant, warms up, prints ``READY <bytes>``; then per stdin line ``N``
    times N calls and prints their durations (seconds) as JSON."""
    spec = json.loads(spec_json)
    call, size = WORKERS[spec["kind"]](spec)
    for _ in range(spec.get("warmup", 5)):
        call()
    print(f"READY {size}", flush=True)
    for line in sys.stdin:
        times = []
        for _ in range(int(line)):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        print(json.dumps(times), flush=True)


# ----------------------------------------------------------------------------- coordinator
def _env(backend=None):
    env = {
        **os.environ,
        "OMP_NUM_THREADS": str(THREADS),
        "MKL_NUM_THREADS": str(THREADS),
        "TF_NUM_INTRAOP_THREADS": str(THREADS),
        "TF_NUM_INTEROP_THREADS": "1",
        "PYTHONPATH": str(REPO),
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    if backend:
        env["KERAS_BACKEND"] = backend
    return env


class Worker:
    """One variant in its own process (see :func:`worker_main`).

    ``script`` is the benchmark run as ``script --worker SPEC``: this file by default,
    or another benchmark whose ``--worker`` registers its kinds in :data:`WORKERS`.
    """

    def __init__(self, name, spec, python=sys.executable, backend=None, script=__file__):
        self.name = name
        # A temporary file, not a pipe: nobody reads stderr while the worker runs.
        self.stderr = tempfile.TemporaryFile("w+")
        self.proc = subprocess.Popen(
            [python, script, "--worker", json.dumps(spec)],
            env=_env(backend),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.size = None
        self.times = []

    def ready(self):
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            self.stderr.seek(0)
            tail = self.stderr.read()[-3000:]
            raise RuntimeError(
                f"{self.name}: worker failed to start (exit {self.proc.wait()}):\n{tail}"
            )
        self.size = int(line.split()[1])

    def run(self, n):
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        self.times += json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def random_preset(preset, work) -> pathlib.Path:
    """``work/<preset>/preset``: the registered architecture with random weights (made once)."""
    from keras_facelm.models import build_preset_model

    path = work / preset / "preset"
    if not (path / "config.json").is_file():
        build_preset_model(preset).save_to_preset(path)
    return path


def prepare(preset, work, calibration):
    """Random-weight preset directory and its LiteRT/ONNX exports; returns their paths."""
    import numpy as np

    from keras_facelm.export import export

    out = work / preset
    paths = {"preset": random_preset(preset, work)}
    h, w = 256, 256
    crops = np.random.default_rng(0).uniform(0, 255, (calibration, h, w, 3)).astype(np.float32)
    jobs = {
        "litert-fp32": dict(format="litert"),  # batch 1, LiteRT's default
        "litert-fp32-dynamic": dict(format="litert", batch_size="dynamic"),
        "litert-fp16": dict(format="litert", quantize="fp16"),
        "litert-int8": dict(format="litert", quantize="int8", representative_data=crops),
        "onnxruntime": dict(format="onnx"),
    }
    for name, kwargs in jobs.items():
        path = out / (name + (".onnx" if kwargs["format"] == "onnx" else ".tflite"))
        if not path.is_file():
            t = time.time()
            export(str(paths["preset"]), path, flip_test=False, **kwargs)
            print(f"  exported {path.name} in {time.time() - t:.0f} s", flush=True)
        paths[name] = path
    return paths


def variants(preset, paths, backends, mmpose_python, peers):
    ws = [
        Worker(
            f"keras-{b}",
            {"kind": "keras", "preset_dir": str(paths["preset"])},
            backend=b,
        )
        for b in backends
    ]
    ws += [
        Worker(n, {"kind": "litert", "path": str(paths[n])})
        for n in ("litert-fp32", "litert-fp32-dynamic", "litert-fp16", "litert-int8")
    ]
    ws.append(Worker("onnxruntime", {"kind": "onnx", "path": str(paths["onnxruntime"])}))
    if mmpose_python:
        ws.append(
            Worker(
                "mmpose-eager",
                {"kind": "mmpose", "preset": preset},
                python=mmpose_python,
            )
        )
    if peers:
        for name, (kind, rel, _) in PEERS.items():
            ws.append(
                Worker(
                    name,
                    {
                        "kind": kind,
                        "path": str(REALDATA / rel),
                        "scale01": name.startswith("mediapipe"),
                    },
                )
            )
    return ws


def measure(workers, runs, rounds):
    for w in workers:
        w.ready()
    per_round = max(1, runs // rounds)
    for _ in range(rounds):
        for w in workers:
            w.run(per_round)
    for w in workers:
        w.close()


def summarise(workers):
    import numpy as np

    rows = {}
    for w in workers:
        t = np.array(w.times) * 1e3
        rows[w.name] = dict(
            median_ms=float(np.median(t)),
            p10_ms=float(np.percentile(t, 10)),
            p90_ms=float(np.percentile(t, 90)),
            runs=len(t),
            size_mb=w.size / 1e6,
        )
    ref = rows.get("mmpose-eager", {}).get("median_ms")
    for row in rows.values():
        row["speedup_vs_mmpose"] = ref / row["median_ms"] if ref else None
    return rows


def add_run_arguments(parser, work: str | None) -> None:
    """``--work`` (default ``outputs/<work>``; left out for ``None``, a benchmark that
    writes no files), ``--output`` JSON and ``--mmpose-python``."""
    if work is not None:
        parser.add_argument("--work", type=pathlib.Path, default=REPO / "outputs" / work)
    parser.add_argument("--output", type=pathlib.Path, default=None, help="results JSON")
    parser.add_argument(
        "--mmpose-python",
        default=str(REPO / ".mmpose-ref" / "bin" / "python"),
        help="the MMPose reference venv's python; MMPose is left out when it is missing",
    )


def parse_or_work(parser, argv):
    """Parses ``argv``; in a worker process (``--worker SPEC``, see :class:`Worker`) serves
    the coordinator until it closes stdin and returns ``None``."""
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(args.worker)
        return None
    return args


def start_results(args) -> tuple[str | None, dict]:
    """The MMPose python to use (or ``None``) and the results dict with the machine's facts."""
    mmpose = args.mmpose_python if pathlib.Path(args.mmpose_python).is_file() else None
    results = {
        "threads": THREADS,
        "cpu_count": os.cpu_count(),
        "load_avg_start": os.getloadavg(),
        "presets": {},
    }
    return mmpose, results


def finish_results(results, path) -> dict:
    """Adds the final load average and writes ``results`` to ``path`` (if given)."""
    results["load_avg_end"] = os.getloadavg()
    if path:
        path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(DEFAULT_PRESETS))
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow", "torch"])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--calibration",
        type=int,
        default=16,
        help="random crops calibrating int8 (speed only)",
    )
    add_run_arguments(parser, "bench_latency")
    args = parse_or_work(parser, argv)
    if args is None:
        return None
    mmpose, results = start_results(args)
    results["runs"] = args.runs
    for i, preset in enumerate(args.presets):
        print(f"{preset}: preparing", flush=True)
        paths = prepare(preset, args.work, args.calibration)
        workers = variants(preset, paths, args.backends, mmpose, peers=i == 0)
        measure(workers, args.runs, args.rounds)
        rows = summarise(workers)
        results["presets"][preset] = rows
        for name, r in rows.items():
            ratio = f"{r['speedup_vs_mmpose']:.2f}x" if r["speedup_vs_mmpose"] else "-"
            print(
                f"  {name:24s} {r['median_ms']:8.1f} ms  (p10 {r['p10_ms']:.1f}, "
                f"p90 {r['p90_ms']:.1f})  {r['size_mb']:7.2f} MB  vs MMPose {ratio}",
                flush=True,
            )
    return finish_results(results, args.output)


if __name__ == "__main__":
    main()
