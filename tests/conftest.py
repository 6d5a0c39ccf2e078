"""Shared pytest fixtures and switches.

* ``KERAS_BACKEND`` selects the backend for the whole run (``.ci/run`` runs the
  suite once per backend).
* Tests marked ``mmpose`` need the MMPose reference venv; they are skipped when
  it is absent. Point ``MMPOSE_REF_PYTHON`` at its interpreter, or build it at
  ``.mmpose-ref/`` with ``bash scripts/mmpose_ref_env.sh .mmpose-ref``.
"""

from __future__ import annotations

import os
import pathlib

import pytest

# JAX and TensorFlow's XLA compile with LLVM at -O0 in tests unless XLA_FLAGS is set: a third
# of the compile time (a tiny HRNet builds in 3 s instead of 10 s on JAX, which compiles every
# weight initialiser) and the same float semantics (XLA CPU compiles without fast-math).
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")

REPO = pathlib.Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"


def mmpose_python() -> pathlib.Path | None:
    """The MMPose reference interpreter, or ``None`` when it is not installed."""
    env = os.environ.get("MMPOSE_REF_PYTHON")
    candidates = [pathlib.Path(env)] if env else []
    candidates.append(REPO / ".mmpose-ref" / "bin" / "python")
    for c in candidates:
        if c.is_file():
            return c
    return None


#: Test paths (relative to the repo) that never touch a Keras backend: file readers,
#: TFDS builders, checkpoint parsing, downloads. ``scripts/test.sh`` runs them once.
BACKEND_INDEPENDENT = (
    "tests/data/readers/",
    "tests/checkpoints/test_torch_reader.py",
    "tests/utils/test_download.py",
    "tests/utils/test_atomic_write.py",
    "tests/fuzz/test_fuzz_readers.py",
    "tests/test_schemes.py",
    "tests/test_scheme_regions.py",
    "tests/inference/test_detectors.py",
    "tests/inference/test_landmarker.py",
    "tests/inference/test_video.py",
    "tests/inference/test_predict_files.py",
    "tfds_builders/",
)

#: Test paths for plumbing above Keras (command line, evaluation loop, crop path with a Keras
#: model). Their Keras parts are layers and models that the per-backend tests cover, so
#: ``scripts/test.sh`` runs them on JAX only.
ONE_BACKEND = (
    "tests/test_cli.py",
    "tests/test_evaluation.py",
    "tests/inference/test_topdown.py",
    "tests/inference/test_predict.py",
)


def mmpose_env() -> dict:
    """Environment for running the MMPose interpreter: one CPU thread.

    PyTorch's float32 reductions split work between threads; under load the split
    (and so the last bits of a loss mean) changed between runs, 1.3e-5 relative on
    AdaptiveWingLoss in one CI run. One thread fixes the order, and reproduces the
    committed fixtures bit for bit.
    """
    return {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def pytest_collection_modifyitems(config, items):
    have_mmpose = mmpose_python() is not None
    skip = pytest.mark.skip(reason="MMPose reference venv not found (MMPOSE_REF_PYTHON)")
    for item in items:
        rel = pathlib.Path(str(item.fspath)).resolve().relative_to(REPO).as_posix()
        if rel.startswith(BACKEND_INDEPENDENT):
            item.add_marker(pytest.mark.backend_independent)
        if rel.startswith(ONE_BACKEND):
            item.add_marker(pytest.mark.one_backend)
        if not have_mmpose and "mmpose" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def test_data():
    """Path to ``tests/data`` (small fixtures with their licence notes)."""
    return TEST_DATA


@pytest.fixture
def backend():
    import keras

    return keras.backend.backend()
