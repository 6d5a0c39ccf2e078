"""Fuzz every reader of outside data with many mutated copies of the real fixtures.

    PYTHONPATH=. KERAS_BACKEND=jax python benchmarks/bench_fuzz.py --inputs 10000

For each reader (``tests/fuzz/targets.py``) it feeds ``--inputs`` mutations of
the committed fixture files (seeded ``random.Random(i)``, so a run is
reproducible and a failing input is replayed with ``--reader NAME --first i
--inputs 1``) and reports inputs tried, seconds, the peak resident memory of
the process after that reader, and how often each outcome came out (``ok`` or
the error type). It stops at the first input that breaks the property
(undocumented error type, message not naming the file, or a hang) and prints
it. ``--seconds`` caps the time per reader (the preset reader builds a Keras
model per parsable config, so it runs fewer inputs in the same time).
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import random
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from tests.fuzz.targets import (  # noqa: E402
    PropertyFailure,
    check,
    error_name,
    mutate,
    peak_rss_mib,
    targets,
)


def run(target, inputs, first, seconds, workdir, trace=False):
    seeds = [(s, s.read_bytes()) for s in target.seeds]
    counts = collections.Counter()
    start = time.perf_counter()
    tried = 0
    for i in range(first, first + inputs):
        rnd = random.Random(f"{target.name}/{i}")
        seed, data = rnd.choice(seeds)
        bad = mutate(data, rnd, binary=target.binary)
        if trace:
            print(f"input {i}", file=sys.stderr, flush=True)
        try:
            counts[error_name(check(target, seed, bad, workdir))] += 1
        except PropertyFailure as failure:
            print(f"FAIL {target.name} input {i} (seed {seed.name}): {failure}")
            raise
        tried += 1
        if time.perf_counter() - start > seconds:
            break
    return tried, time.perf_counter() - start, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10000)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--reader", action="append", help="only these readers")
    parser.add_argument("--no-preset", action="store_true")
    parser.add_argument("--trace", action="store_true", help="print each input index")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp)
        table = targets(None if args.no_preset else workdir)
        names = args.reader or list(table)
        print("| reader | seeds | inputs | seconds | peak RSS MiB | outcomes |")
        print("|---|---|---|---|---|---|")
        for name in names:
            target = table[name]
            tried, secs, counts = run(
                target, args.inputs, args.first, args.seconds, workdir, args.trace
            )
            outcomes = ", ".join(f"{k} {v}" for k, v in counts.most_common())
            print(
                f"| {name} | {len(target.seeds)} | {tried} | {secs:.1f} | "
                f"{peak_rss_mib():.0f} | {outcomes} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
