"""Shared hypothesis strategies for the symgraph tests.

Import it from any test file (pytest puts ``tests/`` on the path through the
``pythonpath`` setting in pyproject.toml)::

    from strategies import expressions, safe_points, op_arguments

Typical use, a property at random points inside the domain::

    @given(st.data())
    def test_something(data):
        f = data.draw(expressions(SYMS, max_depth=4))
        point = data.draw(safe_points(f, SYMS))   # {symbol: float}
        ...

What is here
------------
``expressions(symbols, max_depth)``
    Random expression DAGs over every op of ``symgraph.ops.OPS`` (or the ops
    given), built with the public constructors, so construction-time folding
    and hash-consing happen as they do for users. Subexpressions are reused
    (the result is a DAG, not a tree) and sometimes given display names.
    Arguments with a restricted domain are *guarded* (``log(a)`` is built as
    ``log(a*a + 1/2)``, ``asin(a)`` as ``asin(9/10 * tanh(a))`` ...), so most
    points of the box ``BOX`` are inside the domain. An op the tables below
    do not know yet is guarded into its declared ``OpDef.domain``
    (``acosh(a)`` as ``acosh(a*a + 1/2 + 1)``), so a new op is exercised at
    once; the point filter keeps only points where it is finite.
``safe_points(roots, symbols)`` / ``is_safe(roots, point)``
    Points of ``BOX`` at which every node of the DAG is finite, bounded,
    inside its op's domain and at least ``EPS`` away from every kink
    (``relu`` at 0, a tie of ``maximum`` ...), so derivatives exist there and
    agree with ``sympy.diff``.
``op_arguments(op_name)``
    Argument tuples for one registry op, inside its domain and away from its
    kinks (``at_kinks=True`` mixes in the kinks themselves, for value checks).
``real_sympy(expr)``
    A SymPy expression with real symbols, for ``sympy.diff`` of kinks.
``dag_scale(roots, point)``
    The largest intermediate magnitude: the scale of rounding errors.
``points(symbols)``, ``shapes_2d()``, ``RATIONAL_OPS``, ``SMOOTH_OPS``,
``KINK_OPS``, ``GUARDS`` (the domain guards, by op and argument).
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

import symgraph as sg
from symgraph.evaluate import bind, evaluate_nodes
from symgraph.node import as_node, const, make
from symgraph.opdef import OPS
from symgraph.traverse import toposort

__all__ = [
    "ARITHMETIC_OPS",
    "BOUND",
    "BOX",
    "EPS",
    "KINK_OPS",
    "PARAMETERS",
    "RATIONAL_OPS",
    "SMOOTH_OPS",
    "constants",
    "expressions",
    "is_safe",
    "op_arguments",
    "op_ok",
    "points",
    "real_sympy",
    "safe_points",
    "shapes_2d",
]  # fmt: skip

# Symbols take values in this box.
BOX = (-2.0, 2.0)
# Minimum distance from a kink or a domain edge for a point to count as safe.
EPS = 1e-3
# Largest magnitude of any intermediate value at a safe point.
BOUND = 1e8

ARITHMETIC_OPS = tuple(op.name for op in OPS.values() if op.infix)
# Ops whose expressions are rational functions (pow gets integer exponents).
RATIONAL_OPS = ARITHMETIC_OPS
# Ops with a kink or a jump (a declared ``kinks``): their derivative is a
# convention somewhere.
KINK_OPS = tuple(sorted(op.name for op in OPS.values() if op.kinks is not None))
SMOOTH_OPS = tuple(sorted(set(OPS) - set(KINK_OPS)))

# Arguments that are parameters of an op (slopes, the value at 0): random
# DAGs give them constants, as users do.
PARAMETERS = {
    "leaky_relu": {1: st.sampled_from([0.01, 0.2, Fraction(1, 10), 0.5])},
    "elu": {1: st.sampled_from([1.0, 0.5, 2, Fraction(3, 2)])},
    "heaviside": {1: st.sampled_from([0.5, 0, 1, Fraction(1, 3)])},
    "greater": {2: st.sampled_from([0.5, 0, 1, Fraction(1, 2)])},
}

_HALF = Fraction(1, 2)


def constants():
    """Small exact and inexact constants, including the folding edge cases 0 and 1."""
    return st.one_of(
        st.sampled_from([0, 1, 2, 3, -1, -2, _HALF, Fraction(-3, 4), Fraction(5, 3)]),
        st.sampled_from([0.5, 1.5, -2.25, 0.1, 3.0, 1.0]),
    )


def _exponents(rational: bool):
    ints = st.sampled_from([2, 3, -1, -2, 0, 1])
    if rational:
        return ints
    return st.one_of(
        ints, st.sampled_from([_HALF, Fraction(-3, 2), 0.5, 1.5, Fraction(1, 3)])
    )


# ----- domain guards ----------------------------------------------------------
def _positive(a):
    """a*a + 1/2 > 0 everywhere."""
    return make("add", make("mul", a, a), const(_HALF))


def _unit(a):
    """9/10 * tanh(a) in (-0.9, 0.9)."""
    return make("mul", const(Fraction(9, 10)), make("tanh", a))


def _tan_safe(a):
    """2/3 * atan(a) in (-pi/3, pi/3)."""
    return make("mul", const(Fraction(2, 3)), make("atan", a))


def _bounded(a):
    """2 * tanh(a) in (-2, 2): exponents that cannot overflow a power."""
    return make("mul", const(2), make("tanh", a))


def _domain_guard(op: str, i: int):
    """A guard into the op's declared domain (``OpDef.domain``) for an op the
    table below does not list: ``lo + a*a + 1/2`` for ``(lo, inf)``,
    ``hi - (a*a + 1/2)`` for ``(-inf, hi)``, ``mid + 9/10 * half * tanh(a)``
    for a bounded interval; None for the whole line."""
    domain = OPS[op].domain
    lo, hi = domain[i] if i < len(domain) else (-math.inf, math.inf)
    if lo == -math.inf and hi == math.inf:
        return None
    if hi == math.inf:
        return lambda a: make("add", _positive(a), const(Fraction(lo)))
    if lo == -math.inf:
        return lambda a: make("sub", const(Fraction(hi)), _positive(a))
    mid, half = (Fraction(lo) + Fraction(hi)) / 2, (Fraction(hi) - Fraction(lo)) / 2
    return lambda a: make("add", const(mid), make("mul", const(half), _unit(a)))


# (op, argument index) -> guard. Arguments not listed are guarded into their
# declared domain (_domain_guard), or used as they are.
GUARDS = {
    ("log", 0): _positive,
    ("sqrt", 0): _positive,
    ("log1p", 0): _positive,
    ("asin", 0): _unit,
    ("acos", 0): _unit,
    ("tan", 0): _tan_safe,
    ("pow", 0): _positive,
    ("pow", 1): _bounded,
    ("div", 1): _positive,
}


# ----- expressions ----------------------------------------------------------------
@st.composite
def expressions(
    draw,
    symbols,
    max_depth: int = 4,
    ops=None,
    share: bool = True,
    names: bool = True,
    rational: bool = False,
):
    """A random expression DAG over ``symbols``.

    Parameters
    ----------
    symbols : sequence of symbol nodes (leaves)
    max_depth : bound on the nesting of ops
    ops : op names to draw from (default: every op in the registry)
    share : reuse earlier subexpressions, so the result is a DAG
    names : sometimes give an intermediate node a display name
    rational : only rational functions (``ops`` defaults to
        ``RATIONAL_OPS``; powers get integer exponents; constants are exact)

    Returns a Node (a constant or a symbol when the draw is that small).
    """
    symbols = list(symbols)
    if ops is None:
        ops = RATIONAL_OPS if rational else sorted(OPS)
    ops = sorted(ops)
    consts = (
        st.sampled_from([0, 1, 2, 3, -1, -2, _HALF, Fraction(-3, 4)])
        if rational
        else constants()
    )
    exps = _exponents(rational)
    pool = []
    counter = [0]

    def leaf():
        if draw(st.integers(0, 4)) == 0:
            return const(draw(consts))
        return draw(st.sampled_from(symbols))

    def build(depth):
        if depth <= 0 or draw(st.integers(0, 3)) == 0:
            return leaf()
        if share and pool and draw(st.integers(0, 5)) == 0:
            return draw(st.sampled_from(pool))
        op = draw(st.sampled_from(ops))
        nargs = OPS[op].nargs
        args = []
        for i in range(nargs):
            param = PARAMETERS.get(op, {}).get(i)
            if param is not None:
                args.append(const(draw(param)))
                continue
            if op == "pow" and i == 1 and (rational or draw(st.booleans())):
                args.append(const(draw(exps)))
                continue
            a = build(depth - 1)
            guard = GUARDS.get((op, i)) or _domain_guard(op, i)
            if guard is not None and not (
                op == "div" and not rational and draw(st.booleans())
            ):
                a = guard(a)  # div's denominator is left raw half the time
            args.append(a)
        node = make(op, *args)
        if (
            names
            and node.op not in ("symbol", "const")
            and draw(st.integers(0, 9)) == 0
        ):
            counter[0] += 1
            node = node.named(f"t{counter[0]}")
        pool.append(node)
        return node

    return build(max_depth)


# ----- points ---------------------------------------------------------------------
def _coord(lo=BOX[0], hi=BOX[1]):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def points(symbols, lo=BOX[0], hi=BOX[1]):
    """A mapping {symbol: float} with every coordinate in [lo, hi]."""
    return st.fixed_dictionaries({s: _coord(lo, hi) for s in symbols})


_PLACEHOLDERS = sg.symbols("a0 a1 a2 a3")


def _edges(op: str, nargs: int):
    """The op's kink and singularity expressions on placeholder symbols."""
    opdef = OPS[op]
    args = _PLACEHOLDERS[:nargs]
    out = []
    for rule in (opdef.kinks, opdef.singular):
        if rule is not None:
            out.extend(rule(*args))
    return args, out


def op_ok(op: str, vals, out=None, eps: float = EPS) -> bool:
    """True when ``op`` at argument values ``vals`` is inside its declared
    domain and at least ``eps`` away from its declared kinks and
    singularities (scalars)."""
    v = [float(a) for a in vals]
    if not all(math.isfinite(a) for a in v):
        return False
    opdef = OPS[op]
    for i, a in enumerate(v[: len(opdef.domain)]):
        lo, hi = opdef.domain[i]
        if not lo + eps <= a <= hi - eps:
            return False
    if len(v) > len(_PLACEHOLDERS):
        # a long n-ary call: the extremum must be unique by a margin
        ranked = sorted(v, reverse=op != "min")
        return abs(ranked[0] - ranked[1]) >= eps
    args, edges = _edges(op, len(v))
    if edges:
        with np.errstate(all="ignore"):
            values = evaluate_nodes(edges, bind(dict(zip([a.value for a in args], v))))
        if any(not abs(float(e)) >= eps for e in values):
            return False
    return True


def _node_values(roots, point):
    """(topological order, values) of every node of the DAG(s) at ``point``,
    quietly: NumPy's warnings are off, Python's arithmetic errors propagate."""
    if isinstance(roots, sg.Node):
        roots = [roots]
    elif isinstance(roots, np.ndarray):
        roots = list(roots.ravel())
    order = toposort([as_node(r) for r in roots])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return order, [float(v) for v in evaluate_nodes(order, bind(point))]


def is_safe(roots, point, eps: float = EPS, bound: float = BOUND) -> bool:
    """True when every node of the DAG(s) at ``point`` is finite, at most
    ``bound`` in magnitude, and its op is inside its domain and away from its
    kinks (see :func:`op_ok`)."""
    try:
        order, values = _node_values(roots, point)
    except (ArithmeticError, ValueError):
        return False
    val = dict(zip(order, values))
    for n in order:
        x = val[n]
        if not math.isfinite(x) or abs(x) > bound:
            return False
        if n.args and not op_ok(n.op, [val[a] for a in n.args], x, eps):
            return False
    return True


def dag_scale(roots, point) -> float:
    """The largest finite magnitude among all nodes of the DAG(s) at ``point``
    (at least 1): the scale of the rounding errors in its value, for an
    absolute tolerance."""
    values = np.abs(np.asarray(_node_values(roots, point)[1]))
    finite = values[np.isfinite(values)]
    return float(max(1.0, finite.max(initial=0.0)))


def safe_points(roots, symbols, lo=BOX[0], hi=BOX[1]):
    """Points of the box at which :func:`is_safe` holds for ``roots``."""
    return points(symbols, lo, hi).filter(lambda p: is_safe(roots, p))


# Sampling box of op_arguments: the declared domain inside (-3, 3), a small
# margin inside a finite edge.
def _arg_range(op: str, i: int) -> tuple:
    lo, hi = OPS[op].domain[i] if i < len(OPS[op].domain) else (-3.0, 3.0)
    return (max(lo + 0.05, -3.0), min(hi - 0.05, 3.0))


@st.composite
def op_arguments(draw, op: str, at_kinks: bool = False):
    """Float arguments for one application of ``op``: inside the domain and
    away from kinks (``at_kinks=True``: the kink points 0 and ties are drawn
    too, for checks of values rather than derivatives)."""
    nargs = OPS[op].nargs
    vals = []
    for i in range(nargs):
        lo, hi = _arg_range(op, i)
        strat = _coord(lo, hi)
        if at_kinks:
            extra = [v for v in [0.0] + vals if lo <= v <= hi]
            if extra:
                strat = st.one_of(strat, st.sampled_from(extra))
        vals.append(draw(strat))
    if not at_kinks:
        from hypothesis import assume

        assume(op_ok(op, vals, eps=1e-2))
    return tuple(vals)


def shapes_2d(max_side: int = 4):
    """(rows, cols) with sides from 1 to ``max_side``."""
    return st.tuples(st.integers(1, max_side), st.integers(1, max_side))


def real_sympy(expr):
    """``expr`` with its symbols replaced by real ones, so ``sympy.diff`` of
    ``Abs``, ``Max`` ... gives ``sign``, ``Heaviside`` ... rather than
    derivatives of ``re`` and ``im``. Returns (expression, {name: symbol})."""
    import sympy as sp

    subs = {s: sp.Symbol(s.name, real=True) for s in expr.free_symbols}
    return expr.xreplace(subs), {s.name: r for s, r in subs.items()}
