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
from numeric.registry import defprim, defvjp
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
    shape = tuple(shape)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    if axes:
        g = apply(sum_p, g, axis=axes, keepdims=False)
    return reshape(g, shape)


def broadcast_to_vjp(g, ans, x, shape):
    return (unbroadcast(g, x.shape),)


defvjp(broadcast_to_p, broadcast_to_vjp)

# ----- stack -----


def _stack_impl(*xs, axis):
    try:
        return np.stack(np.broadcast_arrays(*xs), axis=axis)
    except ValueError:
        shapes = ", ".join(str(np.shape(x)) for x in xs)
        raise ShapeError(f"stack: shapes {shapes} do not broadcast together") from None


stack_p = defprim("stack", _stack_impl, None)  # any number of inputs


def stack(arrays, axis=0):
    """Join arrays along a new axis, like ``np.stack``; the inputs are first
    broadcast against each other (so scalars may be mixed with arrays), and
    each gradient is summed back to its input's shape.

    >>> import numeric as nm
    >>> nm.max(nm.stack([1.0, nm.tensor([0.0, 2.0])]), axis=0).data
    array([1., 2.])
    """
    arrays = list(arrays)
    if not arrays:
        raise ValueError("stack: needs at least one array")
    ndim = builtins.max(_ndim(a) for a in arrays) + 1
    if not -ndim <= int(axis) < ndim:
        raise ShapeError(
            f"stack: axis {axis} is out of range for a result of {ndim} dimensions"
        )
    return apply(stack_p, *arrays, axis=int(axis) % ndim)


def stack_vjp(g, ans, *xs, axis):
    lead = (slice(None),) * (axis % ans.ndim)
    return tuple(unbroadcast(g[lead + (i,)], x.shape) for i, x in enumerate(xs))


defvjp(stack_p, stack_vjp)

# ----- sum -----


def _sum_impl(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims)


sum_p = defprim("sum", _sum_impl, 1)


def sum(x, axis=None, keepdims=False):
    """Sum of ``x`` over ``axis`` (all axes when None)."""
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(sum_p, x, axis=axis, keepdims=bool(keepdims))


def sum_vjp(g, ans, x, axis, keepdims):
    return (_regrow(g, x, axis, keepdims),)


defvjp(sum_p, sum_vjp)

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

# ----- max -----


def _max_impl(x, axis, keepdims):
    if x.size == 0:
        raise ShapeError(f"max: cannot reduce an empty array of shape {x.shape}")
    return np.max(x, axis=axis, keepdims=keepdims)


max_p = defprim("max", _max_impl, 1)


def max(x, axis=None, keepdims=False):
    """Maximum of ``x`` over ``axis``; tied maxima share the gradient evenly."""
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(max_p, x, axis=axis, keepdims=bool(keepdims))


def max_vjp(g, ans, x, axis, keepdims):
    # convention: k tied maxima each get g / k (PyTorch's amax rule)
    kept = _kept_shape(x.shape, axis)
    hits = x.data == np.reshape(ans.data, kept)
    weights = hits / np.sum(hits, axis=axis, keepdims=True)
    return (_regrow(g, x, axis, keepdims) * weights,)


defvjp(max_p, max_vjp)
