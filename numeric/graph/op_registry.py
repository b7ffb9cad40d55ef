"""The op registry of the graph layer: one declaration per op type.

Each :class:`OpDef` names the ``numeric`` function that evaluates the op, its
static shape rule (from :mod:`numeric.graph.shape_rules`) and its dtype rule.
Graph construction calls the shape rule (so a mismatch of known shapes is a
:class:`~numeric.errors.ShapeError` naming the op and both shapes before
anything runs); :mod:`numeric.graph.session` calls ``numeric`` to compute values
and gradients. No derivative is written here: gradients come from the numeric
engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from numeric.graph.array_rules import (
    clip_shape,
    concat_shape,
    declared_shape,
    expand_dims_key,
    expand_dims_shape,
    squeeze_shape,
    squeezed,
    stack_shape,
)
from numeric.graph.dtypes import bool_, float64, int64
from numeric.graph.intmath import INT_KERNELS
from numeric.graph.shape_rules import (
    axis_shape,
    broadcast_shape,
    classification_shape,
    corr2d_shape,
    getitem_shape,
    matmul_shape,
    mse_shape,
    per_example_shape,
    reduce_shape,
    reshape_shape,
    same_shape,
    transpose_shape,
)
from numeric.graph.window_rules import conv2d_shape, pool_shape

# ----- registry ---------------------------------------------------------------


@dataclass(frozen=True)
class OpDef:
    """How to build and evaluate one op type.

    ``fn`` is the name of the ``numeric`` function computing the op from its
    inputs (``compute(nm, args, attrs)`` replaces it for the few ops numeric
    has no function for); ``kwargs`` are the attributes passed to it by
    keyword. ``shape`` maps ``(op_name, input_shapes, attrs)`` to the output
    shape and raises ``ShapeError``; ``dtype`` maps the input dtypes to the
    output dtype. ``int_kernel(op_name, arrays, attrs)`` evaluates the op
    exactly when its output is an integer (:mod:`numeric.graph.intmath`): every
    op whose dtype rule can give int64 has one.
    """

    type: str
    fn: str | None
    shape: Callable
    dtype: Callable
    kwargs: tuple = ()
    compute: Callable | None = field(default=None, compare=False)
    int_kernel: Callable | None = field(default=None, compare=False)


OPS: dict[str, OpDef] = {}


def defop(op_type, fn, shape, dtype=None, kwargs=(), compute=None):
    dtype = dtype or _float_dtype
    int_kernel = INT_KERNELS.get(op_type)
    if dtype is not _float_dtype and int_kernel is None:
        raise AssertionError(f"{op_type} can give int64 but has no int kernel")
    OPS[op_type] = OpDef(op_type, fn, shape, dtype, tuple(kwargs), compute, int_kernel)


# Host ops: evaluated by a NumPy kernel ``kernel(arrays, attrs) -> array`` in the
# session. A gradient through one is refused, naming it (learning-rate
# schedules, numeric.graph.schedules, register theirs so), unless its type is
# in NOT_DIFFERENTIABLE: the ops TF1 declares ``NotDifferentiable``
# (comparisons, argmax, one_hot, random draws, ...). Inside a gradient region
# their outputs are constants, so no gradient flows back through them, as TF1
# propagates zeros there.
HOST_KERNELS: dict[str, Callable] = {}
NOT_DIFFERENTIABLE: set[str] = set()

# Random ops: ``kernel(arrays, attrs, rng) -> array`` draws with the op's own
# generator, one per op and session (numeric.graph.execute.RandomStreams).
RANDOM_KERNELS: dict[str, Callable] = {}


def defhost(op_type: str, kernel: Callable, not_differentiable: bool = False) -> None:
    """Declare a host op type and its kernel; ``not_differentiable`` makes its
    output a constant inside gradient regions (TF1's ``NotDifferentiable``)."""
    if op_type in OPS:
        raise AssertionError(f"{op_type} is already a registry op")
    HOST_KERNELS[op_type] = kernel
    if not_differentiable:
        NOT_DIFFERENTIABLE.add(op_type)


def defrandom(op_type: str, kernel: Callable) -> None:
    """Declare a random op type (never differentiable, as in TF1)."""
    if op_type in OPS or op_type in HOST_KERNELS:
        raise AssertionError(f"{op_type} is already declared")
    RANDOM_KERNELS[op_type] = kernel
    NOT_DIFFERENTIABLE.add(op_type)


# ----- dtype rules --------------------------------------------------------------


def _float_dtype(dtypes, attrs):
    return float64


def _closed_dtype(dtypes, attrs):
    """Integer inputs give an integer result for ops closed over the integers."""
    if dtypes and all(d in (int64, bool_) for d in dtypes):
        return int64
    return float64


def _where_dtype(dtypes, attrs):
    return _closed_dtype(dtypes[1:], attrs)


# ----- computes for ops numeric has no function for ---------------------------


def _getitem_compute(nm, args, attrs):
    x = args[0]
    if not hasattr(x, "data"):
        x = nm.tensor(x)
    return x[attrs["key"]]


def _identity_compute(nm, args, attrs):
    return args[0]


def _stop_gradient_compute(nm, args, attrs):
    # a fresh tensor off the tape: nothing flows back (TF1's StopGradient)
    return nm.tensor(getattr(args[0], "data", args[0]))


def _concat_compute(nm, args, attrs):
    return nm.concatenate(list(args), axis=attrs["axis"])


def _stack_compute(nm, args, attrs):
    return nm.stack(list(args), axis=attrs["axis"])


def _expand_dims_compute(nm, args, attrs):
    return _getitem_compute(nm, args, {"key": expand_dims_key(attrs["axis"])})


def _squeeze_compute(nm, args, attrs):
    shape = np.shape(getattr(args[0], "data", args[0]))
    return nm.reshape(args[0], squeezed("Squeeze", shape, attrs["axis"]))


# ----- declarations -------------------------------------------------------------

# Binary elementwise (NumPy broadcasting)
defop("Add", "add", broadcast_shape, _closed_dtype)
defop("Sub", "subtract", broadcast_shape, _closed_dtype)
defop("Mul", "multiply", broadcast_shape, _closed_dtype)
defop("RealDiv", "divide", broadcast_shape)
defop("Pow", "power", broadcast_shape)
defop("Maximum", "maximum", broadcast_shape, _closed_dtype)
defop("Minimum", "minimum", broadcast_shape, _closed_dtype)

# Unary elementwise
defop("Neg", "negative", same_shape, _closed_dtype)
defop("Abs", "abs", same_shape, _closed_dtype)
for _type, _fn in [
    ("Exp", "exp"),
    ("Log", "log"),
    ("Sin", "sin"),
    ("Cos", "cos"),
    ("Tan", "tan"),
    ("Tanh", "tanh"),
    ("Sigmoid", "sigmoid"),
    ("Relu", "relu"),
    ("Softplus", "softplus"),
    ("Sqrt", "sqrt"),
]:
    defop(_type, _fn, same_shape)
defop("Elu", "elu", same_shape, kwargs=("alpha",))
defop("LeakyRelu", "leaky_relu", same_shape, kwargs=("negative_slope",))
defop("Identity", None, same_shape, _closed_dtype, compute=_identity_compute)
defop("StopGradient", None, same_shape, _closed_dtype, compute=_stop_gradient_compute)
defop(
    "PlaceholderWithDefault",
    None,
    declared_shape,
    _closed_dtype,
    compute=_identity_compute,
)
defop("ClipByValue", "clip", clip_shape, _closed_dtype)

# Reductions and normalizations along axes
defop("Sum", "sum", reduce_shape, _closed_dtype, kwargs=("axis", "keepdims"))
defop("Mean", "mean", reduce_shape, kwargs=("axis", "keepdims"))
defop("Max", "max", reduce_shape, _closed_dtype, kwargs=("axis", "keepdims"))
defop("Min", "min", reduce_shape, _closed_dtype, kwargs=("axis", "keepdims"))
defop("Prod", "prod", reduce_shape, _closed_dtype, kwargs=("axis", "keepdims"))
defop("LogSumExp", "logsumexp", reduce_shape, kwargs=("axis", "keepdims"))
defop("Softmax", "softmax", axis_shape, kwargs=("axis",))
defop("LogSoftmax", "log_softmax", axis_shape, kwargs=("axis",))

# Shape and linear algebra
defop("MatMul", "matmul", matmul_shape, _closed_dtype)
defop("Reshape", "reshape", reshape_shape, _closed_dtype, kwargs=("shape",))
defop("Transpose", "transpose", transpose_shape, _closed_dtype, kwargs=("axes",))
defop("StridedSlice", None, getitem_shape, _closed_dtype, compute=_getitem_compute)
defop("Select", "where", broadcast_shape, _where_dtype)
defop("ConcatV2", None, concat_shape, _closed_dtype, compute=_concat_compute)
defop("Pack", None, stack_shape, _closed_dtype, compute=_stack_compute)
defop(
    "ExpandDims", None, expand_dims_shape, _closed_dtype, compute=_expand_dims_compute
)
defop("Squeeze", None, squeeze_shape, _closed_dtype, compute=_squeeze_compute)

# Convolution and pooling
_CONV2D_OPTIONS = ("stride", "padding", "dilation", "groups")
_POOL_OPTIONS = ("kernel_size", "stride", "padding", "ceil_mode")
defop("Conv2D", "conv2d", conv2d_shape, kwargs=_CONV2D_OPTIONS)
defop("MaxPool", "max_pool2d", pool_shape, kwargs=_POOL_OPTIONS + ("dilation",))
defop(
    "AvgPool",
    "avg_pool2d",
    pool_shape,
    kwargs=_POOL_OPTIONS + ("count_include_pad", "divisor_override"),
)
defop("Correlate2D", "correlate2d", corr2d_shape, kwargs=("mode",))
defop("Convolve2D", "convolve2d", corr2d_shape, kwargs=("mode",))

# Losses
defop("MSE", "mse", mse_shape)
defop("CrossEntropy", "cross_entropy", classification_shape)
# TF1's tf.nn.sparse_softmax_cross_entropy_with_logits: one loss per example
defop(
    "SparseSoftmaxCrossEntropyWithLogits",
    "cross_entropy",
    per_example_shape,
    kwargs=("reduction",),
)
defop("SVMLoss", "svm_loss", classification_shape, kwargs=("delta",))
