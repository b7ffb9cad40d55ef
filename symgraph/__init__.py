"""symgraph: expressions as symbolic DAGs, differentiated in reverse mode.

Build expressions from :func:`symbols` with operators and the functions below
(or :func:`parse` a string safely); :func:`grad`, :func:`jacobian` and
:func:`hessian` return DAGs that share the forward nodes; :func:`evaluate`
and :func:`lambdify` compute them with NumPy.
"""

from collections.abc import Callable
from typing import Any

from . import ops as _ops  # noqa: F401  (the op declarations fill the table)

# ----- matrix calculus: tensor-level DAGs (symgraph.tensor) -------------------------
from . import tensor
from .arrays import avg_pool2d, convolve2d, correlate2d, max_pool2d, symbols_array
from .check import check
from .codegen import CodegenError, codegen
from .errors import (
    DomainError,
    DuplicateSymbolError,
    LimitError,
    NotASymbolError,
    ParseError,
    ShapeError,
    SymbolNameError,
    SympyConversionError,
    TimeBudgetError,
    ToolkitError,
    UnboundSymbolError,
    UndefinedGradientError,
)
from .evaluate import evaluate
from .exercises import exercise
from .functions import public_functions
from .grad import grad, hessian, jacobian
from .interop import from_sympy, to_sympy
from .lower import lambdify
from .node import Node
from .node import symbol as _symbol
from .parse import ParseHint, parse
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
from .tensor import logsumexp as _tensor_logsumexp
from .tidy import simplify
from .verify import verify

__version__ = "0.2.0"

# sg.sin, sg.maximum, sg.leaky_relu, ...: one function per public op,
# generated from its declaration (symgraph/functions.py).
_FUNCTIONS = public_functions()
globals().update(_FUNCTIONS)
_scalar_logsumexp = _FUNCTIONS["logsumexp"]


def logsumexp(*args: Any, **kwargs: Any) -> Any:
    """``log(sum(exp(...)))``, computed stably: of scalars, ``logsumexp(x1, x2,
    ...)`` (n-ary; its gradient is the softmax); of a tensor, ``logsumexp(X,
    axis=None)`` (see ``symgraph.tensor``)."""
    if any(isinstance(a, TensorNode) for a in args):
        return _tensor_logsumexp(*args, **kwargs)
    return _scalar_logsumexp(*args, **kwargs)


__all__ = [
    "CodegenError",
    "DomainError",
    "DuplicateSymbolError",
    "LimitError",
    "Node",
    "TensorNode",
    "NotASymbolError",
    "ParseError",
    "ParseHint",
    "ShapeError",
    "SymbolNameError",
    "SympyConversionError",
    "TimeBudgetError",
    "ToolkitError",
    "UnboundSymbolError",
    "UndefinedGradientError",
    "__version__",
    "avg_pool2d",
    "conv2d",
    "det",
    "diag",
    "eye",
    "inv",
    "log_softmax",
    "logdet",
    "matmul",
    "norm",
    "outer",
    "reshape",
    "softmax",
    "sum",
    "tensor",
    "tensors",
    "trace",
    "transpose",
    "backprop_table",
    "check",
    "codegen",
    "convolve2d",
    "correlate2d",
    "count_nodes",
    "evaluate",
    "exercise",
    "from_sympy",
    "grad",
    "hessian",
    "jacobian",
    "lambdify",
    "max_pool2d",
    "parse",
    "simplify",
    "symbols",
    "symbols_array",
    "to_dot",
    "to_sympy",
    "verify",
    *_FUNCTIONS,
]


def __getattr__(name: str) -> Callable[..., Any]:
    """Only reached for a name that does not exist. Its annotation tells type
    checkers that the generated op functions (``sg.sin``, ...) are callables."""
    raise AttributeError(f"module 'symgraph' has no attribute {name!r}")


def symbols(names: str):
    """Symbols from a string of names separated by spaces or commas.

    Returns a tuple (a single symbol when one name is given, as
    ``sympy.symbols`` does). One name, one node: ``symbols("x")`` twice gives
    the same object. Names are identifiers of Latin and Greek letters, read as
    Python reads them (``"µ"`` is ``"μ"``); see ``symgraph/identifiers.py``.

    Examples
    --------
    >>> import symgraph as sg
    >>> x, y = sg.symbols("x y")
    >>> x is sg.symbols("x")
    True
    >>> theta, alpha = sg.symbols("θ α")  # Latin and Greek letters
    >>> sg.sin(theta) * alpha
    sin(θ) * α
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
    elif isinstance(roots, (Node, TensorNode)):
        roots = [roots]
    return len(toposort(list(roots)))
