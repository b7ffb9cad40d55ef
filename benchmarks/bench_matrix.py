"""Matrix calculus: derivation time, lowered-gradient speed, model size, and
SymPy's MatrixSymbol differentiation on the same corpus.

Run from the project root::

    python benchmarks/bench_matrix.py                  # everything (a few minutes)
    python benchmarks/bench_matrix.py --quick          # fewer repetitions, no SymPy

Sections:

1. derive + print: ``sg.grad`` of every corpus entry, then its NumPy text and
   LaTeX, with fresh tensor names each repetition (so the hash-consing table
   holds nothing from the previous one); median and worst over the corpus,
   and least squares at concrete sizes 10 to 10^6 against symbolic sizes.
2. lowered gradient: ``sg.codegen``'s ``f_grad`` (value and gradient) of
   least squares and of a two-layer ReLU net at n = m = 1,000, against the
   same formulas written by hand in NumPy; the two run alternately and the
   median of the paired ratios is reported. Run with
   ``OPENBLAS_NUM_THREADS=1``: on a shared machine, BLAS threads waiting
   for busy cores make matrix-vector products 50x slower at random.
3. model size: the scalar engine on the least-squares gradient at growing
   sizes (the expression expanded to scalars) against the tensor engine at
   784 x 128 and 4,096 x 4,096.
4. SymPy: each corpus entry written with ``MatrixSymbol`` (symbolic sizes)
   and ``expr.diff(X)`` in a subprocess with a time limit; its result is
   evaluated at concrete sizes and compared with the closed form.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sympy_matrix

import symgraph as sg
from symgraph.tensor.corpus import CORPUS, Identity
from symgraph.tensor.evaluate import free_symbols


def _median(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fresh(entry: Identity, k: int) -> Identity:
    """The entry with every tensor renamed (``X`` -> ``X_r3``)."""
    names = [part.partition(":")[0] for part in entry.shapes.split()]

    def rename(text):
        for name in names:
            text = re.sub(rf"\b{name}\b", f"{name}_r{k}", text)
        return text

    return Identity(entry.name, entry.source, " ".join(
        rename(p.partition(":")[0]) + ":" + p.partition(":")[2] for p in entry.shapes.split()
    ), rename(entry.f), f"{entry.wrt}_r{k}", rename(entry.closed), entry.points, entry.sizes)  # fmt: skip


# ----- 1. derive + print ---------------------------------------------------------------------
def derive_and_print(f, x):
    g = sg.grad(f, x)
    return str(g), sg.tensor.to_latex(g)


def section_derive(repeat: int) -> None:
    print("1. derive + print (sg.grad, NumPy text, LaTeX), fresh names each repetition")
    per_entry = []
    for i, entry in enumerate(CORPUS):
        times = []
        for r in range(repeat):
            f, x, _ = fresh(entry, r + 1000 * i).build()
            t = time.perf_counter()
            derive_and_print(f, x)
            times.append(time.perf_counter() - t)
        per_entry.append((statistics.median(times), entry.name))
    per_entry.sort()
    med = statistics.median(t for t, _ in per_entry)
    print(f"   {len(CORPUS)} corpus entries: median {med * 1e3:.2f} ms, "
          f"worst {per_entry[-1][0] * 1e3:.2f} ms ({per_entry[-1][1]})")  # fmt: skip
    print(
        "   slowest five: "
        + ", ".join(f"{n} {t * 1e3:.2f} ms" for t, n in per_entry[-5:])
    )
    for label, shapes in (("symbolic (n, m)", "X:n,m w:m y:n"), ("10 x 10", "X:10,10 w:10 y:10"),
                          ("1,000 x 1,000", "X:1000,1000 w:1000 y:1000"),
                          ("10^6 x 10^6", "X:1000000,1000000 w:1000000 y:1000000")):  # fmt: skip
        times = []
        for r in range(repeat):
            names = {n: f"{n}s{r}" for n in ("X", "w", "y")}
            spec = " ".join(f"{names[p[0]]}{p[1:]}" for p in shapes.split())
            f = sg.parse("0.5*sum((X@w - y)**2)".replace("X", names["X"]).replace(
                "w", names["w"]).replace("y", names["y"]), shapes=spec)  # fmt: skip
            x = next(s for s in free_symbols([f]) if s.value == names["w"])
            t = time.perf_counter()
            derive_and_print(f, x)
            times.append(time.perf_counter() - t)
        print(f"   least squares, {label:16s}: {statistics.median(times) * 1e3:.2f} ms")


# ----- 2. lowered gradient against hand-written NumPy --------------------------------------
def lsq_hand(X, w, y):
    r = X @ w - y
    return 0.5 * np.sum(r**2), (X.T @ r,)


def mlp_hand(W1, W2, X, Y):
    H = W1 @ X
    A = np.maximum(H, 0.0)
    R = W2 @ A - Y
    dH = (W2.T @ R) * (H > 0)
    return 0.5 * np.sum(R**2), (dH @ X.T, R @ A.T)


def _module(f, wrt):
    ns = {}
    exec(compile(sg.codegen(f, wrt), "<bench>", "exec"), ns)  # our generated module
    return ns["f_grad"]


def section_lowered(n: int, repeat: int) -> None:
    print(f"2. lowered value + gradient at n = m = {n:,} against hand-written NumPy "
          f"(median of {repeat})")  # fmt: skip
    rng = np.random.default_rng(0)
    X, w, y = sg.tensors("X:n,m w:m y:n")
    lsq = _module(0.5 * sg.sum((X @ w - y) ** 2), [w])
    Xv, wv, yv = (
        rng.standard_normal((n, n)),
        rng.standard_normal(n),
        rng.standard_normal(n),
    )
    W1, W2, Xd, Y = sg.tensors("W1:h,d W2:k,h Xd:d,N Y:k,N")
    mlp = _module(0.5 * sg.sum((W2 @ sg.relu(W1 @ Xd) - Y) ** 2), [W1, W2])
    mats = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(4)]
    cases = [
        ("least squares d/dw", lambda: lsq(wv, Xv, yv), lambda: lsq_hand(Xv, wv, yv)),
        (
            "two-layer ReLU net d/dW1, d/dW2",
            lambda: mlp(*mats),
            lambda: mlp_hand(*mats),
        ),
    ]
    for name, ours, hand in cases:
        a, b = ours(), hand()
        assert np.allclose(a[0], b[0]) and all(
            np.allclose(p, q) for p, q in zip(a[1], b[1])
        )
        # interleaved, so a change of machine load hits both the same way
        pairs = [(_median(ours, 1), _median(hand, 1)) for _ in range(repeat)]
        t_ours = statistics.median(p[0] for p in pairs)
        t_hand = statistics.median(p[1] for p in pairs)
        ratio = statistics.median(p[0] / p[1] for p in pairs)
        print(f"   {name:32s} generated {t_ours * 1e3:8.2f} ms   hand {t_hand * 1e3:8.2f} ms"
              f"   ratio {ratio:.2f} (median of the {repeat} paired ratios)")  # fmt: skip


# ----- 3. model size ------------------------------------------------------------------------------
def section_size() -> None:
    print(
        "3. model size: least-squares gradient d/dw, scalar engine against tensor engine"
    )
    from symgraph.tensor.expand import expand

    X, w, y = sg.tensors("X:n,m w:m y:n")
    f = 0.5 * sg.sum((X @ w - y) ** 2)
    for k in (8, 16, 32, 64, 128):
        t = time.perf_counter()
        fs = expand(f, {"n": k, "m": k})
        ws = sg.symbols_array("w", (k,))
        grads = sg.grad(fs, ws)
        t_derive = time.perf_counter() - t
        nodes = sg.count_nodes(list(grads))
        inputs = [sg.symbols_array(name, shape) for name, shape in
                  (("X", (k, k)), ("w", (k,)), ("y", (k,)))]  # fmt: skip
        t = time.perf_counter()
        sg.lambdify(inputs, grads)
        t_lower = time.perf_counter() - t
        print(f"   scalar engine {k:5d} x {k:<5d}: expand + grad {t_derive:7.3f} s, "
              f"lambdify {t_lower:7.3f} s, {nodes:,} gradient nodes")  # fmt: skip
    for n, m in ((784, 128), (4096, 4096)):
        t = time.perf_counter()
        fn = sg.lambdify([X, w, y], [f, sg.grad(f, w)])
        t_lower = time.perf_counter() - t
        rng = np.random.default_rng(0)
        args = (
            rng.standard_normal((n, m)),
            rng.standard_normal(m),
            rng.standard_normal(n),
        )
        t_eval = _median(lambda a=args, fn=fn: fn(*a), 3)
        print(f"   tensor engine {n:5d} x {m:<5d}: grad + lambdify {t_lower * 1e3:6.2f} ms, "
              f"{sg.count_nodes([sg.grad(f, w)])} gradient nodes, evaluation "
              f"{t_eval * 1e3:.2f} ms")  # fmt: skip


# ----- 4. SymPy MatrixSymbol ----------------------------------------------------------------------
def _sympy_child(conn, index):
    import warnings

    # SymPy warns about its own internal use of deprecated forms; not ours
    warnings.simplefilter("ignore", DeprecationWarning)
    entry = CORPUS[index]
    f, x, closed = entry.build()
    try:
        expr, leaves = sympy_matrix.to_sympy_matrix(f)
    except sympy_matrix.NoForm as exc:
        conn.send(("no MatrixSymbol form", 0.0, str(exc)))
        return
    t = time.perf_counter()
    try:
        d = expr.diff(leaves[x])
    except Exception as exc:  # SymPy's failure is the measurement
        conn.send(
            ("error", time.perf_counter() - t, f"{type(exc).__name__}: {exc}"[:80])
        )
        return
    t_diff = time.perf_counter() - t
    if isinstance(d, sp.Basic) and d.has(sp.Derivative):
        conn.send(("not differentiated", t_diff, "returns an unevaluated Derivative"))
        return
    names = sorted(
        {
            str(d_)
            for s in free_symbols([f])
            for d_ in s.shape
            if not isinstance(d_, int)
        }
    )
    sizes = entry.sizes[0] if entry.sizes else {n: 2 + i for i, n in enumerate(names)}
    rng = np.random.default_rng(0)
    point = {}
    for s in free_symbols([f]):
        shape = tuple(d_ if isinstance(d_, int) else sizes[str(d_)] for d_ in s.shape)
        point[s.value] = (np.eye(shape[0]) + 0.3 * rng.standard_normal(shape)
                          if len(shape) == 2 and shape[0] == shape[1] else rng.standard_normal(shape))  # fmt: skip
    want = np.asarray(sg.evaluate(closed, {**point, **sizes}))
    try:
        got = sympy_matrix.evaluate_sympy(d, leaves, sizes, point)
    except Exception as exc:
        conn.send(("unevaluable", t_diff, f"{type(exc).__name__}: {exc}"[:80]))
        return
    if got.size != want.size:
        conn.send(("wrong shape", t_diff, f"{got.shape} for {want.shape}"))
    elif not np.allclose(got.reshape(want.shape), want, rtol=1e-8, atol=1e-10):
        conn.send(
            (
                "wrong",
                t_diff,
                f"max difference {np.max(np.abs(got.reshape(want.shape) - want)):.3g}",
            )
        )
    else:
        conn.send(("ok", t_diff, ""))


def section_sympy(timeout: float) -> None:
    print(
        f"4. SymPy MatrixSymbol .diff on the corpus (each in a subprocess, limit {timeout:g} s)"
    )
    ctx = mp.get_context("fork")
    counts: dict = {}
    for i, entry in enumerate(CORPUS):
        f, x, _ = entry.build()
        t = time.perf_counter()
        derive_and_print(f, x)
        ours = time.perf_counter() - t
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_sympy_child, args=(child, i), daemon=True)
        proc.start()
        child.close()
        if parent.poll(timeout):
            status, t_diff, detail = parent.recv()
        else:
            status, t_diff, detail = "timeout", timeout, ""
        proc.kill()
        proc.join()
        counts[status] = counts.get(status, 0) + 1
        print(f"   {entry.name:32s} ours {ours * 1e3:7.2f} ms   sympy {t_diff * 1e3:9.2f} ms  "
              f"{status}{': ' + detail if detail else ''}")  # fmt: skip
    print(
        "   SymPy outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, no SymPy"
    )
    parser.add_argument("--sympy-timeout", type=float, default=20.0)
    parser.add_argument("--n", type=int, default=1000, help="size of section 2")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 11
    print(f"numpy {np.__version__}; {len(CORPUS)} corpus entries\n")
    section_derive(repeat)
    print()
    section_lowered(args.n, 3 if args.quick else 9)
    print()
    section_size()
    if not args.quick:
        print()
        section_sympy(args.sympy_timeout)


if __name__ == "__main__":
    main()
