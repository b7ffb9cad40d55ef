"""Smooth elementary functions: trigonometric, exponential, logarithmic,
hyperbolic, and the logistic pair sigmoid / softplus.

Each partial is written with symgraph's own ops; where the derivative is the
function's own value (``exp' = exp``, ``tanh' = 1 - tanh**2``) it reuses the
output node ``out``, so the gradient shares it. The tests check every
partial against ``sympy.diff`` of the formula and against high-precision
finite differences.
"""

from __future__ import annotations

import math

import numpy as np

from ..opdef import Helper
from ._common import HALF, const, fold_exact, make, unary

__all__ = ["sigmoid_np", "softplus_np"]

_INF = math.inf
_REAL = ((-_INF, _INF),)


def _cfunctions():
    from sympy.codegen import cfunctions

    return cfunctions


def _recip(n):
    return make("div", const(1), n)


def _sqrt_one_minus_square(x):
    return make("sqrt", make("sub", const(1), make("pow", x, const(2))))


# ----- the stable logistic pair: one source for evaluate and generated code --------
def _sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), stable: exp of -|x| only.

    exp(-1000) underflows to 0, the right value: that flag is not raised.
    """
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):
    """log(1 + exp(x)) = logaddexp(0, x), stable; an underflow to 0 is exact."""
    with np.errstate(under="ignore"):
        return np.logaddexp(0.0, x)


sigmoid_np, softplus_np = _sigmoid, _softplus

_C_SIGMOID = Helper(
    "sigmoid_",
    """\
static double sigmoid_(double x)
{
    /* 1 / (1 + exp(-x)), stable: exp of -|x| only */
    const double e = exp(-fabs(x));
    return x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}""",
)
_C_SOFTPLUS = Helper(
    "softplus_",
    """\
static double softplus_(double x)
{
    /* log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), no overflow */
    return (x > 0 ? x : 0.0) + log1p(exp(-fabs(x)));
}""",
)


# ----- trigonometric ----------------------------------------------------------------
unary(
    "sin",
    lambda sp, x: sp.sin(x),
    np.sin,
    lambda x, out: make("cos", x),
    "np.sin({0})",
    fold=fold_exact({0: 0}),
)
unary(
    "cos",
    lambda sp, x: sp.cos(x),
    np.cos,
    lambda x, out: make("neg", make("sin", x)),
    "np.cos({0})",
    fold=fold_exact({0: 1}),
)
# tan' = 1 + tan**2, with the output shared
unary(
    "tan",
    lambda sp, x: sp.tan(x),
    np.tan,
    lambda x, out: make("add", make("pow", out, const(2)), const(1)),
    "np.tan({0})",
    fold=fold_exact({0: 0}),
    singular=lambda x: (make("cos", x),),
)
unary(
    "atan",
    lambda sp, x: sp.atan(x),
    np.arctan,
    lambda x, out: _recip(make("add", make("pow", x, const(2)), const(1))),
    "np.arctan({0})",
    c_src="atan({0})",
    aliases=("arctan",),
    fold=fold_exact({0: 0}),
)
unary(
    "asin",
    lambda sp, x: sp.asin(x),
    np.arcsin,
    lambda x, out: _recip(_sqrt_one_minus_square(x)),
    "np.arcsin({0})",
    c_src="asin({0})",
    aliases=("arcsin",),
    fold=fold_exact({0: 0}),
    domain=((-1.0, 1.0),),
    singular=lambda x: (make("sub", const(1), x), make("add", x, const(1))),
)
unary(
    "acos",
    lambda sp, x: sp.acos(x),
    np.arccos,
    lambda x, out: make("neg", _recip(_sqrt_one_minus_square(x))),
    "np.arccos({0})",
    c_src="acos({0})",
    aliases=("arccos",),
    fold=fold_exact({1: 0}),
    domain=((-1.0, 1.0),),
    singular=lambda x: (make("sub", const(1), x), make("add", x, const(1))),
)


# ----- exponential and logarithm ------------------------------------------------------
# exp(1) is E, exp(log(y)) is y, log(E) is 1 and log(exp(y)) is y (real y; as
# SymPy does for exp(log(y)); log(exp(y)) = y changes the value only where
# exp(y) overflows).
def _exp_rewrite(x):
    if x.op == "const" and x.value == 1 and not isinstance(x.value, float):
        return make("E")
    return x.args[0] if x.op == "log" else None


def _log_rewrite(x):
    if x.op == "E":
        return const(1)
    return x.args[0] if x.op == "exp" else None


unary(
    "exp",
    lambda sp, x: sp.exp(x),
    np.exp,
    lambda x, out: out,
    "np.exp({0})",
    fold=fold_exact({0: 1}),
    rewrite=_exp_rewrite,
)
unary(
    "log",
    lambda sp, x: sp.log(x),
    np.log,
    lambda x, out: _recip(x),
    "np.log({0})",
    aliases=("ln",),
    fold=fold_exact({1: 0}),
    rewrite=_log_rewrite,
    domain=((0.0, _INF),),
    singular=lambda x: (x,),
)
# sqrt'(x) = 1 / (2 sqrt(x)): +inf at 0, the README's convention
unary(
    "sqrt",
    lambda sp, x: sp.sqrt(x),
    np.sqrt,
    lambda x, out: _recip(make("mul", const(2), out)),
    "np.sqrt({0})",
    note="sqrt'(0) = +inf",
    fold=fold_exact({0: 0, 1: 1}),
    domain=((0.0, _INF),),
    singular=lambda x: (x,),
)
unary(
    "log1p",
    lambda sp, x: _cfunctions().log1p(x),
    np.log1p,
    lambda x, out: _recip(make("add", x, const(1))),
    "np.log1p({0})",
    fold=fold_exact({0: 0}),
    domain=((-1.0, _INF),),
    singular=lambda x: (make("add", x, const(1)),),
)
unary(
    "expm1",
    lambda sp, x: _cfunctions().expm1(x),
    np.expm1,
    lambda x, out: make("exp", x),
    "np.expm1({0})",
    fold=fold_exact({0: 0}),
)

# ----- hyperbolic ----------------------------------------------------------------------
unary(
    "tanh",
    lambda sp, x: sp.tanh(x),
    np.tanh,
    lambda x, out: make("sub", const(1), make("pow", out, const(2))),
    "np.tanh({0})",
    fold=fold_exact({0: 0}),
)
unary(
    "sinh",
    lambda sp, x: sp.sinh(x),
    np.sinh,
    lambda x, out: make("cosh", x),
    "np.sinh({0})",
    fold=fold_exact({0: 0}),
)
unary(
    "cosh",
    lambda sp, x: sp.cosh(x),
    np.cosh,
    lambda x, out: make("sinh", x),
    "np.cosh({0})",
    fold=fold_exact({0: 1}),
)

# ----- the logistic pair ----------------------------------------------------------------
# sigmoid' = s * (1 - s), written with the output; softplus' = sigmoid.
unary(
    "sigmoid",
    lambda sp, x: 1 / (1 + sp.exp(-x)),
    _sigmoid,
    lambda x, out: make("mul", out, make("sub", const(1), out)),
    "_sigmoid({0})",
    c_src="sigmoid_({0})",
    py_helpers=(Helper.of(_sigmoid),),
    c_helpers=(_C_SIGMOID,),
    sympy_class=None,
    fold=fold_exact({0: HALF}),
    doc="The logistic function 1 / (1 + exp(-x)), computed stably.",
)
unary(
    "softplus",
    lambda sp, x: sp.log(1 + sp.exp(x)),
    _softplus,
    lambda x, out: make("sigmoid", x),
    "_softplus({0})",
    c_src="softplus_({0})",
    py_helpers=(Helper.of(_softplus),),
    c_helpers=(_C_SOFTPLUS,),
    sympy_class=None,
    doc="log(1 + exp(x)), computed stably.",
)
