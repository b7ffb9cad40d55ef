"""Construction-time folding of tensor nodes: the light rewrites applied as
nodes are built, after the shape check.

Only rewrites that never change a value or a shape and need no search:
constants (through the scalar engine's exact folding), ``x + 0``, ``x * 1``,
``x * 0``, ``x ** 1``, ``--x``, ``(xᵀ)ᵀ``, ``I @ X``, a broadcast of ones
multiplied into an array of the full shape, scalar constants gathered to the
left (``2 * (3 * x)`` is ``6 * x``), a minus sign pulled out of a product,
and a product moved inside a ``where`` (so an untaken branch's inf or NaN is
never multiplied by the zero routed to it). Display-only rewrites (pushing
transposes down, collecting like terms) are in ``display.py``.
"""

from __future__ import annotations

from .. import node as _scalar
from .node import TensorNode, const, fill, make, register_hook
from .registry import TOPS

__all__ = ["fold", "is_one", "is_zero"]


def is_zero(n: TensorNode) -> bool:
    """A structural zero: the constant 0 or a broadcast of it."""
    if n.op == "broadcast_like":
        n = n.args[0]
    if n.op == "fill":
        return n.param("value") == 0
    return n.op == "const" and n.value == 0


def is_one(n: TensorNode) -> bool:
    return n.op == "const" and n.value == 1


def is_ones(n: TensorNode) -> bool:
    """An array of ones: 1, ones_like(.), ones(.) or a reshaping of one."""
    while n.op in ("broadcast_like", "expand_dims", "transpose", "reshape"):
        n = n.args[0]
    if n.op == "fill":
        return n.param("value") == 1
    return is_one(n)


def _is_diag(n: TensorNode) -> bool:
    return n.op == "diag" and n.args[0].ndim == 1


def _scalar_const(n: TensorNode) -> bool:
    return n.op == "const"


def _zeros(shape, like: tuple) -> TensorNode | None:
    if shape == ():
        return const(0)
    for a in like:
        if a.shape == shape:
            return make("broadcast_like", const(0), a)
    return None


def _fold_consts(op, args):
    """All arguments constant: let the scalar engine fold (exact ints and
    fractions); None if it keeps the op (e.g. ``log(2)``)."""
    s = _scalar.make(op, *[_scalar.const(a.value) for a in args])
    return const(s.value) if s.op == "const" else None


def _fold_mul(a, b, shape):
    if is_one(a) and b.shape == shape:
        return b
    if is_one(b) and a.shape == shape:
        return a
    if is_zero(a) or is_zero(b):
        return _zeros(shape, (a, b))
    for x, y in ((a, b), (b, a)):
        if x.op == "const" and x.value == -1 and y.shape == shape:
            return make("neg", y)
        # c * ones_like(Y) * X with X of Y's shape: the broadcast is implicit
        if x.op == "broadcast_like" and y.shape == shape == x.shape:
            return make("mul", x.args[0], y)
        if x.op == "fill" and y.shape == shape == x.shape:
            return make("mul", const(x.param("value")), y)
        if is_ones(x) and y.shape == shape:
            return y
    if b.op == "const" and a.op != "const":
        return make("mul", b, a)  # scalar factors to the left
    if a.op == "const" and b.op == "mul" and b.args[0].op == "const":
        return make("mul", make("mul", a, b.args[0]), b.args[1])
    if a.op == "neg":
        return make("neg", make("mul", a.args[0], b))
    if b.op == "neg":
        return make("neg", make("mul", a, b.args[0]))
    for x, w in ((a, b), (b, a)):
        if w.op == "where" and any(is_zero(br) for br in w.args[1:]):
            c, p, q = w.args
            new = make(
                "where",
                c,
                p if is_zero(p) else make("mul", x, p),
                q if is_zero(q) else make("mul", x, q),
            )
            if new.shape == shape:
                return new
    return None


def fold(op: str, args: tuple, params: tuple, shape: tuple):
    """A simpler node equal to ``op(*args, **params)`` (of shape ``shape``),
    or None to build it as is."""
    opdef = TOPS[op]
    if opdef.elementwise and args and all(_scalar_const(a) for a in args):
        return _fold_consts(op, args)
    if op in ("add", "sub"):
        a, b = args
        if is_zero(b) and a.shape == shape:
            return a
        if is_zero(a) and b.shape == shape:
            return b if op == "add" else make("neg", b)
        if _is_diag(a) and _is_diag(b):  # diag(p) ± diag(q) = diag(p ± q)
            return make("diag", make(op, a.args[0], b.args[0]))
        if op == "sub" and b.op == "neg":
            return make("add", a, b.args[0])
        if a.op == "where" and b.op == "where" and a.args[0] is b.args[0]:
            # where(c, p, q) ± where(c, r, s) = where(c, p ± r, q ± s)
            new = make(
                "where",
                a.args[0],
                *(make(op, x, y) for x, y in zip(a.args[1:], b.args[1:])),
            )
            if new.shape == shape:
                return new
    elif op == "mul":
        a, b = args
        return _fold_mul(a, b, shape)
    elif op == "div":
        a, b = args
        if is_one(b) and a.shape == shape:
            return a
        if is_zero(a):
            return _zeros(shape, args)
    elif op == "pow":
        a, b = args
        if is_one(b) and a.shape == shape:
            return a
        if is_zero(b):
            return const(1) if shape == () else make("broadcast_like", const(1), a)
    elif op == "neg":
        (a,) = args
        if a.op == "neg":
            return a.args[0]
        if is_zero(a):
            return a
    elif op == "transpose":
        (a,) = args
        axes = dict(params)["axes"]
        if axes is None and (a.ndim <= 1 or a.op == "eye"):
            return a
        if axes is None and a.op == "transpose" and a.param("axes") is None:
            return a.args[0]
        if is_zero(a):
            return _zeros(shape, ())
    elif op == "matmul":
        a, b = args
        if _is_diag(a) and _is_diag(b):  # diag(p) @ diag(q) = diag(p * q)
            return make("diag", make("mul", a.args[0], b.args[0]))
        # outer(p, q) @ diag(v) = outer(p, q * v); diag(v) @ outer(p, q) = outer(v * p, q)
        if a.op == "outer" and b.op == "diag" and b.args[0].ndim == 1:
            return make("outer", a.args[0], make("mul", a.args[1], b.args[0]))
        if b.op == "outer" and a.op == "diag" and a.args[0].ndim == 1:
            return make("outer", make("mul", a.args[0], b.args[0]), b.args[1])
        if a.op == "eye" and b.shape == shape:
            return b
        if b.op == "eye" and a.shape == shape:
            return a
        if is_zero(a) or is_zero(b):
            return _zeros(shape, ())
    elif op == "sum":
        (a,) = args
        p = dict(params)
        if a.ndim == 0 and p["axis"] is None:
            return a
        if a.op == "expand_dims" and not p["keepdims"] and a.param("axis") == p["axis"]:
            return a.args[0]
        if a.op == "diag" and a.args[0].ndim == 1 and p["axis"] in ((0,), (1,)):
            return a.args[0]  # the column (row) sums of diag(v) are v
        if a.op == "eye" and p["axis"] in ((0,), (1,)):
            n = a.shape[0]  # the column (row) sums of the identity are ones
            return fill((n, 1) if p["keepdims"] and p["axis"] == (1,) else
                        (1, n) if p["keepdims"] else (n,), 1)  # fmt: skip
        if a.op == "sum" and a.param("keepdims") and a.param("axis") == p["axis"]:
            return make("sum", a.args[0], axis=p["axis"], keepdims=p["keepdims"])
    elif op == "broadcast_like":
        a, ref = args
        if a.shape == ref.shape:
            return a
        if a.op == "broadcast_like":
            return make("broadcast_like", a.args[0], ref)
    elif op == "expand_dims":
        (a,) = args
        axis = dict(params)["axis"]
        if axis == ():
            return a
        if a.op == "sum" and not a.param("keepdims") and a.param("axis") == axis:
            return make("sum", a.args[0], axis=axis, keepdims=True)
    elif op == "reshape":
        (a,) = args
        if a.shape == shape:
            return a
        if a.op == "reshape":
            return make("reshape", a.args[0], shape=shape)
    elif op == "where":
        c, a, b = args
        if c.op == "const":
            chosen = a if c.value > 0 else b
            if chosen.shape == shape:
                return chosen
    return None


register_hook("fold", fold)  # called by make() on every node it builds
