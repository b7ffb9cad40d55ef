"""Cumulative sums and products along an axis, like ``np.cumsum``/``np.cumprod``.

Part of the registry in :mod:`numeric.registry`. ``cumsum`` is linear; its
transpose is the reversed cumulative sum, written with ``cumsum`` itself.
``cumprod``'s gradient divides by nothing when the slice holds a zero: then
each partial derivative is a cumulative product with one entry set to 1.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ShapeError
from numeric.prims.elementwise import where
from numeric.prims.reduce import _ndim, sum
from numeric.prims.shape import reshape, transpose
from numeric.registry import defjvp, deflinear, defprim, defvjp
from numeric.tape import apply, as_tensor

__all__ = ["cumprod", "cumsum"]


def _scan_axis(op, x, axis):
    """``(x, axis)`` with axis=None meaning the flattened array, as in NumPy."""
    if axis is None:
        return as_tensor(x).reshape(-1), 0
    ndim = _ndim(x)
    if not -ndim <= int(axis) < max(ndim, 1) or ndim == 0:
        raise ShapeError(f"{op}: axis {axis} is out of range for {ndim} dims")
    return x, int(axis) % ndim


# ----- cumsum -----


def _cumsum_impl(x, axis):
    return np.cumsum(x, axis=axis)


cumsum_p = defprim("cumsum", _cumsum_impl, 1)


def cumsum(x, axis=None):
    """Cumulative sum along ``axis``, like ``np.cumsum``.

    Parameters
    ----------
    x : array_like or Tensor
    axis : int or None
        The axis to accumulate along (None: the flattened array, as NumPy).

    Returns
    -------
    Tensor
        Of ``x``'s shape (1-D when ``axis`` is None).

    Raises
    ------
    ShapeError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(lambda x: nm.sum(nm.cumsum(x)))(np.zeros(3))
    array([3., 2., 1.])
    """
    x, axis = _scan_axis("cumsum", x, axis)
    return apply(cumsum_p, x, axis=axis)


def _reverse_cumsum(g, axis):
    # sum_{i >= k} g_i = total - (cumsum up to k) + g_k
    return sum(g, axis=axis, keepdims=True) - apply(cumsum_p, g, axis=axis) + g


def cumsum_vjp(g, ans, x, axis):
    return (_reverse_cumsum(g, axis),)


defvjp(cumsum_p, cumsum_vjp)
deflinear(cumsum_p)

# ----- cumprod -----


def _cumprod_impl(x, axis):
    return np.cumprod(x, axis=axis)


cumprod_p = defprim("cumprod", _cumprod_impl, 1)


def cumprod(x, axis=None):
    """Cumulative product along ``axis``, like ``np.cumprod``.

    The gradient is exact at zeros, one or several: where a slice holds a
    zero, each partial derivative is a cumulative product with one entry set
    to 1 (no division; O(n^2) for that slice).

    Parameters
    ----------
    x : array_like or Tensor
    axis : int or None
        The axis to accumulate along (None: the flattened array, as NumPy).

    Returns
    -------
    Tensor
        Of ``x``'s shape (1-D when ``axis`` is None).

    Raises
    ------
    ShapeError
        If ``axis`` is out of range.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(lambda x: nm.sum(nm.cumprod(x)))(np.array([2.0, 0.0, 3.0]))
    array([1., 8., 0.])
    """
    x, axis = _scan_axis("cumprod", x, axis)
    return apply(cumprod_p, x, axis=axis)


def _partials_matrix(x, axis):
    """P[..., k, i] = d y_i / d x_k = prod_{j <= i, j != k} x_j for i >= k, else 0,
    with ``axis`` moved last; built from cumulative products with entry k set
    to 1, so no division happens (exact at zeros)."""
    perm = tuple(i for i in range(x.ndim) if i != axis) + (axis,)
    moved = transpose(x, perm) if axis != x.ndim - 1 else x
    n = moved.shape[-1]
    rows = where(np.eye(n, dtype=bool), 1.0, reshape(moved, moved.shape[:-1] + (1, n)))
    upper = np.triu(np.ones((n, n), dtype=bool))  # i >= k
    return where(upper, apply(cumprod_p, rows, axis=moved.ndim), 0.0), perm


def _unmove(t, perm):
    if perm == tuple(range(len(perm))):
        return t
    return transpose(t, tuple(int(i) for i in np.argsort(perm)))


def cumprod_vjp(g, ans, x, axis):
    if not np.any(x.data == 0):
        # no zeros: d y_i / d x_k = y_i / x_k for i >= k
        return (_reverse_cumsum(g * ans, axis) / x,)
    partials, perm = _partials_matrix(x, axis)
    g_moved = _move(g, perm)
    gk = sum(
        partials * reshape(g_moved, g_moved.shape[:-1] + (1, g_moved.shape[-1])),
        axis=-1,
    )
    return (_unmove(gk, perm),)


def cumprod_jvp(dots, ans, x, axis):
    dx = dots[0]
    if not np.any(x.data == 0):
        return ans * apply(cumsum_p, dx / x, axis=axis)
    partials, perm = _partials_matrix(x, axis)
    d_moved = _move(dx, perm)
    n = d_moved.shape[-1]
    dy = sum(partials * reshape(d_moved, d_moved.shape[:-1] + (n, 1)), axis=-2)
    return _unmove(dy, perm)


def _move(t, perm):
    return t if perm == tuple(range(len(perm))) else transpose(t, perm)


defvjp(cumprod_p, cumprod_vjp)
defjvp(cumprod_p, cumprod_jvp)
