"""Reductions and broadcasting: sum, mean, max, broadcast_to, unbroadcast, stack.

Part of the registry in :mod:`numeric.registry`. ``sum`` and ``broadcast_to``
are each other's transpose; :func:`unbroadcast` is the one helper every binary
rule uses to give a cotangent its input's shape.
"""

from __future__ import annotations

import builtins

import numpy as np

from numeric.errors import ShapeError
from numeric.prims.shape import reshape
from numeric.registry import deflinear, defprim, defvjp
from numeric.tape import Tensor, apply


def _ndim(x) -> int:
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)


def _axes(axis, ndim: int):
    """``axis`` as a sorted tuple of non-negative ints (None: every axis)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ShapeError(f"axis {a} is out of bounds for an array of {ndim} dims")
        out.append(a % builtins.max(ndim, 1))
    return tuple(sorted(out))


def _kept_shape(shape, axis) -> tuple:
    """The shape of a reduction over ``axis`` with keepdims=True."""
    axes = _axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _regrow(g, x, axis, keepdims):
    """Broadcast a reduction's cotangent ``g`` back to ``x``'s shape."""
    if not keepdims:
        g = reshape(g, _kept_shape(x.shape, axis))
    return broadcast_to(g, x.shape)


# ----- broadcast_to / unbroadcast -----


def _broadcast_to_impl(x, shape):
    try:
        return np.broadcast_to(x, shape)
    except ValueError:
        raise ShapeError(
            f"broadcast_to: cannot broadcast shape {x.shape} to {tuple(shape)}"
        ) from None


broadcast_to_p = defprim("broadcast_to", _broadcast_to_impl, 1)


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape`` (NumPy rules)."""
    return apply(broadcast_to_p, x, shape=tuple(shape))


def unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, so the
    result has ``shape``. The one place where broadcasting is undone."""
    gshape = g.data.shape
    if gshape == shape:
        return g  # the common case: no broadcasting happened
    shape = tuple(shape)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and gshape[lead + i] != 1
    )
    if axes:
        g = apply(sum_p, g, axis=axes, keepdims=False)
    return reshape(g, shape)


def broadcast_to_vjp(g, ans, x, shape):
    return (unbroadcast(g, x.shape),)


defvjp(broadcast_to_p, broadcast_to_vjp)
deflinear(broadcast_to_p)

# ----- sum -----


def _sum_impl(x, axis, keepdims):
    return np.add.reduce(x, axis=axis, keepdims=keepdims)


sum_p = defprim("sum", _sum_impl, 1)


def sum(x, axis=None, keepdims=False):
    """Sum of ``x`` over ``axis`` (all axes when None)."""
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(sum_p, x, axis=axis, keepdims=bool(keepdims))


def sum_vjp(g, ans, x, axis, keepdims):
    return (_regrow(g, x, axis, keepdims),)


defvjp(sum_p, sum_vjp)
deflinear(sum_p)

# ----- mean -----


def _mean_impl(x, axis, keepdims):
    return np.mean(x, axis=axis, keepdims=keepdims)


mean_p = defprim("mean", _mean_impl, 1)


def mean(x, axis=None, keepdims=False):
    """Mean of ``x`` over ``axis`` (all axes when None)."""
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(mean_p, x, axis=axis, keepdims=bool(keepdims))


def mean_vjp(g, ans, x, axis, keepdims):
    count = int(np.prod([x.shape[a] for a in _axes(axis, x.ndim)]))
    return (_regrow(g, x, axis, keepdims) / count,)


defvjp(mean_p, mean_vjp)
deflinear(mean_p)
