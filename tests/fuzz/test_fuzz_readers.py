"""Every reader of outside data, fed mutated copies of the real fixtures (CI slice).

The property (``tests/fuzz/targets.py``): a reader returns, or raises
``ValueError``/``FileNotFoundError`` naming the file; never another error type,
never a hang, never a large allocation. ``derandomize=True`` makes the slice the
same on every run; ``benchmarks/bench_fuzz.py`` runs >= 10,000 inputs per reader.
Each reader is fuzzed in its own process so its peak memory is measured alone.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("hypothesis")
from tests.fuzz.targets import REPO, check, targets  # noqa: E402

READERS = targets()
EXAMPLES = 60  # per reader; the whole file takes about 30 s on an idle CPU
# The fuzzing process imports the reader's libraries (TensorFlow for .pth: about 0.9 GiB).
PEAK_RSS_LIMIT_MIB = 1536


@pytest.mark.parametrize("name", sorted(READERS))
def test_reader_survives_mutated_fixtures(name, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.fuzz.hypothesis_run", name, str(tmp_path), str(EXAMPLES)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, (
        f"{name}: fuzzing failed\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    )
    peak = json.loads(run.stdout.strip().splitlines()[-1])["peak_rss_mib"]
    assert peak < PEAK_RSS_LIMIT_MIB, f"{name}: peak memory {peak:.0f} MiB"


@pytest.mark.parametrize("name", sorted(READERS))
def test_unmutated_seeds_are_read(name, tmp_path):
    target = READERS[name]
    for seed in target.seeds:
        assert check(target, seed, seed.read_bytes(), tmp_path) is None, seed
