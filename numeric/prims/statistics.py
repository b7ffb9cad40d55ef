"""Reductions beyond sum and mean: max, min, prod, var and std.

Part of the registry in :mod:`numeric.registry`. ``max`` and ``min`` split the
gradient evenly among tied extremes (PyTorch's ``amax``/``amin`` rule);
``prod``'s gradient is the product of the other entries, computed without a
division when the slice holds a zero; ``var`` and ``std`` are compositions.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ShapeError
from numeric.prims.elementwise import sqrt, where
from numeric.prims.reduce import _axes, _kept_shape, _ndim, _regrow, mean, sum, sum_p
from numeric.prims.shape import reshape, transpose
from numeric.registry import defjvp, defprim, defvjp
from numeric.tape import apply, as_tensor

__all__ = ["max", "min", "prod", "std", "var"]

# ----- max / min -----


def _extreme_impl(name, ufunc):
    def impl(x, axis, keepdims):
        if x.size == 0:
            raise ShapeError(f"{name}: cannot reduce an empty array of shape {x.shape}")
        return ufunc.reduce(x, axis=axis, keepdims=keepdims)

    return impl


max_p = defprim("max", _extreme_impl("max", np.maximum), 1)
min_p = defprim("min", _extreme_impl("min", np.minimum), 1)


def max(x, axis=None, keepdims=False):
    """Maximum of ``x`` over ``axis``, like ``np.max``; tied maxima share the
    gradient evenly (PyTorch's ``amax``).

    Parameters
    ----------
    x : array_like or Tensor
    axis : int, tuple of ints or None
        The axes to reduce (None: all of them).
    keepdims : bool
        Keep the reduced axes with length 1, as NumPy does.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If an axis is out of range, or ``x`` is empty.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(nm.max)(np.array([2.0, 2.0, 1.0]))
    array([0.5, 0.5, 0. ])
    """
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(max_p, x, axis=axis, keepdims=bool(keepdims))


def min(x, axis=None, keepdims=False):
    """Minimum of ``x`` over ``axis``, like ``np.min``; tied minima share the
    gradient evenly (PyTorch's ``amin``).

    Parameters
    ----------
    x : array_like or Tensor
    axis : int, tuple of ints or None
        The axes to reduce (None: all of them).
    keepdims : bool
        Keep the reduced axes with length 1, as NumPy does.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If an axis is out of range, or ``x`` is empty.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(nm.min)(np.array([1.0, 3.0, 1.0]))
    array([0.5, 0. , 0.5])
    """
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(min_p, x, axis=axis, keepdims=bool(keepdims))


def _extreme_weights(ans, x, axis):
    # convention: k tied extremes each get 1/k (PyTorch's amax/amin rule)
    hits = x.data == np.reshape(ans.data, _kept_shape(x.shape, axis))
    return hits / np.add.reduce(hits, axis=axis, keepdims=True)


def extreme_vjp(g, ans, x, axis, keepdims):
    return (_regrow(g, x, axis, keepdims) * _extreme_weights(ans, x, axis),)


def extreme_jvp(dots, ans, x, axis, keepdims):
    weights = _extreme_weights(ans, x, axis)
    return apply(sum_p, dots[0] * weights, axis=axis, keepdims=keepdims)


for _prim in (max_p, min_p):
    defvjp(_prim, extreme_vjp)
    defjvp(_prim, extreme_jvp)

# ----- prod -----


def _prod_impl(x, axis, keepdims):
    return np.multiply.reduce(x, axis=axis, keepdims=keepdims)


prod_p = defprim("prod", _prod_impl, 1)


def prod(x, axis=None, keepdims=False):
    """Product of ``x`` over ``axis``, like ``np.prod`` (1 for an empty slice).

    The gradient of each entry is the product of the others, computed without
    dividing when the slice holds a zero, so it is exact at one zero or
    several (and differentiates again there).

    Parameters
    ----------
    x : array_like or Tensor
    axis : int, tuple of ints or None
        The axes to reduce (None: all of them).
    keepdims : bool
        Keep the reduced axes with length 1, as NumPy does.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If an axis is out of range.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(nm.prod)(np.array([2.0, 0.0, 3.0]))
    array([0., 6., 0.])
    """
    if axis is not None:
        axis = _axes(axis, _ndim(x))
    return apply(prod_p, x, axis=axis, keepdims=bool(keepdims))


def _move_to_end(x, axes):
    """``x`` with ``axes`` moved last and merged into one: (rest..., n)."""
    keep = tuple(i for i in range(x.ndim) if i not in axes)
    perm = keep + tuple(axes)
    moved = transpose(x, perm) if perm != tuple(range(x.ndim)) else x
    rest = tuple(x.shape[i] for i in keep)
    n = int(np.prod([x.shape[i] for i in axes], dtype=np.int64))
    return reshape(moved, rest + (n,)), perm


def _move_back(t, x_shape, axes, perm):
    """Undo :func:`_move_to_end` for a result of shape (rest..., n)."""
    moved_shape = tuple(x_shape[i] for i in perm)
    t = reshape(t, moved_shape)
    inverse = tuple(int(i) for i in np.argsort(perm))
    return transpose(t, inverse) if perm != tuple(range(len(x_shape))) else t


def _others_product(x, axis):
    """prod_{j != k} x_j over each reduced slice, of ``x``'s shape."""
    axes = _axes(axis, x.ndim)
    flat, perm = _move_to_end(x, axes)
    n = flat.shape[-1]
    # row k of the (n, n) matrix is the slice with entry k set to 1
    rows = where(np.eye(n, dtype=bool), 1.0, reshape(flat, flat.shape[:-1] + (1, n)))
    others = apply(prod_p, rows, axis=(flat.ndim,), keepdims=False)
    return _move_back(others, x.shape, axes, perm)


def _prod_partials(ans, x, axis, keepdims):
    if not np.any(x.data == 0):
        # no zeros: the product of the others is ans / x_k
        return _regrow(ans, x, axis, keepdims) / x
    return _others_product(x, axis)


def prod_vjp(g, ans, x, axis, keepdims):
    return (_regrow(g, x, axis, keepdims) * _prod_partials(ans, x, axis, keepdims),)


def prod_jvp(dots, ans, x, axis, keepdims):
    partials = _prod_partials(ans, x, axis, keepdims)
    return apply(sum_p, dots[0] * partials, axis=axis, keepdims=keepdims)


defvjp(prod_p, prod_vjp)
defjvp(prod_p, prod_jvp)

# ----- var / std (compositions) -----


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance over ``axis``, like ``np.var``: ``sum((x - mean)**2) / (n - ddof)``.

    A composition of registered primitives, so its gradient and tangent come
    from theirs.

    Parameters
    ----------
    x : array_like or Tensor
    axis : int, tuple of ints or None
        The axes to reduce (None: all of them).
    ddof : int
        Delta degrees of freedom: 0 for the population variance, 1 for the
        unbiased sample variance. ``n <= ddof`` gives inf or NaN, as NumPy.
    keepdims : bool
        Keep the reduced axes with length 1.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If an axis is out of range.

    Examples
    --------
    >>> import numeric as nm
    >>> float(nm.var(np.array([1.0, 2.0, 3.0, 4.0]), ddof=1).data)
    1.6666666666666667
    """
    x = as_tensor(x)
    axes = _axes(axis, x.ndim)
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    d = x - mean(x, axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):  # n <= ddof: inf/nan as NumPy
        return sum(d * d, axis=axes, keepdims=keepdims) / np.float64(n - ddof)


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation ``sqrt(var(x, axis, ddof))``, like ``np.std``.

    At a constant slice the value is 0 and, as in PyTorch, the gradient is NaN
    (sqrt'(0) = inf times a zero deviation).

    Parameters
    ----------
    x : array_like or Tensor
    axis : int, tuple of ints or None
    ddof : int
        Delta degrees of freedom (see :func:`var`).
    keepdims : bool

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(lambda v: nm.std(v))(np.array([1.0, 3.0]))
    array([-0.5,  0.5])
    """
    return sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))
