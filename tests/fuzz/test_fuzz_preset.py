"""``from_preset(DIR)`` on damaged ``config.json``/``metadata.json``/``model.weights.h5``.

Each example builds a Keras model when the damaged config still parses, so this
runs in the slow suite; ``benchmarks/bench_fuzz.py`` runs the long one.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz.targets import check, mutate, targets  # noqa: E402


@pytest.mark.slow  # a Keras model build per parsable config: ~30 s on an idle CPU
def test_preset_reader_survives_damaged_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("preset_fuzz")
    target = targets(root)["preset directory"]
    seeds = [(s, s.read_bytes()) for s in target.seeds]
    assert check(target, seeds[0][0], seeds[0][1], root) is None  # intact preset loads

    @settings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(rnd=st.randoms(use_true_random=False))
    def run(rnd):
        seed, data = rnd.choice(seeds)
        check(target, seed, mutate(data, rnd, binary=target.binary), root)

    run()
