"""Deterministic pseudo-random values for every tensor of a PyTorch state dict.

Shared by the fixture script (run with MMPose's interpreter, which loads these
values into MMPose's own modules and records MMPose's outputs) and by the Keras
parity tests (which regenerate the same values from the key names and shapes
stored in the fixture). Weights therefore need no storage, so even the full
ResNet-50 / Hourglass-52 backbones have small committed fixtures.

Each tensor draws from ``numpy.random.RandomState(crc32(key) ^ seed)``: the
legacy generator whose streams NumPy guarantees never to change, seeded per
key, so any subset regenerates independently of order. Scales keep random
deep networks numerically tame: conv/linear weights ~ N(0, 1/fan_in), BN
weight U(0.5, 1), bias and running_mean N(0, 0.1²), running_var U(0.5, 1.5).
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["seeded_tensor", "seeded_state_dict", "seeded_input"]


def _fan_in(key: str, shape: tuple[int, ...], transposed: bool) -> int:
    if len(shape) == 4:
        if transposed:  # ConvTranspose2d [I, O, kh, kw]; each output sees ~I·k²/4 inputs
            return max(1, shape[0] * shape[2] * shape[3] // 4)
        return shape[1] * shape[2] * shape[3]
    if len(shape) == 2:
        return shape[1]
    raise ValueError(f"{key}: cannot infer fan-in of a weight with shape {shape}")


def seeded_tensor(
    key: str,
    shape,
    seed: int,
    *,
    kind: str,
    transposed: bool = False,
) -> np.ndarray:
    """The value of state-dict entry ``key`` (float32, ``shape``).

    Args:
        key: full state-dict key, e.g. ``"backbone.layer1.0.conv1.weight"``.
        shape: the tensor's shape (PyTorch layout).
        seed: fixture-wide seed.
        kind: ``"weight"`` (conv/linear), ``"bias"``, ``"bn_weight"``,
            ``"bn_bias"``, ``"running_mean"`` or ``"running_var"``.
        transposed: ``True`` for ConvTranspose2d weights ``[I, O, kh, kw]``.
    """
    shape = tuple(int(s) for s in shape)
    rng = np.random.RandomState((zlib.crc32(key.encode()) ^ seed) & 0xFFFFFFFF)
    if kind == "weight":
        value = rng.standard_normal(shape) / np.sqrt(_fan_in(key, shape, transposed))
    elif kind in ("bias", "bn_bias", "running_mean"):
        value = 0.1 * rng.standard_normal(shape)
    elif kind == "bn_weight":
        value = rng.uniform(0.5, 1.0, shape)
    elif kind == "running_var":
        value = rng.uniform(0.5, 1.5, shape)
    else:
        raise ValueError(f"{key}: unknown tensor kind {kind!r}")
    return value.astype(np.float32)


def seeded_state_dict(entries, seed: int) -> dict[str, np.ndarray]:
    """Values for ``entries``: an iterable of ``(key, shape, kind, transposed)``."""
    return {
        key: seeded_tensor(key, shape, seed, kind=kind, transposed=transposed)
        for key, shape, kind, transposed in entries
    }


def seeded_input(shape_nchw, seed: int) -> np.ndarray:
    """A N(0, 1) float32 input batch in PyTorch's NCHW layout."""
    shape = tuple(int(s) for s in shape_nchw)
    return np.random.RandomState(seed).standard_normal(shape).astype(np.float32)
