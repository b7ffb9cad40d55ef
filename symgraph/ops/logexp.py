"""Logarithms and exponentials in other bases, and the stable log-sum-exp:
``log2``, ``log10``, ``exp2``, ``logaddexp(x, y)`` and the n-ary
``logsumexp(x1, ..., xn)``.

``log2``, ``log10`` and ``exp2`` are SymPy's C-code functions
(``sympy.codegen.cfunctions``), as ``log1p`` and ``expm1`` are: ``to_sympy``
builds them, ``from_sympy`` reads them back, and ``sympy.diff`` knows them.
(The parser reads ``log(x, b)`` as ``log(x) / log(b)``, SymPy's own form of a
logarithm to a base.) ``logaddexp`` and ``logsumexp`` have no SymPy class:
``to_sympy`` writes ``log(exp(x) + exp(y) + ...)``. Their partials are the
softmax weights ``exp(x_i - out)``, written with the output, so the gradient
of ``logsumexp(x1, ..., xn)`` is the softmax of its arguments.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np

from ..opdef import Helper, defop
from ._common import const, make

__all__: list[str] = []

_MAX_EXP2_FOLD = 1024  # exp2(n) folds to the exact 2**n for |n| up to this


def _cfunctions():
    from sympy.codegen import cfunctions

    return cfunctions


def _exact_log(base: int):
    """A fold giving log_base(v) for an exact v that is an integer power of
    ``base`` (log2(8) = 3, log10(1/100) = -2), else None."""

    def fold(v):
        if isinstance(v, float) or v <= 0:
            return None
        v = Fraction(v)
        if v.denominator == 1:
            n, sign = v.numerator, 1
        elif v.numerator == 1:
            n, sign = v.denominator, -1
        else:
            return None
        k = 0
        while n % base == 0:
            n //= base
            k += 1
        return sign * k if n == 1 else None

    return fold


def _exp2_fold(v):
    if isinstance(v, int) and abs(v) <= _MAX_EXP2_FOLD:
        return Fraction(2) ** v
    return None


# log_b'(x) = 1 / (x log(b)), log(b) an exact node; exp2' = exp2 * log(2)
for _name, _base in (("log2", 2), ("log10", 10)):
    defop(
        _name,
        1,
        formula=functools.partial(
            lambda name, sp, x: getattr(_cfunctions(), name)(x), _name
        ),
        numpy=getattr(np, _name),
        partials=functools.partial(
            lambda base, x, out: (
                make("div", const(1), make("mul", x, make("log", const(base)))),
            ),
            _base,
        ),
        np_src=f"np.{_name}({{0}})",
        numeric=functools.partial(
            lambda base, nm, x: nm.divide(nm.log(x), math.log(base)), _base
        ),
        fold=_exact_log(_base),
        sympy_class=_name,
        params=("x",),
        domain=((0.0, math.inf),),
        singular=lambda x: (x,),
        doc=f"The base-{_base} logarithm log(x) / log({_base}).",
    )
defop(
    "exp2",
    1,
    formula=lambda sp, x: _cfunctions().exp2(x),
    numpy=np.exp2,
    partials=lambda x, out: (make("mul", out, make("log", const(2))),),
    np_src="np.exp2({0})",
    numeric=lambda nm, x: nm.power(2.0, x),
    fold=_exp2_fold,
    sympy_class="exp2",
    params=("x",),
    doc="2 ** x.",
)


# ----- log-sum-exp ------------------------------------------------------------------------
def _logsumexp(*xs):
    """log(exp(x1) + ... + exp(xn)) as a left fold of np.logaddexp, each step
    max(a, b) + log1p(exp(-|a - b|)): no exp can overflow."""
    return functools.reduce(np.logaddexp, xs)


_C_LOGADDEXP = Helper(
    "logaddexp_",
    """\
static double logaddexp_(double a, double b)
{
    /* log(exp(a) + exp(b)) = max(a, b) + log1p(exp(-|a - b|)), no overflow;
       equal arguments (infinities too) give a + log(2); NaN passes through */
    if (a == b) {
        return a + 0.69314718055994530942;
    }
    const double d = a - b;
    return d > 0 ? a + log1p(exp(-d)) : d <= 0 ? b + log1p(exp(d)) : d;
}""",
)


def _softmax_weights(*args):
    """d out / d x_i = exp(x_i - out): the softmax of the arguments."""
    *xs, out = args
    return tuple(make("exp", make("sub", x, out)) for x in xs)


def _log_of_exps(sp, *xs):
    return sp.log(sp.Add(*[sp.exp(x) for x in xs]))


def _logsumexp_numeric(nm, *xs):
    return nm.logsumexp(nm.stack(xs), axis=0)


defop(
    "logaddexp",
    2,
    formula=_log_of_exps,
    numpy=np.logaddexp,
    partials=_softmax_weights,
    np_src="np.logaddexp({0}, {1})",
    c_src="logaddexp_({0}, {1})",
    c_helpers=(_C_LOGADDEXP,),
    numeric=_logsumexp_numeric,
    doc="log(exp(x) + exp(y)), computed stably (numpy.logaddexp).",
)
defop(
    "logsumexp",
    3,
    formula=_log_of_exps,
    numpy=_logsumexp,
    partials=_softmax_weights,
    np_src="np.logaddexp({0}, {1})",
    c_src="logaddexp_({0}, {1})",
    c_helpers=(_C_LOGADDEXP,),
    numeric=_logsumexp_numeric,
    variadic=True,
    reduces="logaddexp",
    nary_of="logaddexp",
    doc=(
        "log(exp(x1) + ... + exp(xn)) of every entry of the arguments, computed "
        "stably; its gradient is the softmax of the entries."
    ),
)
