"""Linear-algebra tensor ops: transpose, matmul, outer, trace, det, logdet,
inv, diag, norm and the identity ``eye``.

Part of the tensor registry (``registry.py``). Each adjoint is the
textbook matrix rule written with these same ops (matmul: ``G Bᵀ`` and
``Aᵀ G``; det: ``g det(X) X⁻ᵀ``; inv: ``-X⁻ᵀ G X⁻ᵀ``), so a gradient is a
tensor DAG in matrix notation and differentiates again.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from .node import const, eye, make
from .registry import PREC, call_text, deftop, latex_wrap, wrap

__all__ = ["matmul_numpy"]


# ----- transpose ----------------------------------------------------------------
def _transpose_check(args, p):
    axes = p["axes"]
    if axes is not None:
        axes = tuple(int(a) % max(args[0].ndim, 1) for a in axes)
        if sorted(axes) != list(range(args[0].ndim)):
            raise ShapeError(
                f"transpose: axes {p['axes']} are not a permutation of rank {args[0].ndim}"
            )
        if axes == tuple(reversed(range(args[0].ndim))):
            axes = None
    p["axes"] = axes
    return p


def _transpose_shape(ctx, x, axes):
    if axes is None:
        return tuple(reversed(x.shape))
    return tuple(x.shape[a] for a in axes)


def transpose_vjp(g, ans, x, axes):
    if axes is None:
        return (make("transpose", g),)
    return (make("transpose", g, axes=tuple(int(i) for i in np.argsort(axes))),)


def _transpose_text(args, p, nodes):
    if p["axes"] is None:
        return f"{wrap(args[0], PREC['atom'])}.T", PREC["atom"]
    return f"transpose({args[0][0]}, {p['axes']})", PREC["atom"]


def _transpose_latex(args, p, nodes):
    text = args[0][0]
    if p["axes"] is not None:
        return (
            f"\\operatorname{{transpose}}_{{{p['axes']}}}\\left({text}\\right)",
            PREC["atom"],
        )
    if nodes[0].op == "inv" and text.endswith("^{-1}"):
        return text[: -len("^{-1}")] + "^{-\\top}", PREC["pow"]
    return f"{latex_wrap(args[0], PREC['atom'])}^\\top", PREC["pow"]


deftop(
    "transpose",
    1,
    params=(("axes", None),),
    check=_transpose_check,
    shape=_transpose_shape,
    numpy=lambda x, axes: np.transpose(x, axes),
    vjp=transpose_vjp,
    text=_transpose_text,
    latex=_transpose_latex,
    src=lambda n, p: (
        f"{n[0]}.T" if p["axes"] is None else f"np.transpose({n[0]}, {p['axes']})"
    ),
)


# ----- matmul and outer -------------------------------------------------------------
def _matmul_shape(ctx, x, y):
    if x.ndim == 0 or y.ndim == 0:
        ctx.fail("matmul of a scalar (use * to scale)")
    if x.ndim > 2 or y.ndim > 2:
        ctx.fail("matmul of rank > 2 operands is not supported")
    inner_y = y.shape[0] if y.ndim == 1 else y.shape[-2]
    ctx.unify(x.shape[-1], inner_y, "the inner dimensions of @")
    return x.shape[:-1] + y.shape[1:]


def matmul_vjp(g, ans, x, y):
    # C = A B: A_bar = G Bᵀ, B_bar = Aᵀ G (vectors: outer products and dots)
    if x.ndim == 2 and y.ndim == 2:
        return make("matmul", g, make("transpose", y)), make(
            "matmul", make("transpose", x), g
        )
    if x.ndim == 2:  # A v
        return make("outer", g, y), make("matmul", make("transpose", x), g)
    if y.ndim == 2:  # u B
        return make("matmul", y, g), make("outer", x, g)
    return make("mul", g, y), make("mul", g, x)  # u @ v


def matmul_numpy(x, y):
    # a broadcast (stride-0) operand would make np.matmul leave BLAS
    if isinstance(x, np.ndarray) and 0 in x.strides:
        x = np.ascontiguousarray(x)
    if isinstance(y, np.ndarray) and 0 in y.strides:
        y = np.ascontiguousarray(y)
    return np.matmul(x, y)


def _matmul_text(args, p, nodes):
    a, b = args
    return f"{wrap(a, PREC['prod'])} @ {wrap(b, PREC['prod'], strict=True)}", PREC[
        "prod"
    ]


def _matmul_latex(args, p, nodes):
    from .latex import product_operand

    return (
        f"{product_operand(args[0], nodes[0])} {product_operand(args[1], nodes[1], right=True)}",
        PREC["prod"],
    )


deftop(
    "matmul",
    2,
    shape=_matmul_shape,
    numpy=matmul_numpy,
    vjp=matmul_vjp,
    text=_matmul_text,
    latex=_matmul_latex,
    src=lambda n, p: f"{n[0]} @ {n[1]}",
)


def _outer_shape(ctx, x, y):
    if x.ndim != 1 or y.ndim != 1:
        ctx.fail("outer takes two vectors")
    return (x.shape[0], y.shape[0])


def _outer_latex(args, p, nodes):
    from .latex import product_operand

    right = latex_wrap(args[1], PREC["atom"])
    return f"{product_operand(args[0], nodes[0])} {right}^\\top", PREC["prod"]


deftop(
    "outer",
    2,
    shape=_outer_shape,
    numpy=np.outer,
    vjp=lambda g, ans, x, y: (make("matmul", g, y), make("matmul", x, g)),
    text=call_text("outer"),
    latex=_outer_latex,
    src=lambda n, p: f"np.outer({n[0]}, {n[1]})",
)


# ----- square-matrix functions ---------------------------------------------------------
def _square(ctx, x):
    if x.ndim != 2:
        ctx.fail("needs a square matrix")
    ctx.unify(x.shape[0], x.shape[1], "a square matrix")
    return x.shape[0]


def _square_shape(ctx, x):
    n = _square(ctx, x)
    return (n, n)


def _square_to_scalar(ctx, x):
    _square(ctx, x)
    return ()


def _inv_t(x):
    return make("transpose", make("inv", x))


def _fn_latex(macro):
    def latex(args, p, nodes):
        return f"{macro}\\left({args[0][0]}\\right)", PREC["atom"]

    return latex


def _logdet_numpy(x):
    return np.linalg.slogdet(x)[1]


def _inv_latex(args, p, nodes):
    return f"{latex_wrap(args[0], PREC['atom'])}^{{-1}}", PREC["pow"]


for _name, _numpy, _vjp, _latex, _src, _uniform in (
    # tr(X): d/dX = I
    ("trace", np.trace, lambda g, ans, x: (make("mul", g, eye(x.shape[0])),),
     _fn_latex("\\operatorname{tr}"), "np.trace({0})", True),
    # det(X): d/dX = det(X) X^-T (Jacobi's formula)
    ("det", np.linalg.det,
     lambda g, ans, x: (make("mul", make("mul", g, ans), _inv_t(x)),),
     _fn_latex("\\det"), "np.linalg.det({0})", False),
    # log|det X|: d/dX = X^-T
    ("logdet", _logdet_numpy, lambda g, ans, x: (make("mul", g, _inv_t(x)),),
     lambda a, p, n: (f"\\log\\left|\\det {latex_wrap(a[0], PREC['atom'])}\\right|",
                      PREC["atom"]),
     "np.linalg.slogdet({0})[1]", False),
    # X^-1: d(X^-1) = -X^-1 dX X^-1, so X_bar = -X^-T G X^-T
    ("inv", np.linalg.inv,
     lambda g, ans, x: (make("neg", make("matmul", make("matmul", make("transpose", ans), g),
                                         make("transpose", ans))),),
     _inv_latex, "np.linalg.inv({0})", False),
):  # fmt: skip
    deftop(
        _name,
        1,
        shape=_square_shape if _name == "inv" else _square_to_scalar,
        numpy=_numpy,
        vjp=_vjp,
        text=call_text(_name),
        latex=_latex,
        src=lambda n, p, _s=_src: _s.format(*n),
        uniform=_uniform,
    )


# ----- diag ----------------------------------------------------------------------------
def _diag_shape(ctx, x):
    if x.ndim == 1:
        return (x.shape[0], x.shape[0])
    if x.ndim == 2:
        return (_square(ctx, x),)
    ctx.fail("diag takes a vector or a square matrix")
    raise AssertionError  # pragma: no cover


deftop(
    "diag",
    1,
    shape=_diag_shape,
    numpy=np.diag,
    vjp=lambda g, ans, x: (make("diag", g),),
    text=call_text("diag"),
    latex=_fn_latex("\\operatorname{diag}"),
    src=lambda n, p: f"np.diag({n[0]})",
)


# ----- norm ----------------------------------------------------------------------------
def _norm_check(args, p):
    x, ord_ = args[0], p["ord"]
    if x.ndim == 1:
        if ord_ in (None, 2):
            p["ord"] = 2
        elif ord_ == 1:
            p["ord"] = 1
        else:
            raise NotImplementedError(f"norm of a vector with ord={ord_!r}: use 1 or 2")
    elif x.ndim == 2:
        if ord_ in (None, "fro"):
            p["ord"] = "fro"
        else:
            raise NotImplementedError(
                f"norm of a matrix with ord={ord_!r}: only the Frobenius norm "
                "(ord=None or 'fro') is supported"
            )
    else:
        raise ShapeError(
            f"norm: takes a vector or a matrix, got rank {x.ndim} (use abs for a scalar)"
        )
    return p


def norm_vjp(g, ans, x, ord):
    if ord == 1:  # d|x|_1 = sign(x), abs'(0) = 0
        return (make("mul", g, make("sign", x)),)
    # d|x| = x / |x|; at x = 0 the gradient is 0 (PyTorch's convention). When
    # the upstream gradient is a * |x| (from |x|**2), the product is a * x.
    if g.op == "mul" and ans in g.args:
        other = g.args[1] if g.args[0] is ans else g.args[0]
        return (make("mul", other, x),)
    # the guard is in the denominator: at x = 0 it is 0 / 1, with no 0 / 0 to hide
    safe = make("where", ans, ans, const(1))
    return (make("div", make("mul", g, x), safe),)


def _norm_text(args, p, nodes):
    default = 2 if nodes[0].ndim == 1 else "fro"
    if p["ord"] == default:
        return f"norm({args[0][0]})", PREC["atom"]
    return f"norm({args[0][0]}, {p['ord']!r})", PREC["atom"]


def _norm_latex(args, p, nodes):
    sub = {1: "1", 2: "2", "fro": "F"}[p["ord"]]
    return f"\\left\\|{args[0][0]}\\right\\|_{{{sub}}}", PREC["atom"]


deftop(
    "norm",
    1,
    params=(("ord", None),),
    check=_norm_check,
    shape=lambda ctx, x, ord: (),
    numpy=lambda x, ord: np.linalg.norm(x, ord),
    vjp=norm_vjp,
    text=_norm_text,
    latex=_norm_latex,
    src=lambda n, p: f"np.linalg.norm({n[0]}, {p['ord']!r})",
    note="norm(x)'s gradient at x = 0 is 0 (x / |x| elsewhere)",
)


# ----- fill: zeros(n), ones((n, m)), full(shape, c) ----------------------------------
def _fill_name(p):
    return {0: "zeros", 1: "ones"}.get(p["value"])


def _fill_text(a, p, nodes):
    shape = p["shape"]
    dims = str(shape[0]) if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
    name = _fill_name(p)
    if name is None:
        return f"full({dims}, {p['value']!r})", PREC["atom"]
    return f"{name}({dims})", PREC["atom"]


def _fill_latex(a, p, nodes):
    name = _fill_name(p)
    if name is not None:
        return f"\\mathbf{{{p['value']}}}", PREC["atom"]
    return f"{p['value']!r} \\mathbf{{1}}", PREC["prod"]


deftop(
    "fill",
    0,
    params=(("shape", None), ("value", 0)),
    shape=lambda ctx, shape, value: shape,
    numpy=lambda shape, value: np.full(shape, float(value)),
    vjp=None,
    text=_fill_text,
    latex=_fill_latex,
    src=lambda n, p: f"np.full({p['shape']!r}, {float(p['value'])!r})",
)


# ----- eye ---------------------------------------------------------------------------------
deftop(
    "eye",
    0,
    params=(("n", None),),
    shape=lambda ctx, n: (n, n),
    numpy=lambda n: np.eye(n),
    vjp=None,
    text=lambda a, p, nodes: (f"eye({p['n']})", PREC["atom"]),
    latex=lambda a, p, nodes: ("I", PREC["atom"]),
    src=lambda n, p: f"np.eye({p['n']!r})",
)
