"""DARK decoding speed: keras_facelm's in-graph HeatmapDecoder vs MMPose's decoder.

Both sides decode the same WFLW-shaped heatmaps (64x64, 98 keypoints; Gaussian
blobs of sigma 2 with noise, at the landmark positions of MMPose's WFLW test
faces, randomly rotated/scaled/shifted, or with ``--layout uniform`` at uniform
random positions), saved to a temporary ``.npy``:

* MMPose: ``MSRAHeatmap(unbiased=True).decode`` per sample, as
  ``HeatmapHead.decode`` calls it, run by the MMPose reference interpreter
  (``--mmpose-python``, default ``$MMPOSE_REF_PYTHON`` or ``.mmpose-ref/bin/python``).
* ours: ``HeatmapDecoder(unbiased=True)`` on every Keras backend, each in its own
  process: JAX (``jax.jit``), TensorFlow (``tf.function``, and with
  ``jit_compile=True``), PyTorch (eager).

For batch 1 and 64: median wall time of ``--repeats`` runs after ``--warmup``
runs, the speed-up over MMPose and the largest keypoint difference in input px.
Prints a Markdown table (and the machine it ran on) for ``benchmarks/RESULTS.md``.

    .venv/bin/python benchmarks/bench_dark_decoding.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
BATCHES = (1, 64)
SHAPE = (64, 64, 98)  # WFLW: H, W, K
PX_TOLERANCE = 0.01


WFLW_FACES = REPO / "tests" / "data" / "mmpose_faces" / "wflw" / "test_wflw.json"


def face_layouts(n, rng):
    """(n, 98, 2) keypoints in heatmap px: the WFLW test faces of MMPose's test
    data, cropped as MMPose crops them (box 1.25 x 200 x scale around the centre,
    to 256 px, / 4), each copy rotated (±30°), scaled (0.8-1.2) and shifted (±3 px)."""
    with open(WFLW_FACES) as f:
        annotations = json.load(f)["annotations"]
    faces = []
    for ann in annotations:
        kp = np.asarray(ann["keypoints"], np.float64).reshape(-1, 3)[:, :2]
        size = 200.0 * ann["scale"] * 1.25
        faces.append(((kp - ann["center"]) / size * 256.0 + 128.0) / 4.0)
    out = np.empty((n, 98, 2))
    for i in range(n):
        angle = np.deg2rad(rng.uniform(-30, 30))
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        centred = faces[i % len(faces)] - 32.0
        out[i] = centred @ rot.T * rng.uniform(0.8, 1.2) + 32.0 + rng.uniform(-3, 3, size=2)
    return out


def make_heatmaps(n, layout="wflw", seed=0):
    """(n, 64, 64, 98) float32 heatmaps like a trained model's output.

    Gaussian blobs (sigma 2, peak 0.3-1) plus noise (std 0.005). ``layout="wflw"``
    puts them at face-shaped positions (:func:`face_layouts`), as a face model's
    heatmaps are; ``"uniform"`` at independent uniform random positions, the
    worst case for the memory locality of the decoder's gathers.
    """
    rng = np.random.default_rng(seed)
    h, w, k = SHAPE
    if layout == "wflw":
        centres = face_layouts(n, rng)
    elif layout == "uniform":
        centres = rng.uniform(0, w - 1, size=(n, k, 2))
    else:
        raise ValueError(f"layout must be 'wflw' or 'uniform', got {layout!r}")
    cx = centres[:, None, None, :, 0].astype(np.float32)
    cy = centres[:, None, None, :, 1].astype(np.float32)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    amp = rng.uniform(0.3, 1.0, size=(n, 1, 1, k)).astype(np.float32)
    heat = amp * np.exp(-((x[None, :, :, None] - cx) ** 2 + (y[None, :, :, None] - cy) ** 2) / 8.0)
    heat += rng.normal(0.0, 0.005, size=heat.shape).astype(np.float32)
    return heat.astype(np.float32)


def timed(fn, warmup, repeats):
    """Milliseconds of ``repeats`` calls after ``warmup`` calls, and the last result."""
    for _ in range(warmup):
        out = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1e3)
    return times, out


def mmpose_worker(path, warmup, repeats):
    """Runs inside the MMPose interpreter: decode each sample like HeatmapHead.decode."""
    import mmpose
    from mmpose.codecs import MSRAHeatmap

    codec = MSRAHeatmap(
        input_size=(256, 256),
        heatmap_size=(64, 64),
        sigma=2,
        unbiased=True,
        blur_kernel_size=11,
    )
    heat = np.load(path).transpose(0, 3, 1, 2).copy()  # NHWC → NCHW, as MMPose sees it
    result = {"version": f"mmpose {mmpose.__version__}, numpy {np.__version__}"}
    for batch in BATCHES:

        def run(batch=batch):
            return [codec.decode(sample)[0][0] for sample in heat[:batch]]

        times, keypoints = timed(run, warmup, repeats)
        result[str(batch)] = {"times": times}
        np.save(f"{path}.mmpose{batch}.npy", np.stack(keypoints).astype(np.float32))
    return result


def keras_worker(path, warmup, repeats):
    """Runs with KERAS_BACKEND set: our decoder, compiled as each backend allows."""
    import keras

    from keras_facelm.layers import HeatmapDecoder

    backend = keras.backend.backend()
    decoder = HeatmapDecoder(unbiased=True)
    heat = np.load(path)
    variants = {}
    if backend == "jax":
        import jax

        fn = jax.jit(lambda h: decoder(h)["keypoints"])
        variants["jax.jit"] = (
            lambda x: jax.block_until_ready(fn(x)),
            jax.numpy.asarray,
        )
        version = f"jax {jax.__version__}"
    elif backend == "tensorflow":
        import tensorflow as tf

        def decode(h):
            return decoder(h)["keypoints"]

        graph = tf.function(decode)
        xla = tf.function(decode, jit_compile=True)
        variants["tf.function"] = (lambda x: graph(x).numpy(), tf.constant)
        variants["tf.function XLA"] = (lambda x: xla(x).numpy(), tf.constant)
        version = f"tensorflow {tf.__version__}"
    else:
        import torch

        threads = torch.get_num_threads()

        def eager(x, n):
            torch.set_num_threads(n)
            return decoder(x)["keypoints"].numpy()

        # on a busy machine torch's intra-op threads can wait on each other
        variants[f"torch eager, {threads} threads"] = (
            lambda x: eager(x, threads),
            torch.from_numpy,
        )
        variants["torch eager, 1 thread"] = (lambda x: eager(x, 1), torch.from_numpy)
        version = f"torch {torch.__version__}"
    result = {"version": f"keras {keras.__version__}, {version}", "variants": {}}
    for name, (run, to_tensor) in variants.items():
        entry = {}
        for batch in BATCHES:
            x = to_tensor(heat[:batch])
            times, keypoints = timed(lambda run=run, x=x: run(x), warmup, repeats)
            entry[str(batch)] = {
                "times": times,
                "keypoints": np.asarray(keypoints).tolist(),
            }
        result["variants"][name] = entry
    return result


def cpu_description():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} logical cores visible"


def default_mmpose_python():
    env = os.environ.get("MMPOSE_REF_PYTHON")
    return pathlib.Path(env) if env else REPO / ".mmpose-ref" / "bin" / "python"


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--layout",
        choices=["wflw", "uniform"],
        default="wflw",
        help="keypoint positions of the synthetic heatmaps",
    )
    parser.add_argument("--mmpose-python", type=pathlib.Path, default=default_mmpose_python())
    parser.add_argument("--backends", default="jax,tensorflow,torch")
    parser.add_argument("--worker", choices=["mmpose", "keras"], help=argparse.SUPPRESS)
    parser.add_argument("--heatmaps", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repeats < 10:
        parser.error("--repeats must be at least 10")

    if args.worker == "mmpose":
        print(json.dumps(mmpose_worker(args.heatmaps, args.warmup, args.repeats)))
        return
    if args.worker == "keras":
        print(json.dumps(keras_worker(args.heatmaps, args.warmup, args.repeats)))
        return

    if not args.mmpose_python.is_file():
        raise FileNotFoundError(
            f"MMPose interpreter not found at {args.mmpose_python}; pass --mmpose-python"
        )
    worker = [
        str(pathlib.Path(__file__).resolve()),
        "--warmup",
        str(args.warmup),
        "--repeats",
        str(args.repeats),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "heatmaps.npy")
        np.save(path, make_heatmaps(max(BATCHES), args.layout))
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        # Rounds alternate MMPose and each backend, so that load from other
        # processes on the machine falls on both sides alike.
        ref_times = {b: [] for b in BATCHES}
        our_times, ours = {}, {}
        for _ in range(args.rounds):
            ref = run_json(
                [str(args.mmpose_python)] + worker + ["--worker", "mmpose", "--heatmaps", path]
            )
            for b in BATCHES:
                ref_times[b] += ref[str(b)]["times"]
            for backend in args.backends.split(","):
                env = dict(os.environ, KERAS_BACKEND=backend)
                res = run_json(
                    [sys.executable] + worker + ["--worker", "keras", "--heatmaps", path],
                    env,
                )
                ours[backend] = res
                for name, entry in res["variants"].items():
                    for b in BATCHES:
                        our_times.setdefault((name, b), []).extend(entry[str(b)]["times"])
        ref_keypoints = {b: np.load(f"{path}.mmpose{b}.npy") for b in BATCHES}
    ref_ms = {b: float(np.median(t)) for b, t in ref_times.items()}
    our_ms = {key: float(np.median(t)) for key, t in our_times.items()}

    print(
        f"Date: {started}. Machine: {cpu_description()}; {platform.platform()}; "
        f"Python {platform.python_version()}."
    )
    print(f"Reference: {ref['version']}, cv2.GaussianBlur per keypoint, per-sample loop.")
    for backend, res in ours.items():
        print(f"{backend}: {res['version']}")
    print(
        f"\nWFLW heatmaps (N, 64, 64, 98), {args.layout} keypoint layout; {args.rounds} rounds alternating MMPose and "
        f"each backend, each {args.warmup} warm-up + {args.repeats} timed runs; "
        "median over all timed runs.\n"
    )
    print("| decoder | batch | ms | speed-up vs MMPose | max abs diff (px) |")
    print("|---|---|---|---|---|")
    failures = []
    speedups = []
    for batch in BATCHES:
        print(
            f"| MMPose MSRAHeatmap(unbiased=True).decode | {batch} | {ref_ms[batch]:.2f} | 1.0x | — |"
        )
        for res in ours.values():
            for name, entry in res["variants"].items():
                ms = our_ms[(name, batch)]
                diff = float(
                    np.abs(np.asarray(entry[str(batch)]["keypoints"]) - ref_keypoints[batch]).max()
                )
                speedup = ref_ms[batch] / ms
                if batch == max(BATCHES):
                    speedups.append(speedup)
                print(
                    f"| keras_facelm HeatmapDecoder, {name} | {batch} | {ms:.2f} | {speedup:.1f}x | {diff:.2e} |"
                )
                if diff > PX_TOLERANCE:
                    failures.append(f"{name} batch {batch}: differs by {diff:.4f} px")
    print(f"\nBest speed-up at batch {max(BATCHES)}: {max(speedups):.1f}x (target >= 20x).")
    if failures:
        raise SystemExit(
            "keypoints differ from MMPose by more than 0.01 px: " + "; ".join(failures)
        )


if __name__ == "__main__":
    main()
