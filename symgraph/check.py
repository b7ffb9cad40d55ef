"""The bridge: symbolic gradients checked against the numeric engine and
finite differences.

:func:`check` evaluates a DAG's symbolic gradient, runs the same DAG through
``numeric`` (each op's declaration names its numeric counterpart; the two
engines share no differentiation code) and takes central differences of the
forward values, at the same points. A point where the function or any of the
three gradients is not finite is outside the domain: random points are drawn
again, a point the user gave is refused with a :class:`DomainError` naming
it. This is the only module of symgraph that imports ``numeric`` (on first
use, so ``import symgraph`` stays light).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from .errors import DomainError, UnboundSymbolError
from .evaluate import bind, evaluate_nodes
from .extensions import tensor as _tensor
from .grad import grad
from .identifiers import normal_name
from .node import Node, as_node, const_value
from .opdef import OPS
from .parse import parse
from .sampling import kink_values
from .traverse import toposort
from .wrt import normalize_wrt

__all__ = ["CheckReport", "PointCheck", "check", "numeric_forward", "numeric_gradient"]

# Random points are drawn in batches of this many per point wanted.
_DRAWS_PER_POINT = 64
# A random point at least this far from a kink of f: central differences
# there do not straddle it.
_KINK_MARGIN = 1e-3


# ----- the numeric engine on a DAG -------------------------------------------------
def load_numeric() -> ModuleType:
    """The numeric engine, imported on first use (the one place symgraph
    imports it; the matrix-calculus bridge takes it from here)."""
    import numeric

    return numeric


def numeric_forward(roots: list, values: dict) -> list:
    """Evaluate ``roots`` with the numeric engine; ``values`` maps names to
    Tensors, arrays or numbers. Each node applies its op's counterpart
    (``OpDef.numeric``)."""
    nm = load_numeric()
    memo = {}
    for node in toposort(roots):
        if node.op == "symbol":
            if node.value not in values:
                raise UnboundSymbolError(f"no value given for symbol {node.value!r}")
            memo[node] = values[node.value]
        elif node.op == "const":
            memo[node] = const_value(node)
        else:
            memo[node] = OPS[node.op].numeric(nm, *[memo[a] for a in node.args])
    return [memo[r] for r in roots]


def numeric_gradient(f: Any, wrt: Any, point: dict) -> np.ndarray:
    """Gradient of ``f`` at one point by the numeric engine's reverse mode."""
    f = as_node(f)
    names = [v.value for v in normalize_wrt(wrt).symbols]
    fixed = {k: float(v) for k, v in point.items() if k not in names}

    def fn(*xs):
        values = dict(fixed)
        values.update(zip(names, xs))
        return numeric_forward([f], values)[0]

    args = [np.float64(point[n]) for n in names]
    _, grads = load_numeric().value_and_grad(fn, argnums=tuple(range(len(names))))(
        *args
    )
    return np.array([float(np.asarray(g)) for g in grads])


def _central_differences(f: Node, names: list, point: dict, eps: float) -> np.ndarray:
    """All central differences at one point in one vectorized evaluation: row
    2j is the point with ``names[j] + eps``, row 2j+1 with ``- eps``."""
    m = len(names)
    values = {k: np.full(2 * m, float(v)) for k, v in point.items()}
    for j, name in enumerate(names):
        values[name][2 * j] += eps
        values[name][2 * j + 1] -= eps
    with np.errstate(all="ignore"):
        out = np.broadcast_to(evaluate_nodes([f], bind(values))[0], (2 * m,))
    return (out[0::2] - out[1::2]) / (2 * eps)


def _column(values, size: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(values, dtype=float), (size,))


# ----- points --------------------------------------------------------------------------
def _kink_distance(f: Node, values: dict, size: int) -> np.ndarray:
    """Per point, the smallest magnitude of a kink expression of ``f``."""
    vals = kink_values(f, values, size)
    if not vals:
        return np.full(size, np.inf)
    return np.min(np.abs(vals), axis=0)


def _random_candidates(f: Node, grads: list, names: list, n: int, seed: int) -> list:
    """Points (in order of preference) where f and its symbolic gradient are
    finite and f is away from its kinks: half in [-2, 2], half in (0.1, 2]
    (so log and sqrt find points)."""
    rng = np.random.default_rng(seed)
    size = _DRAWS_PER_POINT * n
    values = {}
    for k in names:
        wide, positive = rng.uniform(-2.0, 2.0, size), rng.uniform(0.1, 2.0, size)
        values[k] = np.where(np.arange(size) % 2 == 0, wide, positive)
    with np.errstate(all="ignore"):
        results = [_column(r, size) for r in evaluate_nodes([f, *grads], bind(values))]
    ok = np.all([np.isfinite(r) for r in results], axis=0)
    ok &= _kink_distance(f, values, size) > _KINK_MARGIN
    return [{k: float(values[k][i]) for k in names} for i in np.flatnonzero(ok)]


def _given_points(at: Any, needed: list, optional: list) -> list:
    """The points of ``at``; every ``needed`` name must have a value, an
    ``optional`` one (a variable the expression does not use) defaults to 0."""
    raw = [at] if isinstance(at, dict) else list(at)
    points = []
    for p in raw:
        point = dict.fromkeys(optional, 0.0)
        for k, v in p.items():
            name = k.value if isinstance(k, Node) else normal_name(str(k))
            point[name] = float(v)
        missing = [k for k in needed if k not in point]
        if missing:
            raise UnboundSymbolError(f"no value given for symbol {missing[0]!r}")
        points.append(point)
    if not points:
        raise ValueError("at= gives no points")
    return points


# ----- the report ------------------------------------------------------------------------
@dataclass
class PointCheck:
    """The three gradients at one point."""

    point: dict
    value: float
    symbolic: np.ndarray
    numeric: np.ndarray
    finite_difference: np.ndarray
    # within the kink margin of a kink of f: central differences straddle
    # it, so they are shown but not compared (the two engines still are)
    at_kink: bool = False

    @property
    def abs_error(self) -> float:
        return max(
            _max_abs(self.symbolic - self.numeric),
            _max_abs(self.symbolic - self.finite_difference),
        )


def _max_abs(a) -> float:
    """Largest magnitude; NaN if any entry is NaN (a NaN is never 'no error')."""
    a = np.abs(np.asarray(a, dtype=float))
    if a.size == 0:
        return 0.0
    return math.nan if np.isnan(a).any() else float(a.max())


@dataclass
class CheckReport:
    """Result of :func:`check`.

    ``ok`` is True when, at every point, the symbolic gradient matches the
    numeric engine's to ``rtol``/``atol`` and central differences to
    ``fd_rtol``/``fd_atol`` (except at a given point on, or within 1e-3 of, a
    kink of f, where central differences straddle the kink and the
    derivative is a convention: there only the engines are compared). ``max_abs_error`` and ``max_rel_error`` are the
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
        if any(p.at_kink for p in self.points):
            lines.append(
                "  at a kink of f (or within 1e-3 of one) the derivative is a convention\n"
                "  (the README's table) and finite differences straddle the kink: they\n"
                "  are shown there, not compared"
            )
        width = max([len(w) for w in self.wrt] + [4])
        for i, p in enumerate(self.points):
            at = ", ".join(f"{k}={v:.6g}" for k, v in p.point.items())
            kink = "   (at a kink)" if p.at_kink else ""
            lines.append(f"  point {i}: {at}   f = {p.value:.10g}{kink}")
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

    def add(self, pc: PointCheck, tolerances: tuple) -> None:
        rtol, atol, fd_rtol, fd_atol = tolerances
        self.points.append(pc)
        sym = pc.symbolic
        self.engine_ok &= bool(np.allclose(pc.numeric, sym, rtol=rtol, atol=atol))
        if not pc.at_kink:
            self.fd_ok &= bool(
                np.allclose(pc.finite_difference, sym, rtol=fd_rtol, atol=fd_atol)
            )
        for other in (
            (pc.numeric,) if pc.at_kink else (pc.numeric, pc.finite_difference)
        ):
            diff = np.abs(sym - other)
            scale = np.maximum(np.abs(sym), np.abs(other))
            with np.errstate(all="ignore"):
                rel = np.where(scale > 0, diff / scale, 0.0)
            for attr, v in (
                ("max_abs_error", _max_abs(diff)),
                ("max_rel_error", _max_abs(rel)),
            ):
                old = getattr(self, attr)
                setattr(
                    self,
                    attr,
                    math.nan if math.isnan(v) or math.isnan(old) else max(old, v),
                )
        self.ok = self.engine_ok and self.fd_ok


def _three_gradients(f, grads, symbols, names, point, eps) -> PointCheck:
    bound = bind(point)
    with np.errstate(all="ignore"):
        value = float(evaluate_nodes([f], bound)[0])
        sym = (
            np.array([float(v) for v in evaluate_nodes(grads, bound)])
            if grads
            else np.zeros(0)
        )
        num = numeric_gradient(f, symbols, point) if symbols else np.zeros(0)
        fd = _central_differences(f, names, point, eps) if names else np.zeros(0)
    return PointCheck(point, value, sym, num, fd)


def _non_finite(pc: PointCheck) -> str:
    """What is not finite at the point, in words ('' when all is finite)."""
    for what, v in (
        ("f", [pc.value]),
        ("the symbolic gradient", pc.symbolic),
        ("the numeric engine's gradient", pc.numeric),
        ("the finite differences", pc.finite_difference),
    ):
        if not np.all(np.isfinite(v)):
            verb = "are" if what.endswith("differences") else "is"
            return f"{what} {verb} {np.asarray(v, dtype=float).tolist()}"
    return ""


def check(
    f: Any,
    wrt: Any,
    at: Any = None,
    n_points: int = 3,
    seed: int = 0,
    eps: float = 1e-6,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    fd_rtol: float = 1e-4,
    fd_atol: float = 1e-5,
) -> CheckReport:
    """Compare three gradients of ``f``: symbolic, numeric reverse mode, finite differences.

    Parameters
    ----------
    f : Node or str (read with the safe parser)
    wrt : symbol, sequence or array of symbols, or names (``"x, y"``); a symbol
        ``f`` does not use has gradient 0.
    at : a point ``{symbol or name: value}``, a list of points, or None for
        ``n_points`` random points inside the domain (seeded by ``seed``).
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

    Raises
    ------
    DomainError
        If a point given in ``at`` is outside the domain (f or a gradient is
        not finite there), or no random point inside it was found.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> sg.check(sg.sin(x) * y, [x, y], at={x: 0.5, y: 2.0}).ok
    True
    """
    if not isinstance(n_points, int) or isinstance(n_points, bool) or n_points < 1:
        raise ValueError(f"n_points must be a positive integer, not {n_points!r}")
    if _tensor.involved(
        f, wrt
    ):  # tensor hook: tensor expressions go to symgraph.tensor
        return _tensor.check(f, wrt, at=at, n_points=n_points, seed=seed, eps=eps,
                             rtol=rtol, atol=atol, fd_rtol=fd_rtol, fd_atol=fd_atol)  # fmt: skip
    f = parse(f) if isinstance(f, str) else as_node(f)
    symbols = normalize_wrt(wrt).symbols
    grads = grad(f, symbols)
    wrt_names = [s.value for s in symbols]
    used = [s.value for s in toposort([f]) if s.op == "symbol"]
    names = wrt_names + [n for n in used if n not in wrt_names]
    report = CheckReport(wrt=wrt_names)
    tolerances = (rtol, atol, fd_rtol, fd_atol)
    if at is not None:
        for point in _given_points(at, used, [n for n in wrt_names if n not in used]):
            pc = _three_gradients(f, grads, symbols, wrt_names, point, eps)
            pc.at_kink = bool(_kink_distance(f, point, 1)[0] <= _KINK_MARGIN)
            bad = _non_finite(pc)
            if bad:
                where = ", ".join(f"{k}={v:g}" for k, v in point.items())
                raise DomainError(f"the point {where} is outside the domain: {bad}")
            report.add(pc, tolerances)
        return report
    for point in _random_candidates(f, grads, names, n_points, seed):
        pc = _three_gradients(f, grads, symbols, wrt_names, point, eps)
        if not _non_finite(pc):
            report.add(pc, tolerances)
        if len(report.points) == n_points:
            return report
    raise DomainError(
        f"found only {len(report.points)} of {n_points} random points where the expression "
        "and its gradients are finite; pass points with at=..."
    )
