"""TF1's array manipulations on graph nodes: ``concat``, ``stack``,
``unstack``, ``expand_dims``, ``squeeze``, ``stop_gradient`` and
``placeholder_with_default``.

Each is one registry op (:mod:`numeric.graph.op_registry`) computed by the
eager engine (``nm.concatenate``, ``nm.stack``, indexing, ``nm.reshape``), so
gradients are numeric's VJPs; ``unstack`` is a list of slices. Static shapes
are inferred with ``None`` for unknown sizes
(:mod:`numeric.graph.array_rules`); bad arguments are refused when the node
is built, naming the argument.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.graph.constants import convert_to_tensor
from numeric.graph.graph import GraphTensorLike, Tensor, get_default_graph
from numeric.graph.ops import apply_op
from numeric.graph.shapes import ShapeLike, format_shape, normalize_shape


def _int_argument(fn: str, what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{fn}: {what} must be an int, got {value!r}")
    return int(value)


def _value_list(fn: str, values: object) -> list:
    if isinstance(values, Tensor) or not isinstance(values, (list, tuple)):
        raise TypeError(
            f"{fn}: values must be a list or tuple of tensors, got "
            f"{type(values).__name__}"
        )
    if not values:
        raise ArgumentError(f"{fn}: values is empty; give at least one tensor")
    return list(values)


def concat(
    values: Sequence[GraphTensorLike], axis: int, name: str = "concat"
) -> Tensor:
    """Join ``values`` along an existing ``axis`` (TF1's ``tf.concat``).

    Parameters
    ----------
    values : list of Tensor or array_like
        Of one rank; equal sizes except along ``axis``.
    axis : int
        May be negative.
    name : str

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        Ranks or sizes off ``axis`` that differ, or ``axis`` out of range.
    TypeError, ArgumentError
        ``values`` not a non-empty list, ``axis`` not an int.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 2), name="x")
    ...     print(G.concat([x, G.ones((1, 2))], 0))
    ...     print(G.concat([x, x], axis=-1))
    Tensor("concat:0", shape=(?, 2), dtype=float64)
    Tensor("concat_1:0", shape=(?, 4), dtype=float64)
    """
    items = _value_list("concat", values)
    return apply_op("ConcatV2", items, name, axis=_int_argument("concat", "axis", axis))


def stack(
    values: Sequence[GraphTensorLike], axis: int = 0, name: str = "stack"
) -> Tensor:
    """Join ``values`` of one shape along a new ``axis`` (TF1's ``tf.stack``).

    Raises
    ------
    ShapeError
        Shapes that differ, or ``axis`` outside ``[-(rank + 1), rank]``.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     with G.Session() as sess:
    ...         print(sess.run(G.stack([[1, 2], [3, 4]], axis=1)))
    [[1 3]
     [2 4]]
    """
    items = _value_list("stack", values)
    return apply_op("Pack", items, name, axis=_int_argument("stack", "axis", axis))


def unstack(
    value: GraphTensorLike,
    num: int | None = None,
    axis: int = 0,
    name: str = "unstack",
) -> list[Tensor]:
    """The slices of ``value`` along ``axis``, as a list (TF1's ``tf.unstack``).

    The size along ``axis`` must be known, or given as ``num``. Each slice is
    an indexing op, so gradients flow into ``value``.

    Raises
    ------
    ShapeError
        The size along ``axis`` is unknown and ``num`` not given, or differs
        from ``num``, or ``axis`` is out of range.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     rows = G.unstack(G.placeholder((None, 3), name="x"), axis=1)
    ...     print(len(rows), rows[0])
    3 Tensor("unstack:0", shape=(?,), dtype=float64)
    """
    t = convert_to_tensor(value, get_default_graph())
    axis = _int_argument("unstack", "axis", axis)
    shape = t._shape
    if shape is None:
        raise ShapeError(f"unstack: {t.name} has an unknown rank; its axes are unknown")
    rank = len(shape)
    if not -rank <= axis < rank:
        raise ShapeError(f"unstack: axis {axis} is out of range for rank {rank}")
    size = shape[axis]
    if num is not None:
        num = _int_argument("unstack", "num", num)
        if size is not None and size != num:
            raise ShapeError(
                f"unstack: num={num} but {t.name} has {size} entries along axis "
                f"{axis} (shape {format_shape(shape)})"
            )
        size = num
    if size is None:
        raise ShapeError(
            f"unstack: the size of {t.name} along axis {axis} is unknown (shape "
            f"{format_shape(shape)}); give num="
        )
    lead = (slice(None),) * (axis % rank)
    return [apply_op("StridedSlice", [t], name, key=lead + (i,)) for i in range(size)]


def expand_dims(
    input: GraphTensorLike,
    axis: int | None = None,
    name: str | None = None,
    dim: int | None = None,
) -> Tensor:
    """Insert a length-1 axis at ``axis`` (TF1's ``tf.expand_dims``).

    ``axis`` lies in ``[-(rank + 1), rank]``; ``dim`` is TF1's older name.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 3), name="x")
    ...     print(G.expand_dims(x, 1).shape, G.expand_dims(x, -1).shape)
    (?, 1, 3) (?, 3, 1)
    """
    if dim is not None:
        if axis is not None:
            raise ArgumentError("expand_dims: give axis or dim, not both")
        axis = dim
    if axis is None:
        raise ArgumentError("expand_dims: axis is required")
    axis = _int_argument("expand_dims", "axis", axis)
    return apply_op("ExpandDims", [input], name, axis=axis)


def squeeze(
    input: GraphTensorLike,
    axis: int | Sequence[int] | None = None,
    name: str | None = None,
    squeeze_dims: int | Sequence[int] | None = None,
) -> Tensor:
    """Remove length-1 axes: those in ``axis``, or all (TF1's ``tf.squeeze``).

    ``squeeze_dims`` is TF1's older name of ``axis``. With ``axis=None`` and a
    static shape holding unknown sizes, the result's rank is unknown until run.

    Raises
    ------
    ShapeError
        A listed axis out of range, or of known size other than 1.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((None, 1, 3, 1), name="x")
    ...     print(G.squeeze(x, [1]).shape, G.squeeze(x, axis=-1).shape)
    (?, 3, 1) (?, 1, 3)
    """
    if squeeze_dims is not None:
        if axis is not None:
            raise ArgumentError("squeeze: give axis or squeeze_dims, not both")
        axis = squeeze_dims
    if axis is not None:
        items = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
        axis = tuple(_int_argument("squeeze", "axis", a) for a in items)
    return apply_op("Squeeze", [input], name, axis=axis)


def stop_gradient(input: GraphTensorLike, name: str | None = None) -> Tensor:
    """The value of ``input``, through which no gradient flows
    (TF1's ``tf.stop_gradient``): to ``G.gradients`` it is a constant.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((), name="x")
    ...     (dx,) = G.gradients(x * G.stop_gradient(x), [x])
    ...     with G.Session() as sess:
    ...         print(sess.run(dx, {x: 3.0}))
    3.0
    """
    return apply_op("StopGradient", [input], name)


def placeholder_with_default(
    input: GraphTensorLike, shape: ShapeLike, name: str | None = None
) -> Tensor:
    """``input`` unless a value is fed for it (TF1's
    ``tf.placeholder_with_default``).

    ``shape`` is the static shape fed values must fit; it may be less specific
    than ``input``'s (``None`` sizes), and ``input`` must fit it. Feeding it
    skips computing ``input``. Gradients pass from it to ``input``.

    Raises
    ------
    ShapeError
        ``input``'s shape does not fit ``shape``.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     keep = G.placeholder_with_default(1.0, shape=(), name="keep_prob")
    ...     with G.Session() as sess:
    ...         print(sess.run(keep), sess.run(keep, {keep: 0.5}))
    1.0 0.5
    """
    try:
        dims = normalize_shape(shape)
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"placeholder_with_default: shape: {exc}") from None
    return apply_op("PlaceholderWithDefault", [input], name, shape=dims)
