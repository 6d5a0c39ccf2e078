"""The one hypothesis loop the fuzz tests share: mutate a seed file, check the property.

Run as a module, it fuzzes one reader in a fresh process and prints that process's peak
resident memory, so the memory check sees the reader alone and not whatever the test
process allocated before (``ru_maxrss`` only ever grows)::

    python -m tests.fuzz.hypothesis_run "ibug .pts" WORKDIR 60   # prints {"peak_rss_mib": ...}
"""

from __future__ import annotations

import json
import pathlib
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import check, mutate, peak_rss_mib, targets


def fuzz(target, workdir, examples):
    """Runs ``examples`` derandomised mutations of ``target``'s seed files through ``check``."""
    seeds = [(s, s.read_bytes()) for s in target.seeds]
    assert seeds, f"no seed files for {target}"

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(rnd=st.randoms(use_true_random=False))
    def run(rnd):
        seed, data = rnd.choice(seeds)
        check(target, seed, mutate(data, rnd, binary=target.binary), workdir)

    run()
    return seeds


if __name__ == "__main__":
    name, workdir, examples = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])
    fuzz(targets()[name], workdir, examples)
    print(json.dumps({"peak_rss_mib": peak_rss_mib()}))
