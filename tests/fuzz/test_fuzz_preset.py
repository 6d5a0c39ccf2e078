"""``from_preset(DIR)`` on damaged ``config.json``/``metadata.json``/``model.weights.h5``.

Each example builds a Keras model when the damaged config still parses, so this
runs in the slow suite; ``benchmarks/bench_fuzz.py`` runs the long one.
"""

from __future__ import annotations

import pytest

pytest.importorskip("hypothesis")
from tests.fuzz.hypothesis_run import fuzz  # noqa: E402
from tests.fuzz.targets import check, targets  # noqa: E402


@pytest.mark.slow  # a Keras model build per parsable config: ~30 s on an idle CPU
def test_preset_reader_survives_damaged_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("preset_fuzz")
    target = targets(root)["preset directory"]
    seed = target.seeds[0]
    assert check(target, seed, seed.read_bytes(), root) is None  # intact preset loads
    fuzz(target, root, examples=12)
