"""Reference fixtures for the STAR loss and FR/AUC, computed by the official STAR code.

The official repository (github.com/ZhenglinZhou/STAR) is not vendored: pass
the path of a local checkout (only ``lib/loss`` and ``lib/metric`` are read),
and run with an interpreter that has torch, numpy and scipy, e.g. the MMPose
reference venv::

    git --git-dir=<STAR git dir> archive HEAD lib/loss lib/metric | tar -x -C /tmp/star
    .mmpose-ref/bin/python tests/parity/make_star_fixtures.py /tmp/star [--output DIR]

The script imports ``lib.loss`` and ``lib.metric`` as packages without running
``lib/__init__.py`` (which needs the dataset stack). STAR's
``lib/metric/fr_and_auc.py`` imports ``scipy.integrate.simps``, removed in
SciPy 1.14; on newer SciPy the script aliases it to ``scipy.integrate.simpson``
(SciPy >= 1.11 semantics: Cartwright's end correction for an even number of
samples) before the import. It writes into ``tests/data/parity/``:

* ``star_loss.npz``: ``STARLoss_v2(w, dist)`` values and ``torch.autograd``
  gradients w.r.t. the heatmap (NCHW, as STAR takes it):

  - ``spec_*``: heat ``relu(sin(0.37 i))`` over (2, 3, 8, 8), gt
    ``0.5 sin(0.9 i)`` over (2, 3, 2) (reference values computed with MMPose 1.3.2), float32.
  - ``blobs_*``: (2, 3, 64, 64) anisotropic Gaussians (sigma 1.5-4 heatmap px,
    random orientation, sub-pixel centres) over a small uniform floor, gt in
    STAR's [-1, 1] convention near and far from the heatmap means (both
    smooth-L1 branches); in float32 (``blobs_heat``, ``blobs_gt``) and float64
    (the same values cast; values are multiples of 2^-16 so the file
    compresses). Values ``blobs_<dist>_w<w>_<dtype>`` for dist smoothl1 (w 1
    and 0.5), l1, l2; gradients ``grad_blobs_smoothl1_w1_<dtype>``.
* ``star_fr_auc.npz``: ``FR_AUC(...).test(nmes, thres)`` (step 1e-4) on the
  seeded per-image error arrays ``errors_<set>``, for thresholds ``thresholds``:
  ``fr_<set>`` and ``auc_<set>`` (STAR rounds FR to 4 and AUC to 6 decimals).
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import sys

import numpy as np
import scipy.integrate
import torch

REPO = pathlib.Path(__file__).resolve().parents[2]
THRESHOLDS = np.array([0.1, 0.08, 0.07, 0.05])


def import_star_package(checkout: pathlib.Path, name: str):
    """Imports ``<checkout>/lib/<name>`` as package ``star_<name>``."""
    directory = checkout / "lib" / name
    init = directory / "__init__.py"
    if not init.is_file():
        raise FileNotFoundError(f"{init} not found: is {checkout} a STAR checkout?")
    spec = importlib.util.spec_from_file_location(
        f"star_{name}", init, submodule_search_locations=[str(directory)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def blob_heatmaps(rng, n, k, size=64):
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    heat = np.empty((n, k, size, size))
    centres = np.empty((n, k, 2))
    for b in range(n):
        for j in range(k):
            cx, cy = rng.uniform(8, size - 9, size=2)
            sx, sy = rng.uniform(1.5, 4.0, size=2)
            t = rng.uniform(0, np.pi)
            c, s = np.cos(t), np.sin(t)
            u = c * (x - cx) + s * (y - cy)
            v = -s * (x - cx) + c * (y - cy)
            heat[b, j] = np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))
            heat[b, j] += rng.uniform(0, 0.02, size=(size, size))
            centres[b, j] = cx, cy
    return heat, centres


def value_and_grad(loss, heat, gt, dtype):
    h = torch.tensor(heat, dtype=dtype, requires_grad=True)
    g = torch.tensor(gt, dtype=dtype)
    value = loss(h, g)
    value.backward()
    return value.item(), h.grad.numpy()


def make_star_loss(star_loss, rng):
    out = {}
    i = np.arange(2 * 3 * 8 * 8).reshape(2, 3, 8, 8)
    heat = np.maximum(np.sin(0.37 * i), 0).astype(np.float32)
    gt = (0.5 * np.sin(0.9 * np.arange(12).reshape(2, 3, 2))).astype(np.float32)
    out["spec_heat"], out["spec_gt"] = heat, gt
    value, grad = value_and_grad(star_loss.STARLoss_v2(), heat, gt, torch.float32)
    out["spec_value"], out["grad_spec"] = np.float32(value), grad.astype(np.float32)

    heat, centres = blob_heatmaps(rng, 2, 3)
    heat = (np.round(heat * 2**16) / 2**16).astype(np.float32)  # compresses
    mean = centres / 63 * 2 - 1  # roughly the heatmap means on STAR's grid
    offsets = rng.normal(0, 0.05, size=mean.shape)
    offsets[:, :2] *= 0.02  # tiny errors: the quadratic branch of smooth L1
    gt = (mean + offsets).astype(np.float32)
    out["blobs_heat"], out["blobs_gt"] = heat, gt
    for dist, w in [("smoothl1", 1.0), ("smoothl1", 0.5), ("l1", 1.0), ("l2", 1.0)]:
        loss = star_loss.STARLoss_v2(w=w, dist=dist)
        for tag, dtype in [("f32", torch.float32), ("f64", torch.float64)]:
            key = f"blobs_{dist}_w{w:g}_{tag}"
            value, grad = value_and_grad(loss, heat.astype(np.float64), gt, dtype)
            out[key] = np.float64(value)
            if (dist, w) == ("smoothl1", 1.0):
                out[f"grad_{key}"] = grad
    return out


def make_fr_auc(star_metric, rng):
    errors = {
        "gamma": rng.gamma(2.0, 0.025, size=500),
        "mixed": np.concatenate(
            [rng.uniform(0.0, 0.05, 60), rng.uniform(0.05, 0.3, 40), [0.1, 0.05, 0.0]]
        ),
    }
    out = {"thresholds": THRESHOLDS}
    evaluator = star_metric.FR_AUC("WFLW")
    for name, e in errors.items():
        results = np.array([evaluator.test(e, thres=float(t)) for t in THRESHOLDS])
        out[f"errors_{name}"] = e
        out[f"fr_{name}"] = results[:, 0]
        out[f"auc_{name}"] = results[:, 1]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("star_checkout", type=pathlib.Path)
    parser.add_argument("--output", type=pathlib.Path, default=REPO / "tests" / "data" / "parity")
    args = parser.parse_args()
    if not hasattr(scipy.integrate, "simps"):
        scipy.integrate.simps = scipy.integrate.simpson
    star_loss = import_star_package(args.star_checkout, "loss")
    star_metric = import_star_package(args.star_checkout, "metric")
    args.output.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20230618)
    for name, data in [
        ("star_loss", make_star_loss(star_loss, rng)),
        ("star_fr_auc", make_fr_auc(star_metric, rng)),
    ]:
        path = args.output / f"{name}.npz"
        np.savez_compressed(path, **data)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
