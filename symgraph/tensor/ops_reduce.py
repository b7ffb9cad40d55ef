"""Reductions and shape ops: sum, broadcast, expand_dims, reshape, softmax,
log_softmax, logsumexp.

Part of the tensor registry (``registry.py``). ``sum`` and ``broadcast_like``
are each other's adjoints (a broadcast's adjoint is the explicit reduce
``sum_to``); the softmax family uses the stable forms (shift by the maximum)
and rules written with the ops themselves, so they differentiate again.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..errors import ShapeError
from .dims import shape_text
from .kernels import KERNELS
from .node import make
from .ops_elementwise import sum_to
from .registry import PREC, call_latex, deftop, latex_wrap, wrap

__all__ = ["normalize_axes"]


def normalize_axes(axis, ndim: int, op: str, allow_tuple: bool = True):
    """``axis`` as a sorted tuple of non-negative ints (None stays None)."""
    if axis is None:
        return None
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    if len(items) > 1 and not allow_tuple:
        raise ShapeError(f"{op}: axis must be one integer or None, got {axis!r}")
    out = []
    for a in items:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an integer, got {a!r}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise ShapeError(f"{op}: axis {a} is out of range for rank {ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def _axis_text(axes):
    if axes is None:
        return "None"
    return str(axes[0]) if len(axes) == 1 else str(axes)


def _np_axis(axes):
    return axes if axes is None or len(axes) > 1 else axes[0]


# ----- sum ----------------------------------------------------------------------
def _sum_check(args, p):
    p["axis"] = normalize_axes(p["axis"], args[0].ndim, "sum")
    p["keepdims"] = bool(p["keepdims"])
    if p["axis"] == tuple(range(args[0].ndim)) and not p["keepdims"]:
        p["axis"] = None  # every axis
    return p


def _sum_shape(ctx, x, axis, keepdims):
    axes = range(x.ndim) if axis is None else axis
    axes = (axes,) if isinstance(axes, int) else axes
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    return tuple(d for i, d in enumerate(x.shape) if i not in axes)


def sum_vjp(g, ans, x, axis, keepdims):
    # the adjoint of a reduce is a broadcast back to the input's shape
    if axis is not None and not keepdims:
        g = make("expand_dims", g, axis=axis)
    return (make("broadcast_like", g, x),)


def _sum_text(args, p, nodes):
    parts = [args[0][0]]
    if p["axis"] is not None:
        parts.append(f"axis={_axis_text(p['axis'])}")
    if p["keepdims"]:
        parts.append("keepdims=True")
    return f"sum({', '.join(parts)})", PREC["atom"]


def _sum_latex(args, p, nodes):
    sub = "" if p["axis"] is None else f"_{{{_axis_text(p['axis'])}}}"
    return f"\\operatorname{{sum}}{sub}\\left({args[0][0]}\\right)", PREC["atom"]


def _sum_src(names, p):
    extra = "" if p["axis"] is None else f", axis={_np_axis(p['axis'])!r}"
    if p["keepdims"]:
        extra += ", keepdims=True"
    return f"np.sum({names[0]}{extra})"


deftop(
    "sum",
    1,
    params=(("axis", None), ("keepdims", False)),
    check=_sum_check,
    shape=_sum_shape,
    numpy=lambda x, axis, keepdims: np.sum(x, axis=_np_axis(axis), keepdims=keepdims),
    vjp=sum_vjp,
    text=_sum_text,
    latex=_sum_latex,
    src=_sum_src,
)


# ----- broadcast_like / expand_dims ---------------------------------------------
def _broadcast_like_shape(ctx, x, ref):
    out = ctx.broadcast(x.shape, ref.shape)
    if len(out) != ref.ndim or not all(ctx.equal(a, b) for a, b in zip(out, ref.shape)):
        ctx.fail(f"{shape_text(x.shape)} does not broadcast to {shape_text(ref.shape)}")
    return ref.shape


def _broadcast_like_text(args, p, nodes):
    (x, px), (ref, _) = args
    if x in ("1", "0"):
        return f"{'ones' if x == '1' else 'zeros'}_like({ref})", PREC["atom"]
    return f"{wrap((x, px), PREC['prod'])} * ones_like({ref})", PREC["prod"]


def _broadcast_like_latex(args, p, nodes):
    (x, px), _ = args
    if nodes[0].op == "const" and nodes[0].value in (0, 1):
        return f"\\mathbf{{{nodes[0].value}}}", PREC["atom"]
    return f"{latex_wrap((x, px), PREC['prod'])} \\mathbf{{1}}", PREC["prod"]


deftop(
    "broadcast_like",
    2,
    shape=_broadcast_like_shape,
    numpy=lambda x, ref: np.broadcast_to(x, np.shape(ref)),
    vjp=lambda g, ans, x, ref: (sum_to(g, x), None),
    text=_broadcast_like_text,
    latex=_broadcast_like_latex,
    # a full array, not a stride-0 view: a later matmul stays on BLAS
    src=lambda n, p: f"{n[0]} * np.ones_like({n[1]})",
)


def _expand_check(args, p):
    p["axis"] = normalize_axes(
        p["axis"], args[0].ndim + _count(p["axis"]), "expand_dims"
    )
    return p


def _count(axis):
    return len(axis) if isinstance(axis, (tuple, list)) else 1


def _expand_shape(ctx, x, axis):
    dims = iter(x.shape)
    return tuple(1 if i in axis else next(dims) for i in range(x.ndim + len(axis)))


deftop(
    "expand_dims",
    1,
    params=(("axis", None),),
    check=_expand_check,
    shape=_expand_shape,
    numpy=lambda x, axis: np.expand_dims(x, axis),
    vjp=lambda g, ans, x, axis: (make("sum", g, axis=axis),),
    text=lambda a, p, nodes: (
        f"expand_dims({a[0][0]}, {_axis_text(p['axis'])})",
        PREC["atom"],
    ),
    latex=lambda a, p, nodes: a[0],
    src=lambda n, p: f"np.expand_dims({n[0]}, {_np_axis(p['axis'])!r})",
)


# ----- reshape ------------------------------------------------------------------
def _reshape_check(args, p):
    from .dims import as_dim

    shape = p["shape"]
    if shape is None:
        raise TypeError("reshape needs a shape")
    shape = (shape,) if not isinstance(shape, (tuple, list)) else shape
    p["shape"] = tuple(as_dim(d) for d in shape)
    return p


def _reshape_shape(ctx, x, shape):
    old = sp.Mul(*[sp.Integer(d) if isinstance(d, int) else d for d in x.shape])
    new = sp.Mul(*[sp.Integer(d) if isinstance(d, int) else d for d in shape])
    if sp.expand(old.subs(ctx.bound) - new.subs(ctx.bound)) != 0:
        ctx.fail(f"cannot reshape {old} entries into {shape_text(shape)}")
    return shape


def _shape_text(shape):
    return shape_text(shape)


deftop(
    "reshape",
    1,
    uniform=False,  # which entries meet depends on the sizes
    params=(("shape", None),),
    check=_reshape_check,
    shape=_reshape_shape,
    numpy=lambda x, shape: np.reshape(x, shape),
    vjp=lambda g, ans, x, shape: (make("reshape", g, shape=x.shape),),
    text=lambda a, p, nodes: (
        f"reshape({a[0][0]}, {_shape_text(p['shape'])})",
        PREC["atom"],
    ),
    latex=call_latex("\\operatorname{reshape}"),
    src=lambda n, p: f"np.reshape({n[0]}, {p['shape']!r})",
)


# ----- softmax, log_softmax, logsumexp ---------------------------------------------
def _one_axis(op):
    def check(args, p):
        if args[0].ndim == 0:
            raise ShapeError(f"{op}: needs an array, got a scalar")
        axes = normalize_axes(p["axis"], args[0].ndim, op, allow_tuple=False)
        if axes is None and args[0].ndim == 1 and "keepdims" not in p:
            axes = (0,)  # a vector has one axis
        p["axis"] = None if axes is None else axes[0]
        if "keepdims" in p:
            p["keepdims"] = bool(p["keepdims"])
        return p

    return check


def _along(x, axis) -> dict:
    """Reduce along the softmax axis: to a scalar when that is every axis
    (then broadcasting does the rest), else keeping the axis."""
    if axis is None or x.ndim == 1:
        return {"axis": None}
    return {"axis": axis, "keepdims": True}


def softmax_vjp(g, ans, x, axis):
    # J^T g = s * (g - <g, s>) along the axis
    inner = make("sum", make("mul", g, ans), **_along(x, axis))
    return (make("mul", ans, make("sub", g, inner)),)


def log_softmax_vjp(g, ans, x, axis):
    total = make("sum", g, **_along(x, axis))
    return (make("sub", g, make("mul", make("softmax", x, axis=axis), total)),)


def logsumexp_vjp(g, ans, x, axis, keepdims):
    if axis is not None and not keepdims and x.ndim > 1:
        g = make("expand_dims", g, axis=axis)
    return (make("mul", g, make("softmax", x, axis=axis)),)


def _family_text(name):
    def text(args, p, nodes):
        parts = [args[0][0]]
        if "keepdims" in p:  # logsumexp: all axes by default
            if p["axis"] is not None:
                parts.append(f"axis={p['axis']}")
            if p["keepdims"]:
                parts.append("keepdims=True")
        elif p["axis"] is None:
            parts.append("axis=None")
        elif nodes[0].ndim > 1:
            parts.append(f"axis={p['axis']}")
        return f"{name}({', '.join(parts)})", PREC["atom"]

    return text


def _family_latex(macro):
    def latex(args, p, nodes):
        sub = "" if p["axis"] is None or nodes[0].ndim == 1 else f"_{{{p['axis']}}}"
        return f"{macro}{sub}\\left({args[0][0]}\\right)", PREC["atom"]

    return latex


for _name, _params, _np, _vjp, _macro in (
    ("softmax", (("axis", -1),), KERNELS["_softmax"], softmax_vjp,
     "\\operatorname{softmax}"),
    ("log_softmax", (("axis", -1),), KERNELS["_log_softmax"], log_softmax_vjp,
     "\\operatorname{log\\,softmax}"),
    ("logsumexp", (("axis", None), ("keepdims", False)), KERNELS["_logsumexp"],
     logsumexp_vjp, "\\operatorname{logsumexp}"),
):  # fmt: skip
    deftop(
        _name,
        1,
        params=_params,
        check=_one_axis(_name),
        shape=(_sum_shape if _name == "logsumexp" else (lambda ctx, x, axis: x.shape)),
        numpy=_np,
        vjp=_vjp,
        text=_family_text(_name),
        latex=_family_latex(_macro),
        src=(
            lambda n, p, _f=_name: (
                f"_{_f}({n[0]}, " + ", ".join(f"{k}={v!r}" for k, v in p.items()) + ")"
            )
        ),
        helpers=(f"_{_name}",),
    )
