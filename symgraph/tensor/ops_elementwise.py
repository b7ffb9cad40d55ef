"""Elementwise tensor ops, lifted from symgraph's scalar op registry.

Every scalar op (``symgraph.ops.OPS``) becomes a tensor op that acts entry by
entry with NumPy broadcasting. Its NumPy function is the scalar registry's;
its adjoint rule is the scalar registry's partials, lifted: the scalar
partial is built once on placeholder symbols (``symgraph.ops.partials_of``),
then its scalar DAG is translated op by op into elementwise tensor ops on the
actual arguments. So ``exp' = exp``, ``relu'(0) = 0`` and every other
convention come from the one registry; there is no second derivative table.
The adjoint of an input is ``sum_to(g * partial, input)``: the explicit
reduce over the axes that broadcasting stretched.
"""

from __future__ import annotations

import numpy as np

from .. import node as _scalar
from ..ops import OPS, partials_of
from ..traverse import toposort
from .node import TensorNode, const, make
from .registry import PREC, deftop, wrap

__all__ = ["ELEMENTWISE", "REGISTRY_PREFIX", "lifted_partials", "numpy_name", "sum_to"]

# Generated code calls an op with no NumPy spelling of its own as
# ``_registry_<op>(...)``: lambdify binds it to ``OPS[op].numpy``.
REGISTRY_PREFIX = "_registry_"

# n-ary reductions of the scalar registry (max(a, b, c), maxpool, an n-ary
# logsumexp) are folds, not entrywise functions with a fixed arity, and
# NumPy's max, min and logsumexp are reductions: lifting them under those
# names would mislead. Names the tensor families declare at the tensor level
# are theirs; nullary ops (constants) are not functions of a tensor.
_SKIP = {"max", "min", "maxpool", "logsumexp", "softmax", "log_softmax", "sum", "norm",
         "trace", "det", "logdet", "inv", "diag", "outer", "transpose", "matmul",
         "reshape", "eye", "fill", "flip", "conv2d", "correlate2d", "convolve2d",
         "max_pool2d", "avg_pool2d"}  # fmt: skip


def _liftable(name: str, op) -> bool:
    return not (
        name in _SKIP
        or op.nargs == 0
        or getattr(op, "reduces", None)
        or getattr(op, "variadic", False)
    )


_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/"}

# Generated-code spellings for registry ops whose NumPy function is not a
# ufunc (the ufuncs are spelled by their own name). Stable forms as in the
# scalar code generator; tests compare each against the registry's function.
_SRC = {
    "sigmoid": "_sigmoid({0})",
    "softplus": "np.logaddexp(0.0, {0})",
    "relu": "np.maximum({0}, 0.0)",
    "where": "np.where({0} > 0, {1}, {2})",
    "leaky_relu": "np.where({0} > 0, {0}, {1} * {0})",
    "elu": "np.where({0} > 0, {0}, {1} * np.expm1(np.minimum({0}, 0.0)))",
    "pow": "{0} ** {1}",
    "neg": "-{0}",
}
_SRC_HELPERS = {"sigmoid": ("_sigmoid",)}

_LATEX_FN = {
    "exp": "\\exp", "log": "\\log", "sin": "\\sin", "cos": "\\cos", "tan": "\\tan",
    "tanh": "\\tanh", "sinh": "\\sinh", "cosh": "\\cosh", "atan": "\\arctan",
    "asin": "\\arcsin", "acos": "\\arccos", "sigmoid": "\\sigma",
    "maximum": "\\max", "minimum": "\\min",
}  # fmt: skip


def numpy_name(op: str) -> str:
    """The NumPy spelling of a registry function (``atan`` -> ``arctan``)."""
    fn = OPS[op].numpy
    if isinstance(fn, np.ufunc):
        return "abs" if fn.__name__ == "absolute" else fn.__name__
    return op


# ----- lifting the scalar partials ---------------------------------------------
_PLACE = tuple(_scalar.symbol(f"lift_a{i}") for i in range(4))
_OUT = _scalar.symbol("lift_out")
_TEMPLATES: dict = {}


def _template(op: str, args: tuple) -> tuple:
    """The scalar partials of ``op`` with constant arguments substituted
    (so the scalar engine folds ``2 * x**(2 - 1)`` to ``2 * x``)."""
    key = (op, tuple(a.value if a.op == "const" else None for a in args))
    parts = _TEMPLATES.get(key)
    if parts is None:
        sargs = tuple(
            _scalar.const(a.value) if a.op == "const" else _PLACE[i]
            for i, a in enumerate(args)
        )
        parts = partials_of(op, sargs, _OUT)
        _TEMPLATES[key] = parts
    return parts


def translate(snode, leaves: dict) -> TensorNode:
    """A scalar DAG rewritten as elementwise tensor ops (``leaves`` maps the
    placeholder symbols to tensor nodes)."""
    memo = {}
    for n in toposort([snode]):
        if n.op == "symbol":
            memo[n] = leaves[n]
        elif n.op == "const":
            memo[n] = const(n.value)
        else:
            memo[n] = make(n.op, *[memo[a] for a in n.args])
    return memo[snode]


def lifted_partials(op: str, args: tuple, ans: TensorNode) -> tuple:
    """The local partials of ``ans = op(*args)`` as tensor nodes (None where
    the scalar registry declares the op not differentiable in an input)."""
    leaves = {_PLACE[i]: a for i, a in enumerate(args)}
    leaves[_OUT] = ans
    # None (or a registry's UNDEFINED marker, which is not a node): the op is
    # not differentiable in that input by declaration
    return tuple(
        translate(p, leaves) if isinstance(p, _scalar.Node) else None
        for p in _template(op, args)
    )


def sum_to(g: TensorNode, x: TensorNode) -> TensorNode:
    """Sum ``g`` over the axes broadcasting stretched, to ``x``'s shape."""
    lead = g.ndim - x.ndim
    if lead:
        g = make("sum", g, axis=tuple(range(lead)))
    ones = tuple(i for i, d in enumerate(x.shape) if d == 1 and g.shape[i] != 1)
    if ones:
        g = make("sum", g, axis=ones, keepdims=True)
    return g


def _lifted_vjp(op: str):
    def vjp(g, ans, *args):
        out = []
        for a, p in zip(args, lifted_partials(op, args, ans)):
            out.append(None if p is None else sum_to(make("mul", g, p), a))
        return tuple(out)

    vjp.__name__ = f"{op}_vjp"
    return vjp


# ----- printing -----------------------------------------------------------------
def _infix_text(symbol: str, prec: int):
    def text(args, params, nodes):
        a, b = args
        # c * (A @ B) reads as c * A @ B: (c * A) @ B is the same for a scalar c
        scalar_first = symbol == "*" and nodes[0].ndim == 0 and nodes[0].op == "const"
        right = b[0] if scalar_first and b[1] == prec else wrap(b, prec, strict=True)
        return f"{wrap(a, prec)} {symbol} {right}", prec

    return text


def _pow_text(args, params, nodes):
    a, b = args
    right = b[0] if b[1] >= PREC["neg"] else f"({b[0]})"
    return f"{wrap(a, PREC['pow'], strict=True)}**{right}", PREC["pow"]


def _neg_text(args, params, nodes):
    (a,) = args
    # -(A @ B) reads as -A @ B: (-A) @ B is the same, as for * and /
    return f"-{wrap(a, PREC['prod'])}", PREC["neg"]


def _where_text(args, params, nodes):
    c, a, b = args
    return f"where({wrap(c, PREC['sum'], strict=True)} > 0, {a[0]}, {b[0]})", PREC[
        "atom"
    ]


def _call_text(name: str):
    def text(args, params, nodes):
        return f"{name}({', '.join(a for a, _ in args)})", PREC["atom"]

    return text


def _latex_of(op: str):
    from .latex import elementwise_latex

    def latex(args, params, nodes):
        return elementwise_latex(op, args, nodes)

    return latex


def _src_of(op: str):
    if op in _INFIX:
        return lambda names, params: f"{names[0]} {_INFIX[op]} {names[1]}"
    template = _SRC.get(op)
    if template is None:
        fn = OPS[op].numpy
        if not isinstance(fn, np.ufunc):
            template = None
        else:
            template = (
                f"np.{fn.__name__}("
                + ", ".join(f"{{{i}}}" for i in range(OPS[op].nargs))
                + ")"
            )
    if template is None:  # the registry's own function, bound by the lowering
        return lambda names, params: f"{REGISTRY_PREFIX}{op}({', '.join(names)})"
    return lambda names, params: template.format(*names)


def _text_of(op: str):
    if op in _INFIX:
        return _infix_text(
            _INFIX[op], PREC["sum"] if op in ("add", "sub") else PREC["prod"]
        )
    if op == "pow":
        return _pow_text
    if op == "neg":
        return _neg_text
    if op == "where":
        return _where_text
    return _call_text(numpy_name(op))


def _broadcast_shape(ctx, *args):
    return ctx.broadcast(*(a.shape for a in args))


def _numpy_of(op: str):
    fn = OPS[op].numpy
    return lambda *xs: fn(*xs)


ELEMENTWISE = []
for _name, _op in OPS.items():
    if not _liftable(_name, _op):
        continue
    deftop(
        _name,
        _op.nargs,
        shape=_broadcast_shape,
        numpy=_numpy_of(_name),
        vjp=_lifted_vjp(_name),
        text=_text_of(_name),
        latex=_latex_of(_name),
        src=_src_of(_name),
        helpers=_SRC_HELPERS.get(_name, ()),
        elementwise=True,
        note=getattr(_op, "note", ""),
    )
    ELEMENTWISE.append(_name)
