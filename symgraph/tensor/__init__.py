"""Matrix calculus: tensor-level symbolic DAGs, gradients in matrix notation.

``X, w, y = sg.tensors("X:n,m w:m y:n")`` declares tensor symbols with
symbolic (or concrete) dimensions; NumPy-style operators and the functions
here build expressions whose shapes are checked as they are built.
:func:`grad` is reverse mode on the tensor DAG (each op's rule written with
the tensor ops), so ``grad(0.5 * sum((X @ w - y)**2), w)`` prints as
``X.T @ (X @ w - y)``; :func:`to_latex` gives ``X^\\top (X w - y)``;
:func:`lambdify` and :func:`codegen` lower to vectorized NumPy. See
``docs/matrix_calculus.md``.
"""

from ..extensions import register as _register
from . import hooks as _hooks
from . import ops_conv as _ops_conv  # noqa: F401  (fills the registry)
from . import ops_elementwise as _ops_elementwise  # noqa: F401
from . import ops_linalg as _ops_linalg  # noqa: F401
from . import ops_reduce as _ops_reduce  # noqa: F401
from .check import check
from .display import display
from .evaluate import evaluate
from .exercises import KINDS, exercise
from .functions import (
    FUNCTIONS,
    avg_pool2d,
    conv2d,
    convolve2d,
    correlate2d,
    det,
    diag,
    elementwise,
    eye,
    inv,
    log_softmax,
    logdet,
    logsumexp,
    matmul,
    max_pool2d,
    norm,
    outer,
    reshape,
    softmax,
    sum,
    trace,
    transpose,
)
from .grad import grad
from .jacobian import hessian, jacobian
from .latex import to_latex
from .lower import CodegenError, codegen, lambdify
from .node import TensorNode, tensors
from .parse import parse
from .printing import numpy_namespace, to_numpy
from .registry import TOPS
from .teach import backprop_table
from .verify import verify

globals().update(FUNCTIONS)

__all__ = [
    "KINDS",
    "TOPS",
    "CodegenError",
    "codegen",
    "lambdify",
    "TensorNode",
    "avg_pool2d",
    "backprop_table",
    "check",
    "conv2d",
    "convolve2d",
    "correlate2d",
    "det",
    "diag",
    "display",
    "elementwise",
    "exercise",
    "evaluate",
    "eye",
    "grad",
    "hessian",
    "jacobian",
    "inv",
    "log_softmax",
    "logdet",
    "logsumexp",
    "matmul",
    "max_pool2d",
    "norm",
    "numpy_namespace",
    "outer",
    "parse",
    "reshape",
    "softmax",
    "sum",
    "tensors",
    "to_latex",
    "to_numpy",
    "trace",
    "transpose",
    "verify",
] + sorted(FUNCTIONS)

# The scalar API hands tensor expressions over through symgraph.extensions.
_register("tensor", _hooks)
