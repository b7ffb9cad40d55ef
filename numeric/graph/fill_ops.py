"""TF1's filled tensors: ``zeros``, ``ones``, ``fill``, ``zeros_like``,
``ones_like`` and ``one_hot``.

A fill of a fully known shape is a constant (as TF1's ``zeros_like`` with
``optimize=True`` gives one). ``zeros_like``/``ones_like`` of a tensor whose
shape is known only at run time, and ``one_hot``, are host ops
(:data:`~numeric.graph.op_registry.HOST_KERNELS`) that TF1 declares not
differentiable: inside a gradient they are constants, so no gradient flows
back into their input.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt

from numeric.errors import ArgumentError, ShapeError
from numeric.graph.array_rules import one_hot_shape
from numeric.graph.constants import constant, convert_to_tensor
from numeric.graph.dtypes import as_dtype, bool_, float64, int64
from numeric.graph.graph import GraphTensorLike, Tensor, get_default_graph
from numeric.graph.op_registry import defhost
from numeric.graph.shapes import ShapeLike, format_shape, normalize_shape


def _known_shape(fn: str, shape: ShapeLike) -> tuple[int, ...]:
    try:
        dims = normalize_shape(shape)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"{fn}: shape: {exc}") from None
    if dims is None or None in dims:
        raise ShapeError(f"{fn}: shape must be fully known, got {format_shape(dims)}")
    return tuple(int(d) for d in dims if d is not None)


def zeros(
    shape: ShapeLike, dtype: npt.DTypeLike = float64, name: str | None = None
) -> Tensor:
    """A constant of zeros (TF1's ``tf.zeros``); float64 unless ``dtype`` says
    otherwise (a floating ``dtype`` such as ``G.float32`` holds float64).

    Raises
    ------
    ShapeError
        ``shape`` holds an unknown size.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     print(G.zeros([2, 3]))
    ...     print(G.ones((2,), G.int32).eval(session=G.Session()))
    Tensor("zeros:0", shape=(2, 3), dtype=float64)
    [1 1]
    """
    return constant(0, as_dtype(dtype), _known_shape("zeros", shape), name or "zeros")


def ones(
    shape: ShapeLike, dtype: npt.DTypeLike = float64, name: str | None = None
) -> Tensor:
    """A constant of ones (TF1's ``tf.ones``); see :func:`zeros`."""
    return constant(1, as_dtype(dtype), _known_shape("ones", shape), name or "ones")


def fill(dims: ShapeLike, value: npt.ArrayLike, name: str | None = None) -> Tensor:
    """A constant of shape ``dims`` filled with the scalar ``value`` (TF1's
    ``tf.fill``); its dtype is ``value``'s (int64, float64 or bool).

    Raises
    ------
    ArgumentError
        ``value`` is not a scalar.
    ShapeError
        ``dims`` holds an unknown size.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     print(G.fill([2, 2], 7).eval(session=G.Session()))
    [[7 7]
     [7 7]]
    """
    if np.ndim(value) != 0:
        raise ArgumentError(
            f"fill: value must be a scalar, got shape {np.shape(value)}"
        )
    return constant(value, None, _known_shape("fill", dims), name or "Fill")


def _filled_like(fn, op_type, fill_value, tensor, dtype, name) -> Tensor:
    t = convert_to_tensor(tensor, get_default_graph())
    target = t.dtype if dtype is None else as_dtype(dtype)
    shape = t._shape
    if shape is not None and None not in shape:
        return constant(fill_value, target, shape, name or fn)
    graph = t.graph
    op = graph.create_op(
        op_type, [t], [(shape, target)], attrs={"dtype": target}, name=name or fn
    )
    return op.outputs[0]


def zeros_like(
    tensor: GraphTensorLike,
    dtype: npt.DTypeLike | None = None,
    name: str | None = None,
    optimize: bool = True,
) -> Tensor:
    """Zeros of ``tensor``'s shape and dtype (or ``dtype``), TF1's
    ``tf.zeros_like``. A constant when the shape is fully known; else computed
    from ``tensor``'s value at run time. No gradient flows through it.
    ``optimize`` is accepted for TF1's signature and changes nothing.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 2), name="x")
    ...     with G.Session() as sess:
    ...         print(G.zeros_like(x), sess.run(G.ones_like(x), {x: [[5.0, 6.0]]}))
    Tensor("zeros_like:0", shape=(?, 2), dtype=float64) [[1. 1.]]
    """
    return _filled_like("zeros_like", "ZerosLike", 0, tensor, dtype, name)


def ones_like(
    tensor: GraphTensorLike,
    dtype: npt.DTypeLike | None = None,
    name: str | None = None,
    optimize: bool = True,
) -> Tensor:
    """Ones of ``tensor``'s shape and dtype (or ``dtype``), TF1's
    ``tf.ones_like``; see :func:`zeros_like`."""
    return _filled_like("ones_like", "OnesLike", 1, tensor, dtype, name)


defhost(
    "ZerosLike",
    lambda arrays, attrs: np.zeros(arrays[0].shape, attrs["dtype"]),
    not_differentiable=True,
)
defhost(
    "OnesLike",
    lambda arrays, attrs: np.ones(arrays[0].shape, attrs["dtype"]),
    not_differentiable=True,
)


# ----- one_hot ------------------------------------------------------------------


def _scalar_fill(what: str, value: object) -> bool | int | float:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"one_hot: {what} must be a Python or NumPy scalar, got {value!r}")


def _fill_dtype(values) -> np.dtype:
    """The dtype of ``on_value``/``off_value``: bool, else float, else int."""
    if all(isinstance(v, bool) for v in values):
        return bool_
    if any(isinstance(v, float) for v in values):
        return float64
    return int64


def one_hot(
    indices: GraphTensorLike,
    depth: int,
    on_value: bool | int | float | None = None,
    off_value: bool | int | float | None = None,
    axis: int | None = None,
    dtype: npt.DTypeLike | None = None,
    name: str | None = None,
) -> Tensor:
    """One-hot encoding of integer ``indices`` (TF1's ``tf.one_hot``).

    The output has a new axis of size ``depth`` at ``axis`` (-1, the default:
    last); entry ``j`` along it is ``on_value`` (default 1) where the index
    is ``j``, else ``off_value`` (default 0). An index outside
    ``[0, depth)``, negative ones included, gives a row of ``off_value``. The
    dtype is ``dtype``, else that of ``on_value``/``off_value``, else float64
    (TF1's float32). Not differentiable (TF1 has no gradient for it).

    Parameters
    ----------
    indices : Tensor or array_like of ints
    depth : int
        The number of classes, at least 0.
    on_value, off_value : scalar, optional
    axis : int, optional
        -1 or in ``[0, rank]``.
    dtype : optional
    name : str, optional

    Raises
    ------
    TypeError
        Non-integer ``indices``, a non-int ``depth``, a non-scalar fill value.
    ArgumentError
        A negative ``depth``.
    ShapeError
        ``axis`` out of range.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     labels = G.placeholder(G.int32, [None], "labels")
    ...     y = G.one_hot(labels, 3)
    ...     with G.Session() as sess:
    ...         print(y, sess.run(y, {labels: [0, 2, -1]}), sep="\\n")
    Tensor("one_hot:0", shape=(?, 3), dtype=float64)
    [[1. 0. 0.]
     [0. 0. 1.]
     [0. 0. 0.]]
    """
    t = convert_to_tensor(indices, get_default_graph())
    if t.dtype != int64:
        raise TypeError(f"one_hot: indices {t.name} must be integers, not {t.dtype}")
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)):
        raise TypeError(f"one_hot: depth must be an int, got {depth!r}")
    if depth < 0:
        raise ArgumentError(f"one_hot: depth must be at least 0, got {depth}")
    axis = -1 if axis is None else axis
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"one_hot: axis must be an int, got {axis!r}")
    given = [
        _scalar_fill(what, v)
        for what, v in (("on_value", on_value), ("off_value", off_value))
        if v is not None
    ]
    target = as_dtype(dtype) if dtype is not None else None
    if target is None:
        target = _fill_dtype(given) if given else float64
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    for what, v in (("on_value", on), ("off_value", off)):
        if target == int64 and float(v) != int(v):
            raise TypeError(f"one_hot: {what}={v!r} is not an integer (dtype int64)")
    graph = t.graph
    display = graph.unique_name(name or "one_hot", mark_as_used=False)
    attrs: dict[str, Any] = {"depth": int(depth), "axis": int(axis)}
    attrs.update(on=on, off=off)
    shape = one_hot_shape(display, [t._shape], attrs)
    attrs["dtype"] = target
    op = graph.create_op("OneHot", [t], [(shape, target)], attrs, name or "one_hot")
    return op.outputs[0]


def _one_hot_kernel(arrays, attrs):
    indices, depth = arrays[0], attrs["depth"]
    hits = indices[..., None] == np.arange(depth)
    axis = attrs["axis"]
    if axis != -1:
        hits = np.moveaxis(hits, -1, axis)
    return np.where(hits, attrs["on"], attrs["off"]).astype(attrs["dtype"])


defhost("OneHot", _one_hot_kernel, not_differentiable=True)
