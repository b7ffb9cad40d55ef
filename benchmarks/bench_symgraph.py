"""symgraph against SymPy: derivation, lowering and evaluation of gradients.

Run from the project root::

    python benchmarks/bench_symgraph.py            # the full table (minutes)
    python benchmarks/bench_symgraph.py --quick    # small sizes only

For each family and size it prints our derivation time (one reverse sweep),
our lowering time (``sg.lambdify`` of the gradient, the direct NumPy
lowering), the node counts of the forward DAG and of forward plus gradient,
and the evaluation time of the lowered function and gradient on a batch of
10**4 points (best of 7 rounds, the two called in turn). SymPy runs in a
fresh subprocess per size (so its caches are cold), doing what a SymPy user
does: ``[sympy.diff(f, v) for v in vars]``, then ``sympy.cse``, then
``lambdify`` of the result; a size SymPy does not finish within the time
limit is reported as such.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import families

import symgraph as sg

BATCH = 10_000


def _median_time(fn, *args, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _interleaved_best(fns, args, rounds=7):
    """Best time of each function, called in turn round after round (a drift
    of the machine's speed then touches them alike)."""
    times = [[] for _ in fns]
    for _ in range(rounds):
        for fn, ts in zip(fns, times):
            t = time.perf_counter()
            fn(*args)
            ts.append(time.perf_counter() - t)
    return [min(ts) for ts in times]


def ours(builder, size):
    f, wrt, inputs = builder(size)
    t0 = time.perf_counter()
    grads = sg.grad(f, wrt)
    t1 = time.perf_counter()
    g_fn = sg.lambdify(inputs, grads)
    t2 = time.perf_counter()
    f_fn = sg.lambdify(inputs, f)
    batch = families.random_batch(inputs, BATCH)
    t_f, t_g = _interleaved_best([f_fn, g_fn], batch)
    return {
        "derive": t1 - t0,
        "lower": t2 - t1,
        "fwd_nodes": sg.count_nodes(f),
        "all_nodes": sg.count_nodes([f] + grads),
        "eval_f": t_f,
        "eval_g": t_g,
    }


def _sympy_child(builder_name, size, queue):
    import sympy as sp

    builder = getattr(families, builder_name)
    f, wrt, inputs = builder(size)
    fs = f.to_sympy()
    vs = [v.to_sympy() for v in wrt]
    args = [v.to_sympy() for v in inputs]
    t0 = time.perf_counter()
    ds = [sp.diff(fs, v) for v in vs]
    t1 = time.perf_counter()
    repl, reduced = sp.cse(ds)
    t2 = time.perf_counter()
    g_fn = sp.lambdify(args, reduced, "numpy", cse=lambda _e: (repl, reduced))
    t3 = time.perf_counter()
    ops = sum(sp.count_ops(e) for _, e in repl) + sum(sp.count_ops(e) for e in reduced)
    batch = families.random_batch(inputs, BATCH)
    t_g = _median_time(g_fn, *batch)
    queue.put(
        {
            "diff": t1 - t0,
            "cse": t2 - t1,
            "lambdify": t3 - t2,
            "ops": ops,
            "eval_g": t_g,
        }
    )


def sympy_side(builder_name, size, timeout):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_sympy_child, args=(builder_name, size, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None
    return queue.get() if not queue.empty() else None


FAMILIES = {
    "mlp_loss": ("MLP loss n x n", [4, 8, 16, 24, 32], [4, 8]),
    "deep_chain": ("deep chain k", [5, 10, 15, 20, 100, 1000], [5, 10, 100]),
    "conv_layer": ("conv layer n x n, 3x3", [6, 10, 16, 24], [6, 10]),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--sympy-timeout", type=float, default=180.0)
    parser.add_argument(
        "--skip-sympy-after",
        type=int,
        default=1,
        help="stop running SymPy on a family after this many timeouts",
    )
    args = parser.parse_args(argv)

    print(
        f"batch of {BATCH} points; times in seconds unless marked; SymPy limit "
        f"{args.sympy_timeout:.0f} s per size\n"
    )
    header = (
        f"{'family':<22} {'fwd':>6} {'fwd+grad':>8} {'x':>5} {'derive':>8} {'lower':>8} "
        f"{'us/node':>7} {'eval f':>8} {'eval g':>8} {'g/f':>5} | {'sympy d+l':>9} "
        f"{'ops':>8} {'eval g':>8} | {'speedup':>8} {'eval x':>7}"
    )
    print(header)
    print("-" * len(header))
    # Warm up once: the registry derives each op's partials with sympy.diff on
    # first use and caches them; that one-off cost is not per-gradient work.
    for builder in (families.mlp_loss, families.deep_chain, families.conv_layer):
        ours(builder, 2 if builder is not families.conv_layer else 3)
    for name, (label, sizes, quick) in FAMILIES.items():
        builder = getattr(families, name)
        timeouts = 0
        for size in quick if args.quick else sizes:
            r = ours(builder, size)
            ours_total = r["derive"] + r["lower"]
            s = None
            if timeouts < args.skip_sympy_after:
                s = sympy_side(name, size, args.sympy_timeout)
                timeouts += s is None
            if s is None:
                sym = f"{'> limit' if timeouts else 'skipped':>9} {'':>8} {'':>8} | {'':>8} {'':>7}"
            else:
                s_total = s["diff"] + s["cse"] + s["lambdify"]
                sym = (
                    f"{s_total:9.3f} {s['ops']:8d} {s['eval_g']:8.4f} | "
                    f"{s_total / ours_total:7.0f}x {s['eval_g'] / r['eval_g']:6.1f}x"
                )
            print(
                f"{label.replace(' n', ' ' + str(size)).replace(' k', ' ' + str(size)):<22} "
                f"{r['fwd_nodes']:6d} {r['all_nodes']:8d} {r['all_nodes'] / r['fwd_nodes']:5.2f} "
                f"{r['derive']:8.4f} {r['lower']:8.3f} {1e6 * ours_total / r['all_nodes']:7.1f} "
                f"{r['eval_f']:8.4f} {r['eval_g']:8.4f} {r['eval_g'] / r['eval_f']:5.2f} | {sym}",
                flush=True,
            )
    print(
        "\nx: gradient DAG (forward included) over forward DAG node count."
        "\nspeedup: SymPy (diff + cse + lambdify) time over ours (grad + lambdify)."
        "\neval x: SymPy's lowered gradient evaluation time over ours."
    )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
