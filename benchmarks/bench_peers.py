"""symgraph against the compiled peers: CasADi (SX) and SymEngine, side by side.

Run from the project root::

    python benchmarks/bench_peers.py            # the tables of docs/performance.md
    python benchmarks/bench_peers.py --quick    # small sizes only

1. Derive + lower: ``sg.grad`` then ``sg.lambdify`` (the default, direct
   NumPy lowering; the time includes compiling the generated source), against
   CasADi's ``gradient`` then ``Function`` on the same scalar graph (SX), and
   SymEngine's ``diff`` then ``Lambdify(cse=True)`` where it finishes. The
   forward expressions are built before the clock starts, for every tool.
2. Growth: derive + lower of the deep chain up to about 10^6 gradient nodes,
   time per node.
3. Evaluation on a batch of 10^4 points, default allocator, no environment
   settings: the lowered function f and the lowered gradient g (f's value and
   the whole gradient), their ratio; for the MLP 32 gradient, CasADi's
   Function mapped over the batch (its virtual machine), and CasADi's
   generated C compiled with ``gcc -O3 -march=native``: with a C loop over
   the points appended and called once per batch through ctypes (its
   fastest use; on point-major input, and on inputs laid out as symgraph
   takes them, a row per input, which costs one transpose), and through
   ``casadi.external(...).map``. Every variant allocates its output.

A peer that is not installed is skipped with a message.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import families

import symgraph as sg

BATCH = 10_000


def _try(name):
    try:
        return __import__(name)
    except ImportError:
        print(f"{name} is not installed: its columns are skipped", file=sys.stderr)
        return None


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def best_interleaved(fns, rounds=7):
    """Best time of each function, calling them in turn round after round, so
    a drift of the machine's speed touches all of them alike."""
    times = [[] for _ in fns]
    for _ in range(rounds):
        for fn, ts in zip(fns, times):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
    return [min(ts) for ts in times]


# ----- the same families for the peers ----------------------------------------------
def casadi_family(ca, name, size):
    if name == "mlp":
        W1, W2 = ca.SX.sym("W1", size, size), ca.SX.sym("W2", 1, size)
        x, y = ca.SX.sym("x", size), ca.SX.sym("y")
        f = (ca.mtimes(W2, ca.tanh(ca.mtimes(W1, x))) - y) ** 2
        # rows of W1 in symgraph's row-major order: W1[i, j] multiplies x[j]
        w = ca.vertcat(ca.vec(W1.T), ca.vec(W2))
        return f, w, ca.vertcat(w, x, y)
    x0 = ca.SX.sym("x0")
    xk = x0
    for _ in range(size):
        xk = ca.sin(xk) * xk + x0
    return xk, x0, x0


def symengine_family(se, name, size):
    if name == "mlp":
        W1 = [[se.Symbol(f"W1_{i}_{j}") for j in range(size)] for i in range(size)]
        W2 = [se.Symbol(f"W2_{i}") for i in range(size)]
        x = [se.Symbol(f"x_{i}") for i in range(size)]
        y = se.Symbol("y")
        hidden = [
            se.tanh(sum(W1[i][j] * x[j] for j in range(size))) for i in range(size)
        ]
        f = (sum(W2[i] * hidden[i] for i in range(size)) - y) ** 2
        w = [v for row in W1 for v in row] + W2
        return f, w, w + x + [y]
    x0 = se.Symbol("x0")
    xk = x0
    for _ in range(size):
        xk = se.sin(xk) * xk + x0
    return xk, [x0], [x0]


def ours_derive_lower(name, size):
    builder = families.mlp_loss if name == "mlp" else families.deep_chain
    f, wrt, inputs = builder(size)
    t0 = time.perf_counter()
    grads = sg.grad(f, wrt)
    t1 = time.perf_counter()
    sg.lambdify(inputs, grads)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, sg.count_nodes([f, *grads])


def casadi_derive_lower(ca, name, size):
    f, w, ins = casadi_family(ca, name, size)
    t0 = time.perf_counter()
    g = ca.gradient(f, w)
    t1 = time.perf_counter()
    ca.Function("g", [ins], [g])
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def symengine_derive_lower(se, name, size):
    f, w, ins = symengine_family(se, name, size)
    t0 = time.perf_counter()
    g = [f.diff(v) for v in w]
    t1 = time.perf_counter()
    se.Lambdify(ins, g, cse=True)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def table_derive(ca, se, quick):
    print("## derive + lower (seconds; ratio = ours / peer)\n")
    print(
        "| case | nodes f+grad | ours derive | ours lower | ours total | CasADi total | ours/CasADi | SymEngine total | ours/SymEngine |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    cases = (
        [("mlp", 8), ("chain", 1000)]
        if quick
        else [("mlp", 16), ("mlp", 32), ("chain", 1000), ("chain", 10_000)]
    )
    for name, size in cases:
        d, low, nodes = ours_derive_lower(name, size)
        row = f"| {name} {size} | {nodes} | {d:.3f} | {low:.3f} | {d + low:.3f} "
        if ca is not None:
            cd, cl = casadi_derive_lower(ca, name, size)
            row += f"| {cd + cl:.4f} | {(d + low) / (cd + cl):.0f}x "
        else:
            row += "| — | — "
        if se is not None and (name == "mlp" or size <= 15):
            sd, sl = symengine_derive_lower(se, name, size)
            row += f"| {sd + sl:.3f} | {(d + low) / (sd + sl):.2f}x |"
        else:
            row += "| — (chain: expression swell) | — |"
        print(row, flush=True)


def table_growth(max_k):
    print("\n## growth: deep chain, derive + lower\n")
    print("| k | nodes f+grad | derive | lower | total | us per node |")
    print("|---:|---:|---:|---:|---:|---:|")
    k = 1000
    while k <= max_k:
        d, low, nodes = ours_derive_lower("chain", k)
        print(
            f"| {k} | {nodes} | {d:.2f} | {low:.2f} | {d + low:.2f} | {1e6 * (d + low) / nodes:.1f} |",
            flush=True,
        )
        k *= 10


def table_eval(ca, quick):
    print(
        f"\n## evaluation on a batch of {BATCH} points (best of 7 interleaved "
        "rounds, seconds)\n"
    )
    print(
        "| case | f | g (value + gradient) | g/f | g, SymPy backend | g, codegen plan=True |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    cases = (
        [("mlp", families.mlp_loss, 8), ("chain", families.deep_chain, 100)]
        if quick
        else [
            ("mlp", families.mlp_loss, 32),
            ("chain", families.deep_chain, 1000),
            ("conv", families.conv_layer, 24),
        ]
    )
    mlp_g = None
    for name, builder, size in cases:
        f, wrt, inputs = builder(size)
        grads = sg.grad(f, wrt)
        batch = families.random_batch(inputs, BATCH)
        f_fn = sg.lambdify(inputs, f)
        g_fn = sg.lambdify(inputs, [f, *grads])
        s_fn = sg.lambdify(inputs, [f, *grads], backend="sympy")
        ns = {}
        exec(sg.codegen(f, wrt, plan=True), ns)  # our own generated code
        tf, tg, ts, tc = best_interleaved(
            [lambda fn=fn, b=batch: fn(*b) for fn in (f_fn, g_fn, s_fn, ns["f_grad"])]
        )
        print(
            f"| {name} {size} | {tf:.4f} | {tg:.4f} | {tg / tf:.2f} | {ts:.4f} | {tc:.4f} |",
            flush=True,
        )
        if name == "mlp":
            mlp_g = (size, tg, batch, g_fn)
    if ca is None or mlp_g is None:
        return
    size, tg, batch, g_fn = mlp_g
    print(
        f"\n## MLP {size} gradient on {BATCH} points against CasADi (value + gradient)\n"
    )
    f, w, ins = casadi_family(ca, "mlp", size)
    F = ca.Function("fg", [ins], [ca.vertcat(f, ca.gradient(f, w))])
    X = np.array(batch)  # (n_inputs, batch)
    vm = F.map(BATCH)
    DX = ca.DM(X)
    t_vm = best(lambda: vm(DX), repeat=3)
    ref = np.array(vm(DX))
    ours = np.array(g_fn(*batch))
    err = np.max(np.abs(ref - ours)) / np.max(np.abs(ref))
    rows = [("CasADi Function.map, its virtual machine, from a casadi.DM", t_vm)]
    if shutil.which("gcc") is None:
        print("gcc not found: CasADi's generated C is skipped", file=sys.stderr)
    else:
        with tempfile.TemporaryDirectory() as d:
            batch_c = _casadi_c_batch(ca, F, ins.numel(), d)
            n_out = F.size1_out(0)
            points = np.ascontiguousarray(X.T)  # one row of inputs per point

            def c_point_major():
                out = np.empty((BATCH, n_out))
                batch_c(points, out)
                return out

            def c_from_rows():  # the inputs as symgraph takes them: a row per input
                out = np.empty((BATCH, n_out))
                batch_c(np.ascontiguousarray(X.T), out)
                return out

            assert np.allclose(c_point_major().T, ref)
            tg, t_pm, t_rows = best_interleaved(
                [lambda: g_fn(*batch), c_point_major, c_from_rows]
            )
            rows.append(
                (
                    "CasADi generated C (gcc -O3 -march=native), a C loop over "
                    "the points, point-major input",
                    t_pm,
                )
            )
            rows.append(
                (
                    "the same, inputs laid out as ours (a row per input: one "
                    "transpose)",
                    t_rows,
                )
            )
            C = ca.external("fg", os.path.join(d, "fg.so")).map(BATCH)
            rows.append(
                (
                    "CasADi generated C through casadi.external(...).map, "
                    "from a casadi.DM",
                    best(lambda: C(DX), repeat=3),
                )
            )
    print("| implementation | time | ours / it |")
    print("|---|---:|---:|")
    print(f"| ours, sg.lambdify (NumPy, memory plan) | {tg:.4f} | 1.00 |")
    for label, t in rows:
        print(f"| {label} | {t:.4f} | {tg / t:.2f} |")
    print(
        f"\nlargest difference ours vs CasADi, relative to the largest value: {err:.1e}"
    )


def _casadi_c_batch(ca, F, n_in, directory):
    """CasADi's generated C for ``F`` with a loop over points appended, built
    with gcc -O3 -march=native, called once per batch through ctypes."""
    import ctypes

    cg = ca.CodeGenerator("fg.c")
    cg.add(F)
    cg.generate(directory + os.sep)
    path = os.path.join(directory, "fg.c")
    n_out = F.size1_out(0)
    loop = f"""
int fg_batch(const double *X, double *Y, long n)
{{
    static const casadi_real *arg[{max(F.sz_arg(), 1)}];
    static casadi_real *res[{max(F.sz_res(), 1)}];
    static casadi_int iw[{max(F.sz_iw(), 1)}];
    static casadi_real w[{max(F.sz_w(), 1)}];
    for (long i = 0; i < n; ++i) {{
        arg[0] = X + i * {n_in};
        res[0] = Y + i * {n_out};
        if (fg(arg, res, iw, w, 0)) return 1;
    }}
    return 0;
}}
"""
    with open(path, "a") as fh:
        fh.write(loop)
    so = os.path.join(directory, "fg.so")
    cmd = ["gcc", "-O3", "-march=native", "-shared", "-fPIC", path, "-o", so]
    subprocess.run(cmd, check=True)
    lib = ctypes.CDLL(so)
    ptr = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
    lib.fg_batch.argtypes = [ptr, ptr, ctypes.c_long]

    def run(points, out):
        if lib.fg_batch(points, out, points.shape[0]) != 0:
            raise RuntimeError("CasADi's generated function failed")

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--max-chain", type=int, default=100_000, help="largest k of the growth table"
    )
    opts = parser.parse_args(argv)
    ca, se = _try("casadi"), _try("symengine")
    versions = [f"numpy {np.__version__}"]
    versions += [f"casadi {ca.__version__}"] if ca else []
    versions += [f"symengine {se.__version__}"] if se else []
    print("versions: " + ", ".join(versions) + "\n")
    np.seterr(all="ignore")
    # Warm up every tool once (imports, first-use caches, CasADi's plugins).
    ours_derive_lower("mlp", 2)
    if ca is not None:
        casadi_derive_lower(ca, "mlp", 2)
    if se is not None:
        symengine_derive_lower(se, "mlp", 2)
    table_derive(ca, se, opts.quick)
    table_growth(10_000 if opts.quick else opts.max_chain)
    table_eval(ca, opts.quick)


if __name__ == "__main__":
    main()
