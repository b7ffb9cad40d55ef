"""Reading SymPy expressions into symgraph DAGs: ``from_sympy``.

:func:`from_sympy` maps SymPy's canonical forms back onto the registry's ops
(``x - y`` to ``sub``, ``x/y`` to ``div``, ``Max(0, x)`` to ``relu``,
``Piecewise`` to nested ``where``), walking the expression iteratively and
building each shared subexpression once. The op declarations give each op's
SymPy class; the arithmetic classes (``Add``, ``Mul``, ``Pow``) and the
structural ones (``Max``, ``Min``, ``Heaviside``, ``Piecewise``) are mapped
here. The other direction is :mod:`symgraph.sympy_bridge`, which re-exports
this function; like it, this module imports SymPy, so the rest of symgraph
reaches it only through ``interop.py``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp
from sympy.codegen import cfunctions

from .errors import SympyConversionError
from .node import Node, const, make, symbol
from .opdef import OPS

__all__ = ["from_sympy"]


_TABLE: dict = {}


def _functions() -> dict:
    """SymPy class -> op name, from the declarations' ``sympy_class`` (built
    again when an op has been declared since)."""
    if _TABLE.get("size") != len(OPS):
        table = {}
        for op in OPS.values():
            if op.sympy_class is not None:
                cls = getattr(sp, op.sympy_class, None) or getattr(
                    cfunctions, op.sympy_class
                )
                table[cls] = op.name
        _TABLE.update(size=len(OPS), table=table)
    return _TABLE["table"]


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
            return (
                [e.base, -e.exp] if e.exp not in (-1, sp.Rational(-1, 2)) else [e.base]
            )
        return [e.base] if e.exp == sp.S.Half else [e.base, e.exp]
    if isinstance(e, sp.Piecewise):
        out = []
        for value, cond in e.args:
            out.append(value)
            if cond is not sp.true:
                out.append(_condition(cond)[0])
        return out
    if e.is_Atom:
        return []
    if not (isinstance(e, (sp.Max, sp.Min, sp.Heaviside)) or e.func in _functions()):
        raise _unsupported(e)  # name e itself, not the first argument it holds
    return list(e.args)


def _unsupported(e) -> SympyConversionError:
    return SympyConversionError(
        f"SymPy {type(e).__name__} ({e}) has no symgraph op; "
        f"known functions: {', '.join(sorted(OPS))}"
    )


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
    if e is sp.E:
        return make("E")
    if e is sp.pi:
        return make("pi")
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
                den.append(
                    get(f.base)
                    if f.exp == -1
                    else make("pow", get(f.base), get(-f.exp))
                )
            else:
                num.append(get(f))
        if not num and not den:  # an unevaluated product of numbers: Mul(2, 3)
            return _number(coeff)
        negative = coeff.is_extended_negative
        coeff = abs(coeff)
        if negative:
            # -(y - s) * t is (s - y) * t, and -1/(x - 1) is 1/(1 - x): the
            # sign goes into a difference when there is one
            for factors in (num, den):
                k = next((i for i, f in enumerate(factors) if f.op == "sub"), None)
                if k is not None:
                    factors[k] = make("neg", factors[k])
                    negative = False
                    break
        # The coefficient goes on last, around the rest: SymPy distributes a
        # number over a sum in a product of two (2*(x + 1) is 2*x + 2), so
        # (2*(x + 1))*y would not come back as 2*(x + 1)*y.
        p, q = (
            (sp.Integer(coeff.p), sp.Integer(coeff.q))
            if coeff.is_Rational
            else (coeff, 1)
        )
        product: Node | None = None
        for f in num:
            product = f if product is None else make("mul", product, f)
        if den:
            d = den[0]
            for f in den[1:]:
                d = make("mul", d, f)
            if product is None:  # 2/x rather than 2*(1/x)
                product, p = _number(p), sp.S.One
            product = make("div", product, d)
        assert product is not None, e  # some factor is not a number (see above)
        if p != 1:
            product = make("mul", _number(p), product)
        if q != 1:
            product = make("div", product, _number(q))  # x/2 rather than (1/2)*x
        return make("neg", product) if negative else product
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
        if len(args) > 2:  # the n-ary reduction (ties split evenly)
            return make("max" if isinstance(e, sp.Max) else "min", *map(get, args))
        return make("maximum" if isinstance(e, sp.Max) else "minimum", *map(get, args))
    if isinstance(e, sp.Heaviside):
        h0 = e.args[1] if len(e.args) > 1 else sp.S.Half
        return make("heaviside", get(e.args[0]), _number(h0))
    if isinstance(e, sp.Piecewise):
        return _piecewise(e, get)
    name = _functions().get(e.func)
    if name is not None:
        return make(name, *[get(a) for a in e.args])
    raise _unsupported(e)


def _piecewise(e, get) -> Node:
    """``Piecewise((a, c > 0), ..., (z, True))`` as nested ``where`` nodes."""
    pieces = list(e.args)
    if pieces[-1][1] is not sp.true:
        raise SympyConversionError(f"Piecewise without a final True branch: {e}")
    acc = get(pieces[-1][0])
    for value, cond in reversed(pieces[:-1]):
        part, negated = _condition(cond)
        if negated:  # (a, x <= 0) is where(x, else, a)
            acc = make("where", get(part), acc, get(value))
        else:
            acc = make("where", get(part), get(value), acc)
    return acc


def _condition(cond):
    """``(p, negated)``: the condition is ``p > 0``, or its negation (SymPy
    writes the complement of ``x > 0`` in a Piecewise as ``x <= 0``)."""
    if isinstance(cond, (sp.LessThan, sp.GreaterThan)):
        return _positive_part(cond.negated), True
    if isinstance(cond, sp.Not):
        return _positive_part(cond.args[0]), True
    return _positive_part(cond), False


def _positive_part(cond):
    """For a condition ``a > b`` (or ``b < a``) the expression ``a - b``."""
    if isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan)):
        big, small = cond.gts, cond.lts
        return big if small == 0 else big - small
    # SymPy rewrites a Piecewise inside a condition (where(leaky_relu(x), ...))
    # as ITE; And / Or are min / max of the parts, exactly.
    if isinstance(cond, sp.ITE):
        c, a, b = (_positive_part(arg) for arg in cond.args)
        return sp.Piecewise((a, c > 0), (b, True))
    if isinstance(cond, (sp.And, sp.Or)):
        parts = [_positive_part(arg) for arg in cond.args]
        return sp.Min(*parts) if isinstance(cond, sp.And) else sp.Max(*parts)
    if cond is sp.true or cond is sp.false:
        return sp.S.One if cond is sp.true else sp.S.NegativeOne
    # x <= 0 is "not x > 0": where(x, -1, 1) > 0, exactly (at 0 too)
    if isinstance(cond, (sp.LessThan, sp.GreaterThan, sp.Not)):
        inner = cond.args[0] if isinstance(cond, sp.Not) else cond.negated
        return sp.Piecewise((-1, _positive_part(inner) > 0), (1, True))
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
