"""Convolution and pooling as tensor ops.

Part of the tensor registry (``registry.py``). ``correlate2d`` and
``convolve2d`` follow ``scipy.signal`` on 2-D arrays ("valid", "full"), and
their adjoints are again correlations and convolutions (the course's
"dL/dX is a full convolution of the upstream gradient with the kernel").
``conv2d`` is PyTorch's batched cross-correlation (NCHW input, OIHW weight,
stride, zero padding); its adjoints are the ops ``conv2d_grad_input`` and
``conv2d_grad_weight``, which are each other's and ``conv2d``'s adjoints, so
they differentiate again. Pooling acts on the last two axes; ``max_pool2d``
routes a tie to the first maximum (row-major), as PyTorch.
"""

from __future__ import annotations

import sympy as sp

from ..errors import ShapeError
from .kernels import KERNELS
from .node import make
from .registry import PREC, deftop

__all__ = ["out_size", "pair"]


def out_size(n, k, stride: int = 1, pad: int = 0):
    """``(n + 2*pad - k) // stride + 1`` for ints or symbolic dimensions."""
    if isinstance(n, int) and isinstance(k, int):
        if n + 2 * pad < k:
            raise ShapeError(
                f"a window of {k} does not fit a size of {n} (padding {pad})"
            )
        return (n + 2 * pad - k) // stride + 1
    value = sp.floor((n + 2 * pad - k) / sp.Integer(stride)) + 1
    return int(value) if value.is_Integer else value


def pair(v, what: str, op: str, minimum: int) -> tuple:
    items = (v, v) if isinstance(v, int) else tuple(v)
    if len(items) != 2 or not all(isinstance(i, int) and i >= minimum for i in items):
        raise ShapeError(
            f"{op}: {what} must be an int >= {minimum} or a pair of them, got {v!r}"
        )
    return items


def _kw(params, defaults):
    return [f"{k}={_pair_text(v)}" for k, v in params.items() if v != defaults.get(k)]


def _pair_text(v):
    if isinstance(v, tuple) and len(set(v)) == 1:
        return str(v[0])
    return repr(v)


# ----- correlate2d, convolve2d, flip ----------------------------------------------------
def _mode_check(op):
    def check(args, p):
        if p["mode"] not in ("valid", "full"):
            raise ShapeError(f"{op}: mode must be 'valid' or 'full', got {p['mode']!r}")
        return p

    return check


def _corr_shape(ctx, x, w, mode):
    if x.ndim != 2 or w.ndim != 2:
        ctx.fail("correlate2d and convolve2d take 2-D arrays")
    if mode == "full":
        return tuple(_plus(a, b, -1) for a, b in zip(x.shape, w.shape))
    return tuple(out_size(a, b) for a, b in zip(x.shape, w.shape))


def _plus(a, b, c):
    v = a + b + c
    return int(v) if isinstance(v, int) or v.is_Integer else v


def correlate2d_vjp(g, ans, x, w, mode):
    if mode == "valid":  # dX = G *full W, dW = X star G
        return (
            make("convolve2d", g, w, mode="full"),
            make("correlate2d", x, g, mode="valid"),
        )
    return (
        make("convolve2d", g, w, mode="valid"),
        make("flip", make("correlate2d", g, x, mode="valid")),
    )


def convolve2d_vjp(g, ans, x, w, mode):
    if mode == "valid":
        return (
            make("correlate2d", g, w, mode="full"),
            make("flip", make("correlate2d", x, g, mode="valid")),
        )
    return (
        make("correlate2d", g, w, mode="valid"),
        make("correlate2d", g, x, mode="valid"),
    )


def _corr_text(name):
    def text(args, p, nodes):
        extra = "" if p["mode"] == "valid" else f", mode={p['mode']!r}"
        return f"{name}({args[0][0]}, {args[1][0]}{extra})", PREC["atom"]

    return text


def _corr_latex(macro):
    def latex(args, p, nodes):
        sub = "" if p["mode"] == "valid" else "_{\\mathrm{full}}"
        return f"{macro}{sub}\\left({args[0][0]}, {args[1][0]}\\right)", PREC["atom"]

    return latex


for _name, _vjp, _macro in (
    ("correlate2d", correlate2d_vjp, "\\operatorname{corr2d}"),
    ("convolve2d", convolve2d_vjp, "\\operatorname{conv2d}"),
):
    deftop(
        _name,
        2,
        uniform=False,
        params=(("mode", "valid"),),
        check=_mode_check(_name),
        shape=_corr_shape,
        numpy=KERNELS[f"_{_name}"],
        vjp=_vjp,
        text=_corr_text(_name),
        latex=_corr_latex(_macro),
        src=lambda n, p, _f=_name: f"_{_f}({n[0]}, {n[1]}, {p['mode']!r})",
        helpers=(f"_{_name}",),
    )


def _flip_shape(ctx, x):
    if x.ndim < 2:
        ctx.fail("flip turns the last two axes by 180 degrees; needs rank >= 2")
    return x.shape


deftop(
    "flip",
    1,
    uniform=False,
    shape=_flip_shape,
    numpy=lambda x: x[..., ::-1, ::-1],
    vjp=lambda g, ans, x: (make("flip", g),),
    text=lambda a, p, nodes: (
        (f"flip({a[0][0]})" if nodes[0].ndim == 2 else f"flip({a[0][0]}, (-2, -1))"),
        PREC["atom"],
    ),
    latex=lambda a, p, nodes: (
        f"\\operatorname{{rot180}}\\left({a[0][0]}\\right)",
        PREC["atom"],
    ),
    src=lambda n, p: f"{n[0]}[..., ::-1, ::-1]",
)


# ----- conv2d ------------------------------------------------------------------------------
def _conv_check(args, p):
    p["stride"] = pair(p["stride"], "stride", "conv2d", 1)
    p["padding"] = pair(p["padding"], "padding", "conv2d", 0)
    return p


def _conv_shape(ctx, x, w, stride, padding):
    if x.ndim != 4 or w.ndim != 4:
        ctx.fail("conv2d takes an (N, C, H, W) input and an (O, C, kh, kw) weight")
    ctx.unify(x.shape[1], w.shape[1], "input channels")
    ho, wo = (
        out_size(x.shape[2 + i], w.shape[2 + i], stride[i], padding[i]) for i in (0, 1)
    )
    return (x.shape[0], w.shape[0], ho, wo)


def _conv_params_text(p):
    return _kw(p, {"stride": (1, 1), "padding": (0, 0)})


def _conv_text(name):
    def text(args, p, nodes):
        parts = [a for a, _ in args] + _conv_params_text(p)
        return f"{name}({', '.join(parts)})", PREC["atom"]

    return text


def _conv_latex(macro):
    def latex(args, p, nodes):
        parts = [a for a, _ in args[:2]]
        return f"{macro}\\left({', '.join(parts)}\\right)", PREC["atom"]

    return latex


def _conv_src(name):
    def src(n, p):
        return f"_{name}({', '.join(n)}, {p['stride']!r}, {p['padding']!r})"

    return src


def _same_as(index):
    def shape(ctx, *args, stride, padding):
        return args[index].shape

    return shape


_CONV = {"stride": 1, "padding": 0}
deftop(
    "conv2d",
    2,
    uniform=False,
    params=tuple(_CONV.items()),
    check=_conv_check,
    shape=_conv_shape,
    numpy=KERNELS["_conv2d"],
    vjp=lambda g, ans, x, w, stride, padding: (
        make("conv2d_grad_input", g, w, x, stride=stride, padding=padding),
        make("conv2d_grad_weight", x, g, w, stride=stride, padding=padding),
    ),
    text=_conv_text("conv2d"),
    latex=_conv_latex("\\operatorname{conv2d}"),
    src=_conv_src("conv2d"),
    helpers=("_conv2d",),
)
# conv2d_grad_input(g, w, x): the adjoint of x -> conv2d(x, w), x only for its shape
deftop(
    "conv2d_grad_input",
    3,
    uniform=False,
    params=tuple(_CONV.items()),
    check=_conv_check,
    shape=_same_as(2),
    numpy=KERNELS["_conv2d_grad_input"],
    vjp=lambda gg, ans, g, w, x, stride, padding: (
        make("conv2d", gg, w, stride=stride, padding=padding),
        make("conv2d_grad_weight", gg, g, w, stride=stride, padding=padding),
        None,
    ),
    text=_conv_text("conv2d_grad_input"),
    latex=_conv_latex("\\operatorname{conv2d}^{\\top}_{x}"),
    src=_conv_src("conv2d_grad_input"),
    helpers=("_conv2d_grad_input",),
)
# conv2d_grad_weight(x, g, w): the adjoint of w -> conv2d(x, w), w only for its shape
deftop(
    "conv2d_grad_weight",
    3,
    uniform=False,
    params=tuple(_CONV.items()),
    check=_conv_check,
    shape=_same_as(2),
    numpy=KERNELS["_conv2d_grad_weight"],
    vjp=lambda gw, ans, x, g, w, stride, padding: (
        make("conv2d_grad_input", g, gw, x, stride=stride, padding=padding),
        make("conv2d", x, gw, stride=stride, padding=padding),
        None,
    ),
    text=_conv_text("conv2d_grad_weight"),
    latex=_conv_latex("\\operatorname{conv2d}^{\\top}_{w}"),
    src=_conv_src("conv2d_grad_weight"),
    helpers=("_conv2d_grad_weight",),
)


# ----- pooling ---------------------------------------------------------------------------------
def _pool_check(op):
    def check(args, p):
        p["size"] = pair(p["size"], "size", op, 1)
        p["stride"] = (
            p["size"] if p["stride"] is None else pair(p["stride"], "stride", op, 1)
        )
        return p

    return check


def _pool_shape(ctx, x, size, stride):
    if x.ndim < 2:
        ctx.fail("pooling acts on the last two axes; needs rank >= 2")
    return x.shape[:-2] + tuple(
        out_size(x.shape[-2 + i], size[i], stride[i]) for i in (0, 1)
    )


def _pool_text(name):
    def text(args, p, nodes):
        parts = [a for a, _ in args] + [_pair_text(p["size"])]
        if p["stride"] != p["size"]:
            parts.append(f"stride={_pair_text(p['stride'])}")
        return f"{name}({', '.join(parts)})", PREC["atom"]

    return text


def _pool_src(name):
    def src(n, p):
        return f"_{name}({', '.join(n)}, {p['size']!r}, {p['stride']!r})"

    return src


def _pool_latex(macro):
    def latex(args, p, nodes):
        return f"{macro}\\left({', '.join(a for a, _ in args)}\\right)", PREC["atom"]

    return latex


def _no_second_order(gg, ans, g, x, size, stride):
    raise NotImplementedError(
        "the adjoint of max_pool2d_grad (second order) is not implemented"
    )


for _name, _vjp, _grad_vjp in (
    ("max_pool2d",
     lambda g, ans, x, size, stride: (make("max_pool2d_grad", g, x, size=size, stride=stride),),
     _no_second_order),
    ("avg_pool2d",
     lambda g, ans, x, size, stride: (make("avg_pool2d_grad", g, x, size=size, stride=stride),),
     lambda gg, ans, g, x, size, stride: (
         make("avg_pool2d", gg, size=size, stride=stride), None)),
):  # fmt: skip
    _params = (("size", None), ("stride", None))
    deftop(
        _name,
        1,
        uniform=False,
        params=_params,
        check=_pool_check(_name),
        shape=_pool_shape,
        numpy=KERNELS[f"_{_name}"],
        vjp=_vjp,
        text=_pool_text(_name),
        latex=_pool_latex(f"\\operatorname{{{_name.replace('_', '')}}}"),
        src=_pool_src(_name),
        helpers=(f"_{_name}",),
        note=(
            "max_pool2d with tied maxima in a window: the whole gradient goes to the first"
            if _name == "max_pool2d"
            else ""
        ),
    )
    # <name>_grad(g, x): the adjoint of pooling, x for its shape (and maxima)
    deftop(
        f"{_name}_grad",
        2,
        uniform=False,
        params=_params,
        check=_pool_check(_name),
        shape=lambda ctx, g, x, size, stride: x.shape,
        numpy=KERNELS[f"_{_name}_grad"],
        vjp=_grad_vjp,
        text=_pool_text(f"{_name}_grad"),
        latex=_pool_latex(f"\\operatorname{{{_name.replace('_', '')}}}^{{\\top}}"),
        src=_pool_src(f"{_name}_grad"),
        helpers=(f"_{_name}_grad",),
    )
