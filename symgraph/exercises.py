"""Randomized course exercises on computational graphs, with worked solutions.

:func:`exercise` builds one exercise from a kind and a seed (same seed, same
exercise): chain rule through a small graph, a sigmoid neuron, a two-layer
ReLU net, a conv layer forward and backward, max or average pooling. The
solution is the backprop table and the final gradients; before it is
returned it is cross-checked with ``sg.check`` (symbolic gradient, numeric
engine, finite differences) and against an independent NumPy/SciPy answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .arrays import avg_pool2d, correlate2d, max_pool2d, symbols_array
from .errors import ToolkitError
from .evaluate import evaluate
from .node import Node, symbol
from .teach.table import BackpropTable, backprop_table, format_number

__all__ = ["KINDS", "Exercise", "exercise"]

KINDS = ("chain", "sigmoid", "relu_net", "conv", "max_pool", "avg_pool", "pool")


class ExerciseError(ToolkitError, ValueError):
    """An unknown exercise kind or a bad seed."""


@dataclass(frozen=True)
class Exercise:
    """One generated exercise and its worked solution.

    Attributes
    ----------
    kind, seed : what was asked for.
    question : the text handed to a student.
    f : the scalar expression (loss) whose graph is worked through.
    wrt : the symbols whose gradients are asked for.
    at : the point, ``{symbol name: value}``.
    table : the :class:`~symgraph.teach.table.BackpropTable` of ``f`` at ``at``.
    gradients : ``{symbol name: value}`` for the symbols in ``wrt``.
    results : named arrays or numbers a student computes on the way (the
        forward output, gradient arrays for the tensor exercises).
    report : what ``sg.check`` returned on the solution (None if it is not
        available in this installation).
    """

    kind: str
    seed: int
    question: str
    f: Node
    wrt: tuple
    at: dict
    table: BackpropTable
    gradients: dict
    results: dict = field(default_factory=dict)
    report: object = None

    def solution(self, format: str = "text") -> str:
        """The worked solution: the table, then the results and gradients."""
        table: dict[str, Callable[[BackpropTable], str]] = {
            "text": str,
            "markdown": BackpropTable.to_markdown,
            "latex": BackpropTable.to_latex,
        }
        if format not in table:
            raise ExerciseError(
                f"format must be text, markdown or latex, not {format!r}"
            )
        parts = [table[format](self.table), ""]
        for name, value in self.results.items():
            parts.append(
                f"{name} =\n{_show(value)}"
                if np.ndim(value)
                else f"{name} = {_show(value)}"
            )
        if not any(k.startswith("dL/d") for k in self.results):
            grads = ", ".join(
                f"d/d{k} = {format_number(v)}" for k, v in self.gradients.items()
            )
            parts.append(f"gradients: {grads}")
        if format == "markdown":
            parts = [parts[0], "", "```text", *parts[2:], "```"]
        return "\n".join(parts)

    def __str__(self) -> str:
        return f"{self.question}\n\nSolution\n--------\n{self.solution()}"

    def to_dict(self) -> dict:
        """Plain data for JSON: question, point, gradients, results, table."""
        return {
            "kind": self.kind,
            "seed": self.seed,
            "question": self.question,
            "expression": str(self.f),
            "at": dict(self.at),
            "gradients": dict(self.gradients),
            "results": {
                k: np.asarray(v, dtype=float).tolist() for k, v in self.results.items()
            },
            "table": self.table.to_dict(),
        }


def _show(value) -> str:
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
    return ", ".join(f"{k} = {format_number(v)}" for k, v in at.items())


def _values(arr, a) -> dict:
    return {arr[idx].value: float(a[idx]) for idx in np.ndindex(arr.shape)}


def _array_grad(table: BackpropTable, arr: np.ndarray) -> np.ndarray:
    out = np.zeros(arr.shape)
    for idx in np.ndindex(arr.shape):
        out[idx] = table.gradients.get(arr.item(idx).value, 0.0)
    return out


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
        f"W1 =\n{_show(w1)}\nW2 =\n{_show(w2)}\nx = {xv.astype(int).tolist()}, "
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
        f"X =\n{_show(xv)}\nW =\n{_show(wv)}\n"
        f"Compute Y. Given the upstream gradient dL/dY =\n{_show(gv)}\n"
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
        f"{name.capitalize()} pooling, 2x2 windows, stride 2, on\nX =\n{_show(xv)}\n"
        f"Compute the pooled output P. Given dL/dP =\n{_show(gv)}\ncompute dL/dX."
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


_GENERATORS = {
    "chain": _chain,
    "sigmoid": _sigmoid,
    "relu_net": _relu_net,
    "conv": _conv,
    "max_pool": lambda rng: _pool(rng, "max"),
    "avg_pool": lambda rng: _pool(rng, "avg"),
    "pool": lambda rng: _pool(rng, "max" if rng.integers(2) else "avg"),
}


def _cross_check(f, wrt, at):
    """``sg.check`` on the solution; None when check is not installed yet."""
    try:
        from .check import check
    except ImportError:
        return None
    report = check(f, list(wrt), at=at)
    if not report.ok:
        raise RuntimeError(f"the worked solution failed sg.check:\n{report}")
    return report


def exercise(kind: str, seed: int = 0) -> Exercise:
    """A randomized course exercise with its worked, checked solution.

    Parameters
    ----------
    kind : one of "chain", "sigmoid", "relu_net", "conv", "max_pool",
        "avg_pool", "pool" (max or average, chosen by the seed)
    seed : int; the same seed gives the same exercise.

    Returns
    -------
    Exercise
        ``str(ex)`` prints the question and the solution;
        ``ex.question``, ``ex.solution(format)``, ``ex.gradients``,
        ``ex.table`` hold the parts.

    Raises
    ------
    ExerciseError
        For an unknown kind or a seed that is not a non-negative int.

    Examples
    --------
    >>> import symgraph as sg
    >>> ex = sg.exercise("sigmoid", seed=1)
    >>> ex.gradients == sg.exercise("sigmoid", seed=1).gradients
    True
    """
    if kind not in _GENERATORS:
        raise ExerciseError(
            f"unknown exercise kind {kind!r}; choose one of {', '.join(KINDS)}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ExerciseError(f"seed must be a non-negative int, not {seed!r}")
    rng = np.random.default_rng([int(seed), KINDS.index(kind)])
    question, f, wrt, at, results, reference = _GENERATORS[kind](rng)
    table = backprop_table(f, at)
    gradients = {s.value: table.gradients.get(s.value, 0.0) for s in wrt}
    if reference is not None:
        for name, expected in reference.items():
            if not math.isclose(gradients[name], expected, rel_tol=1e-9, abs_tol=1e-12):
                raise RuntimeError(
                    f"{kind} exercise (seed {seed}): d/d{name} is {gradients[name]} in the "
                    f"table but {expected} by the independent computation"
                )
    report = _cross_check(f, wrt, at)
    return Exercise(
        kind, int(seed), question, f, tuple(wrt), at, table, gradients, results, report
    )
