"""Hyperbolic functions beyond ``sinh``, ``cosh``, ``tanh``: the inverses
``asinh``, ``acosh``, ``atanh``, the reciprocals ``sech``, ``csch``,
``coth`` and their inverses ``asech``, ``acsch``, ``acoth``.

Each op is SymPy's function of the same name. Partials are written with
symgraph's own ops in textbook form, ``1 - x**2`` and ``x**2 - 1`` as
products ``(1 - x)(1 + x)`` so they do not cancel near the singular points
``|x| = 1``. The numeric engine's counterparts are composed from
``nm.log1p``, ``nm.sqrt``, ``nm.cosh`` ... in forms that stay accurate where
the naive formula cancels (``asinh(x) = log(x + sqrt(x**2 + 1))`` loses
everything for x < 0).
"""

from __future__ import annotations

import math

import numpy as np

from ..opdef import Helper
from ._common import const, data, fold_exact, make, unary

__all__: list[str] = []

_INF = math.inf


def _recip(n):
    return make("div", const(1), n)


def _one_minus_x2(x):
    """(1 - x) * (1 + x): 1 - x**2 without cancellation near |x| = 1."""
    return make("mul", make("sub", const(1), x), make("add", const(1), x))


# ----- numeric counterparts: stable compositions of the engine's functions ----------------
def _asinh_numeric(nm, x):
    """asinh(x) = s * log1p(a + a**2 / (1 + sqrt(a**2 + 1))) with a = s * x = |x|
    and s = +-1 the sign (a constant): exact for tiny and for negative x."""
    s = np.where(data(x) < 0, -1.0, 1.0)
    a = nm.multiply(s, x)
    a2 = nm.multiply(a, a)
    inner = nm.add(a, nm.divide(a2, nm.add(1.0, nm.sqrt(nm.add(a2, 1.0)))))
    return nm.multiply(s, nm.log1p(inner))


def _acosh_numeric(nm, x):
    """acosh(x) = log1p(t + sqrt(t * (t + 2))) with t = x - 1: exact near 1."""
    t = nm.subtract(x, 1.0)
    return nm.log1p(nm.add(t, nm.sqrt(nm.multiply(t, nm.add(t, 2.0)))))


def _atanh_numeric(nm, x):
    """atanh(x) = (log1p(x) - log1p(-x)) / 2."""
    return nm.multiply(0.5, nm.subtract(nm.log1p(x), nm.log1p(nm.negative(x))))


def _of_reciprocal(numeric):
    """The counterpart of f(1/x) from the counterpart of f."""
    return lambda nm, x: numeric(nm, nm.divide(1.0, x))


# ----- the stable reciprocals: one source for evaluate and generated code ---------------
def _sech(x):
    """1 / cosh(x) = 2 e / (1 + e**2) with e = exp(-|x|): no overflow."""
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return 2 * e / (1 + e * e)


def _csch(x):
    """1 / sinh(x) = 2 e / (1 - e**2) with e = exp(-|x|) and the sign of x;
    1 - e**2 = -expm1(-2|x|) does not cancel; csch(+-0) = +-inf."""
    with np.errstate(under="ignore", divide="ignore"):
        e = np.exp(-np.abs(x))
        return np.copysign(2 * e / -np.expm1(-2 * np.abs(x)), x)


# ----- inverses ---------------------------------------------------------------------------
unary(
    "asinh",
    lambda sp, x: sp.asinh(x),
    np.arcsinh,
    lambda x, out: _recip(
        make("sqrt", make("add", make("pow", x, const(2)), const(1)))
    ),
    "np.arcsinh({0})",
    "asinh({0})",
    _asinh_numeric,
    aliases=("arcsinh", "arsinh"),
    fold=fold_exact({0: 0}),
    doc="The inverse hyperbolic sine log(x + sqrt(x**2 + 1)).",
)
# acosh'(x) = 1 / (sqrt(x - 1) sqrt(x + 1)) (SymPy's form): +inf at 1, like sqrt'(0)
unary(
    "acosh",
    lambda sp, x: sp.acosh(x),
    np.arccosh,
    lambda x, out: _recip(
        make(
            "mul",
            make("sqrt", make("sub", x, const(1))),
            make("sqrt", make("add", x, const(1))),
        )
    ),
    "np.arccosh({0})",
    "acosh({0})",
    _acosh_numeric,
    aliases=("arccosh", "arcosh"),
    fold=fold_exact({1: 0}),
    note="acosh'(1) = +inf",
    domain=((1.0, _INF),),
    singular=lambda x: (make("sub", x, const(1)),),
    doc="The inverse hyperbolic cosine, real for x >= 1.",
)
unary(
    "atanh",
    lambda sp, x: sp.atanh(x),
    np.arctanh,
    lambda x, out: _recip(_one_minus_x2(x)),
    "np.arctanh({0})",
    "atanh({0})",
    _atanh_numeric,
    aliases=("arctanh", "artanh"),
    fold=fold_exact({0: 0}),
    domain=((-1.0, 1.0),),
    singular=lambda x: (make("sub", const(1), x), make("add", const(1), x)),
    doc="The inverse hyperbolic tangent, real for -1 < x < 1.",
)

# ----- reciprocals: sech' = -sech tanh, csch' = -csch coth, coth' = 1 - coth**2 ----------
unary(
    "sech",
    lambda sp, x: sp.sech(x),
    _sech,
    lambda x, out: make("neg", make("mul", out, make("tanh", x))),
    "_sech({0})",
    "1.0 / cosh({0})",
    lambda nm, x: nm.divide(1.0, nm.cosh(x)),
    py_helpers=(Helper.of(_sech),),
    fold=fold_exact({0: 1}),
    doc="The hyperbolic secant 1 / cosh(x), computed without overflow.",
)
unary(
    "csch",
    lambda sp, x: sp.csch(x),
    _csch,
    lambda x, out: make("neg", make("mul", out, make("coth", x))),
    "_csch({0})",
    "1.0 / sinh({0})",
    lambda nm, x: nm.divide(1.0, nm.sinh(x)),
    py_helpers=(Helper.of(_csch),),
    singular=lambda x: (x,),
    doc="The hyperbolic cosecant 1 / sinh(x), computed without overflow.",
)
unary(
    "coth",
    lambda sp, x: sp.coth(x),
    lambda x: 1 / np.tanh(x),
    lambda x, out: make("sub", const(1), make("pow", out, const(2))),
    "1 / np.tanh({0})",
    "1.0 / tanh({0})",
    lambda nm, x: nm.divide(1.0, nm.tanh(x)),
    singular=lambda x: (x,),
    doc="The hyperbolic cotangent 1 / tanh(x).",
)

# ----- inverses of the reciprocals: f(x) = g(1/x) -----------------------------------------
# asech'(x) = -1 / (x sqrt(1 - x**2)): -inf at 1
unary(
    "asech",
    lambda sp, x: sp.asech(x),
    lambda x: np.arccosh(1 / x),
    lambda x, out: make(
        "div", const(-1), make("mul", x, make("sqrt", _one_minus_x2(x)))
    ),
    "np.arccosh(1 / {0})",
    "acosh(1.0 / {0})",
    _of_reciprocal(_acosh_numeric),
    aliases=("arcsech", "arsech"),
    fold=fold_exact({1: 0}),
    note="asech'(1) = -inf",
    domain=((0.0, 1.0),),
    singular=lambda x: (x, make("sub", const(1), x)),
    doc="The inverse hyperbolic secant acosh(1/x), real for 0 < x <= 1.",
)
# acsch'(x) = -1 / (|x| sqrt(x**2 + 1)): |x| rather than SymPy's x**2 sqrt(1 +
# 1/x**2), which underflows to 0 * inf for tiny x
unary(
    "acsch",
    lambda sp, x: sp.acsch(x),
    lambda x: np.arcsinh(1 / x),
    lambda x, out: make(
        "div",
        const(-1),
        make(
            "mul",
            make("abs", x),
            make("sqrt", make("add", make("pow", x, const(2)), const(1))),
        ),
    ),
    "np.arcsinh(1 / {0})",
    "asinh(1.0 / {0})",
    _of_reciprocal(_asinh_numeric),
    aliases=("arccsch", "arcsch"),
    singular=lambda x: (x,),
    doc="The inverse hyperbolic cosecant asinh(1/x).",
)
# acoth'(x) = 1 / (1 - x**2), as atanh'; real on |x| > 1 (the samplers take x > 1)
unary(
    "acoth",
    lambda sp, x: sp.acoth(x),
    lambda x: np.arctanh(1 / x),
    lambda x, out: _recip(_one_minus_x2(x)),
    "np.arctanh(1 / {0})",
    "atanh(1.0 / {0})",
    _of_reciprocal(_atanh_numeric),
    aliases=("arccoth", "arcoth"),
    domain=((1.0, _INF),),
    singular=lambda x: (make("sub", x, const(1)), make("add", x, const(1))),
    doc="The inverse hyperbolic cotangent atanh(1/x), real for |x| > 1.",
)
