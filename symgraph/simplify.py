"""Construction-time folding: the light rewrites applied as nodes are built.

Only rules that keep gradients small and readable and never need a search:
constant folding with exact integers and fractions (bounded in size),
``x*1``, ``x*0``, ``x+0``, ``x-0``, ``x/1``, ``x**1``, ``x**0``, ``--x``.
SymPy's ``simplify`` runs only when a user asks for it.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import node as _node
from .errors import LimitError

__all__ = ["fold"]

# Folding a power stops when the exact result would exceed this many bits;
# the power then stays symbolic (and evaluates to inf in floating point).
_MAX_FOLD_BITS = _node.MAX_INT_BITS

# Unary functions that fold at exact arguments to exact values.
_EXACT_UNARY = {
    ("sin", 0): 0, ("tan", 0): 0, ("sinh", 0): 0, ("tanh", 0): 0,
    ("atan", 0): 0, ("asin", 0): 0, ("log1p", 0): 0, ("expm1", 0): 0,
    ("sqrt", 0): 0, ("sqrt", 1): 1, ("cos", 0): 1, ("cosh", 0): 1,
    ("exp", 0): 1, ("log", 1): 0, ("acos", 1): 0,
    ("sigmoid", 0): Fraction(1, 2),
}  # fmt: skip


def _is(n, v) -> bool:
    return n.op == "const" and n.value == v


def _is_exact(n, v) -> bool:
    """An exact constant equal to v: x*1 folds, x*1.0 stays (as in SymPy, so
    a float 1.0 that SymPy keeps survives a round trip through it)."""
    return _exact(n) and n.value == v


def _exact(n) -> bool:
    return n.op == "const" and isinstance(n.value, (int, Fraction))


def _pow_value(b, e):
    """``b**e`` for constants, or None when it should stay symbolic."""
    if isinstance(b, float) or isinstance(e, float):
        try:
            r = float(b) ** float(e)
        except (OverflowError, ZeroDivisionError):
            return None
        return r if isinstance(r, float) and math.isfinite(r) else None
    if not isinstance(e, int):
        return None  # a fractional power of an exact number stays exact: b**(1/2)
    if b == 0:
        return 0 if e > 0 else None  # 0**-1 stays symbolic (inf when evaluated)
    bits = abs(e) * max(
        1.0,
        math.log2(abs(b))
        if isinstance(b, int)
        else math.log2(max(abs(b.numerator), b.denominator)),
    )
    if bits > _MAX_FOLD_BITS:
        return None
    return Fraction(b) ** e


def _arith(op, x, y):
    if op == "add":
        return x + y
    if op == "sub":
        return x - y
    if op == "mul":
        return x * y
    if op == "div":
        if y == 0:
            return None
        return (
            x / y if isinstance(x, float) or isinstance(y, float) else Fraction(x) / y
        )
    if op == "pow":
        return _pow_value(x, y)
    if op == "maximum":
        return max(x, y)
    if op == "minimum":
        return min(x, y)
    return None


def fold(op: str, args: tuple):
    """Return a simpler node for ``op(*args)``, or None to build it as is."""
    const = _node.const
    if all(a.op == "const" for a in args):
        values = [a.value for a in args]
        if op == "neg":
            return const(-values[0])
        if len(args) == 2:
            r = _arith(op, *values)
            if r is not None and not (isinstance(r, float) and math.isnan(r)):
                try:
                    return const(r)
                except LimitError:
                    return None  # too large to keep exactly: stays symbolic
        if len(args) == 1 and _exact(args[0]):
            v = values[0]
            if (op, v) in _EXACT_UNARY:
                return const(_EXACT_UNARY[(op, v)])
            if op == "abs":
                return const(abs(v))
            if op == "relu":
                return const(max(v, 0))
            if op == "sign":
                return const((v > 0) - (v < 0))
    if op == "add":
        x, y = args
        if _is(y, 0):
            return x
        if _is(x, 0):
            return y
    elif op == "sub":
        x, y = args
        if _is(y, 0):
            return x
        if _is(x, 0):
            return _node.make("neg", y)
    elif op == "mul":
        x, y = args
        if _is_exact(y, 1):
            return x
        if _is_exact(x, 1):
            return y
        if _is(x, 0):
            return x
        if _is(y, 0):
            return y
    elif op == "div":
        x, y = args
        if _is_exact(y, 1):
            return x
    elif op == "pow":
        x, y = args
        if _is_exact(y, 1):
            return x
        if _is_exact(y, 0):
            return const(1)
    elif op == "neg":
        (x,) = args
        if x.op == "neg":
            return x.args[0]
    elif op == "where":
        c = args[0]
        if c.op == "const":
            return args[1] if c.value > 0 else args[2]
    elif op == "heaviside":
        x, h0 = args
        if x.op == "const":
            return const(1 if x.value > 0 else 0) if x.value != 0 else h0
    return None
