"""Arithmetic ops: + - * / ** and unary minus.

Constants fold exactly (integers and fractions, bounded in size; floats in
floating point, never to NaN), and the identities ``x + 0``, ``x - 0``,
``0 - x``, ``x * 1``, ``x * 0``, ``0 / x``, ``x * -1``, ``x / 1``, ``x ** 1``,
``x ** 0`` and ``--x`` hold at construction. ``x * 0 = 0``, ``0 / x = 0`` and
``x ** 0 = 1`` change the value where ``x`` is infinite, NaN or (for ``0 / x``)
zero, as SymPy's automatic evaluation does;
the gated-value rewrites of ``gating.py`` apply to ``*``, ``+`` and ``-``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..node import MAX_INT_BITS
from ..opdef import defop
from . import canonical
from ._common import const, is_exact, is_zero, make, nan_free
from .gating import add_gated, div_gated, mul_gated, neg_gated

__all__: list[str] = []

# Folding a power stops when the exact result would exceed this many bits;
# the power then stays symbolic (and evaluates to inf in floating point).
_MAX_FOLD_BITS = MAX_INT_BITS


def _guarded(fn):
    """A fold that gives None (stay symbolic) for NaN results and for ints
    too large to meet a float."""

    def fold(x, y):
        try:
            r = fn(x, y)
        except (OverflowError, ZeroDivisionError):
            return None
        return r if r is not None and nan_free(r) else None

    return fold


def _div_value(x, y):
    if y == 0:
        return None  # 1/0 stays symbolic (inf when evaluated)
    if isinstance(x, float) or isinstance(y, float):
        return x / y
    return Fraction(x) / y


def _pow_value(b, e):
    """``b**e`` for constants, or None when it should stay symbolic."""
    if isinstance(b, float) or isinstance(e, float):
        r = float(b) ** float(e)
        return r if isinstance(r, float) and math.isfinite(r) else None
    if not isinstance(e, int):
        return None  # a fractional power of an exact number stays exact: b**(1/2)
    if b == 0:
        return 0 if e > 0 else None  # 0**-1 stays symbolic (inf when evaluated)
    if isinstance(b, int):
        size = math.log2(abs(b)) if b else 0.0
    else:
        size = math.log2(max(abs(b.numerator), b.denominator))
    if abs(e) * max(1.0, size) > _MAX_FOLD_BITS:
        return None
    return Fraction(b) ** e


# ----- rewrites -------------------------------------------------------------------
def _first(*rules):
    """The first rule's result that is not None."""

    def rewrite(*args):
        for rule in rules:
            node = rule(*args)
            if node is not None:
                return node
        return None

    return rewrite


def _add_identities(x, y):
    if is_zero(y):
        return x
    if is_zero(x):
        return y
    return None


def _sub_identities(x, y):
    if is_zero(y):
        return x
    if is_zero(x):
        return make("neg", y)
    return None


def _mul_identities(x, y):
    if x.op != "const" and y.op != "const":
        return None  # the common case: no identity applies
    if is_exact(y, 1):
        return x
    if is_exact(x, 1):
        return y
    if is_zero(x):
        return x
    if is_zero(y):
        return y
    return None


def _div_identities(x, y):
    if is_exact(y, 1):
        return x
    if is_zero(x) and y.op != "const":  # 0 / y = 0, as SymPy (and x * 0 = 0)
        return x
    return None


def _pow_identities(x, y):
    if is_exact(y, 1):
        return x
    if is_exact(y, 0):
        return const(1)
    return None


def _neg_identities(x):
    return x.args[0] if x.op == "neg" else None


# identities, then the gated-value rules (gating.py: correctness first), then
# canonical forms (canonical.py: how it reads)
_add_rewrite = _first(_add_identities, add_gated, canonical.add)
_sub_rewrite = _first(_sub_identities, canonical.sub)
_mul_rewrite = _first(_mul_identities, mul_gated, canonical.mul)
_div_rewrite = _first(_div_identities, div_gated, canonical.div)
_pow_rewrite = _first(_pow_identities, canonical.pow_)
_neg_rewrite = _first(_neg_identities, neg_gated, canonical.neg)


# ----- partials -------------------------------------------------------------------
def _pow_partials(x, y, out):
    """d(x**y)/dx = y * x**(y-1) (not y*out/x, which is 0/0 at x = 0);
    d(x**y)/dy = out * log(x), and 0 at x = 0 with y >= 0 (PyTorch's mask:
    the limit of x**y * log(x) as x -> 0+), so log(0) cannot make it NaN."""
    dx = make("mul", y, make("pow", x, make("sub", y, const(1))))
    lg = make("mul", out, make("log", x))
    dy = make("where", make("abs", x), lg, make("where", make("neg", y), lg, const(0)))
    return dx, dy


# ----- declarations ---------------------------------------------------------------
defop(
    "add",
    2,
    formula=lambda sp, x, y: x + y,
    numpy=np.add,
    partials=lambda x, y, out: (const(1), const(1)),
    np_src="{0} + {1}",
    infix="+",
    precedence=1,
    fold=_guarded(lambda x, y: x + y),
    rewrite=_add_rewrite,
    numeric=lambda nm, x, y: nm.add(x, y),
    gate="distributor",
    public=False,
    doc="x + y",
)
defop(
    "sub",
    2,
    formula=lambda sp, x, y: x - y,
    numpy=np.subtract,
    partials=lambda x, y, out: (const(1), const(-1)),
    np_src="{0} - {1}",
    infix="-",
    precedence=1,
    fold=_guarded(lambda x, y: x - y),
    rewrite=_sub_rewrite,
    numeric=lambda nm, x, y: nm.subtract(x, y),
    gate="distributor (negated to the 2nd input)",
    public=False,
    doc="x - y",
)
defop(
    "mul",
    2,
    formula=lambda sp, x, y: x * y,
    numpy=np.multiply,
    partials=lambda x, y, out: (y, x),
    np_src="{0} * {1}",
    infix="*",
    precedence=2,
    fold=_guarded(lambda x, y: x * y),
    rewrite=_mul_rewrite,
    numeric=lambda nm, x, y: nm.multiply(x, y),
    gate="swap/switcher",
    public=False,
    doc="x * y",
)
# d(x/y)/dy = -x/y**2 = -out/y: written with the output so it is shared.
defop(
    "div",
    2,
    formula=lambda sp, x, y: x / y,
    numpy=np.divide,
    partials=lambda x, y, out: (
        make("div", const(1), y),
        make("neg", make("div", out, y)),
    ),
    np_src="{0} / {1}",
    infix="/",
    precedence=2,
    fold=_guarded(_div_value),
    rewrite=_div_rewrite,
    numeric=lambda nm, x, y: nm.divide(x, y),
    singular=lambda x, y: (y,),
    public=False,
    doc="x / y",
)
defop(
    "neg",
    1,
    formula=lambda sp, x: -x,
    numpy=np.negative,
    partials=lambda x, out: (const(-1),),
    np_src="-{0}",
    infix="-",
    precedence=3,
    fold=lambda v: -v,
    rewrite=_neg_rewrite,
    numeric=lambda nm, x: nm.negative(x),
    public=False,
    doc="-x",
)
defop(
    "pow",
    2,
    formula=lambda sp, x, y: x**y,
    numpy=np.power,
    partials=_pow_partials,
    np_src="{0} ** {1}",
    c_src="pow({0}, {1})",
    infix="**",
    precedence=4,
    fold=_guarded(_pow_value),
    rewrite=_pow_rewrite,
    numeric=lambda nm, x, y: nm.power(x, y),
    note="d(x**y)/dy = 0 at x = 0 for y >= 0 (PyTorch's mask)",
    domain=((0.0, math.inf), (-math.inf, math.inf)),
    singular=lambda x, y: (x,),
    public=False,
    doc="x ** y",
)
