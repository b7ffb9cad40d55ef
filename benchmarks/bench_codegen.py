"""Generated gradient code against SymPy's lambdify(cse=True) of sympy.diff.

For each benchmark function: the time to generate and import the module, the
evaluation time of ``f`` and of ``f_grad`` on a batch of 10^4 points (their
ratio), the same for the memory-planned module (``plan=True``), SymPy's
derivation + lambdify time and the evaluation time of its
lambdified [f, *diff] (skipped where SymPy would take more than about a
minute), and JAX's ``jit(value_and_grad)`` on CPU when JAX is installed.

Run:  .venv/bin/python benchmarks/bench_codegen.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
import timeit
from pathlib import Path

import numpy as np
import sympy as sp

import symgraph as sg
from symgraph.traverse import toposort

BATCH = 10_000


# ----- the benchmark functions -------------------------------------------------------
def mlp(n):
    W1 = sg.symbols_array("W1", (n, n))
    W2 = sg.symbols_array("W2", (n,))
    x = sg.symbols_array("x", (n,))
    y = sg.symbols("y")
    r = W2.dot(sg.tanh(W1.dot(x))) - y
    return r * r, list(W1.ravel()) + list(W2)


def chain(k):
    x0 = sg.symbols("x0")
    x = x0
    for _ in range(k):
        x = sg.sin(x) * x + x0
    return x, [x0]


def conv(h, w, kh, kw):
    X = sg.symbols_array("X", (h, w))
    W = sg.symbols_array("W", (kh, kw))
    Y = sg.correlate2d(X, W)
    G = sg.symbols_array("G", Y.shape)
    terms = list((G * Y).ravel())
    f = terms[0]
    for t in terms[1:]:
        f = f + t
    return f, list(X.ravel()) + list(W.ravel())


# (label, builder, SymPy runs at this size?)
CASES = [
    ("mlp 4x4", lambda: mlp(4), True),
    ("mlp 8x8", lambda: mlp(8), True),
    ("mlp 16x16", lambda: mlp(16), True),
    ("chain k=10", lambda: chain(10), True),
    ("chain k=15", lambda: chain(15), True),
    ("chain k=100", lambda: chain(100), False),  # SymPy: exponential in k
    ("chain k=1000", lambda: chain(1000), False),
    ("conv 8x8 * 3x3", lambda: conv(8, 8, 3, 3), True),
]
QUICK = {"mlp 4x4", "chain k=10", "chain k=100", "conv 8x8 * 3x3"}


# ----- measuring ---------------------------------------------------------------------------
def best(fn, budget=1.0, repeat=5):
    """Best time of one call, repeating within about ``budget`` seconds."""
    t = timeit.timeit(fn, number=1)
    number = max(1, int(budget / max(t, 1e-9) / repeat))
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def load(src, directory, stem):
    path = Path(directory) / f"{stem}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def arguments(f, wrt):
    order = [n for n in toposort([f]) if n.op == "symbol"]
    rest = [s for s in order if s not in set(wrt)]
    return list(wrt) + rest


def bench_case(label, build, sympy_ok, directory, jax):
    f, wrt = build()
    args = arguments(f, wrt)
    n_nodes = len(toposort([f, *sg.grad(f, wrt)]))
    rng = np.random.default_rng(0)
    values = [rng.uniform(-1, 1, BATCH) for _ in args]

    t0 = time.perf_counter()
    src = sg.codegen(f, wrt)
    t_gen = time.perf_counter() - t0
    stem = "gen_" + "".join(c if c.isalnum() else "_" for c in label)
    t0 = time.perf_counter()
    mod = load(src, directory, stem)
    t_import = time.perf_counter() - t0
    t_f = best(lambda: mod.f(*values))
    t_grad = best(lambda: mod.f_grad(*values))
    planned = load(sg.codegen(f, wrt, plan=True), directory, stem + "_plan")
    t_plan_f = best(lambda: planned.f(*values))
    t_plan = best(lambda: planned.f_grad(*values))
    np.testing.assert_allclose(planned.f_grad(*values)[1], mod.f_grad(*values)[1])
    row = {
        "label": label,
        "nodes": n_nodes,
        "gen": t_gen,
        "import": t_import,
        "f": t_f,
        "grad": t_grad,
        "plan_f": t_plan_f,
        "plan": t_plan,
    }

    if sympy_ok:
        syms = [sp.Symbol(s.value) for s in args]
        t0 = time.perf_counter()
        fs = f.to_sympy()
        diffs = [sp.diff(fs, s) for s in syms[: len(wrt)]]
        fn = sp.lambdify(syms, [fs, *diffs], modules="numpy", cse=True)
        row["sympy_gen"] = time.perf_counter() - t0
        row["sympy_eval"] = best(lambda: fn(*values))
        ref = fn(*[v[:5] for v in values])
        got = mod.f_grad(*[v[:5] for v in values])
        np.testing.assert_allclose(np.asarray(got[0]), ref[0], rtol=1e-8)
        np.testing.assert_allclose(
            np.array(got[1]),
            np.array(np.broadcast_arrays(*ref[1:])),
            rtol=1e-6,
            atol=1e-9,
        )
    # XLA compiles the unrolled k = 1000 chain (9,000 nodes) for over 6 minutes.
    if jax is not None and len(args) <= 400 and n_nodes <= 5_000:
        row["jax"] = bench_jax(jax, f, wrt, args, values)
    return row


def bench_jax(jax, f, wrt, args, values):
    """jit(vmap(value_and_grad)) of the same function, written with jax.numpy."""
    jnp = jax.numpy
    index = {s: i for i, s in enumerate(args)}
    order = toposort([f])
    fns = {
        "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "div": jnp.divide,
        "neg": jnp.negative, "pow": jnp.power, "sin": jnp.sin, "cos": jnp.cos,
        "tanh": jnp.tanh, "exp": jnp.exp, "log": jnp.log,
    }  # fmt: skip

    def scalar_f(*xs):
        memo = {}
        for node in order:
            if node.op == "symbol":
                memo[node] = xs[index[node]]
            elif node.op == "const":
                memo[node] = float(node.value)
            else:
                memo[node] = fns[node.op](*[memo[a] for a in node.args])
        return memo[f]

    nw = len(wrt)
    vg = jax.jit(jax.vmap(jax.value_and_grad(scalar_f, argnums=tuple(range(nw)))))
    xs = [jnp.asarray(v) for v in values]
    jax.block_until_ready(vg(*xs))
    return best(lambda: jax.block_until_ready(vg(*xs)))


def fmt(t):
    if t is None:
        return "—"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.0f} µs"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few small cases only")
    opts = parser.parse_args(argv)
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_platform_name", "cpu")
    except ImportError:
        jax = None
        print("JAX is not installed: its column is skipped.", file=sys.stderr)

    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for label, build, sympy_ok in CASES:
            if opts.quick and label not in QUICK:
                continue
            print(f"... {label}", file=sys.stderr, flush=True)
            rows.append(bench_case(label, build, sympy_ok, directory, jax))

    print(f"batch of {BATCH} points; times are the best of several runs\n")
    head = (
        "| function | DAG nodes (f + grad) | generate | import | f | f_grad | grad/f "
        "| plan=True: f | f_grad | grad/f "
        "| SymPy diff+lambdify | SymPy eval | speedup vs SymPy | JAX jit |"
    )
    print(head)
    print("|---" * 14 + "|")
    for r in rows:
        sym = r.get("sympy_eval")
        speed = f"{sym / r['grad']:.1f}×" if sym else "SymPy skipped (> 60 s)"
        print(
            f"| {r['label']} | {r['nodes']} | {fmt(r['gen'])} | {fmt(r['import'])} "
            f"| {fmt(r['f'])} | {fmt(r['grad'])} | {r['grad'] / r['f']:.2f} "
            f"| {fmt(r['plan_f'])} | {fmt(r['plan'])} | {r['plan'] / r['plan_f']:.2f} "
            f"| {fmt(r.get('sympy_gen'))} | {fmt(sym)} | {speed} | {fmt(r.get('jax'))} |"
        )
    # Generation time per node, to judge linearity.
    print()
    for r in rows:
        print(
            f"{r['label']}: {r['gen'] / r['nodes'] * 1e6:.1f} µs per node to generate"
        )


if __name__ == "__main__":
    main()
