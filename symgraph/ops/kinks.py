"""Ops with kinks, steps and ties: their partials encode the toolkit's
subgradient conventions (PyTorch's; the README's table).

``greater(x, y, h)`` is the step of a comparison: 1 where ``x > y``, 0 where
``x < y`` and ``h`` at a tie. The tie rules of ``maximum``, ``minimum`` and
the n-ary ``max`` / ``min`` / ``maxpool`` are written with it rather than
with ``heaviside(x - y, h)``, so ``maximum(inf, inf)`` is a tie (``inf - inf``
would be NaN).
"""

from __future__ import annotations

import numpy as np

from ..opdef import Helper, defop
from ._common import const, data, make, nan_free, positive
from .gating import merge_gates

__all__: list[str] = []


def _exact_unary(fn):
    """A fold defined on exact constants only (floats stay symbolic)."""
    return lambda v: fn(v) if not isinstance(v, float) else None


def nan_free_fold(fn):
    """A fold that stays symbolic when an argument is NaN (NumPy propagates it)."""
    return lambda *vs: fn(*vs) if nan_free(*vs) else None


def _greater(x, y, h):
    """1 where x > y, 0 where x < y, h where x == y; NaN passes through."""
    return np.where(x > y, 1.0, np.where(x < y, 0.0, np.where(x == y, h, np.nan)))


def _where(c, a, b):
    """a where c > 0 else b (the condition is any real value)."""
    return np.where(np.asarray(c) > 0, a, b)


def _elu(x, alpha):
    """x if x > 0 else alpha * (exp(x) - 1); expm1 of the non-positive part
    only, so the branch not taken cannot overflow."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


_C_GREATER = Helper(
    "greater_",
    """\
static double greater_(double x, double y, double h)
{
    /* 1 if x > y, 0 if x < y, h at a tie; NaN passes through */
    return x > y ? 1.0 : x < y ? 0.0 : x == y ? h : NAN;
}""",
)
_C_HEAVISIDE = Helper(
    "heaviside_",
    """\
static double heaviside_(double x, double h0)
{
    /* the unit step with value h0 at 0; NaN passes through */
    return x > 0 ? 1.0 : x < 0 ? 0.0 : x == 0 ? h0 : x;
}""",
)
_C_SIGN = Helper(
    "sign_",
    """\
static double sign_(double x)
{
    /* -1, 0 or 1; NaN passes through */
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
}""",
)
C_MAXIMUM = Helper(
    "maximum_",
    """\
static double maximum_(double x, double y)
{
    /* NaN-propagating, as np.maximum (fmax is not) */
    return (x > y || isnan(x)) ? x : y;
}""",
)
C_MINIMUM = Helper(
    "minimum_",
    """\
static double minimum_(double x, double y)
{
    /* NaN-propagating, as np.minimum (fmin is not) */
    return (x < y || isnan(x)) ? x : y;
}""",
)


def _steps(x, y):
    """The numeric value of greater(x, y, .) away from ties (NaN at a tie)."""
    dx, dy = data(x), data(y)
    return np.where(dx > dy, 1.0, np.where(dx < dy, 0.0, np.nan))


# ----- steps ----------------------------------------------------------------------------
def _greater_fold(x, y, h):
    if not nan_free(x, y):
        return None
    return 1 if x > y else 0 if x < y else h


# d/dh of a step is the indicator of the tie: greater(x, y, 1) - greater(x, y, 0).
defop(
    "greater",
    3,
    formula=lambda sp, x, y, h: sp.Heaviside(x - y, h),
    numpy=_greater,
    partials=lambda x, y, h, out: (
        const(0),
        const(0),
        make("sub", make("greater", x, y, const(1)), make("greater", x, y, const(0))),
    ),
    np_src="_greater({0}, {1}, {2})",
    c_src="greater_({0}, {1}, {2})",
    py_helpers=(Helper.of(_greater),),
    c_helpers=(_C_GREATER,),
    fold=_greater_fold,
    numeric=lambda nm, x, y, h: nm.where(data(x) == data(y), h, _steps(x, y)),
    params=("x", "y", "h"),
    note="greater(x, y, h) passes no gradient to x, y (its derivative is 0)",
    kinks=lambda x, y, h: (make("sub", x, y),),
    public=False,
    doc="1 where x > y, 0 where x < y, h at a tie.",
)


def _heaviside_rewrite(x, h0):
    if x.op == "const" and nan_free(x.value):
        return const(1 if x.value > 0 else 0) if x.value != 0 else h0
    return None


defop(
    "heaviside",
    2,
    formula=lambda sp, x, h0: sp.Heaviside(x, h0),
    numpy=np.heaviside,
    partials=lambda x, h0, out: (
        const(0),
        make("sub", make("heaviside", x, const(1)), make("heaviside", x, const(0))),
    ),
    np_src="np.heaviside({0}, {1})",
    c_src="heaviside_({0}, {1})",
    c_helpers=(_C_HEAVISIDE,),
    rewrite=_heaviside_rewrite,
    numeric=lambda nm, x, h0: nm.where(data(x) == 0, h0, _steps(x, 0.0)),
    params=("x", "h0"),
    defaults=(0.5,),
    aliases=("step",),
    note="heaviside(x, h0) passes no gradient to x (its derivative is 0)",
    kinks=lambda x, h0: (x,),
    doc="The unit step with value h0 at 0 (numpy.heaviside).",
)
defop(
    "sign",
    1,
    formula=lambda sp, x: sp.sign(x),
    numpy=np.sign,
    partials=lambda x, out: (const(0),),
    np_src="np.sign({0})",
    c_src="sign_({0})",
    c_helpers=(_C_SIGN,),
    fold=_exact_unary(lambda v: (v > 0) - (v < 0)),
    sympy_class="sign",
    numeric=lambda nm, x: nm.sign(x),
    params=("x",),
    note="sign'(x) = 0",
    kinks=lambda x: (x,),
    doc="The sign of x: -1, 0 or 1.",
)


# ----- where -----------------------------------------------------------------------------
def _where_rewrite(c, a, b):
    if c.op == "const":
        return a if c.value > 0 else b  # NaN > 0 is false, as in np.where
    if a is b:
        return a
    return merge_gates(c, a, b)


# where(c, a, b) = a if c > 0 else b. Gradients flow only into the branch taken
# (through where() again; see gating.py for why a routed zero stays zero).
defop(
    "where",
    3,
    formula=lambda sp, c, a, b: sp.Piecewise((a, c > 0), (b, True)),
    numpy=_where,
    partials=lambda c, a, b, out: (
        const(0),
        make("where", c, const(1), const(0)),
        make("where", c, const(0), const(1)),
    ),
    np_src="np.where({0} > 0, {1}, {2})",
    c_src="({0} > 0 ? {1} : {2})",
    rewrite=_where_rewrite,
    numeric=lambda nm, c, a, b: nm.where(positive(c), a, b),
    params=("cond", "a", "b"),
    note="where(c, a, b): the gradient flows only into the branch taken",
    kinks=lambda c, a, b: (c,),
    doc="a where cond > 0 else b; gradients flow only into the branch taken.",
)


# ----- piecewise-linear activations ------------------------------------------------------
defop(
    "relu",
    1,
    formula=lambda sp, x: sp.Max(0, x),
    numpy=lambda x: np.maximum(x, 0.0),
    partials=lambda x, out: (make("heaviside", x, const(0)),),
    np_src="np.maximum({0}, 0.0)",
    c_src="maximum_({0}, 0.0)",
    c_helpers=(C_MAXIMUM,),
    fold=_exact_unary(lambda v: max(v, 0)),
    numeric=lambda nm, x: nm.relu(x),
    params=("x",),
    gate="router (max with 0)",
    note="relu'(0) = 0",
    kinks=lambda x: (x,),
    doc="max(x, 0); the derivative at 0 is 0.",
)
defop(
    "abs",
    1,
    formula=lambda sp, x: sp.Abs(x),
    numpy=np.abs,
    partials=lambda x, out: (make("sign", x),),
    np_src="np.abs({0})",
    c_src="fabs({0})",
    fold=_exact_unary(abs),
    sympy_class="Abs",
    aliases=("Abs",),
    numeric=lambda nm, x: nm.abs(x),
    params=("x",),
    note="abs'(0) = 0",
    kinks=lambda x: (x,),
    doc="|x|; the derivative at 0 is 0.",
)


def _leaky_relu_numeric(nm, x, s):
    if isinstance(s, (int, float)):
        return nm.leaky_relu(x, float(s))
    return nm.where(positive(x), x, nm.multiply(s, x))  # a symbolic slope


# leaky_relu(x, s) = x if x > 0 else s*x; at 0 the slope is s.
defop(
    "leaky_relu",
    2,
    formula=lambda sp, x, s: sp.Piecewise((x, x > 0), (s * x, True)),
    numpy=lambda x, s: np.where(x > 0, x, s * x),
    partials=lambda x, s, out: (
        make("where", x, const(1), s),
        make("where", x, const(0), x),
    ),
    np_src="np.where({0} > 0, {0}, {1} * {0})",
    c_src="({0} > 0 ? {0} : {1} * {0})",
    numeric=_leaky_relu_numeric,
    params=("x", "negative_slope"),
    defaults=(0.01,),
    note="leaky_relu'(0) = the negative-side slope",
    kinks=lambda x, s: (x,),
    doc="x if x > 0 else negative_slope * x; the derivative at 0 is the slope.",
)


def _elu_numeric(nm, x, a):
    if isinstance(a, (int, float)):
        return nm.elu(x, float(a))
    pos = positive(x)  # a symbolic alpha: expm1 of the non-positive side only
    return nm.where(pos, x, nm.multiply(a, nm.expm1(nm.where(pos, 0.0, x))))


def _nonpositive_part(x):
    return make("minimum", x, const(0))


# elu(x, a) = x if x > 0 else a*(exp(x) - 1); elu'(0) = a (the left limit, as
# PyTorch); d/da = exp(x) - 1 on the negative side.
defop(
    "elu",
    2,
    formula=lambda sp, x, a: sp.Piecewise((x, x > 0), (a * (sp.exp(x) - 1), True)),
    numpy=_elu,
    partials=lambda x, a, out: (
        make("where", x, const(1), make("mul", a, make("exp", _nonpositive_part(x)))),
        make("where", x, const(0), make("expm1", _nonpositive_part(x))),
    ),
    np_src="np.where({0} > 0, {0}, {1} * np.expm1(np.minimum({0}, 0.0)))",
    c_src="({0} > 0 ? {0} : {1} * expm1(minimum_({0}, 0.0)))",
    c_helpers=(C_MINIMUM,),
    numeric=_elu_numeric,
    params=("x", "alpha"),
    defaults=(1,),
    note="elu'(0) = alpha (the left limit)",
    kinks=lambda x, a: (x,),
    doc="x if x > 0 else alpha * (exp(x) - 1); the derivative at 0 is alpha.",
)
