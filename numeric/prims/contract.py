"""Tensor contractions: ``einsum`` and the products built on it
(``tensordot``, ``dot``, ``inner``, ``outer``).

Part of the registry in :mod:`numeric.registry`. ``einsum`` is one primitive
whose subscripts are normalised once (ellipses replaced by letters, the
implicit output made explicit), so its VJP for each operand is another
``einsum``: the cotangent contracted with the other operands, onto that
operand's subscripts. Letters repeated inside an operand (a diagonal) go back
through a constant identity, and letters summed inside one operand only come
back through a constant vector of ones. The other products are compositions.
"""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from numeric.errors import ArgumentError, ShapeError
from numeric.prims.reduce import broadcast_to, unbroadcast
from numeric.prims.shape import reshape
from numeric.registry import defjvp, defprim, defvjp, needs_grad
from numeric.tape import Tensor, apply, as_tensor

__all__ = ["dot", "einsum", "inner", "outer", "tensordot"]

_LETTERS = string.ascii_letters


def _normalize(subscripts: str, shapes) -> str:
    """Explicit subscripts with every ellipsis spelled out in letters."""
    if not isinstance(subscripts, str):
        raise ArgumentError(f"einsum: subscripts must be a string, got {subscripts!r}")
    text = subscripts.replace(" ", "")
    ins, arrow, out = text.partition("->")
    in_subs = ins.split(",")
    if len(in_subs) != len(shapes):
        raise ArgumentError(
            f"einsum: subscripts {subscripts!r} name {len(in_subs)} operands, "
            f"got {len(shapes)}"
        )
    for sub in in_subs + ([out] if arrow else []):
        bare = sub.replace("...", "", 1)
        if any(c not in _LETTERS for c in bare):
            raise ArgumentError(
                f"einsum: subscripts {subscripts!r} may hold only letters, ',', "
                "'->' and one '...' per operand"
            )
    free = [c for c in _LETTERS if c not in text]
    counts = []
    for sub, shape in zip(in_subs, shapes):
        named = len(sub.replace("...", ""))
        n_ell = len(shape) - named if "..." in sub else 0
        if n_ell < 0 or ("..." not in sub and named != len(shape)):
            raise ShapeError(
                f"einsum: subscripts {sub!r} do not fit an operand of shape {shape}"
            )
        counts.append(n_ell)
    n_ell = max(counts, default=0)
    ell = "".join(free[:n_ell])
    expanded = [sub.replace("...", ell[n_ell - k :]) for sub, k in zip(in_subs, counts)]
    if arrow:
        # an output without '...' sums the broadcast dimensions, as in NumPy
        out = out.replace("...", ell)
    else:
        letters = Counter(c for sub in in_subs for c in sub.replace("...", ""))
        out = ell + "".join(sorted(c for c, k in letters.items() if k == 1))
    return ",".join(expanded) + "->" + out


def _einsum_impl(*operands, subscripts):
    try:
        return np.einsum(subscripts, *operands, optimize=len(operands) > 2)
    except ValueError as exc:
        shapes = ", ".join(str(np.shape(x)) for x in operands)
        raise ShapeError(f"einsum {subscripts!r}: shapes {shapes}: {exc}") from None


einsum_p = defprim("einsum", _einsum_impl, None)


def einsum(subscripts: str, *operands):
    """Einstein summation, like ``np.einsum``.

    Parameters
    ----------
    subscripts : str
        Explicit (``"ij,jk->ik"``) or implicit (``"ij,jk"``: the output holds
        the letters seen once, sorted) subscripts, with ``...`` for broadcast
        dimensions; letters may repeat inside an operand (a diagonal).
    *operands : array_like or Tensor

    Returns
    -------
    Tensor

    Raises
    ------
    ArgumentError
        If the subscripts are malformed or name the wrong number of operands.
    ShapeError
        If a subscript does not fit its operand's shape.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.einsum("ii", np.eye(3)).item()
    3.0
    >>> nm.grad(lambda a: nm.einsum("ij,ij->", a, a))(np.ones((1, 2)))
    array([[2., 2.]])
    """
    ops = [as_tensor(x) if isinstance(x, (list, tuple)) else x for x in operands]
    shapes = [x.shape if isinstance(x, Tensor) else np.shape(x) for x in ops]
    return apply(einsum_p, *ops, subscripts=_normalize(subscripts, shapes))


def _sizes(subs, operands) -> dict:
    """Each letter's size, the largest over the operands (size-1 broadcasts)."""
    sizes: dict = {}
    for sub, x in zip(subs, operands):
        for c, n in zip(sub, x.shape):
            sizes[c] = max(sizes.get(c, 1), n)
    return sizes


def _operand_cotangent(g, i, subs, out, operands):
    """d<g, einsum(operands)>/d operand_i, as an einsum onto operand i's letters."""
    sizes = _sizes(subs, operands)
    target = list(subs[i])
    extra_subs, extra_ops = [], []
    seen: set = set()
    spare = iter(c for c in _LETTERS if c not in sizes)
    for k, c in enumerate(target):
        if c in seen:  # a repeated letter: a diagonal, put back by an identity
            fresh = next(spare)
            target[k] = fresh
            extra_subs.append(c + fresh)
            extra_ops.append(np.eye(sizes[c]))
        seen.add(c)
    others = [s for k, s in enumerate(subs) if k != i]
    present = set(out).union(*others, *extra_subs)
    for c in sorted(set(subs[i]) - present):  # summed in operand i alone
        extra_subs.append(c)
        extra_ops.append(np.ones(sizes[c]))
    rule = ",".join([out, *others, *extra_subs]) + "->" + "".join(target)
    ops = [g, *(x for k, x in enumerate(operands) if k != i), *extra_ops]
    full = apply(einsum_p, *ops, subscripts=rule)
    shape = operands[i].shape
    if full.shape != shape:  # size-1 dimensions that broadcast, either way
        wide = tuple(sizes[c] for c in subs[i])
        if full.shape != wide:
            full = broadcast_to(full, wide)
        full = reshape(unbroadcast(full, shape), shape)
    return full


def einsum_vjp(g, ans, *operands, subscripts):
    ins, out = subscripts.split("->")
    subs = ins.split(",")
    return tuple(
        _operand_cotangent(g, i, subs, out, operands) if needs_grad(x) else None
        for i, x in enumerate(operands)
    )


def einsum_jvp(dots, ans, *operands, subscripts):
    # multilinear: the sum over operands of the product with one tangent
    out = None
    for i, d in enumerate(dots):
        if d is not None:
            ops = list(operands)
            ops[i] = d
            term = apply(einsum_p, *ops, subscripts=subscripts)
            out = term if out is None else out + term
    return out


defvjp(einsum_p, einsum_vjp)
defjvp(einsum_p, einsum_jvp)

# ----- products built on einsum -----


def _ndim(x) -> int:
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)


def tensordot(a, b, axes=2):
    """Sum products over the given axes, like ``np.tensordot`` (an einsum).

    Parameters
    ----------
    a, b : array_like or Tensor
    axes : int or (sequence, sequence)
        N: the last N axes of ``a`` with the first N of ``b``; or two equal
        length sequences of axes.

    Returns
    -------
    Tensor
        ``a``'s free axes, then ``b``'s.

    Raises
    ------
    ShapeError
        If the contracted axes differ in length.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > min(a.ndim, b.ndim):
            raise ShapeError(
                f"tensordot: axes={n} does not fit shapes {a.shape} and {b.shape}"
            )
        a_axes, b_axes = list(range(a.ndim - n, a.ndim)), list(range(n))
    else:
        a_axes, b_axes = axes
        a_axes = [a_axes] if isinstance(a_axes, (int, np.integer)) else list(a_axes)
        b_axes = [b_axes] if isinstance(b_axes, (int, np.integer)) else list(b_axes)
    if len(a_axes) != len(b_axes):
        raise ShapeError(
            f"tensordot: {len(a_axes)} axes of the first operand against "
            f"{len(b_axes)} of the second"
        )
    a_axes = [int(i) % max(a.ndim, 1) for i in a_axes]
    b_axes = [int(i) % max(b.ndim, 1) for i in b_axes]
    for i, j in zip(a_axes, b_axes):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(
                f"tensordot: shapes {a.shape} and {b.shape} differ on the "
                f"contracted axes {i} and {j}"
            )
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(a_axes, b_axes):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in a_axes] + [
        c for k, c in enumerate(sb) if k not in b_axes
    ]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


def dot(a, b):
    """``np.dot``: a product with a scalar, the inner product of vectors, the
    matrix product, or the sum over ``a``'s last axis and ``b``'s second to
    last for N-d arrays.

    Parameters
    ----------
    a, b : array_like or Tensor

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import numeric as nm
    >>> nm.dot([1.0, 2.0], [3.0, 4.0]).item()
    11.0
    """
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, axes=([a.ndim - 1], [max(b.ndim - 2, 0)]))


def inner(a, b):
    """``np.inner``: the sum over the last axes of ``a`` and ``b`` (a product
    when either is a scalar).

    Parameters
    ----------
    a, b : array_like or Tensor

    Returns
    -------
    Tensor
        Of shape ``a.shape[:-1] + b.shape[:-1]``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.inner(np.eye(2), [1.0, 2.0]).data
    array([1., 2.])
    """
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, axes=([a.ndim - 1], [b.ndim - 1]))


def outer(a, b):
    """``np.outer``: ``ravel(a)[:, None] * ravel(b)[None, :]``.

    Parameters
    ----------
    a, b : array_like or Tensor

    Returns
    -------
    Tensor
        Of shape ``(a.size, b.size)``.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.outer([1.0, 2.0], [1.0, 0.0, -1.0]).shape
    (2, 3)
    """
    a, b = as_tensor(a), as_tensor(b)
    return einsum("i,j->ij", a.reshape(-1), b.reshape(-1))
