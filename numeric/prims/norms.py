"""Norms and traces, like ``np.linalg.norm`` and ``np.trace``: compositions.

Part of :mod:`numeric.prims`, but with no primitive of its own: each norm is
built from ``abs``, ``sum``, ``max``/``min``, ``power`` and ``sqrt``, so its
gradient and tangent come from the registry. A 2-norm or p-norm of an all-zero
vector has the subgradient 0 there (PyTorch's choice), written with the
double-``where`` guard so ``sqrt'(0) = inf`` never enters.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.elementwise import abs, sqrt, where
from numeric.prims.reduce import _axes, sum
from numeric.prims.shape import transpose
from numeric.prims.statistics import max, min
from numeric.tape import as_tensor

__all__ = ["matrix_trace", "norm", "trace"]


def _root(s, p: float):
    """``s ** (1 / p)`` with value and gradient 0 where ``s`` is 0."""
    zero = s.data == 0
    if not np.any(zero):
        return sqrt(s) if p == 2 else s ** (1.0 / p)
    safe = where(zero, 1.0, s)
    return where(zero, 0.0, sqrt(safe) if p == 2 else safe ** (1.0 / p))


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return _root(sum(x * x, axis=axis, keepdims=keepdims), 2)
    if ord == np.inf:
        return max(abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return min(abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:  # the number of nonzero entries: piecewise constant
        return sum(where(x.data != 0, 1.0, 0.0) + 0.0 * x, axis=axis, keepdims=keepdims)
    if ord == 1:
        return sum(abs(x), axis=axis, keepdims=keepdims)
    if not isinstance(ord, numbers.Real) or isinstance(ord, bool):
        raise ArgumentError(f"norm: invalid ord {ord!r} for a vector norm")
    p = float(ord)
    return _root(sum(abs(x) ** p, axis=axis, keepdims=keepdims), p)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    if ord in (None, "fro"):
        out = _root(sum(x * x, axis=axes, keepdims=True), 2)
    elif ord in (1, -1, np.inf, -np.inf):
        # 1: the largest column sum of |x|; inf: the largest row sum
        summed, picked = (row, col) if ord in (1, -1) else (col, row)
        pick = max if ord in (1, np.inf) else min
        out = pick(sum(abs(x), axis=summed, keepdims=True), axis=picked, keepdims=True)
    elif ord in ("nuc", 2, -2):
        raise ArgumentError(
            f"norm: ord={ord!r} for matrices needs singular values, which the "
            "numeric engine does not differentiate yet"
        )
    else:
        raise ArgumentError(f"norm: invalid ord {ord!r} for a matrix norm")
    if keepdims:
        return out
    kept = tuple(n for i, n in enumerate(out.shape) if i not in axes)
    return out.reshape(kept)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm, like ``np.linalg.norm``.

    Parameters
    ----------
    x : array_like or Tensor
    ord : None, int, float, inf, -inf or 'fro'
        Vector norms (``axis`` an int, or a 1-D input): None/2, 1, inf, -inf,
        0 (the count of nonzeros) or any real p. Matrix norms (``axis`` a
        pair, or a 2-D input with ``ord`` given): 'fro', 1, -1, inf, -inf.
        With ``ord`` and ``axis`` None the input is flattened (the 2-norm).
    axis : None, int or pair of ints
    keepdims : bool
        Keep the reduced axes with length 1.

    Returns
    -------
    Tensor

    Raises
    ------
    ArgumentError
        For an ord NumPy does not define, or the 'nuc', 2 and -2 matrix norms
        (they need singular values, not differentiated here).
    ShapeError
        If ``axis`` does not fit the input.

    Notes
    -----
    Conventions: the gradient of the 2- or p-norm at the zero vector is 0
    (PyTorch's); tied entries of the inf-norm (and of the 1/inf matrix norms)
    share the gradient evenly.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.linalg.norm(np.array([3.0, 4.0])).item()
    5.0
    >>> nm.grad(nm.linalg.norm)(np.zeros(3))
    array([0., 0., 0.])
    """
    x = as_tensor(x)
    if axis is None:
        if ord is None:
            out = _root(sum(x * x), 2)
            return out.reshape((1,) * x.ndim) if keepdims else out
        if x.ndim == 1:
            axis = (0,)
        elif x.ndim == 2:
            axis = (0, 1)
        else:
            raise ShapeError(
                f"norm: ord={ord!r} needs a 1-D or 2-D input or an axis, got shape "
                f"{x.shape}"
            )
    elif isinstance(axis, numbers.Integral):
        axis = (int(axis),)
    axes = tuple(_axes(a, x.ndim)[0] for a in axis)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2 and axes[0] != axes[1]:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ShapeError(
        f"norm: axis must be an int or a pair of distinct ints, got {axis}"
    )


def trace(a, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal, like ``np.trace`` (default: the first two axes).

    Parameters
    ----------
    a : array_like or Tensor
        At least 2-D.
    offset : int
        The diagonal: 0 the main one, > 0 above it, < 0 below.
    axis1, axis2 : int
        The two axes holding the matrices.

    Returns
    -------
    Tensor
        ``a``'s other axes.

    Raises
    ------
    ShapeError
        If ``a`` has fewer than 2 dimensions or the axes coincide.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(nm.trace)(np.ones((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    a = as_tensor(a)
    if a.ndim < 2:
        raise ShapeError(f"trace: needs at least 2 dimensions, got shape {a.shape}")
    i, j = (_axes(axis, a.ndim)[0] for axis in (axis1, axis2))
    if i == j:
        raise ShapeError("trace: axis1 and axis2 must differ")
    rest = tuple(k for k in range(a.ndim) if k not in (i, j))
    moved = transpose(a, rest + (i, j))
    n, m = moved.shape[-2:]
    offset = int(offset)
    length = builtins.min(n - builtins.max(0, -offset), m - builtins.max(0, offset))
    k = np.arange(builtins.max(0, length))
    rows, cols = k + builtins.max(0, -offset), k + builtins.max(0, offset)
    return sum(moved[..., rows, cols], axis=-1)


def matrix_trace(a, offset=0):
    """Trace over the last two axes, like ``np.linalg.trace`` (batched).

    Parameters
    ----------
    a : array_like or Tensor
        Matrices of shape (..., n, m).
    offset : int
        The diagonal (see :func:`trace`).

    Returns
    -------
    Tensor
        Of shape ``a.shape[:-2]``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.linalg.trace(np.stack([np.eye(2), 2 * np.eye(2)])).data
    array([2., 4.])
    """
    return trace(a, offset=offset, axis1=-2, axis2=-1)
