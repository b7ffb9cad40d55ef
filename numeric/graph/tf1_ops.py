"""TF1 ops a training loop needs beside the differentiable registry ops:
``argmax``/``argmin``, ``equal``, ``cast`` (the accuracy idiom
``reduce_mean(cast(equal(argmax(y, 1), labels), float32))``), and the
composites ``square`` and ``l2_loss``.

``argmax``, ``argmin``, ``equal`` and the casts that change the kind of a
value are host ops (:data:`~numeric.graph.op_registry.HOST_KERNELS`): NumPy
kernels with integer or bool outputs that a graph gradient refuses to go
through, naming the op (TF1 has no gradient for them either). A cast between
floating dtypes is an ``Identity``, so gradients pass it. ``square`` and
``l2_loss`` are built from registry ops, so their gradients come from the
eager engine's VJPs.
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
    graph = next((t.graph for t in (x, y) if isinstance(t, Tensor)), None)
    tx, ty = _tensor(x, graph), _tensor(y, graph)
    display = tx.graph.unique_name(name or "Equal", mark_as_used=False)
    shape = broadcast_shapes(display, tx._shape, ty._shape)
    return _host("Equal", [tx, ty], shape, bool_, name or "Equal")


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


defhost("ArgMax", lambda arrays, attrs: np.argmax(arrays[0], axis=attrs["axis"]))
defhost("ArgMin", lambda arrays, attrs: np.argmin(arrays[0], axis=attrs["axis"]))
defhost("Equal", lambda arrays, attrs: np.equal(arrays[0], arrays[1]))
defhost("Cast", _cast_kernel)


# ----- composites of registry ops -------------------------------------------------


def square(x: GraphTensorLike, name: str | None = None) -> Tensor:
    """Elementwise ``x * x`` (TF1's ``tf.square``)."""
    return multiply(x, x, name=name or "Square")


def l2_loss(t: GraphTensorLike, name: str | None = None) -> Tensor:
    """``sum(t ** 2) / 2`` (TF1's ``tf.nn.l2_loss``, used for weight decay)."""
    return multiply(reduce_sum(square(t)), 0.5, name=name or "L2Loss")
