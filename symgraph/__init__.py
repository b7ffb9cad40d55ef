"""symgraph: expressions as symbolic DAGs, differentiated in reverse mode.

Build expressions from :func:`symbols` with operators and the functions below
(or :func:`parse` a string safely); :func:`grad`, :func:`jacobian` and
:func:`hessian` return DAGs that share the forward nodes; :func:`evaluate`
and :func:`lambdify` compute them with NumPy.
"""

# ----- tensor hook: matrix calculus (symgraph.tensor) ---------------------------
from . import tensor
from .arrays import avg_pool2d, convolve2d, correlate2d, max_pool2d, symbols_array
from .arrays import elementwise as _elementwise
from .check import check, verify
from .codegen import codegen
from .errors import (
    LimitError,
    NotASymbolError,
    ParseError,
    ShapeError,
    SympyConversionError,
    ToolkitError,
    UnboundSymbolError,
)
from .evaluate import evaluate
from .exercises import exercise
from .grad import grad, hessian, jacobian
from .lower import lambdify
from .node import Node
from .node import symbol as _symbol
from .parse import parse
from .sympy_bridge import from_sympy, to_sympy
from .teach import backprop_table, to_dot
from .tensor import (
    TensorNode,
    conv2d,
    det,
    diag,
    eye,
    inv,
    log_softmax,
    logdet,
    logsumexp,
    matmul,
    norm,
    outer,
    reshape,
    softmax,
    sum,
    tensors,
    trace,
    transpose,
)

__all__ = [
    "LimitError",
    "Node",
    "NotASymbolError",
    "ParseError",
    "ShapeError",
    "SympyConversionError",
    # tensor hook: matrix calculus
    "TensorNode",
    "ToolkitError",
    "UnboundSymbolError",
    "abs",
    "acos",
    "asin",
    "atan",
    "avg_pool2d",
    "backprop_table",
    "check",
    "codegen",
    "conv2d",
    "convolve2d",
    "correlate2d",
    "cos",
    "cosh",
    "count_nodes",
    "det",
    "diag",
    "elu",
    "evaluate",
    "exercise",
    "exp",
    "expm1",
    "eye",
    "from_sympy",
    "grad",
    "heaviside",
    "hessian",
    "inv",
    "jacobian",
    "lambdify",
    "leaky_relu",
    "log",
    "log1p",
    "log_softmax",
    "logdet",
    "logsumexp",
    "matmul",
    "max_pool2d",
    "maximum",
    "minimum",
    "norm",
    "outer",
    "parse",
    "relu",
    "reshape",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "sqrt",
    "sum",
    "symbols",
    "symbols_array",
    "tan",
    "tanh",
    "tensor",
    "tensors",
    "to_dot",
    "to_sympy",
    "trace",
    "transpose",
    "verify",
    "where",
]  # fmt: skip


def symbols(names: str):
    """Symbols from a string of names separated by spaces or commas.

    Returns a tuple (a single symbol when one name is given, as
    ``sympy.symbols`` does). One name, one node: ``symbols("x")`` twice gives
    the same object.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> x is sg.symbols("x")
    True
    """
    parts = [p for p in names.replace(",", " ").split() if p]
    if not parts:
        raise ValueError("no symbol names given")
    out = tuple(_symbol(p) for p in parts)
    return out[0] if len(out) == 1 else out


def count_nodes(roots) -> int:
    """Number of distinct nodes reachable from a node, list or object array."""
    import numpy as np

    from .traverse import toposort

    if isinstance(roots, np.ndarray):
        roots = list(roots.ravel())
    elif isinstance(roots, (Node, TensorNode)):  # tensor hook: tensor nodes too
        roots = [roots]
    return len(toposort(list(roots)))


def _unary(op):
    def f(x):
        return _elementwise(op, x)

    f.__name__ = op
    f.__qualname__ = op
    f.__doc__ = f"Elementwise ``{op}`` of a node, a number or an object array of nodes."
    return f


sin, cos, tan, exp, log, sqrt, tanh = map(
    _unary, ["sin", "cos", "tan", "exp", "log", "sqrt", "tanh"]
)
sigmoid, relu, softplus, atan, asin, acos = map(
    _unary, ["sigmoid", "relu", "softplus", "atan", "asin", "acos"]
)
sinh, cosh, log1p, expm1, sign = map(_unary, ["sinh", "cosh", "log1p", "expm1", "sign"])
abs = _unary("abs")


def maximum(x, y):
    """Elementwise maximum; at a tie the gradient is split 1/2 to each."""
    return _elementwise("maximum", x, y)


def minimum(x, y):
    """Elementwise minimum; at a tie the gradient is split 1/2 to each."""
    return _elementwise("minimum", x, y)


def leaky_relu(x, negative_slope=0.01):
    """``x if x > 0 else negative_slope * x``; the derivative at 0 is the slope."""
    return _elementwise("leaky_relu", x, negative_slope)


def elu(x, alpha=1.0):
    """``x if x > 0 else alpha * (exp(x) - 1)``; the derivative at 0 is ``alpha``."""
    return _elementwise("elu", x, alpha)


def heaviside(x, h0=0.5):
    """The unit step with value ``h0`` at 0 (``numpy.heaviside``)."""
    return _elementwise("heaviside", x, h0)


def where(cond, a, b):
    """``a`` where ``cond > 0`` else ``b``; gradients flow only into the branch taken."""
    return _elementwise("where", cond, a, b)
