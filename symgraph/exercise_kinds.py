"""The kinds of course exercise: each builds its question, graph and point.

One generator per kind of :func:`symgraph.exercises.exercise` (chain rule
through a small graph, a sigmoid neuron, a two-layer ReLU net, a conv layer,
max or average pooling), registered in :data:`GENERATORS`. From a random
generator each returns the question text, the expression, the symbols asked
about, the point, the intermediate results a student computes and a reference
gradient worked out independently (NumPy formulas, ``scipy.signal``), which
:mod:`symgraph.exercises` compares with the backprop table before returning.
"""

from __future__ import annotations

import math

import numpy as np

from .arrays import avg_pool2d, correlate2d, max_pool2d, symbols_array
from .evaluate import evaluate
from .node import symbol
from .teach.render import format_number

__all__ = ["GENERATORS", "show_value"]


def show_value(value) -> str:
    """A number, or an array as bracketed rows of right-aligned numbers."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return format_number(float(arr))
    if arr.ndim == 1:
        arr = arr[None, :]
    cells = [[format_number(v) for v in row] for row in arr.reshape(-1, arr.shape[-1])]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(
        "  [" + " ".join(c.rjust(width) for c in row) + "]" for row in cells
    )


def _point_text(at: dict) -> str:
    """``x = 1, y = -2``: a point as text."""
    return ", ".join(f"{k} = {format_number(v)}" for k, v in at.items())


def _values(arr, a) -> dict:
    return {arr[idx].value: float(a[idx]) for idx in np.ndindex(arr.shape)}


# ----- Generators: each returns (question, f, wrt, at, results, reference) -----
# ``reference`` maps symbol names to gradients computed independently (NumPy
# formulas, scipy.signal), compared with the table before returning.


def _chain(rng):
    by_name = {n: symbol(n) for n in "xyzw"}
    x, y, z, w = by_name.values()
    binary = {
        "+": lambda a, b: a + b,
        "*": lambda a, b: a * b,
        "max": lambda a, b: _max(a, b),
    }
    while True:
        at = {n: int(v) for n, v in zip("xyzw", rng.integers(-5, 6, 4))}
        ops = [str(o) for o in rng.choice(list(binary), 3)]
        q = binary[ops[0]](x, y).named("q")
        p = binary[ops[1]](q, z).named("p")
        # the last gate reuses q half of the time: a branch whose gradients add
        other = q if rng.integers(2) else w
        f = binary[ops[2]](p, other)
        if not _has_tie(f, at):
            break
    at = {n: v for n, v in at.items() if _uses(f, by_name[n])}
    used = [by_name[n] for n in at]
    question = (
        "Chain rule through a small graph.\n"
        f"  q = {_formula(ops[0], 'x', 'y')}\n"
        f"  p = {_formula(ops[1], 'q', 'z')}\n"
        f"  f = {_formula(ops[2], 'p', 'q' if other is q else 'w')}\n"
        f"At {_point_text(at)}: compute every forward value, then backpropagate: "
        "the local, upstream and downstream gradient at every node, and "
        + ", ".join(f"df/d{s.value}" for s in used)
        + "."
    )
    return question, f, tuple(used), at, {}, None


def _max(a, b):
    from .node import make

    return make("maximum", a, b)


def _formula(op, a, b):
    return f"max({a}, {b})" if op == "max" else f"{a} {op} {b}"


def _uses(f, s) -> bool:
    from .traverse import toposort

    return s in toposort([f])


def _has_tie(f, at) -> bool:
    """True if some max in ``f`` compares equal values at ``at`` (a kink)."""
    from .traverse import toposort

    for node in toposort([f]):
        if node.op in ("maximum", "relu"):
            vals = [evaluate(a, at) for a in node.args] + (
                [0.0] if node.op == "relu" else []
            )
            if len(set(vals)) < len(vals):
                return True
    return False


def _sigmoid(rng):
    w0, w1, w2, x0, x1 = (symbol(n) for n in ("w0", "w1", "w2", "x0", "x1"))
    vals = rng.integers(-3, 4, 5)
    at = dict(zip(("w0", "w1", "w2", "x0", "x1"), (int(v) for v in vals)))
    from .node import make

    z = (w0 * x0 + w1 * x1 + w2).named("z")
    f = 1 / (1 + make("exp", -z))
    question = (
        "A sigmoid neuron: f(w, x) = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))).\n"
        f"At {_point_text(at)}: work through the graph gate by gate (*, +, neg, "
        "exp, +1, 1/x) and give df/dw0, df/dw1, df/dw2, df/dx0, df/dx1. "
        "Check with sigma'(z) = sigma(z) (1 - sigma(z))."
    )
    zv = at["w0"] * at["x0"] + at["w1"] * at["x1"] + at["w2"]
    s = 1 / (1 + math.exp(-zv))
    ds = s * (1 - s)
    reference = {
        "w0": at["x0"] * ds,
        "w1": at["x1"] * ds,
        "w2": ds,
        "x0": at["w0"] * ds,
        "x1": at["w1"] * ds,
    }
    return question, f, (w0, w1, w2, x0, x1), at, {"f": s}, reference


def _relu_net(rng):
    W1 = symbols_array("W1", (2, 2))
    W2 = symbols_array("W2", (1, 2))
    X = symbols_array("x", 2)
    from .node import make

    while True:
        w1 = rng.integers(-3, 4, (2, 2)).astype(float)
        w2 = rng.integers(-3, 4, (1, 2)).astype(float)
        xv = rng.choice([-2.0, -1.0, 1.0, 2.0], 2)
        t = float(rng.integers(-3, 4))
        pre = w1 @ xv
        if np.all(pre != 0) and np.any(pre > 0):  # no kink, some gradient flows
            break
    h = [
        make("relu", W1[i, 0] * X[0] + W1[i, 1] * X[1]).named(f"h{i}") for i in range(2)
    ]
    y = (W2[0, 0] * h[0] + W2[0, 1] * h[1]).named("y")
    tgt = symbol("t")
    f = (y - tgt) ** 2
    at = {**_values(W1, w1), **_values(W2, w2), **_values(X, xv), "t": t}
    question = (
        "A two-layer ReLU net: h = max(0, W1 x), y = W2 h, loss L = (y - t)^2.\n"
        f"W1 =\n{show_value(w1)}\nW2 =\n{show_value(w2)}\nx = {xv.astype(int).tolist()}, "
        f"t = {int(t)}.\nCompute h, y and L, then dL/dW2 and dL/dW1 by backpropagation."
    )
    # reference: the matrix form of backprop, in NumPy
    hv = np.maximum(w1 @ xv, 0)
    yv = float((w2 @ hv)[0])
    dy = 2 * (yv - t)
    dW2 = dy * hv[None, :]
    dh = dy * w2[0]
    dpre = dh * (w1 @ xv > 0)
    dW1 = np.outer(dpre, xv)
    reference = {**_values(W1, dW1), **_values(W2, dW2)}
    results = {"h": hv, "y": yv, "L": (yv - t) ** 2, "dL/dW1": dW1, "dL/dW2": dW2}
    wrt = tuple(W1.ravel()) + tuple(W2.ravel())
    return question, f, wrt, at, results, reference


def _conv(rng):
    import scipy.signal  # slow to import: only when a conv exercise is asked for

    X = symbols_array("X", (3, 3))
    W = symbols_array("W", (2, 2))
    xv = rng.integers(-3, 4, (3, 3)).astype(float)
    wv = rng.integers(-2, 3, (2, 2)).astype(float)
    gv = rng.integers(-2, 3, (2, 2)).astype(float)
    Y = correlate2d(X, W)
    f = _weighted_sum(gv, Y)
    at = {**_values(X, xv), **_values(W, wv)}
    question = (
        "A conv layer (cross-correlation, valid, stride 1): Y = X * W with\n"
        f"X =\n{show_value(xv)}\nW =\n{show_value(wv)}\n"
        f"Compute Y. Given the upstream gradient dL/dY =\n{show_value(gv)}\n"
        "compute dL/dW and dL/dX (hint: dL/dW = X correlated with dL/dY, "
        "dL/dX = dL/dY fully convolved with W, i.e. correlated with W rotated 180 deg)."
    )
    dW = scipy.signal.correlate2d(xv, gv, "valid")
    dX = scipy.signal.convolve2d(gv, wv, "full")
    reference = {**_values(X, dX), **_values(W, dW)}
    results = {
        "Y": scipy.signal.correlate2d(xv, wv, "valid"),
        "dL/dY (given)": gv,
        "dL/dW": dW,
        "dL/dX": dX,
    }
    return question, f, tuple(W.ravel()) + tuple(X.ravel()), at, results, reference


def _weighted_sum(g, Y):
    """sum_ij g[i, j] * Y[i, j]: the loss whose upstream gradient is g."""
    from .node import const

    acc = const(0)
    for idx in np.ndindex(Y.shape):
        acc = acc + const(int(g[idx])) * Y[idx]
    return acc


def _pool(rng, how):
    X = symbols_array("X", (4, 4))
    xv = (rng.permutation(16) - 5).reshape(4, 4).astype(float)  # distinct: no ties
    gv = rng.integers(-3, 4, (2, 2)).astype(float)
    pool = max_pool2d if how == "max" else avg_pool2d
    f = _weighted_sum(gv, pool(X, 2))
    at = _values(X, xv)
    name = "max" if how == "max" else "average (mean)"
    question = (
        f"{name.capitalize()} pooling, 2x2 windows, stride 2, on\nX =\n{show_value(xv)}\n"
        f"Compute the pooled output P. Given dL/dP =\n{show_value(gv)}\ncompute dL/dX."
    )
    out = np.zeros((2, 2))
    dX = np.zeros((4, 4))
    for i, j in np.ndindex(2, 2):
        win = xv[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        if how == "max":
            out[i, j] = win.max()
            r, c = np.unravel_index(np.argmax(win), (2, 2))
            dX[2 * i + r, 2 * j + c] = gv[i, j]
        else:
            out[i, j] = win.mean()
            dX[2 * i : 2 * i + 2, 2 * j : 2 * j + 2] = gv[i, j] / 4
    results = {"P": out, "dL/dP (given)": gv, "dL/dX": dX}
    return question, f, tuple(X.ravel()), at, results, _values(X, dX)


GENERATORS = {
    "chain": _chain,
    "sigmoid": _sigmoid,
    "relu_net": _relu_net,
    "conv": _conv,
    "max_pool": lambda rng: _pool(rng, "max"),
    "avg_pool": lambda rng: _pool(rng, "avg"),
    "pool": lambda rng: _pool(rng, "max" if rng.integers(2) else "avg"),
}
