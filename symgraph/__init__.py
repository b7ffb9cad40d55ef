"""symgraph: expressions as symbolic DAGs, differentiated in reverse mode.

Build expressions from :func:`symbols` with operators and the functions below
(or :func:`parse` a string safely); :func:`grad`, :func:`jacobian` and
:func:`hessian` return DAGs that share the forward nodes; :func:`evaluate`
and :func:`lambdify` compute them with NumPy.
"""

from typing import Any

from . import extensions as _extensions
from . import ops as _ops  # noqa: F401  (the op declarations fill the table)
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
from .forward import jvp
from .functions import public_functions
from .grad import grad, hessian, jacobian
from .interop import from_sympy, to_sympy
from .lower import lambdify
from .node import Node
from .node import symbol as _symbol
from .parse import ParseHint
from .parse import parse as _parse
from .teach import backprop_table, to_dot
from .tidy import simplify
from .verify import verify

__version__ = "0.2.0"

# Matrix calculus (symgraph.tensor) loads on first use of one of its names: it
# needs SymPy for symbolic dimensions, and `import symgraph` stays light.
_TENSOR_NAMES = (
    "TensorNode",
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
    "tensors",
    "trace",
    "transpose",
)

# sg.sin, sg.maximum, sg.leaky_relu, ...: one function per public op,
# generated from its declaration (symgraph/functions.py).
_FUNCTIONS = public_functions()
globals().update(_FUNCTIONS)
_scalar_logsumexp = _FUNCTIONS["logsumexp"]


def logsumexp(*args: Any, **kwargs: Any) -> Any:
    """``log(sum(exp(...)))``, computed stably: of scalars, ``logsumexp(x1, x2,
    ...)`` (n-ary; its gradient is the softmax); of a tensor, ``logsumexp(X,
    axis=None)`` (see ``symgraph.tensor``)."""
    if _extensions.tensor.involved(*args):
        return __getattr__("tensor").logsumexp(*args, **kwargs)
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
    "jvp",
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


def parse(
    text: str, symbols: Any = None, shapes: Any = None, *, hints: bool = True
) -> Any:
    """Parse an expression string into a node, safely (see :func:`symgraph.parse.parse`).

    With ``shapes`` (``"X:n,m w:m y:n"`` or a dict of shapes), the text is a
    tensor expression in NumPy syntax (``@``, ``.T``, ``sum``, ``trace``, ...)
    read by the matrix-calculus parser, and the result is a tensor node (see
    docs/matrix_calculus.md).

    Examples
    --------
    >>> import symgraph as sg
    >>> sg.parse("sin(x**2) + max(x, y)")
    sin(x**2) + maximum(x, y)
    >>> sg.parse("0.5*sum((X @ w - y)**2)", shapes="X:n,m w:m y:n")
    0.5 * sum((X @ w - y)**2)
    """
    if shapes is not None:
        return __getattr__("tensor").parse(text, shapes)
    return _parse(text, symbols, hints=hints)


def __getattr__(name: str) -> Any:
    """The matrix-calculus names, loaded on first use (``sg.tensors``, ...);
    any other missing name is an AttributeError. (The annotation also tells
    type checkers that the generated op functions, ``sg.sin`` ..., exist.)"""
    if name == "tensor" or name in _TENSOR_NAMES:
        import importlib

        module = importlib.import_module(".tensor", __name__)
        for n in _TENSOR_NAMES:
            globals()[n] = getattr(module, n)
        globals()["tensor"] = module
        return globals()[name]
    raise AttributeError(f"module 'symgraph' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_TENSOR_NAMES) | {"tensor"})


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
    elif not isinstance(roots, (list, tuple)):  # one node (scalar or tensor)
        roots = [roots]
    return len(toposort(list(roots)))
