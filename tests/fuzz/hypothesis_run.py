"""The one hypothesis loop the fuzz tests share: mutate a seed file, check the property."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import check, mutate


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
