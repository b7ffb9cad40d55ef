"""Tensor expressions as text in NumPy syntax (``X.T @ (X @ w - y)``).

The text is valid Python: with NumPy arrays bound to the tensor names, the
dimension names bound to their sizes and the functions of
:func:`numpy_namespace` (NumPy's own ``sum``, ``exp``, ``trace``,
``inv``, ... and a few small helpers such as ``logdet`` and ``softmax``), it
evaluates to the expression's value; ``sg.parse(text, shapes=...)`` reads it
back. Printing applies the display simplification of ``display.py`` first.
Shared subexpressions are written out where used; past a size limit the text
is a one-line summary instead.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..traverse import toposort
from .registry import PREC, TOPS

__all__ = ["RESERVED", "const_text", "numpy_namespace", "to_numpy"]

_MAX_TEXT = 20_000


def const_text(value) -> tuple:
    """``(text, prec)`` of a constant."""
    if isinstance(value, Fraction):
        text = f"{value.numerator}/{value.denominator}"
        return text, PREC["prod"] if value > 0 else PREC["sum"]
    if isinstance(value, float):
        if math.isnan(value):
            return "nan", PREC["atom"]
        if math.isinf(value):
            return ("inf", PREC["atom"]) if value > 0 else ("-inf", PREC["neg"])
    text = repr(value)
    return text, PREC["neg"] if value < 0 else PREC["atom"]


def symbol_text(node) -> str:
    return node.value


def render(root, leaf, apply_op, limit=_MAX_TEXT):
    """Bottom-up rendering shared by the text and LaTeX printers (iterative)."""
    order = toposort([root])
    memo = {}
    for node in order:
        if not node.args and node.op in ("symbol", "const"):
            memo[node] = leaf(node)
        else:
            memo[node] = apply_op(node, [memo[a] for a in node.args])
        if len(memo[node][0]) > limit:
            return (
                f"<tensor expression DAG of {len(order)} nodes, too long to print as text>",
                PREC["atom"],
            )
    return memo[root]


def _leaf(node):
    if node.op == "symbol":
        return symbol_text(node), PREC["atom"]
    return const_text(node.value)


def _apply(node, args):
    return TOPS[node.op].text(args, node.kwargs, node.args)


def to_numpy(node, simplify: bool = True) -> str:
    """The expression in NumPy syntax.

    Parameters
    ----------
    node : TensorNode
    simplify : apply the display simplification first (transposes pushed
        down, scalar factors pulled out, like terms collected).

    Examples
    --------
    >>> import symgraph as sg
    >>> X, w, y = sg.tensors("X:n,m w:m y:n")
    >>> print(sg.tensor.to_numpy((X @ w - y).T @ X))
    X.T @ (X @ w - y)
    >>> print(sg.tensor.to_numpy((X @ w - y).T @ X, simplify=False))
    (X @ w - y) @ X
    """
    if simplify:
        from .display import display

        node = display(node)
    return render(node, _leaf, _apply)[0]


# ----- the namespace printed text evaluates in ------------------------------------
def _helpers():
    from .kernels import KERNELS

    def softmax(x, axis=-1):
        return KERNELS["_softmax"](np.asarray(x, dtype=float), axis)

    def log_softmax(x, axis=-1):
        return KERNELS["_log_softmax"](np.asarray(x, dtype=float), axis)

    def logsumexp(x, axis=None, keepdims=False):
        return KERNELS["_logsumexp"](np.asarray(x, dtype=float), axis, keepdims)

    return softmax, log_softmax, logsumexp


def numpy_namespace() -> dict:
    """Names that printed tensor text uses, bound to NumPy functions.

    ``eval(text, {"__builtins__": {}}, {**numpy_namespace(), **arrays,
    **dims})`` computes a printed expression (for our own printed text; user
    input goes through ``sg.parse``).
    """
    from ..ops import OPS
    from .ops_elementwise import ELEMENTWISE, numpy_name

    softmax, log_softmax, logsumexp = _helpers()
    ns = {numpy_name(op): OPS[op].numpy for op in ELEMENTWISE}
    ns["where"] = np.where  # printed as where(c > 0, a, b)
    ns.update(
        sum=np.sum,
        trace=np.trace,
        det=np.linalg.det,
        logdet=lambda x: np.linalg.slogdet(x)[1],
        inv=np.linalg.inv,
        diag=np.diag,
        norm=np.linalg.norm,
        outer=np.outer,
        reshape=np.reshape,
        transpose=np.transpose,
        expand_dims=np.expand_dims,
        ones_like=np.ones_like,
        zeros_like=np.zeros_like,
        eye=np.eye,
        zeros=np.zeros,
        ones=np.ones,
        full=np.full,
        softmax=softmax,
        log_softmax=log_softmax,
        logsumexp=logsumexp,
        inf=math.inf,
        nan=math.nan,
        pi=math.pi,
    )
    ns.update(_conv_namespace())
    return ns


def _conv_namespace() -> dict:
    """Convolution and pooling with NumPy's and PyTorch's keyword spellings."""
    from .kernels import KERNELS
    from .ops_conv import pair

    def _ns_pool(kernel):
        def f(x, size, stride=None):
            size = (size, size) if isinstance(size, int) else tuple(size)
            stride = size if stride is None else stride
            stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
            return kernel(x, size, stride)

        return f

    def _ns_conv(kernel):
        def f(*args, stride=1, padding=0):
            return kernel(
                *args,
                pair(stride, "stride", "conv2d", 1),
                pair(padding, "padding", "conv2d", 0),
            )

        return f

    # The names printed text uses, for numpy_namespace()
    namespace = {
        "correlate2d": lambda x, w, mode="valid": KERNELS["_correlate2d"](x, w, mode),
        "convolve2d": lambda x, w, mode="valid": KERNELS["_convolve2d"](x, w, mode),
        "flip": lambda x, axes=None: (
            x[..., ::-1, ::-1] if axes is not None else x[::-1, ::-1]
        ),
        "conv2d": _ns_conv(KERNELS["_conv2d"]),
        "conv2d_grad_input": _ns_conv(KERNELS["_conv2d_grad_input"]),
        "conv2d_grad_weight": _ns_conv(KERNELS["_conv2d_grad_weight"]),
        "max_pool2d": _ns_pool(KERNELS["_max_pool2d"]),
        "avg_pool2d": _ns_pool(KERNELS["_avg_pool2d"]),
    }
    namespace["max_pool2d_grad"] = lambda g, x, size, stride=None: _ns_pool(
        lambda x_, s, st: KERNELS["_max_pool2d_grad"](g, x_, s, st)
    )(x, size, stride)
    namespace["avg_pool2d_grad"] = lambda g, x, size, stride=None: _ns_pool(
        lambda x_, s, st: KERNELS["_avg_pool2d_grad"](g, x_, s, st)
    )(x, size, stride)
    return namespace


RESERVED = frozenset(
    {"np", "inf", "nan", "pi", "None", "True", "False", "T", "axis", "keepdims", "ord"}
    | {
        "sum", "trace", "det", "logdet", "inv", "diag", "norm", "outer", "reshape",
        "transpose", "expand_dims", "ones_like", "zeros_like", "eye", "softmax",
        "zeros", "ones", "full",
        "log_softmax", "logsumexp", "where", "correlate2d", "convolve2d", "conv2d",
        "conv2d_grad_input", "conv2d_grad_weight", "max_pool2d", "max_pool2d_grad",
        "avg_pool2d", "avg_pool2d_grad", "flip", "mode", "stride", "padding", "size",
        "exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "sqrt", "abs",
        "sign", "arctan", "arcsin", "arccos", "log1p", "expm1", "sigmoid", "relu",
        "softplus", "leaky_relu", "elu", "heaviside", "maximum", "minimum",
    }
)  # fmt: skip
