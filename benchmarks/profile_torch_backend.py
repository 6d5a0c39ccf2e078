"""Where the Keras PyTorch backend spends a batch-1 forward pass (torch.profiler).

    KERAS_BACKEND=torch PYTHONPATH=. python benchmarks/profile_torch_backend.py \
        --preset mobilenetv2_coco_wholebody_face --runs 20

Builds the preset's architecture (random weights; speed does not depend on them),
warms up ``predict_on_batch`` on one 256x256 image with 2 threads, then profiles
``--runs`` calls and prints the ops by self CPU time, and the share of the time
spent in layout copies (``aten::copy_``/``contiguous``/``permute``) against
the convolutions themselves.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("KERAS_BACKEND", "torch")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="mobilenetv2_coco_wholebody_face")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=15)
    args = parser.parse_args(argv)

    import keras
    import numpy as np
    import torch
    from torch.profiler import ProfilerActivity, profile

    from keras_facelm.models import build_preset_model

    assert keras.backend.backend() == "torch", "run with KERAS_BACKEND=torch"
    torch.set_num_threads(2)
    model = build_preset_model(args.preset)
    x = np.random.default_rng(0).uniform(0, 255, (1, 256, 256, 3)).astype("float32")
    for _ in range(5):
        model.predict_on_batch(x)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(args.runs):
            model.predict_on_batch(x)
    table = prof.key_averages()
    print(table.table(sort_by="self_cpu_time_total", row_limit=args.rows))
    total = sum(e.self_cpu_time_total for e in table)
    layout = sum(
        e.self_cpu_time_total
        for e in table
        if e.key in ("aten::copy_", "aten::contiguous", "aten::clone", "aten::permute")
    )
    conv = sum(
        e.self_cpu_time_total
        for e in table
        if "convolution" in e.key or e.key in ("aten::conv2d", "aten::_convolution")
    )
    per_call = total / args.runs / 1e3
    print(f"{args.preset}: {per_call:.1f} ms self CPU per call (summed over threads' ops)")
    print(f"  layout copies/permutes: {100 * layout / total:.1f} %")
    print(f"  convolutions:           {100 * conv / total:.1f} %")


if __name__ == "__main__":
    main()
