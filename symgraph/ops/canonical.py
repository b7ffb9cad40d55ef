"""Cheap canonical forms, applied as nodes are built (the arithmetic ops'
rewrites): what SymPy's automatic evaluation does that a reader expects,
done in O(1) per node, never flattening a sum or product into a new
structure (shared subexpressions stay shared).

A node is seen as a numeric *coefficient* times a *rest* (``3*x`` is
``(3, x)``, ``-x`` is ``(-1, x)``, ``x/2`` is ``(1/2, x)``, ``5`` is
``(5, None)``) and as a *base* to a *power* (``x**3`` is ``(x, 3)``, ``x`` is
``(x, 1)``). The rules:

* coefficients collect through products, quotients and negation, and stand
  first: ``4*(3*x**2)`` is ``12*x**2``, ``x*2`` is ``2*x``, ``x/2`` is
  ``1/2*x`` (printed ``x/2``);
* signs cancel: ``-a * -b`` is ``a*b``, ``a - -b`` is ``a + b``,
  ``a + -b`` is ``a - b``, ``-(a - b)`` is ``b - a``;
* like terms and like factors combine: ``a + a`` is ``2*a``,
  ``2*a - a`` is ``a``, ``x * x`` is ``x**2``, ``x**a * x**b`` is
  ``x**(a + b)``, ``x / x**2`` is ``1/x``, ``(x**2)**3`` is ``x**6``;
* a factor cancels against a reciprocal one level down:
  ``(1/s) * (s*t)`` is ``t``, ``(s*t)/s`` is ``t``;
* constants collect at the end of a sum: ``(x + 1) + 2`` is ``x + 3``.

Rules that change a value at isolated points (as SymPy's do): ``x - x = 0``,
``x/x = 1`` and the cancellations above hold where the cancelled factor is 0,
infinite or NaN only in the limit; ``x**a * x**b = x**(a + b)`` for ``x < 0``
and fractional exponents.
"""

from __future__ import annotations

from fractions import Fraction

from ..node import Node, const_number
from ._common import const, exact, make

__all__ = ["add", "div", "mul", "neg", "pow_", "sub"]


def _number(n: Node) -> bool:
    return n.op == "const"


def coeff_rest(n: Node) -> tuple:
    """``(coefficient, rest)``; rest None for a constant."""
    op = n.op
    if op == "const":
        return n.value, None
    if op == "neg":
        c, r = _product_coeff(n.args[0])
        return -c, r
    if op == "mul":
        return _product_coeff(n)
    return 1, n  # the common case, without a call


def _product_coeff(n: Node) -> tuple:
    if n.op == "const":
        return n.value, None
    if n.op == "mul" and _number(n.args[0]) and not _number(n.args[1]):
        return n.args[0].value, n.args[1]
    return 1, n


def rebuild(c, r: Node | None) -> Node:
    """The canonical node of coefficient ``c`` times ``r``."""
    if r is None:
        return const(c)
    if c == 1 and not isinstance(c, float):
        return r
    if c == -1 and not isinstance(c, float):
        return make("neg", r)
    if c == 0 and not isinstance(c, float):
        return const(0)
    if _negative(c):
        return make("neg", make("mul", const(-c), r))
    return make("mul", const(c), r)


def _negative(c) -> bool:
    return c < 0


def _quotient(a, b):
    if b == 0:
        return None
    if isinstance(a, float) or isinstance(b, float):
        return a / b
    return Fraction(a) / b


def base_power(n: Node) -> tuple:
    """``(base, exponent node)``."""
    if n.op == "pow":
        return n.args
    return n, const(1)


def _base(n: Node) -> Node:
    """The base of :func:`base_power`, without building its exponent."""
    return n.args[0] if n.op == "pow" else n


# ----- products and quotients -------------------------------------------------------------
def _cancel(x: Node, y: Node) -> Node | None:
    """``x * y`` when a reciprocal meets its factor one level down, else None."""
    for a, b in ((x, y), (y, x)):
        if a.op == "div":
            num, den = a.args
            if b is den:
                return num
            if b.op == "mul" and den in b.args:
                other = b.args[1] if b.args[0] is den else b.args[0]
                return make("mul", num, other)
    return None


def mul(x: Node, y: Node) -> Node | None:
    cx, rx = coeff_rest(x)
    cy, ry = coeff_rest(y)
    if rx is None and ry is None:
        return None  # both constants: folding decides
    # canonical: a positive coefficient first (a negative one is a neg around it)
    canonical = rx is None and cy == 1 and not _negative(cx)
    if (cx != 1 or cy != 1) and not canonical:
        # collect coefficients: (cx*rx) * (cy*ry) = (cx*cy) * (rx*ry)
        try:
            c = cx * cy
        except OverflowError:
            return None
        rest = rx if ry is None else ry if rx is None else make("mul", rx, ry)
        return rebuild(c, rest)
    if x.op == "div" and exact_one(x.args[0]):  # (1/b) * y = y / b
        return make("div", y, x.args[1])
    if y.op == "div" and exact_one(y.args[0]):  # x * (1/b) = x / b
        return make("div", x, y.args[1])
    if x.op == "const" or y.op == "const":
        return None
    if _base(x) is _base(y):  # x**a * x**b = x**(a + b)
        bx, ex = base_power(x)
        ey = base_power(y)[1]
        return make("pow", bx, make("add", ex, ey))
    return _cancel(x, y)


def exact_one(n: Node) -> bool:
    return exact(n) and n.value == 1


def div(x: Node, y: Node) -> Node | None:
    if x is y and x.op != "const":
        return const(1)
    cx, rx = coeff_rest(x)
    cy, ry = coeff_rest(y)
    if ry is None and rx is not None:  # x / c = (1/c) * x
        q = _quotient(cx, cy)
        return None if q is None else rebuild(q, rx)
    if (cx != 1 or cy != 1) and rx is not None and ry is not None:
        q = _quotient(cx, cy)
        return None if q is None else rebuild(q, make("div", rx, ry))
    if rx is None and cx != 1 and ry is not None and cy != 1:
        q = _quotient(cx, cy)
        return None if q is None else rebuild(q, make("div", const(1), ry))
    if rx is None and ry is not None and _negative(cx):  # -2 / y = -(2 / y)
        return make("neg", make("div", const(-cx), y))
    if x.op == "const" or y.op == "const":
        return None
    if _base(x) is _base(y):  # x**a / x**b = x**(a - b)
        bx, ex = base_power(x)
        ey = base_power(y)[1]
        return make("pow", bx, make("sub", ex, ey))
    if x.op == "div":  # (a/b)/y = a/(b*y)
        return make("div", x.args[0], make("mul", x.args[1], y))
    if y.op == "div":  # x/(a/b) = (x*b)/a
        return make("div", make("mul", x, y.args[1]), y.args[0])
    if x.op == "mul" and y in x.args:  # (y*t)/y = t
        return x.args[1] if x.args[0] is y else x.args[0]
    return None


def pow_(x: Node, y: Node) -> Node | None:
    if y.op != "const" or not exact(y):
        if x.op == "E":
            return make("exp", y)
        return None
    e = y.value
    if x.op == "pow" and isinstance(e, int):  # (b**p)**n = b**(p*n)
        b, p = x.args
        return make("pow", b, make("mul", p, y))
    if isinstance(e, int) and e < 0 and x.op != "const":  # x**-n = 1/x**n
        return make("div", const(1), make("pow", x, const(-e)))
    if e == Fraction(1, 2):
        return make("sqrt", x)
    if e == Fraction(-1, 2):
        return make("div", const(1), make("sqrt", x))
    if x.op == "E":
        return make("exp", y)
    c, r = coeff_rest(x)
    if isinstance(e, int) and c != 1 and r is not None:  # (c*r)**n = c**n * r**n
        return make("mul", make("pow", const(c), y), make("pow", r, y))
    return None


# ----- sums and differences -----------------------------------------------------------------
def _like(x: Node, y: Node, sign: int) -> Node | None:
    """``x + sign*y`` when both are multiples of one rest, else None."""
    cx, rx = coeff_rest(x)
    cy, ry = coeff_rest(y)
    if rx is not None and rx is ry:
        return rebuild(cx + sign * cy, rx)
    return None


def _constant_last(x: Node, y: Node, sign: int) -> Node | None:
    """Constants of ``x`` and ``y`` (at most one level down) merge at the end."""
    if y.op == "const" and x.op in ("add", "sub") and x.args[1].op == "const":
        first, c = x.args
        total = const_number(c) if x.op == "add" else -const_number(c)
        return make("add", first, const(total + sign * const_number(y)))
    return None


def _constant(n: Node) -> bool:
    """A number or a named constant (pi, E)."""
    return n.op == "const" or (not n.args and n.op != "symbol")


def add(x: Node, y: Node) -> Node | None:
    if _constant(x) and not _constant(y):
        return make("add", y, x)  # the constant last, as SymPy prints x + 1
    like = _like(x, y, 1)
    if like is not None:
        return like
    merged = _constant_last(x, y, 1)
    if merged is not None:
        return merged
    if y.op == "const" and const_number(y) < 0:
        return make("sub", x, const(-const_number(y)))
    cy, ry = coeff_rest(y)
    if ry is not None and _negative(cy):  # a + (-c*r) = a - c*r
        return make("sub", x, rebuild(-cy, ry))
    cx, rx = coeff_rest(x)
    if rx is not None and _negative(cx) and not _negative(cy):  # -a + b = b - a
        return make("sub", y, rebuild(-cx, rx))
    return None


def sub(x: Node, y: Node) -> Node | None:
    if x is y and x.op != "const":
        return const(0)
    like = _like(x, y, -1)
    if like is not None:
        return like
    merged = _constant_last(x, y, -1)
    if merged is not None:
        return merged
    if y.op == "const" and const_number(y) < 0:
        return make("add", x, const(-const_number(y)))
    cy, ry = coeff_rest(y)
    if ry is not None and _negative(cy):  # a - (-c*r) = a + c*r
        return make("add", x, rebuild(-cy, ry))
    return None


def neg(x: Node) -> Node | None:
    if x.op == "sub":  # -(a - b) = b - a
        return make("sub", x.args[1], x.args[0])
    if x.op == "mul" and x.args[0].op == "const" and _negative(x.args[0].value):
        return rebuild(-const_number(x.args[0]), x.args[1])  # -(-c*r) = c*r
    return None
