"""The benchmark families, built with symgraph (shared by the benchmark scripts).

Each builder returns ``(f, wrt, inputs)``: the scalar expression, the symbols
to differentiate by, and every symbol the expression reads.
"""

from __future__ import annotations

import numpy as np

import symgraph as sg


def mlp_loss(n: int):
    """Scalarized two-layer MLP loss (W2 . tanh(W1 . x) - y)**2, W1 n*n, W2 1*n."""
    W1 = sg.symbols_array("W1", (n, n))
    W2 = sg.symbols_array("W2", (n,))
    x = sg.symbols_array("x", (n,))
    (y,) = [sg.symbols("y")]
    hidden = [sg.tanh(_dot(W1[i], x)) for i in range(n)]
    out = _dot(W2, hidden)
    f = (out - y) ** 2
    wrt = list(W1.ravel()) + list(W2)
    return f, wrt, wrt + list(x) + [y]


def deep_chain(k: int):
    """x_{j+1} = sin(x_j) * x_j + x_0, k steps, differentiated by x_0."""
    x0 = sg.symbols("x0")
    xk = x0
    for _ in range(k):
        xk = sg.sin(xk) * xk + x0
    return xk, [x0], [x0]


def conv_layer(n: int, k: int = 3):
    """Scalarized valid cross-correlation layer: L = sum(G * correlate2d(X, W))."""
    X = sg.symbols_array("X", (n, n))
    W = sg.symbols_array("W", (k, k))
    m = n - k + 1
    G = sg.symbols_array("G", (m, m))
    Y = sg.correlate2d(X, W, "valid")
    terms = [G[i, j] * Y[i, j] for i in range(m) for j in range(m)]
    f = terms[0]
    for t in terms[1:]:
        f = f + t
    wrt = list(W.ravel()) + list(X.ravel())
    return f, wrt, wrt + list(G.ravel())


def _dot(a, b):
    acc = a[0] * b[0]
    for u, v in zip(a[1:], b[1:]):
        acc = acc + u * v
    return acc


def random_batch(symbols, size: int, seed: int = 0) -> list:
    """One array of ``size`` random points per symbol, in a safe range."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, size) for _ in symbols]
