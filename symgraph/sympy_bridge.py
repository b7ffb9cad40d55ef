"""Conversion between symgraph DAGs and SymPy expressions, both ways.

``to_sympy`` builds standard SymPy (plain ``Symbol`` without assumptions), so a
user can hand the result to any SymPy function. ``from_sympy`` maps SymPy's
canonical forms back onto the registry's ops (``x - y`` to ``sub``, ``x/y``
to ``div``, ``Max(0, x)`` to ``relu``), so that for ``s = e.to_sympy()``,
``from_sympy(s).to_sympy() == s``. Both walk iteratively, sharing what the
input shares.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp
from sympy.codegen.cfunctions import expm1 as sp_expm1
from sympy.codegen.cfunctions import log1p as sp_log1p

from .errors import SympyConversionError
from .node import Node, const, make, symbol
from .ops import OPS
from .traverse import toposort

__all__ = ["to_sympy", "from_sympy"]


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


def to_sympy_many(roots: list) -> list:
    memo = {}
    for node in toposort(roots):
        if node.op == "symbol":
            memo[node] = sp.Symbol(node.value)
        elif node.op == "const":
            memo[node] = _const_to_sympy(node.value)
        else:
            args = [memo[a] for a in node.args]
            if node.op == "pow" and all(a.is_number for a in args):
                # an unfolded power of numbers was too large to fold: keep it so
                memo[node] = sp.Pow(*args, evaluate=False)
            else:
                memo[node] = OPS[node.op].formula(*args)
    return [memo[r] for r in roots]


# ----- from SymPy ----------------------------------------------------------------

_FUNCTIONS = {
    sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.exp: "exp", sp.log: "log",
    sp.tanh: "tanh", sp.sinh: "sinh", sp.cosh: "cosh", sp.atan: "atan",
    sp.asin: "asin", sp.acos: "acos", sp_log1p: "log1p", sp_expm1: "expm1",
    sp.Abs: "abs", sp.sign: "sign",
}  # fmt: skip


def _is_negative_number(e) -> bool:
    return e.is_Number and e.is_extended_negative


def _deps(e) -> list:
    """The subexpressions whose nodes are needed to build the node of ``e``."""
    if e.is_Add:
        return [(-t if t.could_extract_minus_sign() else t) for t in e.args]
    if e.is_Mul:
        out = []
        for f in e.args:
            if f.is_Pow and _is_negative_number(f.exp):
                out.append(f.base)
                if f.exp != -1:
                    out.append(-f.exp)
            elif not f.is_Number:
                out.append(f)
        return out
    if e.is_Pow:
        if _is_negative_number(e.exp):
            return [e.base, -e.exp] if e.exp not in (-1, sp.Rational(-1, 2)) else [e.base]
        return [e.base] if e.exp == sp.S.Half else [e.base, e.exp]
    if isinstance(e, sp.Piecewise):
        out = []
        for value, cond in e.args:
            out.append(value)
            if cond is not sp.true:
                out.append(_positive_part(cond))
        return out
    if e.is_Atom:
        return []
    return list(e.args)


def _number(e) -> Node:
    if e.is_Integer:
        return const(int(e))
    if e.is_Rational:
        return const(Fraction(int(e.p), int(e.q)))
    if e is sp.oo:
        return const(math.inf)
    if e is -sp.oo:
        return const(-math.inf)
    if e is sp.nan:
        return const(math.nan)
    if e is sp.zoo:
        raise SympyConversionError("complex infinity (zoo) has no real value")
    if e.is_Float or e.is_NumberSymbol:
        return const(float(e))
    raise SympyConversionError(f"the number {e} is not real")


def _convert(e, get) -> Node:
    """Build the node of ``e`` from the nodes of its dependencies (``get``)."""
    if e.is_Number or e.is_NumberSymbol:
        return _number(e)
    if e.is_Symbol:
        try:
            return symbol(e.name)
        except ValueError as exc:
            raise SympyConversionError(f"SymPy symbol {e.name!r}: {exc}") from None
    if e.is_Add:
        pos, neg, numbers = [], [], []
        for t in e.args:
            if t.is_Number:
                numbers.append(t)
            elif t.could_extract_minus_sign():
                neg.append(get(-t))
            else:
                pos.append(get(t))
        for n in numbers:
            (neg if n.is_extended_negative else pos).append(_number(abs(n)))
        acc = pos[0] if pos else make("neg", neg.pop(0))
        for t in pos[1:]:
            acc = make("add", acc, t)
        for t in neg:
            acc = make("sub", acc, t)
        return acc
    if e.is_Mul:
        coeff, num, den = sp.S.One, [], []
        for f in e.args:
            if f.is_Number:
                coeff *= f
            elif f.is_Pow and _is_negative_number(f.exp):
                den.append(get(f.base) if f.exp == -1 else make("pow", get(f.base), get(-f.exp)))
            else:
                num.append(get(f))
        negative = coeff.is_extended_negative
        coeff = abs(coeff)
        if coeff.is_Rational and coeff.q != 1:
            # x/2 rather than (1/2)*x
            if coeff.p != 1 or not num:
                num.insert(0, _number(sp.Integer(coeff.p)))
            den.insert(0, _number(sp.Integer(coeff.q)))
        elif coeff != 1 or not num:
            num.insert(0, _number(coeff))
        acc = num[0]
        for f in num[1:]:
            acc = make("mul", acc, f)
        if den:
            d = den[0]
            for f in den[1:]:
                d = make("mul", d, f)
            acc = make("div", acc, d)
        return make("neg", acc) if negative else acc
    if e.is_Pow:
        if e.exp == sp.S.Half:
            return make("sqrt", get(e.base))
        if e.exp == -1:
            return make("div", const(1), get(e.base))
        if e.exp == sp.Rational(-1, 2):
            return make("div", const(1), make("sqrt", get(e.base)))
        if _is_negative_number(e.exp):
            return make("div", const(1), make("pow", get(e.base), get(-e.exp)))
        return make("pow", get(e.base), get(e.exp))
    if isinstance(e, (sp.Max, sp.Min)):
        args = list(e.args)
        if isinstance(e, sp.Max) and len(args) == 2 and sp.S.Zero in args:
            return make("relu", get(args[1] if args[0] == 0 else args[0]))
        name = "maximum" if isinstance(e, sp.Max) else "minimum"
        acc = get(args[0])
        for a in args[1:]:
            acc = make(name, acc, get(a))
        return acc
    if isinstance(e, sp.Heaviside):
        h0 = e.args[1] if len(e.args) > 1 else sp.S.Half
        return make("heaviside", get(e.args[0]), _number(h0))
    if isinstance(e, sp.Piecewise):
        return _piecewise(e, get)
    name = _FUNCTIONS.get(e.func)
    if name is not None:
        return make(name, *[get(a) for a in e.args])
    raise SympyConversionError(
        f"SymPy {type(e).__name__} ({e}) has no symgraph op; "
        f"known functions: {', '.join(sorted(OPS))}"
    )


def _piecewise(e, get) -> Node:
    """``Piecewise((a, c > 0), ..., (z, True))`` as nested ``where`` nodes."""
    pieces = list(e.args)
    if pieces[-1][1] is not sp.true:
        raise SympyConversionError(f"Piecewise without a final True branch: {e}")
    acc = get(pieces[-1][0])
    for value, cond in reversed(pieces[:-1]):
        acc = make("where", get(_positive_part(cond)), get(value), acc)
    return acc


def _positive_part(cond):
    """For a condition ``a > b`` (or ``b < a``) the expression ``a - b``."""
    if isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan)):
        big, small = cond.gts, cond.lts
        return big if small == 0 else big - small
    raise SympyConversionError(f"Piecewise condition {cond} is not of the form a > b")


def from_sympy(expr, leaves: dict | None = None) -> Node:
    """The symgraph node of a SymPy expression.

    Parameters
    ----------
    expr : sympy.Basic (or a number)
    leaves : optional mapping from SymPy subexpressions to nodes that stand
        for them (used by the op registry to instantiate partials).

    Raises
    ------
    SympyConversionError
        For SymPy objects that have no op here (integrals, unknown functions,
        complex numbers), naming the object.
    """
    if isinstance(expr, Node):
        return expr
    if not isinstance(expr, sp.Basic):
        if isinstance(expr, (int, float, Fraction)) and not isinstance(expr, bool):
            return const(expr)
        raise TypeError(
            f"from_sympy takes a SymPy expression, not {type(expr).__name__}"
            " (use sg.parse for text)"
        )
    memo = dict(leaves) if leaves else {}
    get = memo.__getitem__
    stack = [expr]
    while stack:
        e = stack[-1]
        if e in memo:
            stack.pop()
            continue
        missing = [d for d in _deps(e) if d not in memo]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        memo[e] = _convert(e, get)
    return memo[expr]
