"""Measure the numeric engine's tape overhead on the MLP gradient.

Run from the repository root:

    python benchmarks/bench_tape.py [--blocks N]

Two workloads, each against the same gradient written by hand in NumPy (the
functions of ``bench_numeric.py``'s MLP family):

1. the MLP of ``bench_numeric.py`` (batch 64, 784 -> 128 -> 10, relu, softmax
   cross-entropy; gradients of the four parameters), where the matrix
   products dominate;
2. the same network at toy size (batch 4, 8 -> 5 -> 3), where NumPy's work is
   negligible, so ``numeric - hand`` is the engine's own cost per call: the
   tape, the primitive applications and the backward sweep.

The engine and the hand version are timed in alternating blocks of calls, so
drift of a shared machine lands on both; the table gives the fastest block
(the least disturbed) and the median block, per call. To compare two versions
of the engine, run this script with ``PYTHONPATH`` pointing at each checkout's
root (the script only needs ``benchmarks/bench_numeric.py`` beside it).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from bench_numeric import mlp_by_hand, mlp_numeric, mlp_workload

import numeric as nm


def toy_workload(rng):
    x = rng.normal(size=(4, 8))
    y = rng.integers(0, 3, size=4)
    params = (
        rng.normal(size=(8, 5)),
        np.zeros(5),
        rng.normal(size=(5, 3)),
        np.zeros(3),
    )
    return x, y, params


def alternate(fns: dict, blocks: int, calls: int, clock=time.perf_counter) -> dict:
    """Per-call seconds of each block, the functions timed in turn."""
    for fn in fns.values():  # warm up
        for _ in range(max(5, calls)):
            fn()
    times: dict = {name: [] for name in fns}
    for _ in range(blocks):
        for name, fn in fns.items():
            start = clock()
            for _ in range(calls):
                fn()
            times[name].append((clock() - start) / calls)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=60)
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time with the process CPU clock (for a loaded machine)",
    )
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f"numeric from {nm.__file__}")
    print()
    print(
        "| workload | numeric fastest block (ms) | hand fastest block (ms) "
        "| ratio of fastest | numeric median (ms) | hand median (ms) "
        "| ratio of medians | numeric - hand, fastest (us) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, workload, calls in (
        ("MLP gradient 64x784-128-10", mlp_workload, 20),
        ("MLP gradient toy 4x8-5-3", toy_workload, 200),
    ):
        x, y, params = workload(rng)
        times = alternate(
            {"numeric": mlp_numeric(x, y, params), "hand": mlp_by_hand(x, y, params)},
            args.blocks,
            calls,
            time.process_time if args.cpu_time else time.perf_counter,
        )
        fast_n, fast_h = min(times["numeric"]), min(times["hand"])
        med_n, med_h = (
            statistics.median(times["numeric"]),
            statistics.median(times["hand"]),
        )
        print(
            f"| {label} | {fast_n * 1e3:.3f} | {fast_h * 1e3:.3f} | {fast_n / fast_h:.2f} "
            f"| {med_n * 1e3:.3f} | {med_h * 1e3:.3f} | {med_n / med_h:.2f} "
            f"| {(fast_n - fast_h) * 1e6:.0f} |"
        )
    print()
    clock = "process CPU time" if args.cpu_time else "wall-clock time"
    print(
        f"float64; numpy {np.__version__}; {args.blocks} blocks per workload; {clock}"
    )


if __name__ == "__main__":
    main()
