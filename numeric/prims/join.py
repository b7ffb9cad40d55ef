"""Joining and splitting arrays: stack, concatenate, split.

Part of the registry in :mod:`numeric.registry`. ``stack`` and ``concatenate``
are variadic primitives, linear in every input, whose VJP hands each input its
slice of the cotangent; ``split`` is a composition of slices (``getitem``), so
its gradient scatters back with ``index_add``.
"""

from __future__ import annotations

import builtins
import itertools
import numbers

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.reduce import _ndim, unbroadcast
from numeric.registry import deflinear, defprim, defvjp
from numeric.tape import Tensor, apply, as_tensor

__all__ = ["concatenate", "split", "stack"]


def _shape(x) -> tuple:
    return x.shape if isinstance(x, Tensor) else np.shape(x)


# ----- stack -----


def _stack_impl(*xs, axis):
    try:
        return np.stack(np.broadcast_arrays(*xs), axis=axis)
    except ValueError:
        shapes = ", ".join(str(np.shape(x)) for x in xs)
        raise ShapeError(f"stack: shapes {shapes} do not broadcast together") from None


stack_p = defprim("stack", _stack_impl, None)  # any number of inputs


def stack(arrays, axis=0):
    """Join arrays along a new axis, like ``np.stack``.

    The inputs are first broadcast against each other (so scalars may be
    mixed with arrays), and each gradient is summed back to its input's shape.

    Parameters
    ----------
    arrays : sequence of array_like or Tensor
    axis : int
        The position of the new axis in the result.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If the inputs do not broadcast or ``axis`` is out of range.
    ArgumentError
        If ``arrays`` is empty.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.max(nm.stack([1.0, nm.tensor([0.0, 2.0])]), axis=0).data
    array([1., 2.])
    """
    arrays = list(arrays)
    if not arrays:
        raise ArgumentError("stack: needs at least one array")
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
deflinear(stack_p)

# ----- concatenate -----


def _concatenate_impl(*xs, axis):
    return np.concatenate(xs, axis=axis)


concatenate_p = defprim("concatenate", _concatenate_impl, None)


def concatenate(arrays, axis=0):
    """Join arrays along an existing axis, like ``np.concatenate``.

    Parameters
    ----------
    arrays : sequence of array_like or Tensor
        Equal shapes off ``axis``, at least 1-D.
    axis : int or None
        The axis to join along; None flattens every input first, as NumPy.

    Returns
    -------
    Tensor

    Raises
    ------
    ShapeError
        If the shapes differ off ``axis`` or an input is 0-d (the message
        lists the shapes).
    ArgumentError
        If ``arrays`` is empty.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.concatenate([np.ones(2), nm.tensor([5.0])]).data
    array([1., 1., 5.])
    """
    arrays = [as_tensor(a) for a in arrays]
    if not arrays:
        raise ArgumentError("concatenate: needs at least one array")
    if axis is None:
        arrays = [a.reshape(-1) for a in arrays]
        axis = 0
    shapes = [a.shape for a in arrays]
    ndim = len(shapes[0])
    listed = ", ".join(str(s) for s in shapes)
    if ndim == 0 or any(len(s) != ndim for s in shapes):
        raise ShapeError(
            f"concatenate: inputs must have the same number (>= 1) of dimensions, "
            f"got shapes {listed}"
        )
    if not -ndim <= int(axis) < ndim:
        raise ShapeError(f"concatenate: axis {axis} is out of range for {ndim} dims")
    axis = int(axis) % ndim
    if any(
        s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :]
        for s in shapes
    ):
        raise ShapeError(
            f"concatenate: shapes {listed} differ off the joined axis {axis}"
        )
    return apply(concatenate_p, *arrays, axis=axis)


def concatenate_vjp(g, ans, *xs, axis):
    lead = (slice(None),) * axis
    out, start = [], 0
    for x in xs:
        n = x.shape[axis]
        out.append(g[lead + (slice(start, start + n),)])
        start += n
    return tuple(out)


defvjp(concatenate_p, concatenate_vjp)
deflinear(concatenate_p)

# ----- split (composition) -----


def split(x, indices_or_sections, axis=0):
    """Split ``x`` into a list of sub-tensors along ``axis``, like ``np.split``.

    Parameters
    ----------
    x : array_like or Tensor
    indices_or_sections : int or sequence of ints
        A number of equal sections, or the sorted split points.
    axis : int

    Returns
    -------
    list of Tensor
        Slices of ``x`` (their gradients scatter back into ``x``).

    Raises
    ------
    ArgumentError
        If a number of sections does not divide the axis.
    ShapeError
        If ``x`` is 0-d or ``axis`` is out of range.

    Examples
    --------
    >>> import numeric as nm
    >>> [p.data for p in nm.split(np.arange(4.0), [1, 3])]
    [array([0.]), array([1., 2.]), array([3.])]
    """
    x = as_tensor(x)
    if x.ndim == 0:
        raise ShapeError("split: cannot split a 0-d array")
    if not -x.ndim <= int(axis) < x.ndim:
        raise ShapeError(f"split: axis {axis} is out of range for {x.ndim} dims")
    axis = int(axis) % x.ndim
    n = x.shape[axis]
    if isinstance(indices_or_sections, numbers.Integral):
        sections = int(indices_or_sections)
        if sections <= 0 or n % sections:
            raise ArgumentError(
                f"split: {sections} sections do not divide an axis of length {n} "
                "equally"
            )
        bounds = [n // sections * k for k in range(sections + 1)]
    else:
        points = [int(i) for i in indices_or_sections]
        bounds = [0] + [builtins.min(builtins.max(p, 0), n) for p in points] + [n]
    lead = (slice(None),) * axis
    return [
        x[lead + (slice(a, builtins.max(a, b)),)] for a, b in itertools.pairwise(bounds)
    ]
