"""Every reader of outside data, fed mutated copies of the real fixtures (CI slice).

The property (``tests/fuzz/targets.py``): a reader returns, or raises
``ValueError``/``FileNotFoundError`` naming the file; never another error type,
never a hang, never a large allocation. ``derandomize=True`` makes the slice the
same on every run; ``benchmarks/bench_fuzz.py`` runs >= 10,000 inputs per reader.
"""

from __future__ import annotations

import resource

import pytest

pytest.importorskip("hypothesis")
from tests.fuzz.hypothesis_run import fuzz  # noqa: E402
from tests.fuzz.targets import check, targets  # noqa: E402

READERS = targets()
EXAMPLES = 60  # per reader; the whole file takes about 20 s on an idle CPU
PEAK_RSS_LIMIT_MIB = 2048


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_survives_mutated_fixtures(name, tmp_path_factory):
    fuzz(READERS[name], tmp_path_factory.mktemp("fuzz"), EXAMPLES)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak < PEAK_RSS_LIMIT_MIB, f"{name}: peak memory {peak:.0f} MiB"


@pytest.mark.parametrize("name", sorted(READERS))
def test_unmutated_seeds_are_read(name, tmp_path):
    target = READERS[name]
    for seed in target.seeds:
        assert check(target, seed, seed.read_bytes(), tmp_path) is None, seed
