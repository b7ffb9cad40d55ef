"""Names that printed tensor text uses, so no tensor may be called one of them.

Printed expressions (``printing.py``) call functions of
:func:`~symgraph.tensor.namespace.numpy_namespace` and use a few keywords
(``axis=``, ``mode=``); a tensor named ``sum`` or ``axis`` would make that
text mean something else. :func:`~symgraph.tensor.node.symbol` refuses these
names. One table, at the bottom of the package, so the node module can read
it without importing the printers.
"""

from __future__ import annotations

__all__ = ["RESERVED"]

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
