"""Derive + lower of symgraph alone, repeated: min and median per phase.

Run from the project root::

    python benchmarks/bench_derive.py              # MLP 32 and chain 10^4
    python benchmarks/bench_derive.py --repeat 9 --json out.json

"derive" is ``sg.grad`` of every variable, "lower" is ``sg.lambdify`` of the
whole gradient (the default NumPy lowering, compile included), as in the
first table of ``bench_peers.py``. The forward expression is built once,
before the clock starts; each repeat drops the gradient and collects garbage
before the next, so every repeat builds its gradient nodes afresh (a
gradient still alive would make the next ``grad`` a chain of table hits).
To compare two versions of symgraph on a noisy machine, run this script
alternately with each on ``PYTHONPATH`` and compare the minima.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import families

import symgraph as sg

CASES = {"mlp": families.mlp_loss, "chain": families.deep_chain}


def run(name: str, size: int, repeat: int) -> dict:
    """Times of ``repeat`` derive and lower runs on one case."""
    f, wrt, inputs = CASES[name](size)
    derive, lower = [], []
    nodes = None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        grads = sg.grad(f, wrt)
        t1 = time.perf_counter()
        sg.lambdify(inputs, grads)
        t2 = time.perf_counter()
        derive.append(t1 - t0)
        lower.append(t2 - t1)
        if nodes is None:
            nodes = sg.count_nodes([f, *grads])
        del grads
    return {"case": f"{name} {size}", "nodes": nodes, "derive": derive, "lower": lower}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--cases", default="mlp:32,chain:10000", help="name:size, comma-separated"
    )
    parser.add_argument("--json", help="also write the raw times to this file")
    opts = parser.parse_args(argv)
    f, wrt, inputs = families.mlp_loss(2)  # warm up: imports, the partials cache
    sg.lambdify(inputs, sg.grad(f, wrt))
    results = []
    print("| case | nodes f+grad | derive min | median | lower min | median |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in opts.cases.split(","):
        name, size = case.split(":")
        r = run(name, int(size), opts.repeat)
        results.append(r)
        d, low = r["derive"], r["lower"]
        print(
            f"| {r['case']} | {r['nodes']} | {min(d):.3f} | {statistics.median(d):.3f} "
            f"| {min(low):.3f} | {statistics.median(low):.3f} |",
            flush=True,
        )
    if opts.json:
        Path(opts.json).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
