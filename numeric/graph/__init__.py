"""TF1-style deferred graphs on the numeric engine (``import numeric.graph as G``).

Build a graph of placeholders, variables and ops, then evaluate the part the
fetches need in a :class:`Session`; gradients and optimizer steps use the
``numeric`` engine's primitives and VJPs. See ``docs/tf1_graphs.md``.
"""

from numeric.errors import CheckpointError, FeedError, NonFiniteError, ShapeError
from numeric.graph import nn, train
from numeric.graph.constants import constant, convert_to_tensor, placeholder
from numeric.graph.dtypes import bool_ as bool
from numeric.graph.dtypes import float32, float64, int32, int64
from numeric.graph.errors import ClosedSessionError, FailedPreconditionError, GraphError
from numeric.graph.gradients import gradients
from numeric.graph.graph import (
    Graph,
    Operation,
    Tensor,
    get_default_graph,
    name_scope,
    reset_default_graph,
)
from numeric.graph.nn_ops import (
    avg_pool2d,
    conv2d,
    convolve2d,
    correlate2d,
    cross_entropy,
    max_pool2d,
    mse,
    svm_loss,
)
from numeric.graph.ops import (
    absolute as abs,
)
from numeric.graph.ops import (
    add,
    cos,
    divide,
    elu,
    exp,
    identity,
    leaky_relu,
    log,
    log_softmax,
    logsumexp,
    matmul,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    reduce_max,
    reduce_mean,
    reduce_sum,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    softplus,
    sqrt,
    subtract,
    tan,
    tanh,
    transpose,
    where,
)
from numeric.graph.ops import (
    reduce_max as max,
)
from numeric.graph.ops import (
    reduce_mean as mean,
)
from numeric.graph.ops import (
    reduce_sum as sum,
)
from numeric.graph.session import RunMetadata, Session, get_default_session
from numeric.graph.shapes import TensorShape
from numeric.graph.tf1_ops import argmax, argmin, cast, equal, square
from numeric.graph.variables import (
    Variable,
    global_variables,
    global_variables_initializer,
    group,
    no_op,
    trainable_variables,
    variables_initializer,
)

__all__ = [
    "CheckpointError",
    "ClosedSessionError",
    "FailedPreconditionError",
    "FeedError",
    "Graph",
    "GraphError",
    "NonFiniteError",
    "Operation",
    "RunMetadata",
    "Session",
    "ShapeError",
    "Tensor",
    "TensorShape",
    "Variable",
    "abs",
    "add",
    "argmax",
    "argmin",
    "avg_pool2d",
    "bool",
    "cast",
    "constant",
    "conv2d",
    "convert_to_tensor",
    "convolve2d",
    "correlate2d",
    "cos",
    "cross_entropy",
    "divide",
    "elu",
    "equal",
    "exp",
    "float32",
    "float64",
    "get_default_graph",
    "get_default_session",
    "global_variables",
    "global_variables_initializer",
    "gradients",
    "group",
    "identity",
    "int32",
    "int64",
    "leaky_relu",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "max_pool2d",
    "maximum",
    "mean",
    "minimum",
    "mse",
    "multiply",
    "name_scope",
    "negative",
    "nn",
    "no_op",
    "placeholder",
    "power",
    "reduce_max",
    "reduce_mean",
    "reduce_sum",
    "relu",
    "reset_default_graph",
    "reshape",
    "sigmoid",
    "sin",
    "softmax",
    "softplus",
    "sqrt",
    "square",
    "subtract",
    "sum",
    "svm_loss",
    "tan",
    "tanh",
    "train",
    "trainable_variables",
    "transpose",
    "variables_initializer",
    "where",
]
