"""The rest of a calculus course's trigonometry: the reciprocal functions
``sec``, ``csc``, ``cot``, their inverses ``asec``, ``acsc``, ``acot``, and
the two-argument ``atan2(y, x)``.

Each op is SymPy's function of the same name (``to_sympy`` builds it and
``from_sympy`` reads it back). Partials are written with symgraph's own ops,
with the output node where the derivative is the function's own value
(``sec' = sec tan``), in textbook form, with differences that would cancel
near a singular point written as products (``asec' = 1 / (|x| sqrt((|x| -
1)(|x| + 1)))`` rather than SymPy's ``1 / (x**2 sqrt(1 - 1/x**2))``). The numeric engine's
counterparts are written with ``nm.cos``, ``nm.atan``, ``nm.divide`` ...
only, so the three-way check compares independent derivatives.
"""

from __future__ import annotations

import math

import numpy as np

from ..opdef import Helper, defop
from ._common import const, data, fold_exact, make, unary

__all__: list[str] = []

_INF = math.inf
# asec, acsc (and acoth) are real on |x| >= 1: two intervals, and OpDef.domain
# holds one per argument, so the samplers get the positive one; the tests
# check the negative one too.
_OUTSIDE_UNIT = ((1.0, _INF),)


def _recip(n):
    return make("div", const(1), n)


def _arcsec_slope(x):
    """1 / (|x| sqrt(x**2 - 1)), the derivative of asec, with x**2 - 1 written
    (|x| - 1)(|x| + 1): no cancellation near |x| = 1, and +inf (not -inf from
    a -0.0) at x = -1."""
    a = make("abs", x)
    square_less_1 = make("mul", make("sub", a, const(1)), make("add", a, const(1)))
    return _recip(make("mul", a, make("sqrt", square_less_1)))


# ----- reciprocal functions ------------------------------------------------------------
def _sec(x):
    return 1 / np.cos(x)


def _csc(x):
    return 1 / np.sin(x)


def _cot(x):
    return np.cos(x) / np.sin(x)


# sec' = sec tan, csc' = -csc cot, cot' = -(1 + cot**2): the output is shared.
unary(
    "sec",
    lambda sp, x: sp.sec(x),
    _sec,
    lambda x, out: make("mul", out, make("tan", x)),
    "1 / np.cos({0})",
    "1.0 / cos({0})",
    lambda nm, x: nm.divide(1.0, nm.cos(x)),
    fold=fold_exact({0: 1}),
    singular=lambda x: (make("cos", x),),
    doc="The secant 1 / cos(x).",
)
unary(
    "csc",
    lambda sp, x: sp.csc(x),
    _csc,
    lambda x, out: make("neg", make("mul", out, make("cot", x))),
    "1 / np.sin({0})",
    "1.0 / sin({0})",
    lambda nm, x: nm.divide(1.0, nm.sin(x)),
    aliases=("cosec",),
    singular=lambda x: (make("sin", x),),
    doc="The cosecant 1 / sin(x).",
)
unary(
    "cot",
    lambda sp, x: sp.cot(x),
    _cot,
    lambda x, out: make("neg", make("add", const(1), make("pow", out, const(2)))),
    "np.cos({0}) / np.sin({0})",
    "cos({0}) / sin({0})",
    lambda nm, x: nm.divide(nm.cos(x), nm.sin(x)),
    singular=lambda x: (make("sin", x),),
    doc="The cotangent cos(x) / sin(x).",
)


# ----- their inverses --------------------------------------------------------------------
def _asec(x):
    return np.arccos(1 / x)


def _acsc(x):
    return np.arcsin(1 / x)


def _acot(x):
    """acot(x) = atan(1/x): values in (-pi/2, pi/2], pi/2 at 0 (a jump there)."""
    nonzero = np.where(x == 0, 1.0, x)
    return np.where(x == 0, np.pi / 2, np.arctan(1 / nonzero))


unary(
    "asec",
    lambda sp, x: sp.asec(x),
    _asec,
    lambda x, out: _arcsec_slope(x),
    "np.arccos(1 / {0})",
    "acos(1.0 / {0})",
    lambda nm, x: nm.acos(nm.divide(1.0, x)),
    aliases=("arcsec",),
    fold=fold_exact({1: 0}),
    note="asec'(1) = asec'(-1) = +inf",
    domain=_OUTSIDE_UNIT,
    singular=lambda x: (make("sub", x, const(1)), make("add", x, const(1))),
    doc="The inverse secant acos(1/x), real for |x| >= 1.",
)
unary(
    "acsc",
    lambda sp, x: sp.acsc(x),
    _acsc,
    lambda x, out: make("neg", _arcsec_slope(x)),
    "np.arcsin(1 / {0})",
    "asin(1.0 / {0})",
    lambda nm, x: nm.asin(nm.divide(1.0, x)),
    aliases=("arccsc",),
    note="acsc'(1) = acsc'(-1) = -inf",
    domain=_OUTSIDE_UNIT,
    singular=lambda x: (make("sub", x, const(1)), make("add", x, const(1))),
    doc="The inverse cosecant asin(1/x), real for |x| >= 1.",
)
# acot(x) = atan(1/x) jumps from -pi/2 to pi/2 at 0 (SymPy's and mpmath's
# branch); its slope is -1 / (1 + x**2) on both sides, 0 included.
unary(
    "acot",
    lambda sp, x: sp.acot(x),
    _acot,
    lambda x, out: make(
        "div", const(-1), make("add", make("pow", x, const(2)), const(1))
    ),
    "_acot({0})",
    "({0} == 0 ? 1.5707963267948966 : atan(1.0 / {0}))",
    lambda nm, x: nm.atan(nm.divide(1.0, x)),
    py_helpers=(Helper.of(_acot),),
    aliases=("arccot",),
    note="acot jumps at 0 (acot(0) = pi/2, the branch atan(1/x)); acot'(0) = -1",
    kinks=lambda x: (x,),
    doc="The inverse cotangent atan(1/x), with values in (-pi/2, pi/2].",
)


# ----- atan2 ---------------------------------------------------------------------------
def _atan2_fold(y, x):
    """atan2(0, x) = 0 for exact x >= 0 (NumPy's atan2(0, 0) = 0 too)."""
    if isinstance(y, float) or isinstance(x, float):
        return None
    return 0 if y == 0 and x >= 0 else None


def _atan2_partials(y, x, out):
    """d/dy = x / (x**2 + y**2), d/dx = -y / (x**2 + y**2); both 0 at the
    origin, PyTorch's convention (its atan2 backward sets the reciprocal of
    x**2 + y**2 to 0 where that is 0), written as a gate so 0/0 never forms."""
    r2 = make("add", make("pow", x, const(2)), make("pow", y, const(2)))
    zero = const(0)
    return (
        make("where", r2, make("div", x, r2), zero),
        make("where", r2, make("div", make("neg", y), r2), zero),
    )


def _atan2_numeric(nm, y, x):
    """atan2 from nm.atan: atan(y/x) (plus or minus pi for x < 0) where
    |y| <= |x|, else +-pi/2 - atan(x/y), so the quotient is at most 1 in size.
    Each branch divides by 1 where it is not taken, so the other cannot
    poison the gradient; at the origin the value is NumPy's and the gradient
    0, as symgraph's partials give."""
    vy, vx = np.asarray(data(y), float), np.asarray(data(x), float)
    origin = (vy == 0) & (vx == 0)
    near = (np.abs(vy) <= np.abs(vx)) & ~origin
    far = ~near & ~origin
    t_near = nm.atan(nm.divide(y, nm.where(near, x, 1.0)))
    t_far = nm.atan(nm.divide(x, nm.where(far, y, 1.0)))
    half_turn = np.where(np.signbit(vy), -np.pi, np.pi)  # signbit: -0.0 too
    offset = np.where(near, np.where(vx < 0, half_turn, 0.0), half_turn / 2)
    angle = nm.add(nm.where(near, t_near, nm.negative(t_far)), offset)
    return nm.where(origin, np.arctan2(vy, vx), angle)


defop(
    "atan2",
    2,
    formula=lambda sp, y, x: sp.atan2(y, x),
    numpy=np.arctan2,
    partials=_atan2_partials,
    np_src="np.arctan2({0}, {1})",
    c_src="atan2({0}, {1})",
    fold=_atan2_fold,
    sympy_class="atan2",
    aliases=("arctan2",),
    numeric=_atan2_numeric,
    params=("y", "x"),
    note=(
        "atan2(y, x) at the origin: both partials 0 (PyTorch's); across y = 0, "
        "x < 0 it jumps by 2 pi and the partials are the one-sided ones"
    ),
    # where(x, 1, y) vanishes exactly on the cut {y = 0, x <= 0}, origin included
    kinks=lambda y, x: (make("where", x, const(1), y),),
    # the origin, where atan2 has no limit and its partials grow like 1/r:
    # max(|x|, |y|) is the distance to it
    singular=lambda y, x: (make("maximum", make("abs", x), make("abs", y)),),
    doc="The angle of the point (x, y) in (-pi, pi], as numpy.arctan2(y, x).",
)
