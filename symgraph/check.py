"""The bridge: symbolic gradients checked against the numeric engine and
finite differences, and claimed derivatives verified.

:func:`check` evaluates a DAG's symbolic gradient, runs the same DAG through
``numeric`` (every registry op maps to a numeric primitive; the two engines
share no differentiation code) and takes central differences of the forward
values, at the same points. :func:`verify` decides whether a claimed
derivative is right: exactly when SymPy can show the difference is zero,
otherwise at random points, with a counterexample when it is wrong.
This is the only module of symgraph that imports ``numeric``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

import numeric as nm

from .errors import DomainError, UnboundSymbolError
from .evaluate import bind, evaluate_nodes
from .grad import _wrt_list, grad
from .node import Node, as_node, const_value
from .parse import parse
from .tensor import hooks as _tensor
from .traverse import toposort

__all__ = [
    "CheckReport",
    "VerifyResult",
    "check",
    "numeric_gradient",
    "sample_points",
    "verify",
]


# ----- symgraph op -> numeric primitive ---------------------------------------
def _heaviside(x, h0):
    data = x.data if isinstance(x, nm.Tensor) else np.asarray(x)
    h = h0.data if isinstance(h0, nm.Tensor) else np.asarray(h0)
    return nm.tensor(np.where(data > 0, 1.0, np.where(data < 0, 0.0, h)))


def _cond(c):
    return (c.data if isinstance(c, nm.Tensor) else np.asarray(c)) > 0


_NUMERIC = {
    "add": nm.add, "sub": nm.subtract, "mul": nm.multiply, "div": nm.divide,
    "neg": nm.negative, "pow": nm.power, "sin": nm.sin, "cos": nm.cos, "tan": nm.tan,
    "exp": nm.exp, "log": nm.log, "sqrt": nm.sqrt, "tanh": nm.tanh, "sinh": nm.sinh,
    "cosh": nm.cosh, "atan": nm.atan, "asin": nm.asin, "acos": nm.acos,
    "log1p": nm.log1p, "expm1": nm.expm1, "sigmoid": nm.sigmoid, "softplus": nm.softplus,
    "relu": nm.relu, "abs": nm.abs, "sign": nm.sign, "maximum": nm.maximum,
    "minimum": nm.minimum, "heaviside": _heaviside,
    "max": lambda *xs: nm.max(nm.stack(xs), axis=0),
    "min": lambda *xs: nm.negative(nm.max(nm.stack([nm.negative(x) for x in xs]), axis=0)),
    # the first strictly greater entry wins, as in numeric's max_pool2d
    "maxpool": lambda *xs: functools.reduce(
        lambda m, x: nm.where(_cond(nm.subtract(x, m)), x, m), xs
    ),
    "where": lambda c, a, b: nm.where(_cond(c), a, b),
}  # fmt: skip


def _numeric_apply(node: Node, args: list):
    op = node.op
    if op in ("leaky_relu", "elu"):
        x, p = args
        param = node.args[1]
        if param.op == "const":
            fn = nm.leaky_relu if op == "leaky_relu" else nm.elu
            return fn(x, const_value(param))
        # a symbolic parameter: spell the op out with numeric's where
        pos = _cond(x)
        if op == "leaky_relu":
            return nm.where(pos, x, nm.multiply(p, x))
        return nm.where(pos, x, nm.multiply(p, nm.expm1(nm.minimum(x, 0.0))))
    try:
        fn = _NUMERIC[op]
    except KeyError:
        raise NotImplementedError(
            f"the op {op!r} has no numeric counterpart yet"
        ) from None
    return fn(*args)


def numeric_forward(roots: list, values: dict):
    """Evaluate ``roots`` on numeric Tensors/arrays; ``values`` maps names to them."""
    memo = {}
    for node in toposort(roots):
        if node.op == "symbol":
            if node.value not in values:
                raise UnboundSymbolError(f"no value given for symbol {node.value!r}")
            memo[node] = values[node.value]
        elif node.op == "const":
            memo[node] = const_value(node)
        else:
            memo[node] = _numeric_apply(node, [memo[a] for a in node.args])
    return [memo[r] for r in roots]


def numeric_gradient(f, wrt: list, point: dict) -> np.ndarray:
    """Gradient of ``f`` at one point by the numeric engine's reverse mode."""
    f = as_node(f)
    names = [v.value for v in wrt]
    fixed = {k: float(v) for k, v in point.items() if k not in names}

    def fn(*xs):
        values = dict(fixed)
        values.update(zip(names, xs))
        return numeric_forward([f], values)[0]

    args = [np.float64(point[n]) for n in names]
    _, grads = nm.value_and_grad(fn, argnums=tuple(range(len(names))))(*args)
    return np.array([float(np.asarray(g)) for g in grads])


def _central_difference(f, names, point, eps):
    out = []
    for n in names:
        up, down = dict(point), dict(point)
        up[n] = point[n] + eps
        down[n] = point[n] - eps
        fu, fd = evaluate_nodes([f], bind(up))[0], evaluate_nodes([f], bind(down))[0]
        out.append((float(fu) - float(fd)) / (2 * eps))
    return np.array(out)


# ----- random points ----------------------------------------------------------
def sample_points(nodes: list, symbols: list, n: int, seed=0, max_tries=200) -> list:
    """``n`` random points (name -> float) where every node is finite.

    Draws alternate between [-2, 2] and (0.1, 2] so that expressions with a
    restricted domain (log, sqrt) still find valid points.
    """
    rng = np.random.default_rng(seed)
    names = sorted({s.value for s in symbols})
    points = []
    for i in range(max_tries):
        if len(points) == n:
            break
        if i % 2 == 0:
            vals = rng.uniform(-2.0, 2.0, len(names))
        else:
            vals = rng.uniform(0.1, 2.0, len(names))
        point = dict(zip(names, vals.tolist()))
        with np.errstate(all="ignore"):
            results = evaluate_nodes(nodes, bind(point))
        if all(np.all(np.isfinite(r)) for r in results):
            points.append(point)
    if len(points) < n:
        raise DomainError(
            f"found only {len(points)} of {n} random points where the expression is "
            "finite; pass points with at=..."
        )
    return points


def _free_symbols(nodes: list) -> list:
    return [n for n in toposort(nodes) if n.op == "symbol"]


def _points_from(at, f_nodes, wrt, n_points, seed) -> list:
    symbols = _free_symbols(f_nodes)
    if at is None:
        return sample_points(f_nodes, symbols, n_points, seed)
    raw = [at] if isinstance(at, dict) else list(at)
    points = []
    for p in raw:
        point = {}
        for k, v in p.items():
            name = k.value if isinstance(k, Node) else str(k)
            point[name] = float(v)
        missing = [s.value for s in symbols if s.value not in point]
        if missing:
            raise UnboundSymbolError(f"no value given for symbol {missing[0]!r}")
        points.append(point)
    return points


# ----- check ------------------------------------------------------------------
@dataclass
class PointCheck:
    """The three gradients at one point."""

    point: dict
    value: float
    symbolic: np.ndarray
    numeric: np.ndarray
    finite_difference: np.ndarray

    @property
    def abs_error(self) -> float:
        return float(
            max(
                _max_abs(self.symbolic - self.numeric),
                _max_abs(self.symbolic - self.finite_difference),
            )
        )


def _max_abs(a) -> float:
    a = np.abs(np.asarray(a, dtype=float))
    if a.size == 0:
        return 0.0
    return float(np.nanmax(a)) if not np.all(np.isnan(a)) else math.nan


@dataclass
class CheckReport:
    """Result of :func:`check`.

    ``ok`` is True when, at every point, the symbolic gradient matches the
    numeric engine's to ``rtol``/``atol`` and central differences to
    ``fd_rtol``/``fd_atol``. ``max_abs_error`` and ``max_rel_error`` are the
    largest disagreements of the symbolic gradient with either.
    """

    wrt: list
    points: list = field(default_factory=list)
    ok: bool = True
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    engine_ok: bool = True
    fd_ok: bool = True

    def __str__(self) -> str:
        head = "ok" if self.ok else "MISMATCH"
        lines = [
            f"gradient check: {head} at {len(self.points)} point(s); "
            f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}"
        ]
        if not self.engine_ok:
            lines.append("  the symbolic and numeric engines disagree")
        if not self.fd_ok:
            lines.append(
                "  finite differences disagree (a kink or a badly scaled point?)"
            )
        width = max([len(w) for w in self.wrt] + [4])
        for i, p in enumerate(self.points):
            at = ", ".join(f"{k}={v:.6g}" for k, v in p.point.items())
            lines.append(f"  point {i}: {at}   f = {p.value:.10g}")
            lines.append(
                f"    {'wrt':<{width}}  {'symbolic':>16}  {'numeric':>16}  {'finite diff':>16}"
            )
            for j, w in enumerate(self.wrt):
                lines.append(
                    f"    {w:<{width}}  {p.symbolic[j]:16.10g}  {p.numeric[j]:16.10g}"
                    f"  {p.finite_difference[j]:16.10g}"
                )
        return "\n".join(lines)

    __repr__ = __str__


def check(
    f,
    wrt,
    at=None,
    n_points=3,
    seed=0,
    eps=1e-6,
    rtol=1e-7,
    atol=1e-9,
    fd_rtol=1e-4,
    fd_atol=1e-5,
) -> CheckReport:
    """Compare three gradients of ``f``: symbolic, numeric reverse mode, finite differences.

    Parameters
    ----------
    f : Node or str (read with the safe parser)
    wrt : symbol, sequence of symbols, or object array of symbols
    at : a point ``{symbol or name: value}``, a list of points, or None for
        ``n_points`` random points where ``f`` is finite (seeded by ``seed``).
    eps : step of the central differences.
    rtol, atol : tolerance between the two reverse-mode engines (both exact
        up to rounding).
    fd_rtol, fd_atol : tolerance against finite differences.

    Returns
    -------
    CheckReport
        ``.ok``, ``.max_abs_error``, ``.max_rel_error`` and ``.points`` (each
        with ``.symbolic``, ``.numeric``, ``.finite_difference``); printing it
        shows a table.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> sg.check(sg.sin(x) * y, [x, y], at={x: 0.5, y: 2.0}).ok
    True
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(f, wrt):
        return _tensor.check(f, wrt, at=at, n_points=n_points, seed=seed, eps=eps,
                             rtol=rtol, atol=atol, fd_rtol=fd_rtol, fd_atol=fd_atol)  # fmt: skip
    f = parse(f) if isinstance(f, str) else as_node(f)
    symbols = _wrt_list(wrt)
    grads = grad(f, symbols)
    points = _points_from(at, [f] + grads, symbols, n_points, seed)
    names = [s.value for s in symbols]
    report = CheckReport(wrt=names)
    for point in points:
        with np.errstate(all="ignore"):
            bound = bind(point)
            value = float(evaluate_nodes([f], bound)[0])
            sym = (
                np.array([float(v) for v in evaluate_nodes(grads, bound)])
                if grads
                else np.zeros(0)
            )
            num = numeric_gradient(f, symbols, point) if symbols else np.zeros(0)
            fd = _central_difference(f, names, point, eps)
        pc = PointCheck(point, value, sym, num, fd)
        report.points.append(pc)
        engine_ok = np.allclose(num, sym, rtol=rtol, atol=atol, equal_nan=True)
        fd_ok = np.allclose(fd, sym, rtol=fd_rtol, atol=fd_atol, equal_nan=True)
        report.engine_ok &= bool(engine_ok)
        report.fd_ok &= bool(fd_ok)
        for other in (num, fd):
            diff = np.abs(sym - other)
            report.max_abs_error = max(report.max_abs_error, _max_abs(diff))
            scale = np.maximum(np.abs(sym), np.abs(other))
            with np.errstate(all="ignore"):
                rel = np.where(scale > 0, diff / scale, 0.0)
            report.max_rel_error = max(report.max_rel_error, _max_abs(rel))
    report.ok = report.engine_ok and report.fd_ok
    return report


# ----- verify -----------------------------------------------------------------
@dataclass
class VerifyResult:
    """Result of :func:`verify`.

    ``correct`` says whether the claim equals the true derivative;
    ``method`` is "symbolic" (SymPy showed the difference is zero) or
    "numeric" (agreement at ``n_points`` random points); ``counterexample``
    is None or a dict with ``point``, ``claimed`` and ``actual``.
    """

    correct: bool
    method: str
    counterexample: dict | None
    derivative: list
    claim: list

    def __str__(self) -> str:
        if self.correct:
            how = (
                "exactly (SymPy simplifies the difference to 0)"
                if self.method == "symbolic"
                else "at random points (SymPy could not decide it symbolically)"
            )
            return f"correct: the claim equals the derivative {how}"
        ce = self.counterexample
        at = ", ".join(f"{k}={v:.6g}" for k, v in ce["point"].items())
        return (
            f"WRONG: at {at} the claim gives {_fmt(ce['claimed'])} "
            f"but the derivative is {_fmt(ce['actual'])}\n"
            f"  derivative: {', '.join(map(str, self.derivative))}"
        )

    __repr__ = __str__


def _fmt(v):
    if isinstance(v, list):
        return "[" + ", ".join(f"{x:.10g}" for x in v) + "]"
    return f"{v:.10g}"


_MAX_SIMPLIFY_NODES = 400


def verify(f, wrt, claim, n_points=20, seed=0, rtol=1e-9, atol=1e-12) -> VerifyResult:
    """Is a claimed derivative right?

    Parameters
    ----------
    f : Node or str (read with the safe parser)
    wrt : a symbol, or a sequence of symbols (then ``claim`` is a sequence
        of the same length: the claimed gradient).
    claim : str (safe parser), SymPy expression or Node; or a sequence of them.

    Returns
    -------
    VerifyResult
        ``.correct``; ``.counterexample`` with the point and both values when
        the claim is wrong.

    Examples
    --------
    >>> import symgraph as sg
    >>> x = sg.symbols("x")
    >>> sg.verify(sg.sin(x**2), x, "2*x*cos(x**2)").correct
    True
    >>> r = sg.verify(sg.sin(x**2), x, "cos(x**2)")
    >>> r.correct, sorted(r.counterexample)
    (False, ['actual', 'claimed', 'point'])
    """
    # tensor hook: tensor expressions go to symgraph.tensor
    if _tensor.involved(f, wrt):
        return _tensor.verify(f, wrt, claim, seed=seed)
    f = parse(f) if isinstance(f, str) else as_node(f)
    single = isinstance(wrt, Node)
    symbols = _wrt_list(wrt)
    claims = [claim] if single else list(claim)
    if len(claims) != len(symbols):
        raise ValueError(
            f"{len(symbols)} symbols but {len(claims)} claimed derivatives"
        )
    claim_nodes = [parse(c) if isinstance(c, str) else as_node(c) for c in claims]
    known = {s.value for s in _free_symbols([f])} | {s.value for s in symbols}
    for c in claim_nodes:
        for s in _free_symbols([c]):
            if s.value not in known:
                raise UnboundSymbolError(
                    f"the claim uses the symbol {s.value!r}, which the expression does not have"
                )
    derivative = grad(f, symbols)
    result = {"derivative": derivative, "claim": claim_nodes}

    # Exact: SymPy decides the difference is zero (only on small DAGs, since
    # simplify's cost grows quickly).
    if (
        sum(len(toposort([d, c])) for d, c in zip(derivative, claim_nodes))
        <= _MAX_SIMPLIFY_NODES
    ):
        import sympy as sp

        try:
            if all(
                sp.simplify(d.to_sympy() - c.to_sympy()) == 0
                for d, c in zip(derivative, claim_nodes)
            ):
                return VerifyResult(True, "symbolic", None, **result)
        except Exception:
            pass

    # Numeric: random points where f, the derivative and the claim are finite.
    nodes = [f] + derivative + claim_nodes
    points = sample_points(nodes, _free_symbols(nodes), n_points, seed)
    for point in points:
        with np.errstate(all="ignore"):
            vals = evaluate_nodes(derivative + claim_nodes, bind(point))
        actual = [float(v) for v in vals[: len(symbols)]]
        claimed = [float(v) for v in vals[len(symbols) :]]
        if not np.allclose(claimed, actual, rtol=rtol, atol=atol):
            ce = {
                "point": point,
                "claimed": claimed[0] if single else claimed,
                "actual": actual[0] if single else actual,
            }
            return VerifyResult(False, "numeric", ce, **result)
    return VerifyResult(True, "numeric", None, **result)
