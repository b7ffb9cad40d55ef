"""Symbolic Hessians: reverse over reverse (what ``sg.hessian`` does) against
forward over reverse (``sg.jvp`` of the gradient, one input direction at a
time), and SymPy's ``hessian`` as the peer.

Run from the project root::

    python benchmarks/bench_hessian.py            # n = 5, 20, 60
    python benchmarks/bench_hessian.py --sizes 5 10

The function is ``log(1 + s**2)`` with ``s = sum_i tanh(x_i * x_(i+1) +
sin(x_i))`` (every pair of neighbours coupled, every entry of the Hessian
used). Each row gives the time to build the n x n Hessian (median of 3) and
the number of distinct nodes of all its entries; the two modes are checked
equal at a random point, and SymPy's result too where it finishes.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import symgraph as sg
from symgraph.grad import grad, jacobian


def reverse_over_reverse(f, wrt):
    return jacobian(grad(f, wrt), wrt)


def forward_over_reverse(f, wrt):
    g = grad(f, wrt)
    n = len(wrt)
    columns = [sg.jvp(g, wrt, [int(i == j) for i in range(n)]) for j in range(n)]
    return np.array([[columns[j][i] for j in range(n)] for i in range(n)], dtype=object)


def function(n: int):
    xs = list(sg.symbols_array("x", n))
    s = sum(sg.tanh(xs[i] * xs[(i + 1) % n] + sg.sin(xs[i])) for i in range(n))
    return sg.log(1 + s**2), xs


def timed(fn, *args, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 20, 60])
    args = parser.parse_args()
    import sympy

    print(
        "| n | reverse over reverse | nodes | forward over reverse | nodes | SymPy hessian |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for n in args.sizes:
        f, xs = function(n)
        t_rr, h_rr = timed(reverse_over_reverse, f, xs)
        t_fr, h_fr = timed(forward_over_reverse, f, xs)
        point = rng.normal(size=n)
        at = {x.value: v for x, v in zip(xs, point)}
        a = np.array([[sg.evaluate(e, at) for e in row] for row in h_rr], dtype=float)
        b = np.array([[sg.evaluate(e, at) for e in row] for row in h_fr], dtype=float)
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12), "the two modes disagree"
        sympy_cell = "-"
        if n <= 20:  # SymPy's Hessian grows quickly beyond this
            fs = sg.to_sympy(f)
            syms = [sympy.Symbol(x.value) for x in xs]
            t_sp, h_sp = timed(sympy.hessian, fs, syms, repeat=1)
            value = np.array(h_sp.subs(dict(zip(syms, point))).evalf(), dtype=float)
            assert np.allclose(a, value, rtol=1e-9, atol=1e-12), "SymPy disagrees"
            sympy_cell = f"{t_sp:.3f} s"
        print(
            f"| {n} | {t_rr:.3f} s | {sg.count_nodes(list(h_rr.ravel())):,} "
            f"| {t_fr:.3f} s | {sg.count_nodes(list(h_fr.ravel())):,} | {sympy_cell} |"
        )


if __name__ == "__main__":
    main()
