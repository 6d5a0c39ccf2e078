"""Training throughput: the input pipelines and HRNetV2-W18 training steps on every backend,
next to MMPose's own training step, measured interleaved in one run.

    python benchmarks/bench_training.py --output benchmarks/training.json

On the idle 2-core machine the defaults take roughly 20 minutes, most of it the timed
batch-8 steps (``--steps``; a Keras-PyTorch step is the slowest, tens of seconds) and the
XLA compilation of the JAX and TensorFlow steps (about two minutes each, while the other
workers warm up). Smoke test (a few minutes, mostly that compilation): ``--batch-size 1
--steps 1 --warmup 1 --rounds 1 --pipeline-batches 2 --pipeline-runs 1``.

Two groups of worker processes (the protocol of ``bench_latency.py``: each warms up,
then the coordinator asks the workers in turn for their timed calls, ``--rounds`` times,
so slow phases of a loaded machine hit every variant alike):

* **Input pipelines**, images per second (``--batch-size`` crops of 256x256 per batch)
  on ``synthetic_faces`` (in memory, no download) with MMPose's WFLW augmentation (the
  ``hrnetv2_w18_wflw`` recipe's ``flip_prob`` and ``bbox_transform``) and its heatmap
  targets (``MSRAHeatmap`` 64x64, sigma 2), each with ``opencv4_exact`` on and off:

  - ``pydataset-w<N>``: the ``TopdownDataset`` (a ``keras.utils.PyDataset``) with N
    workers, read through Keras's ``PyDatasetAdapter`` as ``model.fit`` reads it on JAX
    and PyTorch (N = 1: batches made in the consuming thread; N > 1: Keras's
    ``OrderedEnqueuer`` threads);
  - ``tf.data-p<N>``: :func:`keras_facelm.data.tf_pipeline.topdown_tf_dataset` with N
    parallel calls (what ``train`` uses on TensorFlow).

  One call is one epoch of ``--pipeline-batches`` batches from a fresh iterator (the
  pipeline's start-up included; nothing runs between calls, so no prefetch queue fills
  while the worker waits its turn).
* **Training steps**, images per second of one optimizer step after warm-up:
  ``keras-<backend>``: the recipe's full-width model (``recipe.build_model()``, 256x256),
  ``compile(recipe.build_optimizer(...), recipe.build_loss())``, ``train_on_batch``
  with per-keypoint ``sample_weight``; ``mmpose``: MMPose 1.3.2's own model from
  ``td-hm_hrnetv2-w18_8xb64-60e_wflw`` in the reference venv, ``model.train()``,
  ``model.loss`` (normalisation included) + ``backward`` + ``torch.optim.Adam`` step at
  the config's LR, as ``tests/parity/make_train_step_fixtures.py`` runs it. Same batch
  size, random images and keypoints (speed does not depend on them), 2 threads, GPUs
  hidden.

**GPU** (``--gpu``): when a GPU is present, ``keras-jax`` and ``keras-torch`` also run at
``--gpu-batch-size`` (64) under ``mixed_float16`` on it, next to the same network in
PyTorch (MMPose's model, ``torch.autocast`` float16 with a ``GradScaler``). Each framework
is asked first whether it sees a GPU (CPU-only wheels do not); what cannot run is recorded
as "not measured" with the reason, and so is the whole part on a machine without a GPU.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pathlib
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_latency import (  # noqa: E402
    REPO,
    THREADS,
    WORKERS,
    Worker,
    _env,
    add_run_arguments,
    finish_results,
    measure,
    parse_or_work,
    start_results,
    summarise,
)

SCRIPT = str(pathlib.Path(__file__).resolve())
RECIPE = "hrnetv2_w18_wflw"
SIDE = 256  # crop side of the recipe, pixels


# ----------------------------------------------------------------------------- workers
def _select_device(spec):
    """Hides every GPU from a CPU worker; on a GPU, no framework takes all its memory
    up front (JAX takes 75 % by default, TensorFlow all). Call before any import."""
    if spec.get("device", "cpu") == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    else:
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"


def _pipeline_worker(spec):
    """One epoch of ``spec["batches"]`` batches per call from ``spec["pipeline"]``."""
    _select_device(spec)
    from keras_facelm.codecs import MSRAHeatmap
    from keras_facelm.data.pipeline import TopdownDataset
    from keras_facelm.data.records import load_records
    from keras_facelm.training import get_recipe

    recipe = get_recipe(RECIPE)
    workers, batch = spec["workers"], spec["batch"]
    tf_data = spec["pipeline"] == "tf.data"
    dataset = TopdownDataset(
        load_records("synthetic_faces", "train", limit=spec["batches"] * batch),
        codec=MSRAHeatmap(**recipe.codec_config()),
        scheme="300w",
        batch_size=batch,
        flip_prob=recipe.flip_prob,
        bbox_transform=dict(recipe.bbox_transform),
        opencv4_exact=spec["exact"],
        workers=1 if tf_data else workers,
        use_multiprocessing=False,
    )
    if tf_data:
        from keras_facelm.data.tf_pipeline import topdown_tf_dataset

        epochs = itertools.count()

        def call():
            for _ in topdown_tf_dataset(dataset, next(epochs), parallel_calls=workers):
                pass

        return call, 0
    from keras.src.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter

    adapter = PyDatasetAdapter(dataset, shuffle=False)  # model.fit's reader of a PyDataset

    def call():
        adapter.on_epoch_begin()
        for _ in adapter.get_numpy_iterator():
            pass
        adapter.on_epoch_end()  # the next epoch: new order and augmentation draws

    return call, 0


def _random_images(batch):
    """``batch`` random RGB 0-255 float32 images ``(B, 256, 256, 3)``."""
    import numpy as np

    return np.random.default_rng(0).uniform(0, 255, (batch, SIDE, SIDE, 3)).astype(np.float32)


def _keras_step_worker(spec):
    """``train_on_batch`` of the recipe's model on one fixed batch per call."""
    _select_device(spec)
    import keras
    import numpy as np

    from keras_facelm.training import get_recipe

    if spec["precision"] != "float32":
        keras.mixed_precision.set_global_policy(spec["precision"])
    recipe = get_recipe(RECIPE)
    batch = spec["batch"]
    model = recipe.build_model(input_size=SIDE)
    model.compile(
        optimizer=recipe.build_optimizer(steps_per_epoch=1000, batch_size=batch),
        loss=recipe.build_loss(),
    )
    images = _random_images(batch)
    # Keypoints in crop pixels, a few outside the crop (as make_train_step_fixtures draws them).
    keypoints = np.random.default_rng(1).uniform(-20, SIDE + 20, (batch, recipe.num_keypoints, 2))
    encoded = [model.codec.encode(kp.astype(np.float32)) for kp in keypoints]
    targets = np.stack([t for t, _ in encoded])
    weights = np.stack([w for _, w in encoded])
    size = sum(int(np.prod(w.shape)) * 4 for w in model.weights)  # float32 bytes
    return (lambda: model.train_on_batch(images, targets, sample_weight=weights)), size


def _mmpose_step_worker(spec):
    """MMPose's train step (``model.loss`` + backward + Adam) on one fixed batch per call."""
    _select_device(spec)
    import numpy as np
    import torch

    sys.path.insert(0, str(REPO / "tests" / "parity"))
    import make_mmpose_model_fixtures as mm
    import make_train_step_fixtures as ts

    torch.set_num_threads(THREADS)
    mm.register_all_modules()
    cfg = mm.load_config(RECIPE, "full")
    device = "cuda" if spec["device"] == "gpu" else "cpu"
    model = mm.MODELS.build(cfg.model).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=float(cfg.optim_wrapper.optimizer.lr))
    images = _random_images(spec["batch"])
    k = cfg.model.head.out_channels
    samples, _, _ = ts.make_batch(images, "heatmap", k, np.random.default_rng(1))
    samples = [s.to(device) for s in samples]
    amp = spec["precision"] == "mixed_float16"
    scaler = torch.amp.GradScaler(device, enabled=amp)

    def call():
        x = mm.normalise_nchw(images).to(device)
        with torch.autocast(device, dtype=torch.float16, enabled=amp):
            losses = model.loss(x, samples)
            loss = sum(v for name, v in losses.items() if name.startswith("loss"))
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        loss.item()  # waits for the device

    size = sum(p.numel() * 4 for p in model.parameters())
    return call, size


WORKERS.update(
    pipeline=_pipeline_worker, keras_step=_keras_step_worker, mmpose_step=_mmpose_step_worker
)


# ----------------------------------------------------------------------------- coordinator
#: Pipeline name, the backend its worker runs under, and its row name's prefix.
PIPELINES = (("pydataset", "jax", "pydataset-w"), ("tf.data", "tensorflow", "tf.data-p"))


def pipeline_workers(args):
    """One worker per pipeline, parallelism and ``opencv4_exact`` setting."""
    ws = []
    for exact, workers, (pipeline, backend, prefix) in itertools.product(
        (True, False), args.pipeline_workers, PIPELINES
    ):
        spec = dict(
            kind="pipeline",
            pipeline=pipeline,
            batch=args.batch_size,
            exact=exact,
            batches=args.pipeline_batches,
            workers=workers,
            warmup=1,
        )
        name = f"{prefix}{workers} exact={exact}"
        ws.append(Worker(name, spec, backend=backend, script=SCRIPT))
    return ws


def step_workers(backends, batch, device, precision, mmpose_python, warmup):
    """``keras-<backend>`` per backend and ``mmpose`` (when its python is given)."""
    common = dict(batch=batch, device=device, precision=precision, warmup=warmup)
    ws = [
        Worker(f"keras-{b}", dict(common, kind="keras_step"), backend=b, script=SCRIPT)
        for b in backends
    ]
    if mmpose_python:
        ws.append(
            Worker("mmpose", dict(common, kind="mmpose_step"), python=mmpose_python, script=SCRIPT)
        )
    return ws


def images_per_second(workers, images_per_call, reference=None):
    """``summarise``'s rows with ``images_per_s`` and, given a reference row name, the
    speed ratio to it (``vs_<reference>``, above 1 when faster)."""
    rows = summarise(workers)
    for row in rows.values():
        del row["speedup_vs_mmpose"]  # bench_latency's reference, not run here
        if not row["size_mb"]:
            del row["size_mb"]  # a pipeline has no weights
        row["images_per_s"] = images_per_call * 1e3 / row["median_ms"]
    if reference in rows:
        ref = rows[reference]["images_per_s"]
        for row in rows.values():
            row[f"vs_{reference}"] = row["images_per_s"] / ref
    return rows


#: What each framework prints when it computes on a GPU.
GPU_PROBES = {
    "jax": "import jax; print(jax.default_backend())",
    "tensorflow": "import tensorflow as tf; print('gpu' if tf.config.list_physical_devices('GPU') else 'cpu')",
    "torch": "import torch; print('gpu' if torch.cuda.is_available() else 'cpu')",
}


def gpu_missing(framework, python=sys.executable):
    """``None`` when ``framework`` in ``python`` sees a GPU, else why not (one line)."""
    proc = subprocess.run(
        [python, "-c", GPU_PROBES[framework]],
        env=_env(),
        text=True,
        capture_output=True,
        timeout=600,
    )
    out = proc.stdout.strip().splitlines()
    if proc.returncode == 0 and out and out[-1] == "gpu":
        return None
    seen = out[-1] if out else (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return f"{framework} in {python} computes on {seen!r}, not a GPU (a CPU-only build?)"


def no_gpu_reason():
    """``None`` when ``nvidia-smi -L`` lists a GPU, else why the GPU part is skipped."""
    if shutil.which("nvidia-smi") is None:
        return "no GPU on this machine (nvidia-smi not found)"
    listed = subprocess.run(["nvidia-smi", "-L"], text=True, capture_output=True).stdout
    return None if "GPU" in listed else "no GPU on this machine (nvidia-smi -L lists none)"


def measure_gpu(args, mmpose):
    """Rows of the GPU steps; a variant whose framework sees no GPU gets
    ``{"not measured": reason}``, and so does the whole part without a GPU."""
    if args.gpu == "off":
        return {"not measured": "--gpu off"}
    reason = no_gpu_reason() if args.gpu == "auto" else None
    if reason:
        return {"not measured": reason}
    skipped = {f"keras-{b}": gpu_missing(b) for b in args.gpu_backends}
    skipped["mmpose"] = gpu_missing("torch", mmpose) if mmpose else "no MMPose reference venv"
    backends = [b for b in args.gpu_backends if not skipped[f"keras-{b}"]]
    ws = step_workers(
        backends,
        args.gpu_batch_size,
        "gpu",
        "mixed_float16",
        None if skipped["mmpose"] else mmpose,
        args.warmup,
    )
    rows = {}
    if ws:
        measure(ws, args.steps, args.rounds)
        rows = images_per_second(ws, args.gpu_batch_size, "mmpose")
    rows.update({name: {"not measured": why} for name, why in skipped.items() if why})
    return rows


def print_rows(title, rows, ratio_key=None):
    """A markdown table: median images/s (p10-p90 of the per-call times) and a ratio."""
    print(f"\n{title}\n| variant | images/s | ms per call (p10-p90) | {ratio_key or ''} |")
    print("|---|---|---|---|")
    for name, r in rows.items():
        if "not measured" in r:
            print(f"| {name} | not measured: {r['not measured']} | | |")
            continue
        ratio = f"{r[ratio_key]:.2f}x" if ratio_key in r else ""
        print(
            f"| {name} | {r['images_per_s']:.1f} | {r['median_ms']:.0f} "
            f"({r['p10_ms']:.0f}-{r['p90_ms']:.0f}) | {ratio} |",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["pipelines", "steps", "gpu"],
        choices=["pipelines", "steps", "gpu"],
    )
    parser.add_argument("--backends", nargs="+", default=["jax", "tensorflow", "torch"])
    parser.add_argument(
        "--batch-size",
        type=int,
        default=8,
        help="images per batch, pipelines and CPU training steps",
    )
    parser.add_argument("--steps", type=int, default=10, help="timed steps per variant")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps per variant")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--pipeline-workers",
        nargs="+",
        type=int,
        default=[1, 2],
        help="PyDataset workers / tf.data parallel calls",
    )
    parser.add_argument("--pipeline-batches", type=int, default=8, help="batches per epoch")
    parser.add_argument(
        "--pipeline-runs", type=int, default=6, help="timed epochs per pipeline variant"
    )
    parser.add_argument(
        "--gpu",
        choices=["auto", "on", "off"],
        default="auto",
        help="the GPU part: auto runs it when nvidia-smi lists a GPU",
    )
    parser.add_argument("--gpu-backends", nargs="+", default=["jax", "torch"])
    parser.add_argument("--gpu-batch-size", type=int, default=64)
    add_run_arguments(parser, None)
    args = parse_or_work(parser, argv)
    if args is None:
        return None
    mmpose, results = start_results(args)
    results.update(recipe=RECIPE, input_size=SIDE, batch_size=args.batch_size)
    if "pipelines" in args.parts:
        ws = pipeline_workers(args)
        measure(ws, args.pipeline_runs, args.rounds)
        results["pipelines"] = rows = images_per_second(ws, args.pipeline_batches * args.batch_size)
        print_rows(f"Input pipelines, batch {args.batch_size}, 256x256", rows)
    steps = results["presets"][RECIPE] = {}
    if "steps" in args.parts:
        ws = step_workers(args.backends, args.batch_size, "cpu", "float32", mmpose, args.warmup)
        measure(ws, args.steps, args.rounds)
        steps["cpu"] = images_per_second(ws, args.batch_size, "mmpose")
        print_rows(
            f"Training steps, CPU, batch {args.batch_size}, float32", steps["cpu"], "vs_mmpose"
        )
    gpu = steps["gpu"] = (
        measure_gpu(args, mmpose) if "gpu" in args.parts else {"not measured": "gpu not in --parts"}
    )
    title = f"Training steps, GPU, batch {args.gpu_batch_size}, mixed_float16"
    if "not measured" in gpu:
        print(f"\n{title}: not measured ({gpu['not measured']})")
    else:
        print_rows(title, gpu, "vs_mmpose")
    return finish_results(results, args.output)


if __name__ == "__main__":
    main()
