"""Shape primitives: identity, reshape, transpose, indexing and padding.

Part of the registry in :mod:`numeric.registry`. Each op is linear, so each VJP
is another op of this family: ``reshape`` undoes ``reshape``, ``getitem`` and
``index_add`` are each other's transpose, and ``pad`` is undone by slicing.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ShapeError
from numeric.registry import deflinear, defprim, defvjp
from numeric.tape import Tensor, apply

# ----- identity -----


def _identity_impl(x):
    return x


identity_p = defprim("identity", _identity_impl, 1)


def identity_vjp(g, ans, x):
    return (g,)


defvjp(identity_p, identity_vjp)
deflinear(identity_p)

# ----- astype: a change of floating dtype (float32 <-> float64) -----


def _astype_impl(x, dtype):
    return x.astype(dtype, copy=False)


astype_p = defprim("astype", _astype_impl, 1)


def astype_vjp(g, ans, x, dtype):
    # the cotangent goes back in the input's dtype, as PyTorch's engine casts
    return (apply(astype_p, g, dtype=x.data.dtype),)


defvjp(astype_p, astype_vjp)
deflinear(astype_p)

# ----- reshape -----


def _reshape_impl(x, shape):
    try:
        return np.reshape(x, shape)
    except ValueError:
        raise ShapeError(
            f"reshape: cannot reshape shape {x.shape} into {tuple(shape)}"
        ) from None


reshape_p = defprim("reshape", _reshape_impl, 1)


def reshape(x, shape):
    """Return ``x`` with a new shape (one entry may be -1), like ``np.reshape``."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    shape = tuple(shape)
    if isinstance(x, Tensor) and x.shape == shape:
        return x  # nothing to record
    return apply(reshape_p, x, shape=shape)


def reshape_vjp(g, ans, x, shape):
    return (reshape(g, x.shape),)


defvjp(reshape_p, reshape_vjp)
deflinear(reshape_p)

# ----- transpose -----


def _transpose_impl(x, axes):
    try:
        return np.transpose(x, axes)
    except ValueError:
        raise ShapeError(
            f"transpose: axes {axes} do not fit an array of shape {x.shape}"
        ) from None


transpose_p = defprim("transpose", _transpose_impl, 1)


def transpose(x, axes=None):
    """Permute the axes of ``x`` (reverse them when ``axes`` is None)."""
    if axes is not None:
        axes = tuple(int(a) for a in axes)
    return apply(transpose_p, x, axes=axes)


def transpose_vjp(g, ans, x, axes):
    if axes is None:
        return (transpose(g),)
    return (transpose(g, tuple(np.argsort([a % x.ndim for a in axes]))),)


defvjp(transpose_p, transpose_vjp)
deflinear(transpose_p)

# ----- getitem / index_add -----


def _is_basic(index) -> bool:
    """True for an index of ints, slices, None and Ellipsis (no repeats possible)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        p is None or p is Ellipsis or isinstance(p, (slice, int, np.integer))
        for p in parts
    )


def _getitem_impl(x, index):
    return np.asarray(x[index])


getitem_p = defprim("getitem", _getitem_impl, 1)


def getitem_vjp(g, ans, x, index):
    # d(x[index]) scatters back: repeated indices add up (np.add.at)
    return (index_add(g, index, x.shape),)


defvjp(getitem_p, getitem_vjp)
deflinear(getitem_p)


def _index_add_impl(g, index, shape):
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


index_add_p = defprim("index_add", _index_add_impl, 1)


def index_add(g, index, shape):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeats accumulate)."""
    return apply(index_add_p, g, index=index, shape=tuple(shape))


def index_add_vjp(gg, ans, g, index, shape):
    return (apply(getitem_p, gg, index=index),)


defvjp(index_add_p, index_add_vjp)
deflinear(index_add_p)

# ----- pad -----


def _pad_impl(x, widths):
    return np.pad(x, widths)


pad_p = defprim("pad", _pad_impl, 1)


def pad(x, widths):
    """Zero-pad ``x``; ``widths`` is one ``(before, after)`` pair per axis."""
    widths = tuple((int(a), int(b)) for a, b in widths)
    return apply(pad_p, x, widths=widths)


def pad_vjp(g, ans, x, widths):
    index = tuple(slice(a, a + n) for (a, _), n in zip(widths, x.shape))
    return (apply(getitem_p, g, index=index),)


defvjp(pad_p, pad_vjp)
deflinear(pad_p)

# ----- ravel (composition) -----


def ravel(x):
    """``x`` as a 1-D tensor, like ``np.ravel`` (a reshape: gradients flow).

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    Tensor
        Of shape ``(x.size,)``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.ravel(np.ones((2, 3))).shape
    (6,)
    """
    shape = x.shape if isinstance(x, Tensor) else np.shape(x)
    return reshape(x, (int(np.prod(shape, dtype=np.int64)),))
