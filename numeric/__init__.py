"""numeric: automatic differentiation, reverse and forward mode, on NumPy arrays.

``import numeric as nm``. Tensors record the primitives applied to them;
``Tensor.backward``, ``nm.grad`` and ``nm.value_and_grad`` sweep back through
the record, and ``nm.jvp`` pushes tangents forward through the same registry.
``nm.linalg`` holds the ``np.linalg`` counterparts. See ``docs/numeric.md``.
"""

from numeric import linalg
from numeric import prims as _prims  # noqa: F401  (fills the registry)
from numeric.errors import GradcheckError, ShapeError
from numeric.forward import hessian, hvp, jacobian, jvp, vjp
from numeric.gradcheck import gradcheck
from numeric.prims.arithmetic import (
    add,
    divide,
    maximum,
    minimum,
    multiply,
    power,
    subtract,
)
from numeric.prims.contract import dot, einsum, inner, outer, tensordot
from numeric.prims.conv import convolve2d, correlate2d
from numeric.prims.conv2d import conv2d
from numeric.prims.conv_nd import convolve, correlate
from numeric.prims.conv_transpose import conv_transpose2d
from numeric.prims.elementwise import (
    abs,
    acos,
    asin,
    atan,
    cos,
    cosh,
    elu,
    exp,
    expm1,
    leaky_relu,
    log,
    log1p,
    negative,
    relu,
    sigmoid,
    sign,
    sin,
    sinh,
    softplus,
    sqrt,
    tan,
    tanh,
    where,
)
from numeric.prims.join import concatenate, split, stack
from numeric.prims.layers import batch_norm, dropout, layer_norm
from numeric.prims.linalg import matmul
from numeric.prims.loss import (
    cross_entropy,
    log_softmax,
    logsumexp,
    mse,
    softmax,
    svm_loss,
)
from numeric.prims.norms import trace
from numeric.prims.pool import max_pool2d, max_unpool2d
from numeric.prims.pool_avg import adaptive_avg_pool2d, avg_pool2d
from numeric.prims.reduce import mean, sum
from numeric.prims.scan import cumprod, cumsum
from numeric.prims.shape import ravel, reshape, transpose
from numeric.prims.special import (
    arccosh,
    arcsinh,
    arctan2,
    arctanh,
    clip,
    exp2,
    log2,
    log10,
    mod,
)
from numeric.prims.statistics import max, min, prod, std, var
from numeric.tape import Tensor, detect_anomaly, no_grad, tensor
from numeric.transforms import grad, value_and_grad

# NumPy's spellings of the inverse trigonometric and hyperbolic functions,
# beside the short ones (the same functions)
arcsin, arccos, arctan = asin, acos, atan
asinh, acosh, atanh = arcsinh, arccosh, arctanh
flatten = ravel

__version__ = "0.2.0"

__all__ = [
    "GradcheckError",
    "ShapeError",
    "Tensor",
    "__version__",
    "abs",
    "acos",
    "acosh",
    "adaptive_avg_pool2d",
    "add",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_pool2d",
    "batch_norm",
    "clip",
    "concatenate",
    "conv2d",
    "conv_transpose2d",
    "convolve",
    "convolve2d",
    "correlate",
    "correlate2d",
    "cos",
    "cosh",
    "cross_entropy",
    "cumprod",
    "cumsum",
    "detect_anomaly",
    "divide",
    "dot",
    "dropout",
    "einsum",
    "elu",
    "exp",
    "exp2",
    "expm1",
    "flatten",
    "grad",
    "gradcheck",
    "hessian",
    "hvp",
    "inner",
    "jacobian",
    "jvp",
    "layer_norm",
    "leaky_relu",
    "linalg",
    "log",
    "log1p",
    "log2",
    "log10",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "max_pool2d",
    "max_unpool2d",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mod",
    "mse",
    "multiply",
    "negative",
    "no_grad",
    "outer",
    "power",
    "prod",
    "ravel",
    "relu",
    "reshape",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "stack",
    "std",
    "subtract",
    "sum",
    "svm_loss",
    "tan",
    "tanh",
    "tensor",
    "tensordot",
    "trace",
    "transpose",
    "value_and_grad",
    "var",
    "vjp",
    "where",
]
