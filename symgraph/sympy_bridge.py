"""Conversion between symgraph DAGs and SymPy expressions, both ways.

``to_sympy`` (here) builds standard SymPy (plain ``Symbol`` without
assumptions), so a user can hand the result to any SymPy function.
``from_sympy`` (in :mod:`symgraph.sympy_reader`, re-exported here) maps SymPy's
canonical forms back onto the registry's ops, so that for
``s = e.to_sympy()``, ``from_sympy(s).to_sympy() == s``. Both walk
iteratively, sharing what the input shares. The op declarations give each
op's formula (``to_sympy``) and SymPy class (``from_sympy``). This module
imports SymPy, so the rest of symgraph reaches it only through
``interop.py``, which loads it on first use.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from .errors import SympyConversionError
from .opdef import OPS
from .sympy_reader import from_sympy
from .traverse import toposort

__all__ = ["from_sympy", "to_sympy"]


def _const_to_sympy(value):
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if math.isnan(value):
        return sp.nan
    if math.isinf(value):
        return sp.oo if value > 0 else -sp.oo
    return sp.Float(value)


def to_sympy(root):
    """SymPy expression(s) of a node, a list of nodes, or an object array."""
    import numpy as np

    if isinstance(root, np.ndarray):
        flat = [to_sympy_many([n])[0] for n in root.ravel()] if root.size else []
        return sp.Array(flat, root.shape) if root.ndim else flat[0]
    if isinstance(root, (list, tuple)):
        return to_sympy_many(list(root))
    return to_sympy_many([root])[0]


# SymPy's printers and simplifier recurse about three frames per level of an
# expression: deeper expressions would end in a RecursionError inside SymPy.
MAX_SYMPY_DEPTH = 250


def _check_depth(order: list) -> None:
    depth: dict = {}
    for node in order:
        d = 1 + max((depth[a] for a in node.args), default=0)
        depth[node] = d
        if d > MAX_SYMPY_DEPTH:
            raise SympyConversionError(
                f"the expression is {d}+ levels deep; SymPy handles at most "
                f"{MAX_SYMPY_DEPTH} (its printer and simplify recurse)"
            )


def to_sympy_many(roots: list, opaque: frozenset = frozenset()) -> list:
    """SymPy expressions of ``roots``; ops named in ``opaque`` become undefined
    SymPy functions of the same name (``sigmoid(x)``), which SymPy's algebra
    treats as unknowns instead of expanding their formulas."""
    memo = to_sympy_memo(roots, opaque)
    return [memo[r] for r in roots]


def to_sympy_memo(
    roots: list, opaque: frozenset = frozenset(), real: bool = False
) -> dict:
    """``{node: SymPy expression}`` for every node of the DAGs of ``roots``;
    with ``real``, symbols are SymPy symbols declared real."""
    memo: dict = {}
    order = toposort(roots)
    _check_depth(order)
    for node in order:
        if node.op in opaque:
            memo[node] = sp.Function(node.op)(*[memo[a] for a in node.args])
        elif node.op == "symbol":
            memo[node] = (
                sp.Symbol(node.value, real=True) if real else sp.Symbol(node.value)
            )
        elif node.op == "const":
            memo[node] = _const_to_sympy(node.value)
        else:
            args = [memo[a] for a in node.args]
            if node.op == "pow" and all(a.op == "const" for a in node.args):
                b, e = (a.value for a in node.args)
                if (
                    isinstance(e, int)
                    and not isinstance(b, float)
                    and abs(b) not in (0, 1)
                ):
                    # too large to fold (9**9**9): SymPy would compute it
                    # exactly as soon as anything is added to it, and hang
                    raise SympyConversionError(
                        f"the constant power {node} is too large for SymPy to hold exactly"
                    )
                # 0**-1, (-8)**(1/3), a float overflow: keep it as it is
                memo[node] = sp.Pow(*args, evaluate=False)
            else:
                try:
                    memo[node] = OPS[node.op].formula(sp, *args)
                except (
                    TypeError,
                    ValueError,
                ) as exc:  # e.g. Piecewise((nan, nan > 0), ...)
                    raise SympyConversionError(
                        f"{node.op} of {', '.join(map(str, args))} has no SymPy form: {exc}"
                    ) from None
                if node.op == "abs":
                    memo[node] = _drop_nonnegative_abs(memo[node])
                if node.op in ("abs", "sign") and memo[node].has(sp.re, sp.im, sp.I):
                    # Abs(exp(x)) would become exp(re(x)) for a symbol without
                    # assumptions: keep the op as it is (the values are real)
                    cls = sp.Abs if node.op == "abs" else sp.sign
                    memo[node] = cls(*args, evaluate=False)
    return memo


def _drop_nonnegative_abs(r):
    """SymPy leaves ``Abs(-Abs(x))`` as ``Abs(Abs(x))`` (and ``Abs(2*Abs(x))``
    as ``2*Abs(Abs(x))``), which it does not build back the same way: drop an
    Abs of a nonnegative argument, as ``Abs`` itself does elsewhere."""
    parts = r.args if r.is_Mul else (r,)

    def strip(t):
        return (
            t.args[0]
            if isinstance(t, sp.Abs) and t.args[0].is_extended_nonnegative
            else t
        )

    if any(strip(t) is not t for t in parts):
        return sp.Mul(*map(strip, parts)) if r.is_Mul else strip(r)
    return r
