"""numeric: a reverse-mode automatic differentiation engine on NumPy arrays.

``import numeric as nm``. Tensors record the primitives applied to them;
``Tensor.backward``, ``nm.grad`` and ``nm.value_and_grad`` sweep back through
the record. See ``docs/numeric.md``.
"""

from numeric import prims as _prims  # noqa: F401  (fills the registry)
from numeric.errors import GradcheckError, ShapeError
from numeric.gradcheck import gradcheck
from numeric.prims.conv import convolve2d, correlate2d
from numeric.prims.conv2d import conv2d
from numeric.prims.conv_nd import convolve, correlate
from numeric.prims.conv_transpose import conv_transpose2d
from numeric.prims.elementwise import (
    abs,
    acos,
    add,
    asin,
    atan,
    cos,
    cosh,
    divide,
    elu,
    exp,
    expm1,
    leaky_relu,
    log,
    log1p,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    relu,
    sigmoid,
    sign,
    sin,
    sinh,
    softplus,
    sqrt,
    subtract,
    tan,
    tanh,
    where,
)
from numeric.prims.linalg import matmul
from numeric.prims.loss import (
    cross_entropy,
    log_softmax,
    logsumexp,
    mse,
    softmax,
    svm_loss,
)
from numeric.prims.pool import max_pool2d, max_unpool2d
from numeric.prims.pool_avg import adaptive_avg_pool2d, avg_pool2d
from numeric.prims.reduce import max, mean, stack, sum
from numeric.prims.shape import reshape, transpose
from numeric.tape import Tensor, detect_anomaly, no_grad, tensor
from numeric.transforms import grad, value_and_grad

__version__ = "0.2.0"

__all__ = [
    "GradcheckError",
    "ShapeError",
    "Tensor",
    "__version__",
    "abs",
    "acos",
    "adaptive_avg_pool2d",
    "add",
    "asin",
    "atan",
    "avg_pool2d",
    "conv2d",
    "conv_transpose2d",
    "convolve",
    "convolve2d",
    "correlate",
    "correlate2d",
    "cos",
    "cosh",
    "cross_entropy",
    "detect_anomaly",
    "divide",
    "elu",
    "exp",
    "expm1",
    "grad",
    "gradcheck",
    "leaky_relu",
    "log",
    "log1p",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "max_pool2d",
    "max_unpool2d",
    "maximum",
    "mean",
    "minimum",
    "mse",
    "multiply",
    "negative",
    "no_grad",
    "power",
    "relu",
    "reshape",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "sqrt",
    "stack",
    "subtract",
    "sum",
    "svm_loss",
    "tan",
    "tanh",
    "tensor",
    "transpose",
    "value_and_grad",
    "where",
]
