"""Matrix functions of ``np.linalg``: inv, det, slogdet, solve, cholesky.

Part of the registry in :mod:`numeric.registry`. Each works on stacks of
matrices (the last two axes), like NumPy. The rules are the textbook ones
written with ``matmul``, ``solve`` and ``inv`` themselves, so they
differentiate again: d inv = -inv dA inv; d det = det tr(inv dA); d solve =
solve(A, db - dA x); and Murray's (2016) rule for the Cholesky factor.
"""

from __future__ import annotations

import numpy as np

from numeric.errors import ArgumentError, DifferentiationError, ShapeError
from numeric.prims.linalg import _swap_last, matmul
from numeric.prims.reduce import sum, unbroadcast
from numeric.prims.shape import reshape
from numeric.registry import defjvp, defprim, defvjp, needs_grad
from numeric.tape import Tensor, apply

__all__ = ["cholesky", "det", "inv", "slogdet", "solve"]


def _square(op, a):
    shape = a.shape if isinstance(a, Tensor) else np.shape(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ShapeError(
            f"{op}: needs square matrices in the last two axes, got shape {shape}"
        )


def _linalg_call(op, fn, *arrays):
    try:
        return fn(*arrays)
    except np.linalg.LinAlgError as exc:
        raise ArgumentError(f"{op}: {exc} (numpy.linalg)") from None


def _mat(t):
    """A batch of scalars as a batch of 1x1 matrices, for broadcasting."""
    return reshape(t, t.shape + (1, 1))


def _trace_product(a, b):
    """tr(a^T b) over the last two axes: sum(a * b)."""
    return sum(a * b, axis=(-2, -1))


# ----- inv -----


def _inv_impl(a):
    return _linalg_call("inv", np.linalg.inv, a)


inv_p = defprim("inv", _inv_impl, 1)


def inv(a):
    """Inverse of each matrix in the last two axes, like ``np.linalg.inv``.

    The VJP is ``-inv(a).T @ g @ inv(a).T``, the JVP ``-inv(a) @ da @ inv(a)``.

    Parameters
    ----------
    a : array_like or Tensor
        A matrix or a stack of them, of shape (..., n, n).

    Returns
    -------
    Tensor
        Of ``a``'s shape.

    Raises
    ------
    ShapeError
        If the last two axes are not square.
    ArgumentError
        If a matrix is singular.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.linalg.inv(np.diag([2.0, 4.0])).data
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    _square("inv", a)
    return apply(inv_p, a)


def inv_vjp(g, ans, a):
    # d<g, A^-1> = -<A^-T g A^-T, dA>
    at = _swap_last(ans)
    return (-matmul(matmul(at, g), at),)


def inv_jvp(dots, ans, a):
    return -matmul(matmul(ans, dots[0]), ans)


defvjp(inv_p, inv_vjp)
defjvp(inv_p, inv_jvp)

# ----- det -----


def _det_impl(a):
    return np.linalg.det(a)


det_p = defprim("det", _det_impl, 1)


def det(a):
    """Determinant of each matrix in the last two axes, like ``np.linalg.det``.

    Its gradient ``det(a) * inv(a).T`` (the cofactor matrix) needs
    ``inv(a)``: at an exactly singular matrix (``det == 0``) asking for it
    raises :class:`DifferentiationError` rather than return a wrong or NaN
    value.

    Parameters
    ----------
    a : array_like or Tensor
        A matrix or a stack of them, of shape (..., n, n).

    Returns
    -------
    Tensor
        Of shape ``a.shape[:-2]``.

    Raises
    ------
    ShapeError
        If the last two axes are not square.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.grad(nm.linalg.det)(np.array([[2.0, 1.0], [0.5, 3.0]]))
    array([[ 3. , -0.5],
           [-1. ,  2. ]])
    """
    _square("det", a)
    return apply(det_p, a)


def _inv_for_gradient(op, a, singular):
    if np.any(singular):
        raise DifferentiationError(
            f"{op}: the gradient at a singular matrix (det = 0) is not computed "
            "(its formula needs inv(A))"
        )
    return inv(a)


def det_vjp(g, ans, a):
    # d det = det * tr(A^-1 dA): the cotangent is g * det * A^-T
    return (_mat(g * ans) * _swap_last(_inv_for_gradient("det", a, ans.data == 0)),)


def det_jvp(dots, ans, a):
    a_inv_t = _swap_last(_inv_for_gradient("det", a, ans.data == 0))
    return ans * _trace_product(a_inv_t, dots[0])


defvjp(det_p, det_vjp)
defjvp(det_p, det_jvp)

# ----- slogdet -----


def _logabsdet_impl(a):
    return np.linalg.slogdet(a)[1]


logabsdet_p = defprim("logabsdet", _logabsdet_impl, 1)


def slogdet(a):
    """``(sign, log|det|)`` of each matrix, like ``np.linalg.slogdet``.

    Parameters
    ----------
    a : array_like or Tensor
        A matrix or a stack of them, of shape (..., n, n).

    Returns
    -------
    (Tensor, Tensor)
        The sign, a constant (no gradient), and ``log|det a|``, whose gradient
        is ``inv(a).T`` (refused at a singular matrix, as for :func:`det`).

    Raises
    ------
    ShapeError
        If the last two axes are not square.

    Examples
    --------
    >>> import numeric as nm
    >>> sign, logdet = nm.linalg.slogdet(np.diag([-2.0, 3.0]))
    >>> float(sign.data), round(float(logdet.data), 6)
    (-1.0, 1.791759)
    """
    _square("slogdet", a)
    data = a.data if isinstance(a, Tensor) else np.asarray(a, dtype=float)
    sign = Tensor(np.linalg.slogdet(data)[0])
    return sign, apply(logabsdet_p, a)


def logabsdet_vjp(g, ans, a):
    # d log|det A| = tr(A^-1 dA); log|det| = -inf marks a singular matrix
    singular = np.isneginf(ans.data)
    return (_mat(g) * _swap_last(_inv_for_gradient("slogdet", a, singular)),)


def logabsdet_jvp(dots, ans, a):
    a_inv_t = _swap_last(_inv_for_gradient("slogdet", a, np.isneginf(ans.data)))
    return _trace_product(a_inv_t, dots[0])


defvjp(logabsdet_p, logabsdet_vjp)
defjvp(logabsdet_p, logabsdet_jvp)

# ----- solve -----


def _solve_impl(a, b, vector):
    if vector:
        return _linalg_call("solve", np.linalg.solve, a, b[..., None])[..., 0]
    return _linalg_call("solve", np.linalg.solve, a, b)


solve_p = defprim("solve", _solve_impl, 2)


def solve(a, b):
    """Solve ``a @ x = b`` for ``x``, like ``np.linalg.solve``.

    Parameters
    ----------
    a : array_like or Tensor
        Square matrices, shape (..., n, n).
    b : array_like or Tensor
        A vector (n,) when 1-D, else a stack of matrices (..., n, k) (NumPy 2's
        rule); batch dimensions broadcast.

    Returns
    -------
    Tensor
        ``x``; the VJP is ``b_bar = solve(a.T, g)``, ``a_bar = -b_bar x.T``.

    Raises
    ------
    ShapeError
        If ``a`` is not square or ``b`` does not fit it.
    ArgumentError
        If a matrix is singular.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.linalg.solve(np.diag([2.0, 4.0]), np.array([1.0, 1.0])).data
    array([0.5 , 0.25])
    """
    _square("solve", a)
    a_shape = a.shape if isinstance(a, Tensor) else np.shape(a)
    b_shape = b.shape if isinstance(b, Tensor) else np.shape(b)
    vector = len(b_shape) == 1
    rows = b_shape[0] if vector else (b_shape[-2] if len(b_shape) >= 2 else None)
    if rows != a_shape[-1]:
        raise ShapeError(f"solve: shapes {a_shape} and {b_shape} do not fit")
    return apply(solve_p, a, b, vector=vector)


def _column(t, vector):
    return reshape(t, t.shape + (1,)) if vector else t


def solve_vjp(g, ans, a, b, vector):
    # x = A^-1 b: b_bar = A^-T g, A_bar = -b_bar x^T
    g_col = _column(g, vector)
    b_bar = apply(solve_p, _swap_last(a), g_col, vector=False)
    ga = gb = None
    if needs_grad(a):
        ga = unbroadcast(-matmul(b_bar, _swap_last(_column(ans, vector))), a.shape)
    if needs_grad(b):
        b_bar_b = reshape(b_bar, b_bar.shape[:-1]) if vector else b_bar
        gb = reshape(unbroadcast(b_bar_b, b.shape), b.shape)
    return (ga, gb)


def solve_jvp(dots, ans, a, b, vector):
    da, db = dots
    rhs = None if db is None else _column(db, vector)
    if da is not None:
        term = -matmul(da, _column(ans, vector))
        rhs = term if rhs is None else rhs + term
    out = apply(solve_p, a, rhs, vector=False)
    if vector:
        out = reshape(out, out.shape[:-1])
    return out


defvjp(solve_p, solve_vjp)
defjvp(solve_p, solve_jvp)

# ----- cholesky -----


def _sym(a):
    return 0.5 * (a + np.swapaxes(a, -1, -2))


def _cholesky_impl(a):
    return _linalg_call("cholesky", np.linalg.cholesky, _sym(a))


cholesky_p = defprim("cholesky", _cholesky_impl, 1)


def cholesky(a):
    """Lower Cholesky factor ``L`` of each symmetric positive-definite matrix
    (``a = L @ L.T``), like ``np.linalg.cholesky``.

    As ``jax.numpy.linalg.cholesky`` does, the input is symmetrized first,
    ``(a + a.T) / 2``: identical for a symmetric ``a``, and the gradient is the
    symmetric one PyTorch and JAX give (Murray 2016).

    Parameters
    ----------
    a : array_like or Tensor
        A matrix or a stack of them, of shape (..., n, n).

    Returns
    -------
    Tensor
        ``L``, lower triangular, of ``a``'s shape.

    Raises
    ------
    ShapeError
        If the last two axes are not square.
    ArgumentError
        If a matrix is not positive definite.

    Examples
    --------
    >>> import numeric as nm
    >>> nm.linalg.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]])).data
    array([[2., 0.],
           [1., 2.]])
    """
    _square("cholesky", a)
    return apply(cholesky_p, a)


def _phi(x):
    """The lower triangle of ``x`` with its diagonal halved."""
    n = x.shape[-1]
    weights = np.tril(np.ones((n, n))) - 0.5 * np.eye(n)
    return x * weights


def _sandwich(lower, x):
    """L^-T x L^-1 through two triangular solves (written as ``solve``)."""
    lt = _swap_last(lower)
    y = apply(solve_p, lt, x, vector=False)  # L^-T x
    return _swap_last(apply(solve_p, lt, _swap_last(y), vector=False))  # y L^-1


def cholesky_vjp(g, ans, a):
    # Murray (2016), eq. 10: S = L^-T Phi(L^T L_bar) L^-1; A_bar = (S + S^T) / 2
    s = _sandwich(ans, _phi(matmul(_swap_last(ans), g)))
    return (0.5 * (s + _swap_last(s)),)


def cholesky_jvp(dots, ans, a):
    # dL = L Phi(L^-1 sym(dA) L^-T)
    da = 0.5 * (dots[0] + _swap_last(dots[0]))
    y = apply(solve_p, ans, da, vector=False)  # L^-1 dA
    inner = _swap_last(apply(solve_p, ans, _swap_last(y), vector=False))
    return matmul(ans, _phi(inner))


defvjp(cholesky_p, cholesky_vjp)
defjvp(cholesky_p, cholesky_jvp)
