"""Static shape rules of the joining and axis-editing ops: concat, stack,
expand_dims, squeeze, one_hot, clip_by_value and placeholder_with_default.

Each rule maps ``(op_name, input_shapes, attrs)`` to the output shape, with
``None`` for what is unknown, and raises :class:`~numeric.errors.ShapeError`
naming the op, the argument and the shapes when known sizes cannot fit
(the same contract as :mod:`numeric.graph.shape_rules`).
"""

from __future__ import annotations

from numeric.errors import ShapeError
from numeric.graph.shapes import broadcast_shapes, format_shape


def _shapes_text(shapes) -> str:
    return ", ".join(format_shape(s) for s in shapes)


def _check_axis(name: str, axis: int, low: int, high: int, rank: int) -> int:
    """``axis`` normalized to ``[0, high - low)``; an error outside ``[low, high)``."""
    if not low <= axis < high:
        raise ShapeError(
            f"{name}: axis {axis} is out of range [{low}, {high - 1}] for rank {rank}"
        )
    return axis - low if axis < 0 else axis


def _merged_dims(name: str, shapes, what: str):
    """The known shapes merged dimension by dimension (None where no shape
    knows the size); an error when two known sizes differ or ranks differ."""
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    rank = len(known[0])
    if any(len(s) != rank for s in known):
        raise ShapeError(f"{name}: {what} have different ranks: {_shapes_text(shapes)}")
    out: list[int | None] = []
    for i in range(rank):
        sizes = {s[i] for s in known if s[i] is not None}
        if len(sizes) > 1:
            raise ShapeError(
                f"{name}: {what} differ in dimension {i}: {_shapes_text(shapes)}"
            )
        out.append(sizes.pop() if sizes else None)
    return tuple(out)


def concat_shape(name, shapes, attrs):
    """``tf.concat``: equal ranks, equal sizes off ``axis``, sizes summed on it."""
    axis = attrs["axis"]
    known = [s for s in shapes if s is not None]
    if not known:
        return None
    rank = len(known[0])
    if rank == 0:
        raise ShapeError(
            f"{name}: cannot concatenate scalars (values {_shapes_text(shapes)})"
        )
    ax = _check_axis(name, axis, -rank, rank, rank)
    # the sizes along axis may differ: merge the others with that axis masked
    masked = [None if s is None else s[:ax] + (None,) + s[ax + 1 :] for s in shapes]
    out = list(_merged_dims(name, masked, "values"))
    along = [None if s is None else s[ax] for s in shapes]
    known_along = [d for d in along if d is not None]
    out[ax] = sum(known_along) if len(known_along) == len(along) else None
    return tuple(out)


def stack_shape(name, shapes, attrs):
    """``tf.stack``: equal shapes, a new axis of size ``len(values)``."""
    shape = _merged_dims(name, shapes, "values")
    if shape is None:
        return None
    rank = len(shape)
    ax = _check_axis(name, attrs["axis"], -rank - 1, rank + 1, rank)
    return shape[:ax] + (len(shapes),) + shape[ax:]


def expand_dims_key(axis: int) -> tuple:
    """An index inserting a length-1 axis at ``axis``, whatever the rank."""
    if axis >= 0:
        return (slice(None),) * axis + (None, Ellipsis)
    return (Ellipsis, None) + (slice(None),) * (-axis - 1)


def expand_dims_shape(name, shapes, attrs):
    shape = shapes[0]
    if shape is None:
        return None
    rank = len(shape)
    ax = _check_axis(name, attrs["axis"], -rank - 1, rank + 1, rank)
    return shape[:ax] + (1,) + shape[ax:]


def squeezed(name: str, shape, axis):
    """The shape without the length-1 axes ``axis`` (all of them when None).

    With a static shape holding unknown sizes and ``axis=None``, the result is
    None (unknown rank); a listed axis whose size is known and not 1 is an error.
    """
    rank = len(shape)
    if axis is None:
        if None in shape:
            return None
        return tuple(d for d in shape if d != 1)
    axes = {_check_axis(name, a, -rank, rank, rank) for a in axis}
    for a in sorted(axes):
        if shape[a] is not None and shape[a] != 1:
            raise ShapeError(
                f"{name}: cannot squeeze axis {a} of size {shape[a]} "
                f"(shape {format_shape(shape)}); only length-1 axes can go"
            )
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def squeeze_shape(name, shapes, attrs):
    shape = shapes[0]
    return None if shape is None else squeezed(name, shape, attrs["axis"])


def one_hot_shape(name, shapes, attrs):
    """``tf.one_hot``: a new axis of size ``depth`` at ``axis`` (-1: last)."""
    shape, axis = shapes[0], attrs["axis"]
    if shape is None:
        return None
    rank = len(shape)
    ax = rank if axis == -1 else _check_axis(name, axis, 0, rank + 1, rank)
    return shape[:ax] + (attrs["depth"],) + shape[ax:]


def clip_shape(name, shapes, attrs):
    """``tf.clip_by_value``: the bounds broadcast to ``t``'s shape, never beyond."""
    t = shapes[0]
    out = broadcast_shapes(name, *shapes)
    if t is not None and out is not None:
        grown = len(out) != len(t) or any(
            d is not None and o is not None and d != o for d, o in zip(t, out)
        )
        if grown:
            raise ShapeError(
                f"{name}: clip_value_min {format_shape(shapes[1])} and "
                f"clip_value_max {format_shape(shapes[2])} would broadcast t "
                f"{format_shape(t)} to {format_shape(out)}; the bounds must "
                "fit t's shape"
            )
    return t


def declared_shape(name, shapes, attrs):
    """``placeholder_with_default``: the declared shape, which the default fits."""
    value, declared = shapes[0], attrs["shape"]
    if value is None or declared is None:
        return declared
    fits = len(value) == len(declared) and all(
        d is None or v is None or d == v for v, d in zip(value, declared)
    )
    if not fits:
        raise ShapeError(
            f"{name}: the default value of shape {format_shape(value)} does not "
            f"fit the declared shape {format_shape(declared)}"
        )
    return declared
