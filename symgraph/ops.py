"""The op registry: every operation symgraph knows, declared once.

Each :func:`defop` gives an op its SymPy formula, its NumPy function, the
NumPy source the code generator prints, and, where the op has kinks, explicit
local partials that encode the toolkit's subgradient convention (PyTorch's).
Smooth ops get their partials from ``sympy.diff`` of the formula, computed
once and cached as templates; a partial that equals the op's own output
(``exp' = exp``, ``tanh' = 1 - tanh**2``) reuses the output node.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.special
import sympy as sp
from sympy.codegen.cfunctions import expm1 as sp_expm1
from sympy.codegen.cfunctions import log1p as sp_log1p

__all__ = ["OPS", "OpDef", "defop", "partials_of"]


@dataclass(frozen=True)
class OpDef:
    """One registered operation.

    Parameters
    ----------
    name : the op's name, as nodes record it and the parser reads it.
    nargs : number of inputs.
    formula : builds the op's SymPy expression from SymPy arguments.
    numpy : the NumPy implementation used by ``evaluate`` and ``lambdify``.
    np_src : a ``str.format`` template of NumPy source for generated code
        (``{0}``, ``{1}`` are the inputs).
    rule : optional explicit partials ``rule(args, out) -> tuple of nodes or
        None`` (None marks an input the op is not differentiable in, e.g. a
        constant parameter); used where the op has kinks.
    note : the subgradient convention, shown in docs and generated code.
    infix : the operator symbol for printing, for arithmetic ops.
    c_src : a ``str.format`` template of C99 source for generated C code;
        empty means the NumPy template without its ``np.`` prefix (right for
        arithmetic and for the functions C's ``<math.h>`` spells like NumPy).
    reduces : for an op of any number (>= 2) of inputs, the binary op whose
        left fold computes its value (its templates print the fold); ``nargs``
        is then the arity the registry's tests use.
    """

    name: str
    nargs: int
    formula: Callable
    numpy: Callable
    np_src: str
    rule: Callable | None = None
    note: str = ""
    infix: str | None = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)
    c_src: str = ""
    reduces: str | None = None

    @property
    def c_template(self) -> str:
        """The C99 template (see ``c_src``)."""
        return self.c_src or self.np_src.replace("np.", "")


OPS: dict[str, OpDef] = {}

# Dummy arguments and the output placeholder of the partial templates.
_ARGS = sp.symbols("a0:3", real=True)
_OUT = sp.Symbol("OUT", real=True)


def defop(
    name,
    nargs,
    formula,
    numpy,
    np_src,
    rule=None,
    note="",
    infix=None,
    c_src="",
    reduces=None,
):
    """Declare an op once; see :class:`OpDef`."""
    if name in OPS:
        raise ValueError(f"op {name!r} is declared twice")
    OPS[name] = OpDef(
        name,
        nargs,
        formula,
        numpy,
        np_src,
        rule,
        note,
        infix,
        c_src=c_src,
        reduces=reduces,
    )
    return OPS[name]


def formula_of(op: OpDef):
    """The op's formula on the dummy arguments ``a0, a1, ...``."""
    return op.formula(*_ARGS[: op.nargs])


def derived_partials(op: OpDef) -> tuple:
    """``sympy.diff`` of the formula per argument, with the output as ``OUT``.

    Cached: the diff runs once per op per process.
    """
    if "derived" not in op._cache:
        f = formula_of(op)
        parts = []
        for a in _ARGS[: op.nargs]:
            d = sp.diff(f, a)
            # Reuse the forward value where the derivative contains it.
            if f.has(a) and not f.is_Symbol:
                d = d.subs(f, _OUT)
            parts.append(d)
        op._cache["derived"] = tuple(parts)
    return op._cache["derived"]


def partials_of(op_name: str, args: tuple, out):
    """Local partials of one application ``out = op(*args)`` as nodes.

    Returns one entry per argument: a node, or None where the op is not
    differentiable in that argument by declaration.
    """
    op = OPS[op_name]
    if op.rule is not None:
        return op.rule(*args, out)
    from .sympy_bridge import from_sympy

    leaves = dict(zip(_ARGS, args))
    leaves[_OUT] = out
    return tuple(from_sympy(d, leaves=leaves) for d in derived_partials(op))


# The rules below build nodes; import the node constructors lazily to keep
# this module importable on its own (node.py imports simplify, not ops).
def _n():
    from . import node

    return node


def _mk(op, *args):
    return _n().make(op, *args)


def _c(v):
    return _n().const(v)


# ----- Arithmetic -------------------------------------------------------------
# Partials from sympy.diff: add (1, 1), sub (1, -1), mul (y, x), neg (-1).
defop("add", 2, lambda x, y: x + y, np.add, "{0} + {1}", infix="+")
defop("sub", 2, lambda x, y: x - y, np.subtract, "{0} - {1}", infix="-")
defop("mul", 2, lambda x, y: x * y, np.multiply, "{0} * {1}", infix="*")
defop("neg", 1, lambda x: -x, np.negative, "-{0}", infix="-")
# d(x/y)/dy = -x/y**2 = -out/y: written with the output so it is shared.
defop(
    "div",
    2,
    lambda x, y: x / y,
    np.divide,
    "{0} / {1}",
    rule=lambda x, y, out: (_mk("div", _c(1), y), _mk("neg", _mk("div", out, y))),
    infix="/",
)
# d(x**y)/dx = y*x**(y-1) (not y*out/x, which is 0/0 at x = 0);
# d(x**y)/dy = out*log(x).
defop(
    "pow",
    2,
    lambda x, y: x**y,
    np.power,
    "{0} ** {1}",
    c_src="pow({0}, {1})",
    rule=lambda x, y, out: (
        _mk("mul", y, _mk("pow", x, _mk("sub", y, _c(1)))),
        _mk("mul", out, _mk("log", x)),
    ),
    infix="**",
)

# ----- Smooth unary functions (partials from sympy.diff) ----------------------
defop("sin", 1, sp.sin, np.sin, "np.sin({0})")
defop("cos", 1, sp.cos, np.cos, "np.cos({0})")
defop("tan", 1, sp.tan, np.tan, "np.tan({0})")
defop("exp", 1, sp.exp, np.exp, "np.exp({0})")
defop("log", 1, sp.log, np.log, "np.log({0})")
defop("sqrt", 1, sp.sqrt, np.sqrt, "np.sqrt({0})", note="sqrt'(0) = +inf")
defop("tanh", 1, sp.tanh, np.tanh, "np.tanh({0})")
defop("sinh", 1, sp.sinh, np.sinh, "np.sinh({0})")
defop("cosh", 1, sp.cosh, np.cosh, "np.cosh({0})")
defop("atan", 1, sp.atan, np.arctan, "np.arctan({0})", c_src="atan({0})")
defop("asin", 1, sp.asin, np.arcsin, "np.arcsin({0})", c_src="asin({0})")
defop("acos", 1, sp.acos, np.arccos, "np.arccos({0})", c_src="acos({0})")
defop("log1p", 1, sp_log1p, np.log1p, "np.log1p({0})")
defop("expm1", 1, sp_expm1, np.expm1, "np.expm1({0})")


# sigmoid' = s*(1-s) and softplus' = sigmoid: the forms of sympy.diff
# rewritten with the output, checked against sympy.diff in the tests.
# sigmoid(-1000) and softplus(-1000) are exactly representable zeros reached
# by underflow: the flag is expected there, so it is not raised (as numeric's
# primitives do); overflow and invalid operations still are.
def _sigmoid_np(x):
    with np.errstate(under="ignore"):
        return scipy.special.expit(x)


def _softplus_np(x):
    with np.errstate(under="ignore"):
        return np.logaddexp(0.0, x)


defop(
    "sigmoid",
    1,
    lambda x: 1 / (1 + sp.exp(-x)),
    _sigmoid_np,
    "_sigmoid({0})",
    c_src="sigmoid_({0})",
    rule=lambda x, out: (_mk("mul", out, _mk("sub", _c(1), out)),),
)
defop(
    "softplus",
    1,
    lambda x: sp.log(1 + sp.exp(x)),
    _softplus_np,
    "_softplus({0})",
    c_src="softplus_({0})",
    rule=lambda x, out: (_mk("sigmoid", x),),
)


# ----- Kinks: explicit subgradient conventions --------------------------------
def _where_np(c, a, b):
    return np.where(np.asarray(c) > 0, a, b)


# heaviside(x, h0): the step with value h0 at 0; its derivative is 0 where it
# exists, so it passes no gradient (a structural zero, not a missing rule).
defop(
    "heaviside",
    2,
    sp.Heaviside,
    np.heaviside,
    "np.heaviside({0}, {1})",
    c_src="heaviside_({0}, {1})",
    rule=lambda x, h0, out: (_c(0), None),
)
defop(
    "sign",
    1,
    sp.sign,
    np.sign,
    "np.sign({0})",
    c_src="sign_({0})",
    rule=lambda x, out: (_c(0),),
)
# where(c, a, b) = a if c > 0 else b. Gradients flow only into the branch
# taken, through where() again, so an inf or NaN in the other branch's
# derivative cannot leak through a multiplication by zero.
defop(
    "where",
    3,
    lambda c, a, b: sp.Piecewise((a, c > 0), (b, True)),
    _where_np,
    "np.where({0} > 0, {1}, {2})",
    c_src="({0} > 0 ? {1} : {2})",
    rule=lambda c, a, b, out: (
        _c(0),
        _mk("where", c, _c(1), _c(0)),
        _mk("where", c, _c(0), _c(1)),
    ),
)
defop(
    "relu",
    1,
    lambda x: sp.Max(0, x),
    lambda x: np.maximum(x, 0.0),
    "np.maximum({0}, 0.0)",
    c_src="maximum_({0}, 0.0)",
    rule=lambda x, out: (_mk("heaviside", x, _c(0)),),
    note="relu'(0) = 0",
)
defop(
    "abs",
    1,
    sp.Abs,
    np.abs,
    "np.abs({0})",
    c_src="fabs({0})",
    rule=lambda x, out: (_mk("sign", x),),
    note="abs'(0) = 0",
)
# d max(x, y)/dx = H(x - y) with H(0) = 1/2: a tie splits the gradient.
_HALF = 0.5
defop(
    "maximum",
    2,
    sp.Max,
    np.maximum,
    "np.maximum({0}, {1})",
    c_src="maximum_({0}, {1})",
    rule=lambda x, y, out: (
        _mk("heaviside", _mk("sub", x, y), _c(_HALF)),
        _mk("heaviside", _mk("sub", y, x), _c(_HALF)),
    ),
    note="maximum(x, y) at a tie: 1/2 to each argument",
)
defop(
    "minimum",
    2,
    sp.Min,
    np.minimum,
    "np.minimum({0}, {1})",
    c_src="minimum_({0}, {1})",
    rule=lambda x, y, out: (
        _mk("heaviside", _mk("sub", y, x), _c(_HALF)),
        _mk("heaviside", _mk("sub", x, y), _c(_HALF)),
    ),
    note="minimum(x, y) at a tie: 1/2 to each argument",
)
# leaky_relu(x, s) = x if x > 0 else s*x; at 0 the slope is s.
defop(
    "leaky_relu",
    2,
    lambda x, s: sp.Piecewise((x, x > 0), (s * x, True)),
    lambda x, s: np.where(x > 0, x, s * x),
    "np.where({0} > 0, {0}, {1} * {0})",
    c_src="({0} > 0 ? {0} : {1} * {0})",
    rule=lambda x, s, out: (
        _mk("where", x, _c(1), s),
        _mk("where", x, _c(0), x),
    ),
    note="leaky_relu'(0) = the negative-side slope",
)


def _elu_np(x, alpha):
    # expm1 only of the non-positive part: the untaken branch cannot overflow.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


# elu(x, a) = x if x > 0 else a*(exp(x) - 1); elu'(0) = a (left limit, as
# PyTorch); d/da = exp(x) - 1 on the negative side.
defop(
    "elu",
    2,
    lambda x, a: sp.Piecewise((x, x > 0), (a * (sp.exp(x) - 1), True)),
    _elu_np,
    "np.where({0} > 0, {0}, {1} * np.expm1(np.minimum({0}, 0.0)))",
    c_src="({0} > 0 ? {0} : {1} * expm1(minimum_({0}, 0.0)))",
    rule=lambda x, a, out: (
        _mk("where", x, _c(1), _mk("mul", a, _mk("exp", _mk("minimum", x, _c(0))))),
        _mk("where", x, _c(0), _mk("expm1", _mk("minimum", x, _c(0)))),
    ),
    note="elu'(0) = alpha (the left limit)",
)


# max(x1, ..., xn) and min(...) of n >= 2 inputs: a reduction, whose tied
# extrema share the gradient evenly (the reduce-max convention): with
# e_i = 1 if x_i equals the result else 0, d out / d x_i = e_i / sum_j e_j.
# (Two inputs are sg.maximum / sg.minimum, where this is the 1/2 rule.)
# maxpool(x1, ..., xn) is the same value with max pooling's convention: the
# whole gradient goes to the first maximal input, d out / d x_i =
# e_i * (1 - e_1) * ... * (1 - e_{i-1}).
# e_i is heaviside(x_i - out, 1) for a max (x_i - out <= 0, and 0 at a hit),
# heaviside(out - x_i, 1) for a min.
def _hits(xs, out, is_min):
    return [_mk("heaviside", _mk("sub", out, x) if is_min else _mk("sub", x, out), _c(1))
            for x in xs]  # fmt: skip


def _even_split(is_min):
    def rule(*args):
        hits = _hits(args[:-1], args[-1], is_min)
        count = hits[0]
        for h in hits[1:]:
            count = _mk("add", count, h)
        return tuple(_mk("div", h, count) for h in hits)

    return rule


def _first_hit(*args):
    hits = _hits(args[:-1], args[-1], False)
    parts, none_before = [], _c(1)
    for h in hits:
        parts.append(_mk("mul", h, none_before))
        none_before = _mk("mul", none_before, _mk("sub", _c(1), h))
    return tuple(parts)


def _fold(ufunc):
    return lambda *xs: functools.reduce(ufunc, xs)


for _name, _sp, _ufunc, _binary, _rule, _note in (
    ("max", sp.Max, np.maximum, "maximum", _even_split(False),
     "max(x1, ..., xn) with tied maxima: the gradient is split evenly among them"),
    ("min", sp.Min, np.minimum, "minimum", _even_split(True),
     "min(x1, ..., xn) with tied minima: the gradient is split evenly among them"),
    ("maxpool", sp.Max, np.maximum, "maximum", _first_hit,
     "maxpool(x1, ..., xn) with tied maxima: the whole gradient goes to the first"),
):  # fmt: skip
    defop(
        _name,
        3,
        _sp,
        _fold(_ufunc),
        f"np.{_binary}({{0}}, {{1}})",
        rule=_rule,
        reduces=_binary,
        note=_note,
    )
