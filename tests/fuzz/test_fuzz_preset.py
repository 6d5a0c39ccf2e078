"""``from_preset(DIR)`` on damaged ``config.json``/``metadata.json``/``model.weights.h5``.

Each example builds a small Keras model when the damaged config still parses (about
0.1 s on an idle CPU); ``benchmarks/bench_fuzz.py`` runs the long one.
"""

from __future__ import annotations

import pytest

pytest.importorskip("hypothesis")
from tests.fuzz.hypothesis_run import fuzz  # noqa: E402
from tests.fuzz.targets import check, targets  # noqa: E402


def test_preset_reader_survives_damaged_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("preset_fuzz")
    target = targets(root)["preset directory"]
    seed = target.seeds[0]
    assert check(target, seed, seed.read_bytes(), root) is None  # intact preset loads
    fuzz(target, root, examples=60)
