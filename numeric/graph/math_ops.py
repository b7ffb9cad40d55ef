"""TF1's ``tf.reduce_min``, ``tf.reduce_prod`` and ``tf.clip_by_value`` on
graph nodes.

Each adds one registry op (:mod:`numeric.graph.op_registry`) computed by the
eager engine's ``nm.min``, ``nm.prod`` and ``nm.clip``, so values and
gradients are numeric's: tied minima share the gradient evenly, the product's
gradient is exact at zeros, and ``clip_by_value`` passes the gradient to ``t``
where ``clip_value_min <= t <= clip_value_max``, bounds included (TF1 builds
it from ``minimum`` and ``maximum``, whose gradients go to ``t`` at a tie, so
the same entries get it).
"""

from __future__ import annotations

from numeric._typing import Axis
from numeric.graph.graph import GraphTensorLike, Tensor
from numeric.graph.ops import _reduction, apply_op


def reduce_min(
    x: GraphTensorLike,
    axis: Axis = None,
    keepdims: bool = False,
    name: str | None = None,
    *,
    reduction_indices: Axis = None,
    keep_dims: bool | None = None,
) -> Tensor:
    """Minimum over ``axis`` (all axes when None), TF1's ``tf.reduce_min``.

    Tied minima share the gradient evenly (the convention of ``reduce_max``).
    ``reduction_indices`` and ``keep_dims`` are TF1's older names of ``axis``
    and ``keepdims``; giving both spellings of one is an error.

    Parameters
    ----------
    x : Tensor or array_like
    axis : int, tuple of ints or None
    keepdims : bool
    name : str, optional

    Returns
    -------
    Tensor
        int64 for integer input, else float64.

    Raises
    ------
    ShapeError
        An axis out of range of a known rank.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     with G.Session() as sess:
    ...         print(sess.run(G.reduce_min([[3, 1], [2, 5]], axis=1)))
    [1 2]
    """
    return _reduction(
        "Min", "reduce_min", x, name, axis, keepdims, reduction_indices, keep_dims
    )


def reduce_prod(
    x: GraphTensorLike,
    axis: Axis = None,
    keepdims: bool = False,
    name: str | None = None,
    *,
    reduction_indices: Axis = None,
    keep_dims: bool | None = None,
) -> Tensor:
    """Product over ``axis`` (all axes when None), TF1's ``tf.reduce_prod``.

    The gradient of each entry is the product of the others, exact when the
    slice holds zeros (no division). Integer products are exact; one outside
    the int64 range is a ``LimitError``.

    Parameters
    ----------
    x : Tensor or array_like
    axis : int, tuple of ints or None
    keepdims : bool
    name : str, optional

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        An axis out of range of a known rank.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((3,), name="x")
    ...     (dx,) = G.gradients(G.reduce_prod(x), [x])
    ...     with G.Session() as sess:
    ...         print(sess.run(dx, {x: [2.0, 0.0, 5.0]}))
    [ 0. 10.  0.]
    """
    return _reduction(
        "Prod", "reduce_prod", x, name, axis, keepdims, reduction_indices, keep_dims
    )


def clip_by_value(
    t: GraphTensorLike,
    clip_value_min: GraphTensorLike,
    clip_value_max: GraphTensorLike,
    name: str | None = None,
) -> Tensor:
    """``t`` limited to ``[clip_value_min, clip_value_max]`` (TF1's
    ``tf.clip_by_value``).

    The gradient reaches ``t`` where ``clip_value_min <= t <= clip_value_max``,
    bounds included, as in TF1; a bound gets it where it decides the value.
    The bounds broadcast to ``t``'s shape but may not enlarge it (TF1's rule).
    TF1 requires ``clip_value_min <= clip_value_max``; where it does not hold,
    the value here is ``clip_value_max`` (NumPy's ``clip``).

    Parameters
    ----------
    t : Tensor or array_like
    clip_value_min, clip_value_max : Tensor or array_like
        Scalars, or shapes that broadcast to ``t``'s.
    name : str, optional

    Returns
    -------
    Tensor
        Of ``t``'s shape.

    Raises
    ------
    ShapeError
        Bounds whose shapes would broadcast ``t`` to a larger shape.

    Examples
    --------
    >>> import numeric.graph as G
    >>> with G.Graph().as_default():
    ...     x = G.placeholder((4,), name="x")
    ...     y = G.clip_by_value(x, 0.0, 1.0)
    ...     (dx,) = G.gradients(y, [x])
    ...     with G.Session() as sess:
    ...         print(sess.run([y, dx], {x: [-1.0, 0.0, 1.0, 2.0]}))
    [array([0., 0., 1., 1.]), array([0., 1., 1., 0.])]
    """
    return apply_op("ClipByValue", [t, clip_value_min, clip_value_max], name)
