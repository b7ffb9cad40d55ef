"""The op functions of the graph layer (``G.add``, ``G.relu``, ``G.conv2d``, ...)
and the operators of :class:`~numeric.graph.graph.Tensor`.

Each function adds one operation of a type declared in
:mod:`numeric.graph.op_registry` (``OPS``) after its shape rule accepted the
inputs' static shapes. The operators ``+ - * / ** @``, unary minus, indexing,
``.T``, ``.reshape`` and ``.sum/.mean/.max`` are installed on ``Tensor`` when
this module is imported, the way TF1's ``math_ops`` overrides ``Tensor``'s
operators, so the core module stays free of op knowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from numeric._typing import Axis
from numeric.graph.constants import convert_to_tensor
from numeric.graph.graph import GraphTensorLike, Operation, Tensor, get_default_graph
from numeric.graph.op_registry import OPS

# ----- building nodes -------------------------------------------------------------


def apply_op(
    op_type: str,
    inputs: Sequence[GraphTensorLike],
    name: str | None = None,
    **attrs: Any,
) -> Tensor:
    """Create an op of a registered type on ``inputs`` (tensors or values)."""
    opdef = OPS[op_type]
    graph = next((x.graph for x in inputs if isinstance(x, Tensor)), None)
    if graph is None:
        graph = get_default_graph()
    tensors = [convert_to_tensor(x, graph) for x in inputs]
    display = graph.unique_name(name or op_type, mark_as_used=False)
    shape = opdef.shape(display, [t._shape for t in tensors], attrs)
    dtype = opdef.dtype([t.dtype for t in tensors], attrs)
    op = graph.create_op(op_type, tensors, [(shape, dtype)], attrs=attrs, name=name)
    return op.outputs[0]


def add(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """``x + y`` with NumPy broadcasting (op type ``Add``)."""
    return apply_op("Add", [x, y], name)


def subtract(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """``x - y`` (op type ``Sub``)."""
    return apply_op("Sub", [x, y], name)


def multiply(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """``x * y`` elementwise (op type ``Mul``)."""
    return apply_op("Mul", [x, y], name)


def divide(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """``x / y`` (true division, op type ``RealDiv``)."""
    return apply_op("RealDiv", [x, y], name)


def power(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """``x ** y`` (op type ``Pow``)."""
    return apply_op("Pow", [x, y], name)


def maximum(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise maximum; a tie sends half the gradient to each side."""
    return apply_op("Maximum", [x, y], name)


def minimum(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise minimum; a tie sends half the gradient to each side."""
    return apply_op("Minimum", [x, y], name)


def negative(x: GraphTensorLike, name: str | None = None) -> Tensor:
    """``-x`` (op type ``Neg``)."""
    return apply_op("Neg", [x], name)


def matmul(a: GraphTensorLike, b: GraphTensorLike, name: str | None = None) -> Tensor:
    """Matrix product with NumPy ``matmul`` rules (op type ``MatMul``)."""
    return apply_op("MatMul", [a, b], name)


def _unary(op_type: str, doc: str) -> Callable[..., Tensor]:
    def fn(x: GraphTensorLike, name: str | None = None) -> Tensor:
        return apply_op(op_type, [x], name)

    public_name = OPS[op_type].fn
    assert public_name is not None, op_type  # each unary op computes with a function
    fn.__name__ = public_name
    fn.__doc__ = doc
    return fn


exp = _unary("Exp", "Elementwise ``exp(x)``.")
log = _unary("Log", "Elementwise natural logarithm.")
sin = _unary("Sin", "Elementwise sine.")
cos = _unary("Cos", "Elementwise cosine.")
tan = _unary("Tan", "Elementwise tangent.")
tanh = _unary("Tanh", "Elementwise hyperbolic tangent.")
sigmoid = _unary("Sigmoid", "Elementwise logistic sigmoid (stable form).")
relu = _unary("Relu", "Elementwise ``max(x, 0)``; ``relu'(0) = 0``.")
softplus = _unary("Softplus", "Elementwise ``log(1 + exp(x))`` (stable form).")
absolute = _unary("Abs", "Elementwise absolute value; ``abs'(0) = 0``.")
sqrt = _unary("Sqrt", "Elementwise square root.")


def leaky_relu(
    x: GraphTensorLike, negative_slope: float = 0.01, name: str | None = None
) -> Tensor:
    """Leaky ReLU with slope ``negative_slope`` for negative inputs."""
    return apply_op("LeakyRelu", [x], name, negative_slope=float(negative_slope))


def elu(x: GraphTensorLike, alpha: float = 1.0, name: str | None = None) -> Tensor:
    """Exponential linear unit: ``x`` for x > 0, ``alpha (exp(x) - 1)`` otherwise."""
    return apply_op("Elu", [x], name, alpha=float(alpha))


def identity(x: GraphTensorLike, name: str | None = None) -> Tensor:
    """The same value under a new name (op type ``Identity``)."""
    return apply_op("Identity", [x], name)


def _axis_attr(axis):
    if axis is None or isinstance(axis, (int, np.integer)):
        return None if axis is None else int(axis)
    return tuple(int(a) for a in axis)


def _reduction(op_type, fn, x, name, axis, keepdims, reduction_indices, keep_dims):
    """The ``op_type`` reduction node of ``reduce_*``, with ``axis`` and
    ``keepdims`` taken from either of TF1's spellings."""
    if reduction_indices is not None:
        if axis is not None:
            raise ValueError(f"{fn}: give axis or reduction_indices, not both")
        axis = reduction_indices
    if keep_dims is not None:
        if keepdims:
            raise ValueError(f"{fn}: give keepdims or keep_dims, not both")
        keepdims = keep_dims
    return apply_op(op_type, [x], name, axis=_axis_attr(axis), keepdims=bool(keepdims))


def reduce_sum(
    x: GraphTensorLike,
    axis: Axis = None,
    keepdims: bool = False,
    name: str | None = None,
    *,
    reduction_indices: Axis = None,
    keep_dims: bool | None = None,
) -> Tensor:
    """Sum over ``axis`` (all axes when None), TF1's ``tf.reduce_sum``.

    ``reduction_indices`` and ``keep_dims`` are TF1's older names of ``axis``
    and ``keepdims``; giving both spellings of one is an error.
    """
    return _reduction(
        "Sum", "reduce_sum", x, name, axis, keepdims, reduction_indices, keep_dims
    )


def reduce_mean(
    x: GraphTensorLike,
    axis: Axis = None,
    keepdims: bool = False,
    name: str | None = None,
    *,
    reduction_indices: Axis = None,
    keep_dims: bool | None = None,
) -> Tensor:
    """Mean over ``axis`` (all axes when None), TF1's ``tf.reduce_mean``.

    ``reduction_indices`` and ``keep_dims`` are TF1's older names of ``axis``
    and ``keepdims``; giving both spellings of one is an error.
    """
    return _reduction(
        "Mean", "reduce_mean", x, name, axis, keepdims, reduction_indices, keep_dims
    )


def reduce_max(
    x: GraphTensorLike,
    axis: Axis = None,
    keepdims: bool = False,
    name: str | None = None,
    *,
    reduction_indices: Axis = None,
    keep_dims: bool | None = None,
) -> Tensor:
    """Maximum over ``axis``; tied maxima share the gradient evenly.

    ``reduction_indices`` and ``keep_dims`` are TF1's older names of ``axis``
    and ``keepdims``; giving both spellings of one is an error.
    """
    return _reduction(
        "Max", "reduce_max", x, name, axis, keepdims, reduction_indices, keep_dims
    )


def logsumexp(
    x: GraphTensorLike,
    axis: Axis = None,
    keepdims: bool = False,
    name: str | None = None,
) -> Tensor:
    """Stable ``log(sum(exp(x), axis))``."""
    return apply_op(
        "LogSumExp", [x], name, axis=_axis_attr(axis), keepdims=bool(keepdims)
    )


def softmax(x: GraphTensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    """Softmax along ``axis`` (last by default)."""
    return apply_op("Softmax", [x], name, axis=int(axis))


def log_softmax(x: GraphTensorLike, axis: int = -1, name: str | None = None) -> Tensor:
    """Log-softmax along ``axis`` (last by default)."""
    return apply_op("LogSoftmax", [x], name, axis=int(axis))


def reshape(
    x: GraphTensorLike, shape: int | Sequence[int], name: str | None = None
) -> Tensor:
    """Reshape to ``shape`` (one entry may be -1)."""
    if np.isscalar(shape):  # one size (np.isscalar does not narrow for checkers)
        dims: tuple[int, ...] = (int(cast(int, shape)),)
    else:
        dims = tuple(int(d) for d in cast(Sequence[int], shape))
    return apply_op("Reshape", [x], name, shape=dims)


def transpose(
    x: GraphTensorLike, axes: Sequence[int] | None = None, name: str | None = None
) -> Tensor:
    """Permute axes (reverse them when ``axes`` is None)."""
    axes = None if axes is None else tuple(int(a) for a in axes)
    return apply_op("Transpose", [x], name, axes=axes)


def where(
    condition: GraphTensorLike,
    x: GraphTensorLike,
    y: GraphTensorLike,
    name: str | None = None,
) -> Tensor:
    """``x`` where ``condition`` holds, else ``y`` (op type ``Select``)."""
    return apply_op("Select", [condition, x, y], name)


# ----- operators on Tensor ---------------------------------------------------------


def _binary(
    fn: Callable[[GraphTensorLike, GraphTensorLike], Tensor], reflected: bool = False
) -> Callable[[Tensor, GraphTensorLike], Tensor]:
    if reflected:

        def reflected_method(self: Tensor, other: GraphTensorLike) -> Tensor:
            return fn(other, self)

        return reflected_method

    def method(self: Tensor, other: GraphTensorLike) -> Tensor:
        return fn(self, other)

    return method


def _neg(self: Tensor) -> Tensor:
    return negative(self)


def _pos(self: Tensor) -> Tensor:
    return self


def _abs(self: Tensor) -> Tensor:
    return absolute(self)


def _getitem(self: Tensor, key: Any) -> Tensor:
    return apply_op("StridedSlice", [self], None, key=_freeze_key(key))


def _transposed(self: Tensor) -> Tensor:
    return transpose(self)


def _reshape(self: Tensor, *shape: int | Sequence[int]) -> Tensor:
    # t.reshape((2, 3)) or t.reshape(2, 3): the sizes are then the arguments
    if len(shape) == 1 and not np.isscalar(shape[0]):
        return reshape(self, shape[0])
    return reshape(self, cast(Sequence[int], shape))


def _sum(self: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return reduce_sum(self, axis, keepdims)


def _mean(self: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return reduce_mean(self, axis, keepdims)


def _max(self: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    return reduce_max(self, axis, keepdims)


def _install_operators() -> None:
    """Give ``Tensor`` its operators and array methods (declared for type
    checkers in ``Tensor``'s body)."""
    table = {
        "add": add,
        "sub": subtract,
        "mul": multiply,
        "truediv": divide,
        "pow": power,
        "matmul": matmul,
    }
    for dunder, fn in table.items():
        setattr(Tensor, f"__{dunder}__", _binary(fn))
        setattr(Tensor, f"__r{dunder}__", _binary(fn, reflected=True))
    methods = {
        "__neg__": _neg,
        "__pos__": _pos,
        "__abs__": _abs,
        "__getitem__": _getitem,
        "T": property(_transposed),
        "reshape": _reshape,
        "sum": _sum,
        "mean": _mean,
        "max": _max,
    }
    for name, method in methods.items():
        setattr(Tensor, name, method)


def _freeze_key(key):
    """Indexing keys are attributes: tensors are not allowed, arrays are copied."""
    items = key if isinstance(key, tuple) else (key,)
    for k in items:
        if isinstance(k, (Tensor, Operation)):
            raise TypeError("indexing a graph tensor with a tensor is not supported")
        if isinstance(k, (list, np.ndarray)):
            arr = np.asarray(k)
            if arr.dtype.kind not in "biu":
                raise TypeError(
                    f"index arrays must be integer or boolean, not {arr.dtype}"
                )
    if isinstance(key, list):
        return np.asarray(key)
    return key


_install_operators()
