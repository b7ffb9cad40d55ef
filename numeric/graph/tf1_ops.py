"""TF1 ops a training loop needs beside the differentiable registry ops:
``argmax``/``argmin``, the comparisons (``equal``, ``less``, ...), the
logical ops, ``cast`` (the accuracy idiom
``reduce_mean(cast(equal(argmax(y, 1), labels), float32))``), and the
composites ``square`` and ``l2_loss``.

``argmax``, ``argmin``, the comparisons, the logical ops and the casts that
change the kind of a value are host ops
(:data:`~numeric.graph.op_registry.HOST_KERNELS`): NumPy kernels with integer
or bool outputs, declared not differentiable as TF1 declares them
(``NotDifferentiable``): inside a gradient their outputs are constants, so
``x * cast(greater(x, 0), float32)`` differentiates through its ``x`` factor
only, as in TF1. A cast between floating dtypes is an ``Identity``, so
gradients pass it. ``square`` and ``l2_loss`` are built from registry ops,
so their gradients come from the eager engine's VJPs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from numeric.graph.constants import convert_to_tensor
from numeric.graph.dtypes import as_dtype, bool_, float64, int64
from numeric.graph.graph import GraphTensorLike, Tensor, get_default_graph
from numeric.graph.op_registry import defhost
from numeric.graph.ops import identity, multiply, reduce_sum
from numeric.graph.shape_rules import reduce_shape
from numeric.graph.shapes import broadcast_shapes


def _host(op_type, inputs, shape, out_dtype, name, **attrs) -> Tensor:
    graph = inputs[0].graph
    op = graph.create_op(op_type, inputs, [(shape, out_dtype)], attrs=attrs, name=name)
    return op.outputs[0]


def _tensor(x: GraphTensorLike, graph=None) -> Tensor:
    return convert_to_tensor(x, graph or get_default_graph())


# ----- arg reductions ---------------------------------------------------------


def _arg_reduction(op_type, x, axis, dimension, name) -> Tensor:
    fn = op_type.lower()
    if dimension is not None:
        if axis is not None:
            raise ValueError(f"{fn}: give axis or dimension, not both")
        axis = dimension
    axis = 0 if axis is None else axis  # TF1's default: the first axis
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fn}: axis must be an int, got {axis!r}")
    x = _tensor(x)
    if x._shape is not None and len(x._shape) == 0:
        raise ValueError(f"{fn}: the input {x.name} is a scalar; it has no axis")
    display = x.graph.unique_name(name or op_type, mark_as_used=False)
    shape = reduce_shape(display, [x._shape], {"axis": int(axis)})
    return _host(op_type, [x], shape, int64, name or op_type, axis=int(axis))


def argmax(
    input: GraphTensorLike,
    axis: int | None = None,
    name: str | None = None,
    dimension: int | None = None,
) -> Tensor:
    """Index of the largest value along ``axis`` (TF1's ``tf.argmax``), int64.

    ``axis=None`` means axis 0, as in TF1; ``dimension`` is TF1's older name
    for ``axis``. The first index wins at a tie. No gradient flows through it.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     with G.Session() as sess:
    ...         print(sess.run(G.argmax([[1.0, 3.0], [4.0, 2.0]], 1)))
    [1 0]
    """
    return _arg_reduction("ArgMax", input, axis, dimension, name)


def argmin(
    input: GraphTensorLike,
    axis: int | None = None,
    name: str | None = None,
    dimension: int | None = None,
) -> Tensor:
    """Index of the smallest value along ``axis`` (TF1's ``tf.argmin``), int64."""
    return _arg_reduction("ArgMin", input, axis, dimension, name)


# ----- comparisons and casts ----------------------------------------------------


def _compare(op_type, x, y, name) -> Tensor:
    graph = next((t.graph for t in (x, y) if isinstance(t, Tensor)), None)
    tx, ty = _tensor(x, graph), _tensor(y, graph)
    if op_type.startswith("Logical"):
        for what, t in (("x", tx), ("y", ty)):
            if t.dtype != bool_:
                fn = "logical_" + op_type[7:].lower()
                raise TypeError(f"{fn}: {what} ({t.name}) must be bool, not {t.dtype}")
    display = tx.graph.unique_name(name or op_type, mark_as_used=False)
    shape = broadcast_shapes(display, tx._shape, ty._shape)
    return _host(op_type, [tx, ty], shape, bool_, name or op_type)


def equal(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise ``x == y`` with broadcasting, a bool tensor (``tf.equal``).

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     with G.Session() as sess:
    ...         print(sess.run(G.equal([1, 2, 3], 2)))
    [False  True False]
    """
    return _compare("Equal", x, y, name)


def not_equal(
    x: GraphTensorLike, y: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Elementwise ``x != y``, a bool tensor (``tf.not_equal``)."""
    return _compare("NotEqual", x, y, name)


def less(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise ``x < y``, a bool tensor (``tf.less``).

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     with G.Session() as sess:
    ...         print(sess.run([G.less([1, 2, 3], 2), G.greater_equal([1, 2, 3], 2)]))
    [array([ True, False, False]), array([False,  True,  True])]
    """
    return _compare("Less", x, y, name)


def less_equal(
    x: GraphTensorLike, y: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Elementwise ``x <= y``, a bool tensor (``tf.less_equal``)."""
    return _compare("LessEqual", x, y, name)


def greater(x: GraphTensorLike, y: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise ``x > y``, a bool tensor (``tf.greater``)."""
    return _compare("Greater", x, y, name)


def greater_equal(
    x: GraphTensorLike, y: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Elementwise ``x >= y``, a bool tensor (``tf.greater_equal``)."""
    return _compare("GreaterEqual", x, y, name)


def logical_and(
    x: GraphTensorLike, y: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Elementwise ``x and y`` of bool tensors (``tf.logical_and``).

    Raises
    ------
    TypeError
        ``x`` or ``y`` is not bool (named).
    """
    return _compare("LogicalAnd", x, y, name)


def logical_or(
    x: GraphTensorLike, y: GraphTensorLike, name: str | None = None
) -> Tensor:
    """Elementwise ``x or y`` of bool tensors (``tf.logical_or``)."""
    return _compare("LogicalOr", x, y, name)


def logical_not(x: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise ``not x`` of a bool tensor (``tf.logical_not``)."""
    t = _tensor(x)
    if t.dtype != bool_:
        raise TypeError(f"logical_not: x ({t.name}) must be bool, not {t.dtype}")
    return _host("LogicalNot", [t], t._shape, bool_, name or "LogicalNot")


def cast(x: GraphTensorLike, dtype: npt.DTypeLike, name: str | None = None) -> Tensor:
    """``x`` as ``dtype`` (TF1's ``tf.cast``): floating dtypes hold float64.

    Between floating dtypes it is an ``Identity`` (gradients pass). To an
    integer dtype, values are truncated toward zero as in TF1, and a value
    that does not fit int64 is an error; to bool, nonzero is True.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     correct = G.equal([1, 2, 3], [1, 0, 3])
    ...     with G.Session() as sess:
    ...         print(sess.run(G.reduce_mean(G.cast(correct, G.float32))))
    0.6666666666666666
    """
    target = as_dtype(dtype)
    t = _tensor(x)
    if target == t.dtype == float64:
        return identity(t, name=name or "Cast")
    return _host("Cast", [t], t._shape, target, name or "Cast", dtype=target)


def _cast_kernel(arrays, attrs):
    arr, target = arrays[0], attrs["dtype"]
    if target == int64 and arr.dtype.kind == "f":
        arr = np.trunc(arr)  # TF1 truncates toward zero; the int64 check follows
    return arr.astype(float64) if target == float64 else arr


def _argmax(arrays, attrs):
    return np.argmax(arrays[0], axis=attrs["axis"])


def _argmin(arrays, attrs):
    return np.argmin(arrays[0], axis=attrs["axis"])


def _elementwise(ufunc):
    def kernel(arrays, attrs):
        return ufunc(*arrays)

    return kernel


# All of these are TF1 NotDifferentiable: constants inside a gradient (a float
# cast is an Identity, which gradients pass).
defhost("ArgMax", _argmax, not_differentiable=True)
defhost("ArgMin", _argmin, not_differentiable=True)
defhost("Cast", _cast_kernel, not_differentiable=True)
for _type, _ufunc in [
    ("Equal", np.equal),
    ("NotEqual", np.not_equal),
    ("Less", np.less),
    ("LessEqual", np.less_equal),
    ("Greater", np.greater),
    ("GreaterEqual", np.greater_equal),
    ("LogicalAnd", np.logical_and),
    ("LogicalOr", np.logical_or),
    ("LogicalNot", np.logical_not),
]:
    defhost(_type, _elementwise(_ufunc), not_differentiable=True)


# ----- composites of registry ops -------------------------------------------------


def square(x: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise ``x * x`` (TF1's ``tf.square``)."""
    return multiply(x, x, name=name or "Square")


def l2_loss(t: GraphTensorLike, name: str | None = None) -> Tensor:
    """``sum(t ** 2) / 2`` (TF1's ``tf.nn.l2_loss``, used for weight decay)."""
    return multiply(reduce_sum(square(t)), 0.5, name=name or "L2Loss")
